"""An exhaustive optimum for tiny instances, written only for the tests (shares nothing with kvopt's
solvers): a dynamic program over periods (paper.md §4.5, extended to arrivals).

State at period t: which requests have not started, and the running ones with their ages. Decision: any
subset of the arrived, unstarted requests to start now, kept only if it and the running requests fit in
every future round. Cost: each arrived request that is still waiting after the decision costs 1 per
period, so the total is sum(p_i - a_i) and the optimum adds sum o_i. Once every request has arrived,
starting nothing while nothing runs is never optimal (shifting the rest one period earlier is feasible
and cheaper), which makes the recursion finite.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

from kvopt import Instance


def brute_force_optimum(instance: Instance) -> int:
    requests = [(r.arrival, r.prompt, r.output) for r in instance.requests]
    n, memory = len(requests), instance.memory
    last_arrival = max(a for a, _, _ in requests)

    def fits(running: tuple[tuple[int, int], ...]) -> bool:
        """running: (request, age before the next round); check every future round."""
        horizon = max(requests[i][2] - age for i, age in running)
        for step in range(1, horizon + 1):
            held = sum(requests[i][1] + age + step for i, age in running if age + step <= requests[i][2])
            if held > memory:
                return False
        return True

    @lru_cache(maxsize=None)
    def best(t: int, waiting: frozenset[int], running: tuple[tuple[int, int], ...]) -> int:
        if not waiting:
            return 0
        arrived = sorted(i for i in waiting if requests[i][0] <= t)
        best_cost = None
        for size in range(len(arrived) + 1):
            if size == 0 and not running and t >= last_arrival:
                continue
            for chosen in combinations(arrived, size):
                now = tuple(sorted(running + tuple((i, 0) for i in chosen)))
                if chosen and not fits(now):
                    continue
                still = waiting - set(chosen)
                cost = sum(1 for i in still if requests[i][0] <= t)
                advanced = tuple((i, age + 1) for i, age in now if age + 1 < requests[i][2])
                key_t = t + 1 if t + 1 < last_arrival else last_arrival
                total = cost + best(key_t, frozenset(still), advanced)
                if best_cost is None or total < best_cost:
                    best_cost = total
        return best_cost

    return best(0, frozenset(range(n)), ()) + sum(o for _, _, o in requests)
