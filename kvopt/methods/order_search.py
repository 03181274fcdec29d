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
best schedule handed in (settings.initial_schedule, else, or with start=ranking, MC-SF's ranking:
shortest output first; neither start is the better on every paper-sample instance) and moves
one request to another place in the order, or postpones one (its delay set to start one round after
its current start) or releases it (delay 0), accepting by late-acceptance hill climbing (Burke and Bykov
2017): a candidate is accepted if it is no worse than the current order or than the current order of
HISTORY iterations ago. It returns the best schedule decoded, or the schedule handed in if none is better
(also on Ctrl-C, marked interrupted).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

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


def decode(order, arrivals, prompts, outputs, memory: int, horizon: int, delays=None, keep: int = 0,
           previous=None, give_up: float = np.inf) -> np.ndarray | None:
    """Starts of the serial schedule-generation scheme for `order` (request indices), each request placed
    no earlier than its arrival plus its delay (none by default). The first `keep` requests are placed where
    `previous` has them: the decoding of an order that begins with the same `keep` requests and delays
    (they are placed before the rest and depend on nothing after them). None as soon as the sum of the
    starts would exceed `give_up` (the requests not yet placed counted at their earliest periods)."""
    floors = arrivals if delays is None else arrivals + delays
    starts = np.empty(len(arrivals), dtype=np.int64)
    kept = np.asarray(order[:keep], dtype=np.int64)
    if keep:
        starts[kept] = previous[kept]
    used = memory_in_use(starts[kept], prompts[kept], outputs[kept], horizon)
    excess = int(starts[kept].sum()) + int(floors.sum() - floors[kept].sum()) - give_up  # > 0: give up
    if excess > 0:
        return None
    for i in order[keep:]:
        length = int(outputs[i])
        profile = prompts[i] + 1 + np.arange(length)
        t, chunk = int(floors[i]), CHUNK
        while True:  # the chunk doubles: a request placed late is found in a few steps
            slack = memory - used[t:t + chunk + length - 1]
            windows = as_strided(slack, (len(slack) - length + 1, length), (slack.strides[0],) * 2)
            fits = (windows >= profile).all(axis=1)
            if fits.any():
                t += int(np.argmax(fits))
                break
            t, chunk = t + chunk, 2 * chunk
        excess += t - int(floors[i])
        if excess > 0:
            return None
        used[t:t + length] += profile
        starts[i] = t
    return starts


def memory_in_use(starts, prompts, outputs, horizon: int) -> np.ndarray:
    """Memory per round of requests started at `starts`: in round t, (number running) * t plus the sum of
    s + 1 - p over the running ones, both from difference arrays."""
    running, offsets = np.zeros(horizon + 1, dtype=np.int64), np.zeros(horizon + 1, dtype=np.int64)
    ends, offset = starts + outputs, prompts + 1 - starts
    np.add.at(running, starts, 1), np.add.at(running, ends, -1)
    np.add.at(offsets, starts, offset), np.add.at(offsets, ends, -offset)
    return np.cumsum(offsets[:horizon]) + np.arange(horizon, dtype=np.int64) * np.cumsum(running[:horizon])


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
                          "(0: the time limit, or 20,000 without one)"),
                   Option("start", str, "initial", "the first order: the start order of the initial schedule "
                          "(initial), or MC-SF's ranking even when one is given (ranking; the initial "
                          "schedule is still returned where nothing better is found)",
                          ("initial", "ranking"))),
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

    def cost(order, delays, keep=0, previous=None, give_up=np.inf) -> tuple[float, np.ndarray | None]:
        """Total latency of the decoded order (inf if it would exceed give_up), and its starts."""
        starts = decode(order, arrivals, prompts, outputs, instance.memory, horizon, delays, keep, previous,
                        give_up - constant)
        return (np.inf, None) if starts is None else (int(starts.sum()) + constant, starts)

    initial = settings.initial_schedule
    order = first_order(instance, initial if settings.options["start"] == "initial" else None)
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
    try:  # Ctrl-C ends the search with its best so far
        while n > 1 and not settings.expired() and (limit == 0 or iteration < limit):
            source = int(rng.integers(n))
            candidate, candidate_delays, postpone, keep = order, delays, False, source
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
                keep = min(source, target)
            slot = iteration % HISTORY
            accepted = current - 1 if postpone else max(current - 1, history[slot])  # delays only where they gain
            value, starts = cost(candidate, candidate_delays, keep, current_starts, accepted)
            if value <= accepted:
                order, delays, current, current_starts = candidate, candidate_delays, value, starts
                if value < best:
                    best, best_starts = value, starts
                    settings.report(f"order search: {best} after {iteration + 1} orders")
            history[slot] = current
            iteration += 1
    except KeyboardInterrupt:
        settings.interrupt.set()
    ids = [r.id for r in instance.requests]
    best_starts = best_starts + shift
    schedule = Schedule(dict(zip(ids, best_starts.tolist())), metadata={"method": "order-search"})
    if initial is not None and not initial.runs and total_latency(instance, initial.starts) <= best:
        schedule = Schedule(dict(initial.starts), metadata={"method": "order-search"})
    return Outcome(schedule, Status.FEASIBLE, info={"orders": iteration + 1})

