"""α-protection greedy and α-protection β-clearing (the practice baselines of arXiv 2502.07115 v5 -- the
mechanics are our reconstruction [INF], consistent with the names, the six configurations and the
"smallest overflow-free alpha" the paper reports).

Admission (both): first come, first served; the queue head starts while the memory held now plus the
prompts of the requests started this period stays within (1 - alpha) M; no look-ahead on future growth;
stop at the first misfit (an idle worker admits its first request against M, so that a prompt larger than
(1 - alpha) M still runs). When the running requests' growth would exceed M, requests are evicted (most
recently started first) and restart from scratch: the greedy evicts just enough to fit M, β-clearing
clears down to (1 - beta) M. Paper configurations: greedy with alpha in {0.3, 0.25}, clearing with
alpha in {0.2, 0.1} x beta in {0.2, 0.1}.

`WatermarkFCFS` is shared with the vLLM-style policy (kvopt/policies/vllm.py), whose watermark is the same
test with alpha = watermark fraction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from kvopt.errors import InputError
from kvopt.method import Option
from tests.reference.policies.queue import QueuedPolicy
from tests.reference.policies.registry import register_policy
from tests.reference.sim.state import RequestView, SimState


def _fraction(name: str, value: float, policy: str) -> float:
    if not 0.0 <= value < 1.0:
        raise InputError(f"{name} must be a fraction in [0, 1), got {value}", f"policy {policy!r}")
    return value


class WatermarkFCFS(QueuedPolicy):
    """FCFS admission while held memory + new prompts <= (1 - alpha) M; optional cap on running
    requests; overflow cleared down to (1 - beta) M."""

    default_eviction = "restart"
    default_victim = "most-recent-start"

    def __init__(self, alpha: float, beta: float = 0.0, max_running: int | None = None):
        super().__init__()
        self.alpha = _fraction("alpha", alpha, self.name)
        self.beta = _fraction("beta", beta, self.name)
        if max_running is not None and max_running < 1:
            raise InputError(f"max_running must be positive, got {max_running}", f"policy {self.name!r}")
        self.max_running = max_running

    def describe(self) -> dict:
        return {**super().describe(), "alpha": self.alpha, "beta": self.beta, "max_running": self.max_running}

    def admit(self, state: SimState) -> Iterable[RequestView]:
        budget = math.floor((1.0 - self.alpha) * state.memory)
        usage = state.held
        slots = None if self.max_running is None else self.max_running - len(state.running)
        admitted = []
        while self.queue:
            view = self.queue.peek()
            if slots is not None and len(admitted) >= slots:
                if state.observers:
                    state.explain(view, f"{self.max_running} requests running (cap)")
                break
            if usage + view.held0 > (budget if state.running or admitted else state.memory):
                if state.observers:
                    state.explain(view, f"held {usage} + prompt {view.held0} > (1 - {self.alpha}) M = {budget}")
                break
            usage += view.held0
            admitted.append(self.queue.pop())
        return admitted

    def clear_target(self, state: SimState) -> int:
        return math.floor((1.0 - self.beta) * state.memory)


@register_policy("alpha-greedy", "α-protection greedy: FCFS while usage <= (1-α)M, no look-ahead; "
                                 "overflow evicts and restarts (2502.07115 baseline, reconstructed)",
                 (Option("alpha", float, 0.25, "protection fraction of M kept free at admission"),))
class AlphaGreedy(WatermarkFCFS):
    def __init__(self, alpha: float = 0.25):
        super().__init__(alpha)


@register_policy("alpha-clearing", "α-protection β-clearing: as alpha-greedy, overflow clears memory "
                                   "down to (1-β)M (2502.07115 baseline, reconstructed)",
                 (Option("alpha", float, 0.2, "protection fraction of M kept free at admission"),
                  Option("beta", float, 0.1, "on overflow, evict down to (1 - beta) M")))
class AlphaClearing(WatermarkFCFS):
    def __init__(self, alpha: float = 0.2, beta: float = 0.1):
        super().__init__(alpha, beta)
