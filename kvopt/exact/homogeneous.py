"""`homogeneous-dp`: exact dynamic program for identical requests (one prompt s, one output o),
all at round 0 (the instance (M, s, o, n)) or with arbitrary arrivals.

Identical requests start in arrival order (kvopt.exact.classes, rule S1), so a schedule is the number
x_q of requests started in each period q. A request started m periods before the current one holds
s + m + j + 1 in the j-th next round, so the future is determined by the window of the last o - 1
counts. State at period t: (t, window, k = requests started so far); t matters only while requests are
still to arrive. Decision x in [0, arrived(t) - k] such that the new window passes the future-peak check
(formulations/exact-solver.md, Lemma 1); cost of the period = arrived(t) - k - x (requests that wait).
Rule I1 (nothing running, everyone arrived: something starts) removes the only cycle.

Complexity (all at 0): at most F(M, s, o) * (n + 1) states, F = number of future-feasible windows
(<= (floor(M / (s + 1)) + 1)^(o - 1), and <= the number of multisets of sizes in {s+1..s+o} with sum
<= M); each tries <= floor(M / (s + 1)) + 1 decisions checked in O(o^2). Linear in n for fixed
(M, s, o): pseudo-polynomial, not polynomial in the input (M, s, o, n). With arrivals, multiply by the
last arrival time. See formulations/exact-and-special-cases.md.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.method import Outcome, Settings, register
from kvopt.result import Status
from kvopt.schedule import Schedule


def window_fits(counts: tuple[int, ...], prompt: int, output: int, memory: int) -> bool:
    """counts[m] requests started m periods ago (m = 0..o-1): within M in every future round?"""
    for m_last in range(len(counts)):
        if not counts[m_last]:
            continue
        j = output - 1 - m_last          # the round in which the requests started m_last ago complete
        load = 0
        for m in range(output - j):
            if counts[m]:
                load += counts[m] * (prompt + 1 + j + m)
        if load > memory:
            return False
    return True


def homogeneous_dp(memory: int, prompt: int, output: int, arrivals: list[int],
                   expired: Callable[[], bool] | None = None) -> tuple[int, list[int], int]:
    """Optimal starts (sorted, FIFO) of identical requests with these arrivals (sorted).

    Returns (total waiting sum(p_i - a_i), starts, number of states). `expired()` is polled every
    4096 states; when it returns True the DP stops and raises TimeoutError."""
    arrivals = sorted(arrivals)
    n = len(arrivals)
    if prompt + output > memory:
        raise InputError(f"prompt {prompt} + output {output} exceeds memory {memory}")
    last_arrival = arrivals[-1]
    zero = (0,) * (output - 1)
    value: dict[tuple, tuple[int, int]] = {}   # state key -> (cost-to-go, best decision x)

    def key(t: int, window: tuple[int, ...], k: int) -> tuple:
        return (t if t < last_arrival else -1, window, k)

    def successors(t: int, window: tuple[int, ...], k: int):
        """(x, period cost, next state) for every allowed decision."""
        arrived = bisect_right(arrivals, t)
        if arrived == k and not any(window):   # nobody waits, nothing runs: jump to the next arrival
            yield 0, 0, (arrivals[k], zero, k)
            return
        lowest = 1 if (not any(window) and t >= last_arrival) else 0   # rule I1
        for x in range(lowest, arrived - k + 1):
            counts = (x,) + window
            if x and not window_fits(counts, prompt, output, memory):
                break   # more starts only add memory
            yield x, arrived - k - x, (t + 1, counts[:-1] if output > 1 else (), k + x)

    start = (0, zero, 0)
    stack = [start]
    while stack:
        state = stack[-1]
        t, window, k = state
        if key(*state) in value:
            stack.pop()
            continue
        if expired is not None and len(value) % 4096 == 0 and expired():
            raise TimeoutError(f"homogeneous-dp stopped by the time limit after {len(value)} states")
        if k == n:
            value[key(*state)] = (0, 0)
            stack.pop()
            continue
        pending = [nxt for _, _, nxt in successors(t, window, k) if key(*nxt) not in value]
        if pending:
            stack.extend(pending)
            continue
        best = None
        for x, cost, nxt in successors(t, window, k):
            total = cost + value[key(*nxt)][0]
            if best is None or total < best[0]:
                best = (total, x)
        value[key(*state)] = best
        stack.pop()
    starts: list[int] = []
    state = start
    while state[2] < n:   # follow the best decisions (the key drops t, so recompute each next state)
        best_x = value[key(*state)][1]
        state_next = next(nxt for x, _, nxt in successors(*state) if x == best_x)
        starts.extend([state[0]] * best_x)
        state = state_next
    return value[key(*start)][0], starts, len(value)


def identical_parameters(instance: Instance) -> tuple[int, int]:
    prompts = {r.prompt for r in instance.requests}
    outputs = {r.output for r in instance.requests}
    if len(prompts) > 1 or len(outputs) > 1:
        raise InputError(f"homogeneous-dp needs identical requests (one prompt and one output length); "
                         f"this instance has prompts {sorted(prompts)[:5]} and outputs {sorted(outputs)[:5]}",
                         instance.name)
    return prompts.pop(), outputs.pop()


@register("homogeneous-dp", kind="exact",
          summary="exact DP for identical requests (same prompt and output; any arrivals); "
                  "pseudo-polynomial, linear in n for fixed (M, s, o)")
def homogeneous_method(instance: Instance, settings: Settings) -> Outcome:
    prompt, output = identical_parameters(instance)
    order = sorted(range(len(instance.requests)), key=lambda k: (instance.requests[k].arrival, k))
    arrivals = [instance.requests[k].arrival for k in order]
    try:
        waiting, starts, states = homogeneous_dp(instance.memory, prompt, output, arrivals,
                                                 expired=settings.expired)
    except TimeoutError as stop:
        return Outcome(None, Status.TIMEOUT, log=(str(stop),))
    schedule = Schedule({instance.requests[k].id: p for k, p in zip(order, starts)},
                        metadata={"method": "homogeneous-dp"})
    objective = waiting + sum(r.output for r in instance.requests)
    return Outcome(schedule, Status.OPTIMAL, lower_bound=objective, claimed_objective=objective,
                   info={"states": states, "lower_bound_source": "homogeneous-dp"})
