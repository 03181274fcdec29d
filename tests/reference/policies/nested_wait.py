"""Nested WAIT: threshold control without knowing output lengths (Ao, Luo, Simchi-Levi, Wang, arXiv
2504.11320; official code Luoxiaogan/vidur_or `general_nested_booking_limit_replica_scheduler.py`).

Types (output lengths o_(1) < o_(2) < ... and arrival rates, from configuration or calibrated as in
WAIT) define nested segments: segment k covers decode steps [o_(k-1), o_(k)) and is reached by the
requests longer than o_(k-1), whose total rate is Lambda_k. From the official code: q_k =
min(Lambda_(k+1) / Lambda_k + margin, 0.99), per-stage limits n_k = n_1 * q_1 ... q_(k-1), segment
budgets round(n_k * length_k); requests classify themselves on the fly by surviving (a request that
finishes leaves).

Gate (official code, segment 1 = the entry of new requests): with base, rest = divmod(budget_1,
length_1), this period's cohort size is base + 1 for `rest` of every length_1 periods and base otherwise;
a cohort starts when that many requests wait, or when waiting + running in segment 1 reach its budget;
it takes at most budget_1 minus those running in segment 1. The official code also parks survivors at
later segment boundaries until their segment's gate opens; requests in our model are non-preemptive (a
running request produces a token every round), so later segments cannot gate and only segment 1's gate
is kept [INF]. n_1 follows from memory: the fluid steady state with n_k requests per stage, a request at
stage g holding p + g + 1 (p the types' mean prompt), fills (1 - safety) M, unless `limit` gives
L = n_1 * sum_k q-products * length_k directly [INF]. No length information is used; overflow is handled
by recompute with latest-arrived victims; `flush` launches stragglers at the end (never dropped).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.method import Option
from tests.reference.policies.queue import WaitingQueue
from tests.reference.policies.registry import register_policy
from tests.reference.policies.wait import TYPE_OPTIONS, ThresholdPolicy, configured_types
from tests.reference.sim.policy import SimContext
from tests.reference.sim.state import RequestView, SimState


@register_policy("nested-wait", "Nested WAIT: nested segment thresholds from arrival rates, no length "
                                "information (2504.11320)",
                 TYPE_OPTIONS + (Option("margin", float, 0.0, "added to each segment survival ratio"),))
class NestedWait(ThresholdPolicy):
    lengths_allowed = ("none",)

    def __init__(self, types: str = "auto", type_count: int = 4, limit: float | None = None,
                 safety: float = 0.1, margin: float = 0.0):
        super().__init__(None, types, type_count, limit, safety)
        if margin < 0:
            raise InputError(f"margin must be >= 0, got {margin}", f"policy {self.name!r}")
        self.margin = margin

    def start(self, context: SimContext) -> None:
        super().start(context)
        types = configured_types(self, self.types_option, self.type_count, context)
        decodes = sorted({t.output for t in types})
        lengths = [decodes[0]] + [b - a for a, b in zip(decodes, decodes[1:])]
        arriving = [sum(t.rate for t in types if t.output > lower) for lower in [0] + decodes[:-1]]
        ratios = [min(after / before + self.margin, 0.99) for before, after in zip(arriving, arriving[1:])]
        products = np.cumprod([1.0] + ratios)
        prompt = float(np.mean([t.prompt for t in types]))
        if self.limit is None:
            stage_memory, first = 0.0, 0
            for product, length in zip(products, lengths):
                stages = np.arange(first, first + length)
                stage_memory += product * float((prompt + stages + 1).sum())
                first += length
            n1 = (1.0 - self.safety) * context.memory / stage_memory
        else:
            n1 = self.limit / float((products * np.array(lengths)).sum())
        self.n1 = n1
        self.segment1 = lengths[0]
        self.budget = max(1, int(round(n1 * lengths[0])))
        self.queue = WaitingQueue(lambda v: (v.arrival, v.index))

    def describe(self) -> dict[str, Any]:
        out = {**super().describe(), "margin": self.margin}
        if hasattr(self, "n1"):
            out.update(n1=self.n1, segment1_length=self.segment1, segment1_budget=self.budget)
        return out

    def arrived(self, view: RequestView, state: SimState) -> None:
        self.queue.push(view)

    evicted = rejected = arrived

    def _cohort(self, state: SimState, gate: bool) -> list[RequestView]:
        t = state.period
        inside = sum(1 for view in state.running.values() if view.generated(t) < self.segment1)
        base, rest = divmod(self.budget, self.segment1)
        size = base + 1 if t % self.segment1 < rest else base
        waiting = len(self.queue)
        if gate and waiting < max(size, 1) and waiting + inside < self.budget:
            if waiting and state.observers:
                state.explain(self.queue.peek(), f"{waiting} waiting, cohort of {size} needed "
                                                 f"({inside} of {self.budget} in segment 1)")
            return []
        take = min(size, self.budget - inside, waiting)
        if not gate:
            take = max(take, min(1, waiting))
        return [self.queue.pop() for _ in range(max(take, 0))]

    def admit(self, state: SimState) -> Iterable[RequestView]:
        return self._cohort(state, gate=True)

    def flush(self, state: SimState) -> Iterable[RequestView]:
        return self._cohort(state, gate=False)
