"""Identical requests (M, s, o, n) all at round 0: homogeneous-dp vs exact, the greedy, scaling.

Run from the repository root:
  PYTHONPATH=. python benchmarks/bench_homogeneous.py grid      # M<=16, s<=3, o<=6, n<=8: dp == exact?
  PYTHONPATH=. python benchmarks/bench_homogeneous.py greedy    # the greedy's misses on M 4-15, s 1-3, o 1-5, n 1-6
  PYTHONPATH=. python benchmarks/bench_homogeneous.py wide      # greedy on M 4-30, s 1-5, o 1-8, n 1-10
  PYTHONPATH=. python benchmarks/bench_homogeneous.py scaling   # states and time for n up to 2000
The greedy is fcfs (with exact lengths and identical requests it is MC-SF / MC-Benchmark).
"""

from __future__ import annotations

import argparse
import time

from kvopt import Instance, Request, solve
from kvopt.exact.homogeneous import homogeneous_dp


def instance(memory: int, prompt: int, output: int, n: int) -> Instance:
    return Instance(memory, tuple(Request(f"r{k}", 0, prompt, output) for k in range(n)))


def triples(max_memory: int, max_prompt: int, max_output: int, min_memory: int = 4):
    for memory in range(min_memory, max_memory + 1):
        for prompt in range(1, max_prompt + 1):
            for output in range(1, max_output + 1):
                if prompt + output <= memory:
                    yield memory, prompt, output


def grid() -> None:
    checked = disagree = greedy_worse = 0
    dp_time = exact_time = 0.0
    exact_nodes = []
    for memory, prompt, output in triples(16, 3, 6):
        for n in range(1, 9):
            case = instance(memory, prompt, output, n)
            dp = solve(case, "homogeneous-dp")
            exact = solve(case, "exact")
            checked += 1
            dp_time += dp.runtime_s
            exact_time += exact.runtime_s
            exact_nodes.append(exact.info["nodes"])
            if dp.objective != exact.objective or exact.status.value != "optimal":
                disagree += 1
                print("DISAGREE", memory, prompt, output, n, dp.objective, exact.objective)
            greedy_worse += solve(case, "fcfs").objective > dp.objective
    print(f"instances {checked}; dp != exact: {disagree}; greedy suboptimal: {greedy_worse}")
    print(f"total time dp {dp_time:.2f} s, exact {exact_time:.2f} s; exact nodes max {max(exact_nodes)}")


def greedy() -> None:
    total, worse = 0, []
    for memory, prompt, output in triples(15, 3, 5):
        for n in range(1, 7):
            optimum = homogeneous_dp(memory, prompt, output, [0] * n)
            value = optimum[0] + n * output
            total += 1
            greedy_value = solve(instance(memory, prompt, output, n), "fcfs").objective
            if greedy_value != value:
                worse.append((memory, prompt, output, n, value, greedy_value, optimum[1]))
    print(f"homogeneous instances: {total}; greedy suboptimal: {len(worse)}")
    print("| M | s | o | n | optimum | greedy | optimal starts |")
    print("|---|---|---|---|---|---|---|")
    for memory, prompt, output, n, value, greedy_value, starts in worse:
        print(f"| {memory} | {prompt} | {output} | {n} | {value} | {greedy_value} | {starts} |")


def wide() -> None:
    total, worse = 0, []
    for memory, prompt, output in triples(30, 5, 8):
        for n in range(1, 11):
            value = homogeneous_dp(memory, prompt, output, [0] * n)[0] + n * output
            greedy_value = solve(instance(memory, prompt, output, n), "fcfs").objective
            total += 1
            if greedy_value != value:
                worse.append((greedy_value / value, memory, prompt, output, n, value, greedy_value))
    print(f"homogeneous instances: {total}; greedy suboptimal: {len(worse)}; smallest o: "
          f"{min(w[3] for w in worse)}; smallest n: {min(w[4] for w in worse)}")
    for label, chosen in (("first with o = 2", [w for w in worse if w[3] == 2][:1]),
                          ("first with 2(s + o) > M", [w for w in worse if 2 * (w[2] + w[3]) > w[1]][:1]),
                          ("largest ratio", [max(worse)])):
        for ratio, memory, prompt, output, n, value, greedy_value in chosen:
            print(f"{label}: (M, s, o, n) = ({memory}, {prompt}, {output}, {n}): optimum {value}, greedy "
                  f"{greedy_value} (ratio {ratio:.3f})")


def scaling() -> None:
    print("| M | s | o | n | optimum | states | seconds | start gaps between the last 13 requests |")
    print("|---|---|---|---|---|---|---|---|")
    for memory, prompt, output in ((9, 1, 3), (11, 1, 4), (40, 3, 12), (50, 5, 20)):
        for n in (10, 100, 1000, 2000):
            clock = time.perf_counter()
            waiting, starts, states = homogeneous_dp(memory, prompt, output, [0] * n)
            seconds = time.perf_counter() - clock
            tail = starts[-13:]
            gaps = [b - a for a, b in zip(tail, tail[1:])]
            print(f"| {memory} | {prompt} | {output} | {n} | {waiting + n * output} | {states} | "
                  f"{seconds:.2f} | {gaps} |", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("grid", "greedy", "wide", "scaling"))
    {"grid": grid, "greedy": greedy, "wide": wide, "scaling": scaling}[parser.parse_args().what]()
