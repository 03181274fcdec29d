"""Verifier speed: verify a feasible 100,000-request schedule (and an infeasible one).

Run: python benchmarks/bench_verify.py [--requests N] [--repeat R]
The schedule is built by packing requests into independent "lanes" of memory (one request at a time per
lane), which makes it feasible by construction without running any kvopt scheduler.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from kvopt import Instance, Request, Schedule, verify


def lane_instance(n: int, seed: int = 0) -> tuple[Instance, Schedule]:
    rng = np.random.default_rng(seed)
    lanes, lane_capacity = 80, 200
    prompts = rng.integers(1, 100, n)
    outputs = rng.integers(1, lane_capacity - prompts + 1)
    arrivals = np.sort(rng.integers(0, n // 10, n))
    free_at = np.zeros(lanes, np.int64)
    starts = np.empty(n, np.int64)
    for k in range(n):
        lane = int(free_at.argmin())
        starts[k] = max(free_at[lane], arrivals[k])
        free_at[lane] = starts[k] + outputs[k]
    requests = tuple(Request(f"r{k}", int(arrivals[k]), int(prompts[k]), int(outputs[k])) for k in range(n))
    instance = Instance(lanes * lane_capacity, requests)
    return instance, Schedule.from_starts(instance.ids, starts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    instance, schedule = lane_instance(args.requests)
    timings = []
    for _ in range(args.repeat):
        clock = time.perf_counter()
        report = verify(instance, schedule)
        timings.append(time.perf_counter() - clock)
    assert report.feasible
    broken = Schedule({r.id: r.arrival for r in instance.requests})  # everyone starts on arrival
    clock = time.perf_counter()
    bad = verify(instance, broken)
    infeasible_time = time.perf_counter() - clock
    print(f"requests: {args.requests}  rounds: {report.makespan}  memory: {instance.memory}")
    print(f"verify feasible schedule: median {statistics.median(timings):.3f} s, "
          f"min {min(timings):.3f} s over {args.repeat} runs (objective {report.objective})")
    print(f"verify infeasible schedule: {infeasible_time:.3f} s (feasible={bad.feasible}, "
          f"{bad.violation_count} violations)")


if __name__ == "__main__":
    main()
