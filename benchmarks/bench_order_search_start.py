"""order-search from MC-SF's ranking against order-search from the best quick schedule (benchmarks/README.md,
"Two processes"): the same time limit and seed, one instance per run.

    PYTHONPATH=. python benchmarks/bench_order_search_start.py instances/paper-sample/paper-m2-s0-004.json ranking 40
    PYTHONPATH=. python benchmarks/bench_order_search_start.py instances/paper-sample/paper-m2-s0-004.json quick 40

quick: started from the best non-evicting schedule of fluid, mcsf, sorted-f, nested-wait, alpha-greedy and
fcfs (what certify's quick methods hand on, about). Prints the instance, the start, the objective, the orders tried.
"""

from __future__ import annotations

import argparse

from kvopt import read_instance, solve
from kvopt.schedule import Schedule

QUICK = ("fluid", "mcsf", "sorted-f", "nested-wait", "alpha-greedy", "fcfs")


def best_quick(instance) -> Schedule:
    results = [solve(instance, method) for method in QUICK]
    best = min((r for r in results if r.schedule is not None and not r.schedule.runs), key=lambda r: r.objective)
    return Schedule(best.schedule.starts, metadata={"method": best.method})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("start", choices=("ranking", "quick"))
    parser.add_argument("seconds", type=float)
    args = parser.parse_args()
    instance = read_instance(args.instance)
    initial = best_quick(instance) if args.start == "quick" else None
    result = solve(instance, "order-search", time_limit=args.seconds, initial_schedule=initial)
    print(args.instance, args.start, result.objective, result.info.get("orders"))


if __name__ == "__main__":
    main()
