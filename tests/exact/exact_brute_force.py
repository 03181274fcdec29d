"""A brute-force optimum written only for the tests; it shares no code with kvopt's solvers.

Depth-first enumeration of start vectors: request by request, every start p in [a_i, a_i + slack] where
slack bounds any request's waiting in a schedule no worse than a known feasible one (total waiting of
an optimum <= total waiting of any feasible schedule). Memory is added round by round into a plain list
and checked against M immediately; a partial vector whose waiting already reaches the best is cut.
Identical requests (same arrival, prompt, output) are interchangeable, so their starts are enumerated in
non-decreasing order only.
"""

from __future__ import annotations


def _place(load: list[int], start: int, prompt: int, output: int, sign: int) -> None:
    for j in range(1, output + 1):
        load[start + j] += sign * (prompt + j)


def _fits(load: list[int], start: int, prompt: int, output: int, memory: int) -> bool:
    return all(load[start + j] + prompt + j <= memory for j in range(1, output + 1))


def brute_force_optimum(memory: int, requests: list[tuple[int, int, int]]) -> int:
    """Minimum total latency sum(p + o - a) of requests (arrival, prompt, output)."""
    requests = sorted(requests)
    n = len(requests)
    horizon = sum(a for a, _, _ in requests) + sum(o for _, _, o in requests) * (n + 1) + 2
    load = [0] * (horizon + max(o for _, _, o in requests) + 2)
    # a feasible schedule: each request at its earliest fitting start, in list order
    waiting = 0
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
