"""LightLLM look-ahead admission as implemented in Vidur (microsoft/vidur,
`vidur/scheduler/replica_scheduler/lightllm_replica_scheduler.py::_can_allocate_request`; Vidur:
Agrawal et al., MLSys 2024).

First come, first served; the head of the queue is admitted while, for the running requests plus the
admitted ones plus the candidate, each described by h = memory held after the coming round and
r = rounds left after it, sorted by r descending,

    max_k ( k * r_k + sum_{j <= k} h_j )  <=  M

i.e. the memory at every future completion point fits (Vidur feeds the true decode length: the policy is
clairvoyant). This is MC-SF's future-peak test written differently, so with exact lengths LightLLM starts
requests exactly like MC-Benchmark -- a cross-check of two independent implementations.

fidelity=native (default) is that test in kvopt's round model: admission every round into mixed batches,
memory in tokens, "fits" means <= M. It is not Vidur's scheduler: Vidur admits only when nothing runs or
after every max_waiting_iters = 10 decode batches, in prefill-only batches; its look-ahead counts one token
less per request (h = processed tokens, r = decode tokens left - 1, a new request (prompt + 1, output - 2))
and admits only while the need is strictly below num_blocks (a request with prompt + output = M never
runs). fidelity=vidur reproduces Vidur's scheduler in unit rounds (kvopt/policies/vidur_replica.py;
docs/policies-vs-sources.md).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from kvopt.policies.queue import QueuedPolicy
from kvopt.policies.registry import register_policy
from kvopt.policies.vidur_replica import LightLLMReplica, check_fidelity, fidelity_option
from kvopt.sim.state import RequestView, SimState


def lookahead_need(held: np.ndarray, remaining: np.ndarray) -> int:
    """max_k (k * r_k + sum_{j<=k} h_j) with requests sorted by r descending (Vidur's formula)."""
    order = np.argsort(-remaining, kind="stable")
    sizes = np.arange(1, held.size + 1)
    return int((remaining[order] * sizes + np.cumsum(held[order])).max())


@register_policy("lightllm", "LightLLM's look-ahead test on true lengths, FCFS (after Vidur; "
                             "fidelity=vidur: Vidur's scheduler exactly, unit rounds)", (fidelity_option(),))
class LightLLM(QueuedPolicy):
    lengths_allowed = ("exact",)

    def __init__(self, fidelity: str = "native"):
        super().__init__()
        self.fidelity = check_fidelity(self.name, fidelity)

    def describe(self) -> dict:
        return {**super().describe(), "fidelity": self.fidelity}

    def vidur_replica(self, memory: int, max_tokens: int) -> LightLLMReplica:
        return LightLLMReplica(memory, max_tokens, None)

    def quiet(self, state: SimState) -> bool:
        return not self.queue

    def admit(self, state: SimState) -> Iterable[RequestView]:
        t = state.period
        running = list(state.running.values())
        held = [view.prompt + view.generated(t) + 1 for view in running]
        remaining = [view.output - view.generated(t) - 1 for view in running]
        admitted = []
        while self.queue:
            view = self.queue.peek()
            need = lookahead_need(np.array(held + [view.held0 + 1], np.int64),
                                  np.array(remaining + [view.output - view.kept - 1], np.int64))
            if need > state.memory:
                if state.observers:
                    state.explain(view, f"look-ahead need {need} > M = {state.memory}")
                break
            held.append(view.held0 + 1)
            remaining.append(view.output - view.kept - 1)
            admitted.append(self.queue.pop())
        return admitted
