"""Adversarial arrivals: the competitive ratio of every deterministic policy grows with the family
parameter (paper.md §5.2; docs/online_results.md).

    PYTHONPATH=. python benchmarks/online_adversary.py
    PYTHONPATH=. python benchmarks/online_adversary.py --reference ip      # once the ip method exists

For x in --xs, an adaptive adversary (kvopt.sim.adversary) releases one long request at round 0 and x
short ones one round after the policy starts the long one; M = x(x+1), n = x + 1 requests. Each policy
runs against it online; its total latency is divided by the hindsight reference on the realised instance:
`--reference schedules` (default) uses the best of two explicit offline schedules, each verified (short
requests first, or the long one first), an upper bound on OPT -- so the printed ratio is a LOWER bound on
the policy's competitive ratio; `--reference ip` uses the IP optimum.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

from kvopt import solve, verify
from kvopt.policies import all_policies, make_policy
from kvopt.sim import simulate
from kvopt.sim.adversary import DelayedShortAdversary, hindsight_schedules


def options_for(name: str, x: int, types_file: str) -> dict:
    """What each policy needs to run against an adversary whose workload is unknown in advance."""
    memory = x * (x + 1)
    if name in ("orca", "faster-transformer"):
        return {"max_tokens": memory}
    if name in ("wait", "nested-wait"):
        with open(types_file, "w") as out:
            json.dump([{"output": 1, "prompt": x, "rate": x}, {"output": x, "prompt": memory - x, "rate": 1}], out)
        return {"types": types_file}
    return {}


def reference(instance, kind: str, time_limit: float) -> int:
    if kind == "ip":
        result = solve(instance, "ip", time_limit=time_limit)
        if result.status.value != "optimal":
            raise SystemExit(f"ip did not prove optimality on x = {instance.memory}: {result.status}")
        return result.objective
    return min(report.objective for report in (verify(instance, s) for s in hindsight_schedules(instance).values())
               if report.feasible)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--xs", type=int, nargs="+", default=[2, 3, 4, 6, 8, 12, 16, 24, 32])
    parser.add_argument("--reference", choices=["schedules", "ip"], default="schedules")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    names = [spec.name for spec in all_policies()]
    print(f"reference: {args.reference} ("
          + ("the best verified offline schedule, an upper bound on OPT: ratios are lower bounds)"
             if args.reference == "schedules" else "the hindsight optimum)"))
    print("| x | n = x+1 | M | x/2 | " + " | ".join(names) + " |")
    print("|---:|---:|---:|---:|" + "---:|" * len(names))
    with tempfile.TemporaryDirectory() as folder:
        types_file = os.path.join(folder, "types.json")
        for x in args.xs:
            cells = []
            for name in names:  # the realised instance depends on when the policy starts the long request
                simulation = simulate(None, make_policy(name, options_for(name, x, types_file)),
                                      arrivals=DelayedShortAdversary(x))
                cells.append(f"{simulation.objective / reference(simulation.instance, args.reference, args.time_limit):.2f}")
            print(f"| {x} | {x + 1} | {x * (x + 1)} | {x / 2:g} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
