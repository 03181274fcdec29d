"""`order-search`: local search over start orders with the serial schedule-generation decoder.

A start order is decoded by placing the requests one after another, each at its earliest period t >= a_i
where its memory profile (s_i + 1, ..., s_i + o_i in rounds t, ..., t + o_i - 1) fits under M beside the
requests placed before it (the serial schedule-generation scheme of project scheduling; Kolisch 1996).
Every decoded schedule is feasible, so the search needs no repair. Unlike in project scheduling, the
earliest placements (active schedules) need not contain an optimum: a request started early holds its
growing memory at the wrong time (M=9, s=1, o=3, n=5: every order decodes to the greedy 27, the optimum
25 staggers the starts). So each request also carries a delay d_i >= 0 and is placed no earlier than
a_i + d_i; every schedule is the decoding of its start order with d_i = p_i - a_i, so the search space
holds an optimum. The search starts from the order of the
best schedule handed in (settings.initial_schedule, else MC-SF's ranking: shortest output first) and moves
one request to another place in the order, or postpones one (its delay set to start one round after
its current start) or releases it (delay 0), accepting by late-acceptance hill climbing (Burke and Bykov
2017): a candidate is accepted if it is no worse than the current order or than the current order of
HISTORY iterations ago. It returns the best schedule decoded, or the schedule handed in if none is better.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kvopt.errors import InputError
from kvopt.heuristics import total_latency
from kvopt.instance import Instance
from kvopt.method import Option, Outcome, Settings, register
from kvopt.result import Status
from kvopt.schedule import Schedule

UNTIMED_ITERATIONS = 20_000  # candidate orders when neither a time limit nor `iterations` is given
HISTORY = 50  # late-acceptance list length
MOVE_REACH = 12  # a moved request goes at most this many places away (most improving moves are local)
DELAY_MOVES = 0.1  # share of the moves that change a delay rather than the order
CHUNK = 64  # decoder: candidate periods tested at once
MAX_HORIZON = 50_000_000  # rounds the decoder's memory array may span (8 bytes each)


def decode(order, arrivals, prompts, outputs, memory: int, horizon: int, delays=None) -> np.ndarray:
    """Starts of the serial schedule-generation scheme for `order` (request indices), each request placed
    no earlier than its arrival plus its delay (none by default)."""
    used = np.zeros(horizon, dtype=np.int64)
    starts = np.empty(len(arrivals), dtype=np.int64)
    for i in order:
        length = int(outputs[i])
        profile = prompts[i] + 1 + np.arange(length)
        t = int(arrivals[i]) + (0 if delays is None else int(delays[i]))
        while True:
            slack = memory - used[t:t + CHUNK + length - 1]
            fits = (sliding_window_view(slack, length) >= profile).all(axis=1)
            if fits.any():
                t += int(np.argmax(fits))
                break
            t += CHUNK
        used[t:t + length] += profile
        starts[i] = t
    return starts


def compressed_arrivals(arrivals: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """Arrivals with every gap between successive arrival rounds cut to G = sum(o) + 1 rounds. The decoder
    places a request within sum(o) rounds of its arrival (the requests placed before it leave o_i free
    rounds in a row by then), so no request reaches across such a gap, and decoding the compressed
    arrivals gives the same starts shifted by each request's own cut."""
    gap_cap = int(outputs.sum()) + 1
    rounds = np.unique(arrivals)
    gaps = np.minimum(np.diff(rounds), gap_cap)
    compressed = np.concatenate(([0], np.cumsum(gaps)))
    return compressed[np.searchsorted(rounds, arrivals)]


def first_order(instance: Instance, initial: Schedule | None) -> list[int]:
    if initial is not None:
        start = [initial.starts[r.id] for r in instance.requests]
        return sorted(range(len(start)), key=lambda i: (start[i], i))
    return sorted(range(len(instance.requests)), key=lambda i: (instance.requests[i].output, i))


@register("order-search", kind="heuristic", uses_initial_schedule=True,
          options=(Option("iterations", int, 0, "stop after this many candidate orders "
                          "(0: the time limit, or 20,000 without one)"),),
          summary="late-acceptance local search over start orders, each decoded by earliest feasible placement")
def order_search(instance: Instance, settings: Settings) -> Outcome:
    outputs, prompts = instance.outputs.astype(np.int64), instance.prompts.astype(np.int64)
    arrivals = compressed_arrivals(instance.arrivals.astype(np.int64), outputs)
    shift = instance.arrivals.astype(np.int64) - arrivals
    horizon = int(arrivals.max() + outputs.sum() + CHUNK + outputs.max() + 1)
    if horizon > MAX_HORIZON:
        raise InputError(f"order-search needs a horizon of {horizon} rounds here (at most {MAX_HORIZON})",
                         "method 'order-search'")
    constant = int(outputs.sum() - arrivals.sum())

    def cost(order, delays) -> tuple[int, np.ndarray]:
        starts = decode(order, arrivals, prompts, outputs, instance.memory, horizon, delays)
        return int(starts.sum()) + constant, starts

    initial = settings.initial_schedule
    order = first_order(instance, initial)
    delays = np.zeros(len(order), dtype=np.int64)
    current, current_starts = cost(order, delays)
    best_starts = current_starts
    best = current
    history = [current] * HISTORY
    rng = np.random.default_rng(settings.seed)
    limit, n = settings.options["iterations"], len(order)
    if limit == 0 and settings.time_limit is None:  # without a time limit the search must still end
        limit = UNTIMED_ITERATIONS
    iteration = 0
    while n > 1 and not settings.expired() and (limit == 0 or iteration < limit):
        source = int(rng.integers(n))
        candidate, candidate_delays, postpone = order, delays, False
        if rng.random() < DELAY_MOVES:
            request = order[source]  # postponed to one round after its current start, or released
            candidate_delays = delays.copy()
            release = delays[request] > 0 and rng.random() < 0.5
            candidate_delays[request] = 0 if release else current_starts[request] - arrivals[request] + 1
            postpone = not release
        else:
            target = int(np.clip(source + rng.integers(-MOVE_REACH, MOVE_REACH + 1), 0, n - 1))
            candidate = order[:source] + order[source + 1:]
            candidate.insert(target, order[source])
        value, starts = cost(candidate, candidate_delays)
        slot = iteration % HISTORY
        if value < current or (not postpone and value <= history[slot]):  # delays only where they gain
            order, delays, current, current_starts = candidate, candidate_delays, value, starts
            if value < best:
                best, best_starts = value, starts
                settings.report(f"order search: {best} after {iteration + 1} orders")
        history[slot] = current
        iteration += 1
    ids = [r.id for r in instance.requests]
    best_starts = best_starts + shift
    schedule = Schedule(dict(zip(ids, best_starts.tolist())), metadata={"method": "order-search"})
    if initial is not None and not initial.runs and total_latency(instance, initial.starts) <= best:
        schedule = Schedule(dict(initial.starts), metadata={"method": "order-search"})
    return Outcome(schedule, Status.FEASIBLE, info={"orders": iteration + 1})

