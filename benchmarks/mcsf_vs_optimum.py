"""MC-SF / OPT at the sizes where kvopt proves the optimum (issue 11, notebook 01; kvopt/experiments/proven.py).

    PYTHONPATH=. python benchmarks/mcsf_vs_optimum.py --sizes 10 --count 200 --budget 60 --out benchmarks/results/mcsf-vs-optimum.jsonl
    PYTHONPATH=. python benchmarks/mcsf_vs_optimum.py --summary --out benchmarks/results/mcsf-vs-optimum.jsonl

Certifies the first n requests of paper-synthetic instances 0..count-1 (seed 0, both arrival models) and
prints, per (model, n), how many are proven, MC-SF / OPT over the proven ones (mean, worst, how often
MC-SF is optimal) and the mean interval [MC-SF / best, MC-SF / bound] over all. Resumable: instances
already in --out with the same budget are not run again; --summary only reads.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kvopt.experiments.proven import read_rows, run, summarize  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sizes", nargs="+", default=["10"], help="prefix sizes, or 'whole' (the paper's size)")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--summary", action="store_true", help="only summarize what --out holds")
    args = parser.parse_args()
    sizes = [None if size == "whole" else int(size) for size in args.sizes]
    try:
        rows = read_rows(args.out) if args.summary else run(args.models, sizes, args.count, args.budget,
                                                            args.out, args.seed)
    except KeyboardInterrupt:
        raise SystemExit("stopped; the instances finished so far are in " + str(args.out)) from None
    print("| model | n | instances | proven | MC-SF / OPT mean (proven) | worst | MC-SF optimal | "
          "mean MC-SF / best (all) | mean MC-SF / bound (all) | median certify s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in summarize(rows):
        ratio = "-" if s.mean_ratio is None else f"{s.mean_ratio:.4f}"
        worst = "-" if s.worst_ratio is None else f"{s.worst_ratio:.4f}"
        print(f"| {s.model} | {'whole' if s.n is None else s.n} | {s.instances} | {s.proven} | {ratio} | {worst} | {s.mcsf_optimal} | "
              f"{s.mean_to_best:.4f} | {s.mean_to_bound:.4f} | {s.median_runtime_s:.1f} |")


if __name__ == "__main__":
    main()
