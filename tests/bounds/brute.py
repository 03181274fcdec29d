"""A brute-force optimum for tiny instances, written only for the tests (shares nothing with kvopt).

Depth-first search over the start round of each request in file order. Requests with identical
(arrival, prompt, output) start in file order (swapping two identical requests changes nothing). A start
is tried only while the cost so far plus every remaining request's own output stays below the best
schedule found; the first incumbent is the schedule that starts every request as early as possible in
file order (feasible: it waits until memory is free for the whole run).
"""

from __future__ import annotations

from kvopt import Instance


def _fits(load: dict[int, int], start: int, prompt: int, output: int, memory: int) -> bool:
    return all(load.get(start + j, 0) + prompt + j <= memory for j in range(1, output + 1))


def _place(load: dict[int, int], start: int, prompt: int, output: int, sign: int) -> None:
    for j in range(1, output + 1):
        load[start + j] = load.get(start + j, 0) + sign * (prompt + j)


def greedy_cost(instance: Instance) -> int:
    load: dict[int, int] = {}
    total = 0
    for r in instance.requests:
        start = r.arrival
        while not _fits(load, start, r.prompt, r.output, instance.memory):
            start += 1
        _place(load, start, r.prompt, r.output, +1)
        total += start + r.output - r.arrival
    return total


def brute_force_optimum(instance: Instance) -> int:
    requests = instance.requests
    memory = instance.memory
    best = greedy_cost(instance) + 1  # strict bound so that the greedy schedule itself is found again
    tail = [0] * (len(requests) + 1)  # sum of outputs of requests k.. (each latency is at least o)
    for k in range(len(requests) - 1, -1, -1):
        tail[k] = tail[k + 1] + requests[k].output
    load: dict[int, int] = {}
    starts: list[int] = []

    def search(k: int, cost: int) -> None:
        nonlocal best
        if k == len(requests):
            best = min(best, cost)
            return
        r = requests[k]
        earliest = r.arrival
        for j in range(k - 1, -1, -1):  # identical requests keep file order
            q = requests[j]
            if (q.arrival, q.prompt, q.output) == (r.arrival, r.prompt, r.output):
                earliest = max(earliest, starts[j])
                break
        start = earliest
        while cost + tail[k] + (start - r.arrival) < best:
            if _fits(load, start, r.prompt, r.output, memory):
                _place(load, start, r.prompt, r.output, +1)
                starts.append(start)
                search(k + 1, cost + start + r.output - r.arrival)
                starts.pop()
                _place(load, start, r.prompt, r.output, -1)
            start += 1

    search(0, 0)
    return best
