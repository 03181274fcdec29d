"""Simulation speed and memory on LMSYS traces at the paper's M = 16,492 (benchmarks/README.md), the
event-driven engine (kvopt.sim) against today's round-by-round engine kept in tests/reference/.

    PYTHONPATH=. python benchmarks/bench_simulate.py --sizes 10000 100000 --policies mcsf,vllm --reference 100000

For each (size, policy): wall-clock seconds of `simulate` (verification of the schedule included; the
instance is built before and not timed), and the peak resident memory of the process that ran it (a
forked child per run, so runs do not share a heap: the instance's own memory is included, the figure
after "+" is the growth during the run). The instance is held in columns (Instance.from_columns in
benchmarks/workloads.py), as `kvopt simulate FILE` reads a file of plain requests, so the figures are
those of the CLI's path: the compiled loop builds no Request objects. The reference engine needs them:
they are built in its child before its clock starts (in its peak, not in its seconds). With --reference N the reference engine runs too on sizes up
to N, in the same child set-up, and the table gives old/new (the speed-up) and checks that both
produced the same starts. Arrivals are Poisson at --rate requests per round (default 1.3, about 0.9 of
the fluid capacity of this workload). amax and amin get interval predictions (interval:0.5).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from workloads import lmsys_like, source_name  # noqa: E402

from kvopt.policies import all_policies  # noqa: E402
from kvopt.predictions import apply_predictions  # noqa: E402

INTERVALS = ("amax", "amin")


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _run(instance, name: str, engine: str) -> tuple[float, float, float, int, int, int]:
    """In a child process: (wall s, peak RSS MB, RSS growth MB, executed rounds, objective, starts hash)."""
    if engine == "new":
        from kvopt.policies import make_policy
        from kvopt.sim import simulate
    else:
        from tests.reference.policies import make_policy
        from tests.reference.sim import simulate
    options = {"lengths": "exact"} if name == "wait" else {}
    if engine != "new":
        instance.requests  # noqa: B018 - built here, not in the reference's seconds
    before = _rss_mb()
    clock = time.perf_counter()
    simulation = simulate(instance, make_policy(name, options))
    wall = time.perf_counter() - clock
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (wall, peak, peak - before, len(simulation.rounds), simulation.objective,
            hash(tuple(simulation.schedule.starts.values())))


def in_child(instance, name: str, engine: str):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            result = repr(_run(instance, name, engine))
        except Exception as error:  # noqa: BLE001 - reported in the table
            result = repr(f"{type(error).__name__}: {error}")
        os.write(write, result.encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    return eval(b"".join(chunks).decode())  # noqa: S307 - our own child's repr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--policies", default="all", help="comma-separated names, or all (the 14 policies)")
    parser.add_argument("--reference", type=int, default=0, metavar="N",
                        help="also run the reference engine on sizes up to N")
    parser.add_argument("--rate", type=float, default=1.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", choices=["auto", "file", "generator"], default="auto")
    args = parser.parse_args()
    names = [s.name for s in all_policies()] if args.policies == "all" else args.policies.split(",")
    print(f"workload: LMSYS ({source_name(args.source)}), M = 16492, Poisson {args.rate}/round, seed "
          f"{args.seed}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("| requests | policy | executed rounds | new s | new peak MB (+run) | old s | old peak MB (+run) | "
          "old/new | same starts |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for size in args.sizes:
        base = lmsys_like(size, rate=args.rate, seed=args.seed, source=args.source)
        intervals = None
        for name in names:
            instance = base
            if name in INTERVALS:
                intervals = intervals or apply_predictions(base, "interval:0.5", args.seed)
                instance = intervals
            new = in_child(instance, name, "new")
            if isinstance(new, str):
                print(f"| {size:,} | {name} | {new} | | | | | | |", flush=True)
                continue
            cells = ["", "", "", ""]
            if size <= args.reference:
                old = in_child(instance, name, "reference")
                if isinstance(old, str):
                    cells = [old, "", "", ""]
                else:
                    cells = [f"{old[0]:.2f}", f"{old[1]:,.0f} (+{old[2]:,.0f})", f"{old[0] / new[0]:.2f}",
                             "yes" if (old[3:]) == (new[3:]) else "NO"]
            print(f"| {size:,} | {name} | {new[3]:,} | {new[0]:.2f} | {new[1]:,.0f} (+{new[2]:,.0f}) | "
                  + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
