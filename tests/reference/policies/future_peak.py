"""The future-peak admission family: MC-SF, MC-Benchmark, A_max and A_min share this machinery.

Every period (MC-SF, arXiv 2502.07115 v5, with its future feasibility check, Eq. (5)): keep all running
requests; take the waiting requests in the policy's order; start each while the memory of the coming
round and of every future predicted completion point stays within the limit; stop at the first request
that does not fit (no skipping).

Predicted completion of a run: start + (estimate - kept), with the estimate of tests.reference.sim.policy
(`length_estimate`: exact length, point prediction, or an interval end, raised to max_generated + 1 once
a request is known to be longer). A running request that outlives its prediction ("overdue") is assumed
to finish in the coming round [INF]: it then counts in the next-round memory only; the paper's Eq. (5)
would ignore memory such a request really holds.

Incremental check [INF]: the loads at the completion points of the running requests live
in a `PeakLoad` updated on start, completion, eviction and when a run becomes overdue; one admission test
costs O(k) vectorised work for k running requests. `check="direct"` recomputes every point from scratch
(the reference used by the property tests). The limit is (1 - reserve) M, except that an idle worker
admits its first request against M (a request needing the reserve would otherwise never run).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, ClassVar

from kvopt.errors import InputError
from tests.reference.policies.peak_load import PeakLoad, direct_peak
from tests.reference.policies.queue import QueuedPolicy
from tests.reference.sim.policy import SimContext, length_estimate
from tests.reference.sim.state import RequestView, SimState


class FuturePeakPolicy(QueuedPolicy):
    """Future-peak admission in the order given by `order_key` (shortest estimate first by default)."""

    lengths_allowed: ClassVar[tuple[str, ...]] = ("auto", "exact", "predicted")
    shortest_first: ClassVar[bool] = True
    default_eviction = "restart"          # only reached when predictions can under-estimate
    default_victim = "most-recent-start"

    def __init__(self, lengths: str | None = None, reserve: float = 0.0, check: str = "incremental",
                 **options: Any):
        super().__init__(lengths, **options)
        if not 0.0 <= reserve < 1.0:
            raise InputError(f"reserve must be a fraction in [0, 1), got {reserve}", f"policy {self.name!r}")
        if check not in ("incremental", "direct"):
            raise InputError(f"check must be incremental or direct, got {check!r}", f"policy {self.name!r}")
        self.reserve = reserve
        self.check = check

    def default_rules(self, lengths: str) -> tuple[str, str]:
        if lengths in ("exact", "interval-hi"):  # estimates never fall short: no overflow is possible
            return "none", "latest-arrived"
        return self.default_eviction, self.default_victim

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "reserve": self.reserve, "check": self.check}

    # ---- bookkeeping ----------------------------------------------------------------------------
    def start(self, context: SimContext) -> None:
        super().start(context)
        self.limit = math.floor((1.0 - self.reserve) * context.memory)
        self.loads = PeakLoad()

    def estimate(self, view: RequestView) -> int:
        return length_estimate(view, self.context.lengths, self.context.memory)

    def queue_key(self, view: RequestView) -> Any:
        if self.shortest_first:  # shortest predicted remaining output first
            return (self.estimate(view) - view.kept, view.arrival, view.index)
        return (view.arrival, view.index)

    def evicted(self, view: RequestView, state: SimState) -> None:
        self.loads.discard(view.index)
        super().evicted(view, state)

    def rejected(self, view: RequestView, state: SimState) -> None:
        self.loads.discard(view.index)
        super().rejected(view, state)

    def completed(self, view: RequestView, state: SimState) -> None:
        self.loads.discard(view.index)

    def _run(self, view: RequestView, period: int) -> tuple[int, int]:
        """(base, predicted end) of `view` if it starts (or started) at `period`."""
        return view.held0 - period, period + self.estimate(view) - view.kept

    # ---- the admission test ---------------------------------------------------------------------
    def _direct_peak(self, state: SimState, admitted: list[RequestView], candidate: RequestView) -> int:
        t = state.period
        runs = []
        for view in state.running.values():
            base, end = self._run(view, view.run_start)
            runs.append((base, max(end, t + 1)))  # an overdue run is assumed to end in the coming round
        runs.extend(self._run(view, t) for view in (*admitted, candidate))
        return direct_peak(runs)

    def admit(self, state: SimState, most: int | None = None) -> Iterable[RequestView]:
        """Start requests in queue order while the check passes (at most `most` of them)."""
        t = state.period
        for key in self.loads.ending_by(t):  # overdue: counted in the coming round only
            self.loads.remove(key)
        next_round = state.memory_next
        admitted: list[RequestView] = []
        while self.queue and (most is None or len(admitted) < most):
            view = self.queue.peek()
            base, end = self._run(view, t)
            need_next = next_round + view.held0 + 1
            if self.check == "incremental":
                peak = max(need_next, self.loads.peak_with(base, end))
            else:
                peak = max(need_next, self._direct_peak(state, admitted, view))
            limit = self.limit if (state.running or admitted) else state.memory
            if peak > limit:
                if state.observers:
                    state.explain(view, f"future peak {peak} > {limit} (predicted end {end})")
                break
            self.queue.pop()
            self.loads.add(view.index, base, end)
            next_round = need_next
            admitted.append(view)
        return admitted
