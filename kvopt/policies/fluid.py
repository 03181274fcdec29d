"""Fluid: start requests at the rate of the re-solved fluid relaxation (our reconstruction of the online
policy with constant regret under stochastic arrivals claimed in arXiv 2502.07115 v2, whose algorithm is
not public; paper.md §2.1, §4.6 [INF]).

Fluid relaxation. Memory is the one resource: a request with r remaining tokens started holding h uses
v = h*r + r(r+1)/2 memory-rounds, and M memory-rounds are supplied per round. The fluid problem "start as
many requests per round as memory sustains, cheapest first" is a fractional knapsack whose optimum takes
the waiting requests in increasing v (Smith's rule for the memory resource) and starts
c = max{k : v_(1) + ... + v_(k) <= M} (plus the fractional part of the next) per round.

Policy. Every period the fluid problem is re-solved on the current queue (the LP-resolving idea of
bounded-regret policies for stochastic systems) and c is added to a budget of starts, capped at
`burst` rounds' worth (at least one start; an idle worker always gets one). Requests are taken in increasing v, each must pass MC-SF's
future-peak check, and at most floor(budget) start. Pacing at the fluid rate spreads starts evenly
instead of starting everything that fits at once, so the memory peaks of requests do not coincide: on
M=9, s=1, o=3, n=5 it starts one request per round (0, 1, 2, 3, 4) and attains the optimum 25 where the
greedy MC-SF stops at 27 (paper.md §4.6: optimal schedules stagger). `burst` (default 5) trades pacing
against catching up after a quiet spell; `benchmarks/online_regret.py --burst-grid` prints the grid on the
homogeneous counterexamples and the paper-synthetic sample that chose it (docs/online_results.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.methods.registry import Option
from kvopt.policies.future_peak import FuturePeakPolicy
from kvopt.policies.mcsf import FUTURE_PEAK_OPTIONS
from kvopt.policies.registry import register_policy
from kvopt.sim.policy import SimContext
from kvopt.sim.state import RequestView, SimState


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

    def volume(self, view: RequestView) -> int:
        remaining = self.estimate(view) - view.kept
        return view.held0 * remaining + remaining * (remaining + 1) // 2

    def queue_key(self, view: RequestView) -> Any:
        return (self.volume(view), view.arrival, view.index)

    def admit(self, state: SimState) -> Iterable[RequestView]:
        if not self.queue:
            self.budget = 0.0
            return []
        volumes = np.fromiter((entry[0][0] for entry in self.queue.heap), np.int64, len(self.queue))
        rate = fluid_rate(volumes, self.limit)
        self.budget = min(self.budget + rate, max(1.0, self.burst * rate))
        allowed = math.floor(self.budget + 1e-9)
        if not state.running:  # pacing never leaves the worker idle
            allowed = max(allowed, 1)
        admitted = list(super().admit(state, allowed))
        self.budget -= len(admitted)
        return admitted
