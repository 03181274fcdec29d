"""Simulation speed on LMSYS-like traces at the paper's M = 16,492 (benchmarks/README.md).

    PYTHONPATH=. python benchmarks/bench_simulate.py --sizes 10000 100000 --policies mcsf,mc-benchmark,vllm,fluid

For each (size, policy): wall-clock seconds of `kvopt.sim.simulate` (verification of the schedule
included), requests and executed rounds simulated per second, and what the run produced. Arrivals are
Poisson at --rate requests per round (default 1.3, about 0.9 of the fluid capacity M / E[memory-time] of
this workload, ~1.42 per round).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from workloads import lmsys_like, source_name  # noqa: E402

from kvopt.policies import make_policy  # noqa: E402
from kvopt.predictions import apply_predictions  # noqa: E402
from kvopt.sim import simulate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--policies", default="mcsf,mc-benchmark,vllm,fluid")
    parser.add_argument("--rate", type=float, default=1.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", choices=["auto", "file", "generator"], default="auto")
    parser.add_argument("--predictions", help="add predictions first (e.g. interval:0.5 for amax/amin)")
    args = parser.parse_args()
    print(f"workload: LMSYS-like ({source_name(args.source)}), M = 16492, Poisson {args.rate}/round, "
          f"seed {args.seed}, predictions {args.predictions or 'none'}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("| requests | policy | executed rounds | wall s | requests/s | rounds/s | mean latency (rounds) | "
          "evictions |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        instance = lmsys_like(size, rate=args.rate, seed=args.seed, source=args.source)
        if args.predictions:
            instance = apply_predictions(instance, args.predictions, args.seed)
        for name in args.policies.split(","):
            clock = time.perf_counter()
            simulation = simulate(instance, make_policy(name))
            wall = time.perf_counter() - clock
            rounds = len(simulation.rounds)
            print(f"| {size:,} | {name} | {rounds:,} | {wall:.2f} | {size / wall:,.0f} | {rounds / wall:,.0f} | "
                  f"{simulation.objective / size:.1f} | {simulation.report.evictions:,} |", flush=True)


if __name__ == "__main__":
    main()
