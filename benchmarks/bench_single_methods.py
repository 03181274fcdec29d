"""Target 4 of issue 11: is certify's best schedule ever worse than what one registered method finds alone
with the same budget? Each method runs alone with --time-limit T, from nothing (as `kvopt solve FILE -m
METHOD --time-limit T` runs it), and its verified objective is set against certify's best from a results
file of bench_certified.py (same budget).

    PYTHONPATH=. python benchmarks/bench_single_methods.py instances/paper-sample/paper-m2-s0-00{0,2,4,6,8}.json --certified benchmarks/results/certified-sample-order-search.jsonl --time-limit 60 --methods order-search cpsat ip
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kvopt import read_instance, solve  # noqa: E402
from kvopt.errors import InputError  # noqa: E402

METHODS = ("order-search", "cpsat", "ip", "exact", "pattern-fix")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="+", type=Path)
    parser.add_argument("--certified", type=Path, required=True, help="bench_certified.py results (JSON lines)")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    args = parser.parse_args()
    best = {row["instance"]: row["objective"] for row in map(json.loads, args.certified.read_text().splitlines())}
    print("| instance | n | certify's best | " + " | ".join(args.methods) + " |")
    print("|---|---|---|" + "---|" * len(args.methods))
    worse = 0
    for path in args.instances:
        instance = read_instance(path)
        cells = []
        for method in args.methods:
            try:
                objective = solve(instance, method, time_limit=args.time_limit).objective
            except InputError as problem:
                objective = None
                print(f"{instance.name} {method}: {problem}", file=sys.stderr)
            beats = objective is not None and objective < best[instance.name]
            worse += beats
            cells.append("-" if objective is None else f"{objective}{' (better)' if beats else ''}")
        print(f"| {instance.name} | {len(instance)} | {best[instance.name]} | " + " | ".join(cells) + " |", flush=True)
    print(f"\nsingle runs better than certify's best: {worse}")


if __name__ == "__main__":
    main()
