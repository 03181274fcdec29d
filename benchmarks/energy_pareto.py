"""Latency against energy among the schedules kvopt finds (issue 16): the unit-round energy measure of
kvopt.energy (W-rounds under a power model of kvopt.hardware.energy) of every heuristic's and policy's
schedule and of the set's best-known schedule (instances/SET/schedules, from the exact methods), and the
Pareto front between total latency and energy per instance.

    PYTHONPATH=. python benchmarks/energy_pareto.py                       # the paper sample, a100-mlenergy
    PYTHONPATH=. python benchmarks/energy_pareto.py --set small --energy a100-samsi2023

Preemptive schedules (vllm, wait, nested-wait resume evicted requests with their progress) are left out,
as in certify. Prints a Markdown table per instance and a summary.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter, defaultdict

from kvopt import instances, solve
from kvopt.catalogue import all_methods
from kvopt.energy import account, pareto_front
from kvopt.errors import InputError, SolveError
from kvopt.hardware.energy import load
from kvopt.verify import verify


def schedules(set_name: str, name: str) -> dict[str, object]:
    """Every non-preemptive heuristic and policy schedule of one instance, and the best known one."""
    instance = instances.load(set_name, name)
    found = {}
    for spec in all_methods():
        if spec.kind not in ("heuristic", "policy"):
            continue
        try:
            result = solve(instance, spec.name, time_limit=5)
        except (InputError, SolveError):
            continue  # e.g. a policy needing interval predictions
        if result.schedule is not None and not result.schedule.resumes_progress:
            found[spec.name] = result.schedule
    found["best known"] = instances.best_schedule(set_name, name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="paper-sample", help="bundled instance set (default paper-sample)")
    parser.add_argument("--energy", default=None, help="power model (default a100-mlenergy)")
    args = parser.parse_args()
    model = load(args.energy)
    on_front, lowest_latency_is_lowest_energy, spreads, saved, cost = Counter(), 0, [], [], []
    most, makespans = Counter(), defaultdict(list)
    names = instances.instance_names(args.set)
    print(f"| instance | schedules | Pareto front: method (total latency, {model.name} W-rounds) |\n|---|---:|---|")
    for name in names:
        instance = instances.load(args.set, name)
        points = []
        for method, schedule in schedules(args.set, name).items():
            energy = account(instance, schedule, model).total
            report = verify(instance, schedule)
            points.append((method, report.objective, energy))
            makespans[method].append(report.makespan)
        most[max(points, key=lambda p: p[2])[0]] += 1
        front = pareto_front(points)
        on_front.update(label for label, _, _ in front)
        energies = [e for _, _, e in points]
        spreads.append(max(energies) / min(energies) - 1)
        if len(front) == 1:
            lowest_latency_is_lowest_energy += 1
        else:
            saved.append(1 - front[-1][2] / front[0][2])
            cost.append(front[-1][1] / front[0][1] - 1)
        shown = ", ".join(f"{label} ({latency}, {energy:.0f})" for label, latency, energy in front)
        print(f"| {name} | {len(points)} | {shown} |")
    print(f"\n{len(names)} instances ({args.set}), power model {model.name}:")
    print(f"- the lowest-latency schedule also has the least energy on {lowest_latency_is_lowest_energy} of {len(names)}")
    if saved:
        print(f"- elsewhere the least-energy schedule saves {100 * statistics.median(saved):.1f}% energy (median; "
              f"max {100 * max(saved):.1f}%) for {100 * statistics.median(cost):.1f}% more total latency (median)")
    print(f"- energy spread among all schedules of an instance (most / least - 1): median "
          f"{100 * statistics.median(spreads):.1f}%, max {100 * max(spreads):.1f}%")
    print("- on a front: " + ", ".join(f"{label} {count}" for label, count in on_front.most_common()))
    print("- the most energy: " + ", ".join(f"{label} {count}" for label, count in most.most_common()))
    print("- mean makespan (rounds): " + ", ".join(f"{label} {statistics.mean(v):.1f}" for label, v in
                                                   sorted(makespans.items(), key=lambda item: statistics.mean(item[1]))))


if __name__ == "__main__":
    main()
