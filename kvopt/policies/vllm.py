"""vLLM-style watermark FCFS with latest-arrived preemption by recompute, after Vidur's vLLM scheduler
(microsoft/vidur `vllm_replica_scheduler.py`; vLLM: Kwon et al., SOSP 2023).

fidelity=native (default), kvopt's round model: admission first come, first served while the memory held
plus the admitted prompts stays within floor((1 - watermark) M) (an idle worker admits against M),
optionally capped at `max_running` requests. Preempted requests re-enter before every fresh request, in
arrival order [INF]. When the running requests cannot all grow, the latest-arrived one is evicted and
recomputed (generated tokens folded into the prompt); admissions that would overflow the coming round
are undone.

This is not Vidur's rule: Vidur keeps int(watermark * num_blocks) blocks free, counting for a running
request the prompt blocks it got at admission plus one per decode round since (M = 350, prompt 100 running
one round: Vidur admits a prompt of 246, 350 - 100 - 246 = 4 >= int(3.5) = 3, where the native test
refuses it, 101 + 246 = 347 > floor(0.99 * 350) = 346). Vidur also runs prefill-only batches whenever it
admits, tests the watermark on an idle replica too (a prompt above M minus the watermark never
runs), prepends preempted requests to the queue one by one and counts blocks, not tokens; the token
budget per batch (max_tokens_in_batch) is not modelled in either mode. fidelity=vidur reproduces Vidur's
scheduler in unit rounds (kvopt/policies/vidur_replica.py; docs/policies-vs-sources.md).
"""

from __future__ import annotations

from typing import Any

from kvopt.method import Option
from kvopt.policies.registry import register_policy
from kvopt.policies.vidur_replica import VLLMReplica, check_fidelity, fidelity_option
from kvopt.policies.watermark import WatermarkFCFS
from kvopt.sim.state import RequestView


@register_policy("vllm", "vLLM-style watermark FCFS; preempts the latest-arrived request by recompute "
                         "(after Vidur's vLLM scheduler; fidelity=vidur: Vidur's exactly, unit rounds)",
                 (Option("watermark", float, 0.01, "fraction of M kept free when admitting"),
                  Option("max_running", int, None, "cap on running requests (Vidur batch_size_cap)"),
                  fidelity_option()))
class VLLM(WatermarkFCFS):
    default_eviction = "recompute"
    default_victim = "latest-arrived"

    def __init__(self, watermark: float = 0.01, max_running: int | None = None, fidelity: str = "native"):
        super().__init__(watermark, 0.0, max_running)
        self.fidelity = check_fidelity(self.name, fidelity)

    def describe(self) -> dict:
        return {**super().describe(), "fidelity": self.fidelity}

    def queue_key(self, view: RequestView) -> Any:
        return (view.evictions == 0, view.arrival, view.index)

    def vidur_replica(self, memory: int, max_tokens: int) -> VLLMReplica:
        return VLLMReplica(memory, max_tokens, self.max_running, self.alpha)
