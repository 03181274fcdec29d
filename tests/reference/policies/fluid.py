"""Fluid: start requests at the rate of the re-solved fluid relaxation (our reconstruction of the online
policy with constant regret under stochastic arrivals claimed in the abstract of arXiv 2502.07115 v2,
whose algorithm is not public [INF]).

Fluid relaxation. Memory is the one resource: a request with r tokens to produce, started holding h,
uses v = h*r + r(r+1)/2 memory-rounds, and M memory-rounds are supplied per round. The fluid problem
"start as many requests per round as memory sustains, cheapest first" is a fractional knapsack whose
optimum takes requests in increasing v (Smith's rule for the memory resource); for the arrival mix it
sustains c = M / mean(v) starts per round (`fluid_rate` solves the knapsack for a given set).

Policy. The fluid rate is re-solved every period: the larger of the rate the arrival mix seen so far
sustains (learned online) and the knapsack rate of the current queue served cheapest first (the
LP-resolving idea of bounded-regret policies); it is added to a budget of starts that refills up to
`burst` rounds' worth. Waiting requests are taken in increasing v, each must pass MC-SF's
future-peak check, and at most floor(budget) start (an idle worker always gets one). In quiet spells the
budget fills and bursts start at once; under sustained pressure starts are paced at the fluid rate, so
memory peaks of requests started together do not coincide: on M=9, s=1, o=3, n=5 it starts one request
per round (0, 1, 2, 3, 4) and attains the optimum 25 where MC-SF's greedy stops at 27 (optimal schedules
stagger: formulations/exact-and-special-cases.md). `burst` (default 5) was chosen with
`benchmarks/online_regret.py --burst-grid`
(docs/online_results.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.method import Option
from tests.reference.policies.future_peak import FuturePeakPolicy
from tests.reference.policies.mcsf import FUTURE_PEAK_OPTIONS
from tests.reference.policies.registry import register_policy
from tests.reference.sim.policy import SimContext
from tests.reference.sim.state import RequestView, SimState


def fluid_rate(volumes: np.ndarray, memory: float) -> float:
    """Starts per round the fluid relaxation sustains: smallest volumes first, M memory-rounds per round."""
    if volumes.size == 0:
        return 0.0
    ordered = np.sort(volumes).astype(float)
    used = np.cumsum(ordered)
    whole = int(np.searchsorted(used, memory, side="right"))
    if whole == ordered.size:
        return float(whole)
    spare = memory - (used[whole - 1] if whole else 0.0)
    return whole + spare / ordered[whole]


@register_policy("fluid", "Fluid: smallest memory-time first, future-peak check, starts paced at the "
                          "re-solved fluid rate (2502.07115 v2 stochastic policy, reconstructed)",
                 FUTURE_PEAK_OPTIONS + (Option("burst", float, 5.0, "budget cap in rounds of fluid rate"),))
class Fluid(FuturePeakPolicy):
    def __init__(self, lengths: str | None = None, reserve: float = 0.0, check: str = "incremental",
                 burst: float = 5.0):
        super().__init__(lengths, reserve, check)
        if not burst > 0:
            raise InputError(f"burst must be positive, got {burst}", f"policy {self.name!r}")
        self.burst = burst

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "burst": self.burst}

    def start(self, context: SimContext) -> None:
        super().start(context)
        self.budget = 0.0
        self.volume_seen = 0
        self.seen = 0

    def arrived(self, view: RequestView, state: SimState) -> None:
        super().arrived(view, state)
        self.volume_seen += self.volume(view)
        self.seen += 1

    def volume(self, view: RequestView) -> int:
        remaining = self.estimate(view) - view.kept
        return view.held0 * remaining + remaining * (remaining + 1) // 2

    def queue_key(self, view: RequestView) -> Any:
        return (self.volume(view), view.arrival, view.index)

    def admit(self, state: SimState) -> Iterable[RequestView]:
        rate = self.limit * self.seen / self.volume_seen if self.seen else 0.0
        if self.queue:  # a backlog served cheapest first sustains more starts than the average mix
            volumes = np.fromiter((entry[0][0] for entry in self.queue.heap), np.int64, len(self.queue))
            rate = max(rate, fluid_rate(volumes, self.limit))
        self.budget = min(self.budget + rate, max(1.0, self.burst * rate))
        if not self.queue:
            return []
        allowed = math.floor(self.budget + 1e-9)
        if not state.running:  # pacing never leaves the worker idle
            allowed = max(allowed, 1)
        admitted = list(super().admit(state, allowed))
        self.budget -= len(admitted)
        return admitted
