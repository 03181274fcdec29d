"""Reduced-cost fixing on one paper prefix, step by step (formulations/pattern-relaxation.md, Section 7):
a CP-SAT schedule as UB, the pattern bound at the LP's prices (or with column generation), the
forward-backward program, the starts left, then the restricted problem solved by CP-SAT and by the IP.

    PYTHONPATH=. python benchmarks/bench_fixing.py --model 2 --index 1 --n 15

With --targets T ...: the fixing redone for each target T below UB (a start kept only if a schedule of total
latency <= T - 1 can use it) and CP-SAT over the starts left for 20 s; INFEASIBLE proves OPT >= T.
"""

from __future__ import annotations

import argparse
import time

from kvopt.catalogue import get_method
from kvopt.generate.paper import paper_synthetic
from kvopt.patterns.bound import lagrangian
from kvopt.patterns.fixing import allowed_starts, restricted_search
from kvopt.patterns.pricing import through
from kvopt.solve import solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=int, default=2)
    parser.add_argument("--index", type=int, default=1)
    parser.add_argument("--n", type=int, default=15)
    parser.add_argument("--upper", default="cpsat", help="the method whose schedule is UB")
    parser.add_argument("--upper-s", type=float, default=15.0, help="its time limit")
    parser.add_argument("--columns", action="store_true", help="column generation after the LP's prices")
    parser.add_argument("--targets", type=int, nargs="*", help="fix against these targets instead of UB")
    parser.add_argument("--pattern-fix", type=float, metavar="S", help="run the method pattern-fix for S seconds")
    args = parser.parse_args()
    full = paper_synthetic(args.model, 1, args.index)
    instance = full.replace_requests(full.requests[:args.n], name=f"{full.name}-n{args.n}")
    if args.pattern_fix:
        return run_pattern_fix(instance, args.pattern_fix)
    clock = time.monotonic()
    upper = solve(instance, args.upper, time_limit=args.upper_s)
    print(f"{instance.name}: UB {upper.objective} ({args.upper}, {time.monotonic() - clock:.1f} s)")
    spec = get_method("pattern-fix")
    settings = spec.settings(60, 0, 1, {"columns": args.columns}, upper.schedule, None)
    clock = time.monotonic()
    found = lagrangian(instance, settings)
    search = found.search
    print(f"LP {found.lp_value:.3f}, L {search.best:.3f} ({time.monotonic() - clock:.1f} s)")
    clock = time.monotonic()
    via = through(search.classes, instance.memory, search.best_prices, max_states=200_000_000)
    print(f"forward-backward program: {via.status}, {via.states:,} states, {time.monotonic() - clock:.1f} s")
    allowed = allowed_starts(search.classes, search.best_prices, via, upper.objective)
    total = sum(int(search.classes.last[k] - search.classes.arrival[k] + 1) for k in range(len(search.classes)))
    print(f"starts left: {sum(a.size for a in allowed)} of {total}")
    if args.targets:
        return fix_to_targets(instance, search, via, upper, args.targets, spec)
    log: list = []
    settings = spec.settings(300, 0, 1, {}, upper.schedule, None)
    clock = time.monotonic()
    _, objective, bound, infeasible = restricted_search(instance, allowed, upper.objective, upper.schedule,
                                                        settings, log)
    print(f"restricted CP-SAT: infeasible {infeasible}, objective {objective}, bound {bound}, "
          f"{time.monotonic() - clock:.1f} s")
    restricted_ip(instance, allowed, upper)


def run_pattern_fix(instance, seconds: float) -> None:
    clock = time.monotonic()
    result = solve(instance, "pattern-fix", time_limit=seconds)
    print(f"{instance.name}: pattern-fix {result.status.value}, objective {result.objective}, bound "
          f"{result.lower_bound}, {time.monotonic() - clock:.1f} s; schedule from {result.info['schedule_source']}")
    for line in result.log:
        if line.startswith(("fixing at", "restricted CP-SAT", "no schedule better", "no fixing")):
            print("  " + line)


def fix_to_targets(instance, search, via, upper, targets, spec) -> None:
    for target in targets:
        allowed = allowed_starts(search.classes, search.best_prices, via, target)
        clock = time.monotonic()
        _, objective, bound, infeasible = restricted_search(instance, allowed, target, upper.schedule,
                                                            spec.settings(20, 0, 1, {}, upper.schedule, None), [])
        print(f"T {target}: {sum(a.size for a in allowed)} starts left; infeasible {infeasible}, objective "
              f"{objective}, bound {bound}, {time.monotonic() - clock:.1f} s")


def restricted_ip(instance, allowed, upper) -> None:
    """The same restricted problem as HiGHS's MIP (time-indexed model, peak cuts, starts fixed to 0)."""
    from dataclasses import replace

    import numpy as np

    from kvopt.formulations.highs_solver import root_bound, set_integer, solve_mip, to_highs
    from kvopt.formulations.timeindexed import build_time_indexed

    clock = time.monotonic()
    horizon = max(int(periods.max()) for periods in allowed)
    model = build_time_indexed(instance, horizon, upper_bound=upper.objective)
    bounds = np.zeros(model.columns)
    for g, periods in enumerate(allowed):
        offset = periods - int(model.groups.arrival[g])
        bounds[model.first[g] + offset[offset < model.width[g]]] = model.groups.size[g]
    model = replace(model, col_upper=bounds)
    highs = to_highs(model, integer=False)
    root = root_bound(model, highs, cut_rounds=100, deadline=time.monotonic() + 300)
    set_integer(highs, root.model.columns)
    run = solve_mip(highs, root.model, deadline=time.monotonic() + 300, gap=0.0, start=None)
    print(f"restricted IP: {run.status}, objective {run.objective}, bound {run.dual_bound}, {run.nodes} nodes, "
          f"{time.monotonic() - clock:.1f} s")


if __name__ == "__main__":
    main()
