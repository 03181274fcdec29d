"""The brute-force optimum of the tests; it shares no code with kvopt's solvers.

Depth-first enumeration of start vectors: request by request (sorted by arrival, prompt, output), every
start p >= a_i whose waiting p - a_i keeps the total waiting below the best found so far (the first
"best" is the schedule that starts each request, in that order, at its earliest start where it fits in
all its rounds). Memory is added round by round into a plain list and checked against M at once.
Identical requests (same arrival, prompt, output) are interchangeable, so their starts are enumerated
in non-decreasing order only.

It replaces three copies that the bound, exact and formulation tests used to keep; before they were
merged, all three gave the same optimum on 240 random instances of the three kinds those tests drew.
"""

from __future__ import annotations

from kvopt import Instance


def _place(load: list[int], start: int, prompt: int, output: int, sign: int) -> None:
    for j in range(1, output + 1):
        load[start + j] += sign * (prompt + j)


def _fits(load: list[int], start: int, prompt: int, output: int, memory: int) -> bool:
    return all(load[start + j] + prompt + j <= memory for j in range(1, output + 1))


def brute_force_optimum(instance: Instance) -> int:
    """Minimum total latency sum(p + o - a) over every feasible non-preemptive schedule."""
    memory = instance.memory
    requests = sorted((r.arrival, r.prompt, r.output) for r in instance.requests)
    n = len(requests)
    horizon = sum(a for a, _, _ in requests) + sum(o for _, _, o in requests) * (n + 1) + 2
    load = [0] * (horizon + max(o for _, _, o in requests) + 2)
    waiting = 0  # of a feasible schedule: each request at its earliest fitting start, in list order
    for a, s, o in requests:
        p = a
        while not _fits(load, p, s, o, memory):
            p += 1
        _place(load, p, s, o, +1)
        waiting += p - a
    load = [0] * len(load)
    best = [waiting]
    starts = [0] * n

    def search(i: int, spent: int) -> None:
        if i == n:
            best[0] = min(best[0], spent)
            return
        a, s, o = requests[i]
        lowest = starts[i - 1] if i and requests[i - 1] == requests[i] else a
        for p in range(lowest, a + best[0] - spent):   # waiting p - a must keep spent + (p - a) < best
            if _fits(load, p, s, o, memory):
                _place(load, p, s, o, +1)
                starts[i] = p
                search(i + 1, spent + p - a)
                _place(load, p, s, o, -1)

    search(0, 0)
    return best[0] + sum(o for _, _, o in requests)
