"""vLLM-style watermark FCFS with latest-arrived preemption by recompute, as Vidur models vLLM
(microsoft/vidur `vllm_replica_scheduler.py`; vLLM: Kwon et al., SOSP 2023).

Admission: first come, first served while free memory minus the new prompt stays at or above the
watermark (free - prompt >= watermark * M, i.e. held + prompts <= (1 - watermark) M; Vidur's default
watermark_blocks_fraction is 0.01), optionally capped at `max_running` requests (Vidur's batch_size_cap).
Preempted requests re-enter at the front of the queue (here: before every fresh request, in arrival
order [INF: Vidur prepends them one by one]). When the running requests cannot all grow, the
latest-arrived running request is evicted and recomputed (Request.restart(): generated tokens folded
into the prompt). Differences from Vidur: our rounds mix prefill and decode (Vidur's vLLM runs prefill-only
iterations when it admits), memory is counted in tokens, not blocks, and the token budget per batch
(max_tokens_in_batch) is not modelled.
"""

from __future__ import annotations

from typing import Any

from kvopt.method import Option
from tests.reference.policies.registry import register_policy
from tests.reference.policies.watermark import WatermarkFCFS
from tests.reference.sim.state import RequestView


@register_policy("vllm", "vLLM-style watermark FCFS; preempts the latest-arrived request by recompute "
                         "(Vidur's vLLM scheduler)",
                 (Option("watermark", float, 0.01, "fraction of M kept free when admitting"),
                  Option("max_running", int, None, "cap on running requests (Vidur batch_size_cap)")))
class VLLM(WatermarkFCFS):
    default_eviction = "recompute"
    default_victim = "latest-arrived"

    def __init__(self, watermark: float = 0.01, max_running: int | None = None):
        super().__init__(watermark, 0.0, max_running)

    def queue_key(self, view: RequestView) -> Any:
        return (view.evictions == 0, view.arrival, view.index)
