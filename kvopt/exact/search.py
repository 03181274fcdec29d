"""Best-first branch-and-bound over rounds (formulations/exact-solver.md).

A node is a partial schedule at decision time t: how many of each request class have started (classes
start in FIFO order, rule S1), the future memory profile P of the started requests and the positions of
their completions, the class floor (within a round requests are started in non-decreasing class order,
so every set of starts is made once), the memory of the last rounds and the pending obligations of rule
L1. Children: start one more request of a class >= floor that has arrived and fits (future-peak check),
or close the round. Closing a round adds one per arrived waiting request (its waiting in period t) and
jumps over rounds in which no arrived waiting request fits (nothing can be decided there).

Pruning, each proven in the document: S1 class symmetry; D1 state dominance (same counts, same time or
no future arrivals, pointwise smaller profile, no larger cost so far); L1 left shift (in an optimal
schedule no request can be moved alone to an earlier start); L2 (a waiting request that fits in rounds
that are already final proves the node suboptimal); I1 idle rule (nothing running, every waiting
request arrived: something starts now); and the node bounds of kvopt.exact.node_bounds against the
incumbent.

The search is A*: nodes are expanded in order of g + h. At any moment min(incumbent, smallest g + h on
the open list) is a lower bound on the optimum, which is what a time-limited run reports.
"""

from __future__ import annotations

import heapq
import itertools
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kvopt.exact.classes import RequestClass
from kvopt.exact.node_bounds import NodeBounds
from kvopt.exact.profile import add_request, advance, earliest_offset, fits


@dataclass
class SearchResult:
    """best_cost: total waiting sum(p_i - a_i) of the best schedule found (None if none);
    starts: per class, the start periods of its members in FIFO order; lower_bound: proven lower bound on
    the optimal total waiting; proven: lower_bound == best_cost; stopped: why the search ended."""

    best_cost: int | None
    starts: list[list[int]] | None
    lower_bound: int
    proven: bool
    nodes: int
    stopped: str
    incumbent_source: str = ""
    improvements: list[tuple[float, int, str]] = field(default_factory=list)


class _Entry:
    """A stored boundary state for dominance (D1); `alive` is cleared when a dominating state arrives."""

    __slots__ = ("profile", "cost", "alive")

    def __init__(self, profile: tuple[int, ...], cost: int):
        self.profile = profile
        self.cost = cost
        self.alive = True


def _dominates(small: tuple[int, ...], large: tuple[int, ...]) -> bool:
    """small <= large pointwise (profiles are padded with zeros)."""
    if len(small) > len(large):
        return False
    for x, y in zip(small, large):
        if x > y:
            return False
    return True


class BranchAndBound:
    """One search; `run()` returns a SearchResult."""

    def __init__(self, memory: int, classes: Sequence[RequestClass], *, use_chain: bool = True,
                 use_dominance: bool = True, use_left_shift: bool = True,
                 deadline: float | None = None, max_nodes: int | None = None,
                 max_stored: int = 3_000_000, dive_every: int = 2000,
                 incumbents: Sequence[tuple[str, list[list[int]]]] = (),
                 progress: Callable[[int, int, int | None], None] | None = None):
        self.memory = memory
        self.progress = progress  # called with (nodes, global lower bound, best cost) every 10,000 nodes
        self.classes = tuple(classes)
        self.prompt = [c.prompt for c in classes]
        self.output = [c.output for c in classes]
        self.arrivals = [c.arrivals for c in classes]
        self.sizes = [len(c.arrivals) for c in classes]
        self.ramps = [tuple(range(c.prompt + 1, c.prompt + c.output + 1)) for c in classes]
        self.history_length = max(c.output for c in classes) + 1
        self.last_arrival = max(max(c.arrivals) for c in classes)
        self.bounds = NodeBounds(memory, self.classes, use_chain=use_chain)
        self.use_dominance = use_dominance
        self.use_left_shift = use_left_shift
        self.deadline = deadline
        self.max_nodes = max_nodes
        self.max_stored = max_stored
        self.dive_every = dive_every
        self.best_cost: int | None = None
        self.best_starts: list[list[int]] | None = None
        self.best_source = ""
        self.improvements: list[tuple[float, int, str]] = []
        self.clock = time.perf_counter()
        for source, starts in incumbents:
            self._offer(self.cost_of(starts), starts, source)

    # ----------------------------------------------------------------- helpers
    def cost_of(self, starts: list[list[int]]) -> int:
        return sum(p - a for k, ps in enumerate(starts) for p, a in zip(ps, self.arrivals[k]))

    def _offer(self, cost: int, starts: list[list[int]], source: str) -> None:
        if self.best_cost is None or cost < self.best_cost:
            self.best_cost = cost
            self.best_starts = [list(ps) for ps in starts]
            self.best_source = source
            self.improvements.append((time.perf_counter() - self.clock, cost, source))

    @staticmethod
    def _trace_starts(trace, count: int) -> list[list[int]]:
        starts: list[list[int]] = [[] for _ in range(count)]
        while trace is not None:
            k, t, trace = trace
            starts[k].append(t)
        for ps in starts:
            ps.reverse()
        return starts

    def _arrived_waiting(self, t: int, started: tuple[int, ...]) -> int:
        return sum(max(0, bisect_right(self.arrivals[k], t) - n) for k, n in enumerate(started))

    def _close_round(self, t, started, profile, ends, obligations, history, prune=True):
        """Close round t. Returns (t', profile', ends', added cost, history', obligations') or None when rule
        L1 or L2 kills the branch (only if `prune`). Jumps over rounds where no arrived waiting request
        fits and nothing arrives (no decision is possible there). `history` holds the memory of the last
        rounds (newest last, the last one is round t)."""
        memory = self.memory
        waiting = self._arrived_waiting(t, started)
        if waiting == 0 and not profile:
            if obligations and prune:
                return None  # empty rounds satisfy no obligation
            arrival = min(self.arrivals[k][n] for k, n in enumerate(started) if n < self.sizes[k])
            return arrival, (), (), 0, (), ()
        # the next decision time: the next arrival, or the first offset at which an arrived class fits
        step = len(profile) if profile else 1
        for k, n in enumerate(started):
            if n == self.sizes[k]:
                continue
            a = self.arrivals[k][n]
            if a > t:
                step = min(step, a - t)
            else:
                step = min(step, earliest_offset(profile, ends, self.prompt[k], self.output[k], memory, 1))
            if step == 1:
                break
        step = max(step, 1)
        if not prune:
            obligations = ()
        elif obligations:
            obligations = self._settle(obligations, t, profile, step)
            if obligations is None:
                return None
        passed = profile[:step] if step <= len(profile) else profile + (0,) * (step - len(profile))
        history = (history + passed)[-self.history_length:]
        if prune and self.use_left_shift and self._fits_in_the_past(t, t + step, started, history):
            return None
        arrived_during = 0
        if step > 1:  # requests arriving strictly inside the jump also wait there
            for k, n in enumerate(started):
                for a in self.arrivals[k][n:]:
                    if t < a < t + step:
                        arrived_during += t + step - a
        profile, ends = advance(profile, ends, step)
        return t + step, profile, ends, waiting * step + arrived_during, history, obligations

    @staticmethod
    def _settle(obligations, t, profile, rounds):
        """Pass rounds t+1 .. t+rounds (memory from `profile`, 0 beyond it): a round with memory >= an
        obligation's threshold discharges it; an obligation whose deadline passes kills the branch (None).
        Obligations are (deadline round, memory threshold), sorted by deadline."""
        size = len(profile)
        for j in range(rounds):
            held = profile[j] if j < size else 0
            obligations = tuple([ob for ob in obligations if ob[1] > held])
            if not obligations:
                return ()
            if obligations[0][0] <= t + 1 + j:
                return None
        return obligations

    def _shift_obligations(self, p, arrival, prompt, output, history):
        """Rule L1 for a request started at p > arrival: moving it alone to q = p - d (d >= 1, q >= its
        arrival) must be infeasible in an optimal schedule. In the final rounds (q, p] it would hold
        s + (round - q); in rounds (p, p + o - d] it would hold d more than now; its rounds after
        p + o - d are freed. If the final rounds have room for it, some round in (p, p + o - d] must
        hold more than M - d: an obligation (p + o - d, M - d + 1). None if the move is feasible
        already (d = o). Larger d need more room in the same rounds, so the loop stops at the first d
        that does not fit."""
        limit = self.memory - prompt
        found = []
        newest = len(history) - 1            # history[newest] is the memory of round p
        for d in range(1, min(p - arrival, output) + 1):
            if d > len(history):
                break
            # rounds p - d + 1 .. p, where the moved request would hold s + 1 .. s + d
            if any(history[newest - d + 1 + j] + j + 1 > limit for j in range(d)):
                break
            if d == output:
                return None
            found.append((p + output - d, self.memory - d + 1))
        return tuple(found)
    def _fits_in_the_past(self, t: int, now: int, started, history) -> bool:
        """Rule L2: could a waiting request have run entirely in rounds that are already final (between
        its arrival and `now`)? Then moving it there improves every completion of this node. Only the
        start periods q that became checkable since the previous decision time t are tried (earlier ones
        were tried at earlier nodes); rounds older than `history` are not tried."""
        memory = self.memory
        first_round = now - len(history) + 1    # history[j] is the memory of round first_round + j
        for k, n in enumerate(started):
            if n == self.sizes[k]:
                continue
            output = self.output[k]
            a = self.arrivals[k][n]
            last_q = now - output
            if a > last_q:
                continue
            limit = memory - self.prompt[k]
            for q in range(max(a, t - output + 1, first_round - 1), last_q + 1):
                base = q + 1 - first_round
                if all(history[base + j] + j + 1 <= limit for j in range(output)):
                    return True
        return False

    # ------------------------------------------------------------------- dives
    def dive(self, t, started, profile, ends, trace, order: Sequence[int]) -> None:
        """Complete a partial schedule greedily (start, in `order`, every arrived class that fits; then
        close the round) and offer the result as an incumbent."""
        started = list(started)
        memory = self.memory
        while True:
            for k in order:
                while (started[k] < self.sizes[k] and self.arrivals[k][started[k]] <= t
                       and fits(profile, ends, self.prompt[k], self.output[k], memory)):
                    profile, ends = add_request(profile, ends, self.ramps[k])
                    trace = (k, t, trace)
                    started[k] += 1
            if all(n == s for n, s in zip(started, self.sizes)):
                break
            t, profile, ends, _, _, _ = self._close_round(t, tuple(started), profile, ends, None, (), False)
        starts = self._trace_starts(trace, len(self.classes))
        self._offer(self.cost_of(starts), starts, "dive")

    # ------------------------------------------------------------------- search
    def run(self, dive_orders: Sequence[Sequence[int]] = ()) -> SearchResult:
        classes = len(self.classes)
        memory = self.memory
        prompt, output, arrivals, sizes, ramps = self.prompt, self.output, self.arrivals, self.sizes, self.ramps
        remaining = self.bounds.remaining
        root_started = tuple([0] * classes)
        for order in dive_orders:
            self.dive(0, root_started, (), (), None, order)
        counter = itertools.count()
        root_h = remaining(0, root_started, (), (), 0)
        # heap item: (f, -g, tie, evaluated, g, t, started, profile, ends, floor, started_now,
        #             recent_round_memory, left_shift_obligations, trace, entry)
        # Children enter with their parent's f (a valid bound for them too) and get their own bound
        # when first popped ("lazy" evaluation): bounds are computed only for nodes that reach the top.
        heap = [(root_h, 0, next(counter), True, 0, 0, root_started, (), (), 0, False, (), (), None, None)]
        seen: dict[tuple, list[_Entry]] = {}
        stored = 0
        nodes = 0
        stopped = "exhausted"
        dive_order = list(dive_orders[0]) if dive_orders else list(range(classes))
        while heap:
            item = heapq.heappop(heap)
            f = item[0]
            if self.best_cost is not None and f >= self.best_cost:
                heap.clear()
                break
            _, _, _, evaluated, g, t, started, profile, ends, floor, now, history, obligations, trace, entry = item
            if entry is not None and not entry.alive:
                continue
            if self.deadline is not None and time.perf_counter() >= self.deadline:
                heapq.heappush(heap, item)
                stopped = "time limit"
                break
            if self.max_nodes is not None and nodes >= self.max_nodes:
                heapq.heappush(heap, item)
                stopped = "node limit"
                break
            if stored >= self.max_stored:
                heapq.heappush(heap, item)
                stopped = "memory limit"
                break
            if not evaluated:
                bounded = g + remaining(t, started, profile, ends, floor)
                if self.best_cost is not None and bounded >= self.best_cost:
                    continue
                if bounded > f:
                    heapq.heappush(heap, (bounded,) + item[1:3] + (True,) + item[4:])
                    continue
            nodes += 1
            if self.progress is not None and nodes % 10_000 == 0:
                self.progress(nodes, f, self.best_cost)
            if self.dive_every and nodes % self.dive_every == 0:
                self.dive(t, started, profile, ends, trace, dive_order)
            # children that start one more request now
            arrived_waiting = 0
            for k in range(classes):
                n = started[k]
                if n == sizes[k]:
                    continue
                a = arrivals[k][n]
                if a > t:
                    continue
                arrived_waiting += bisect_right(arrivals[k], t) - n
                if k < floor or not fits(profile, ends, prompt[k], output[k], memory):
                    continue
                child_obligations = obligations
                if self.use_left_shift and t > a:
                    new = self._shift_obligations(t, a, prompt[k], output[k], history)
                    if new is None:
                        continue
                    if new:
                        child_obligations = tuple(sorted(obligations + new))
                child_started = started[:k] + (n + 1,) + started[k + 1:]
                child_profile, child_ends = add_request(profile, ends, ramps[k])
                child_trace = (k, t, trace)
                if all(x == s for x, s in zip(child_started, sizes)):
                    if child_obligations and self._settle(child_obligations, t, child_profile,
                                                          len(child_profile) + 1) is None:
                        continue
                    if self.best_cost is None or g < self.best_cost:
                        self._offer(g, self._trace_starts(child_trace, classes), "search")
                    continue
                heapq.heappush(heap, (f, -g, next(counter), False, g, t, child_started, child_profile,
                                      child_ends, k, True, history, child_obligations, child_trace, entry))
            # close the round
            if not now and not profile and arrived_waiting > 0 and t >= self.last_arrival:
                continue  # I1
            closed = self._close_round(t, started, profile, ends, obligations, history)
            if closed is None:
                continue
            t2, profile2, ends2, added, history2, obligations2 = closed
            g2 = g + added
            child_entry = None
            if self.use_dominance:
                key = (t2 if t2 < self.last_arrival else -1, started)
                bucket = seen.get(key)
                if bucket is None:
                    bucket = seen[key] = []
                dominated = False
                keep = []
                for other in bucket:
                    if other.cost <= g2 and _dominates(other.profile, profile2):
                        dominated = True
                        break
                    if g2 <= other.cost and _dominates(profile2, other.profile):
                        other.alive = False
                    else:
                        keep.append(other)
                if dominated:
                    continue
                child_entry = _Entry(profile2, g2)
                keep.append(child_entry)
                stored += len(keep) - len(bucket)
                seen[key] = keep
            if self.best_cost is None or max(f, g2) < self.best_cost:
                heapq.heappush(heap, (max(f, g2), -g2, next(counter), False, g2, t2, started, profile2, ends2,
                                      0, False, history2, obligations2, trace, child_entry))
        if heap:
            lower = min(self.best_cost, heap[0][0]) if self.best_cost is not None else heap[0][0]
        else:
            lower = self.best_cost if self.best_cost is not None else 0
        return SearchResult(self.best_cost, self.best_starts, lower,
                            self.best_cost is not None and lower >= self.best_cost, nodes,
                            "proved" if not heap else stopped, self.best_source, self.improvements)
