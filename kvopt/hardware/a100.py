"""Batch-time model of Llama-2-70B on A100-80GB GPUs: the seconds one round (one batch) takes.

The composition follows Vidur's execution-time model (microsoft/vidur `entities/execution_time.py`,
Agrawal et al., MLSys 2024): per transformer layer, the linear operators (norms, QKV/output projections, rope, MLP
up/act/down, residual add), two tensor-parallel all-reduces (after attention and after the MLP) and the
attention kernel; times 80 layers; no CPU overhead, embedding or LM head (Vidur's defaults).

* Linear operators: calibrated on Vidur's measured A100 profile (per-layer ms as a function of the batch
  tokens n = prefill tokens + decode requests): c0 + c1*n + c2*ceil(n/128), coefficients in
  kvopt/hardware/a100_fit.py, fitted by calibration/fit_a100_timing.py (its report gives the errors).
* All-reduce of n * 8192 * 2 bytes: max(floor, a + b*bytes), fitted on Vidur's A100 NVLink profile.
* Attention: Vidur's A100 attention profile is not available, so attention is modelled analytically as
  the KV cache read from HBM: kv_tokens * 2 (K,V) * 128 (head dim) * KV heads per GPU * 2 bytes per layer
  over the HBM bandwidth (A100 80GB SXM: 2,039 GB/s). This is a lower bound on the real kernel time (peak
  bandwidth, no launch overhead; the quadratic prefill-attention compute is neglected: for prompts below
  4,096 tokens it is a few percent of the linear operators' time).

An empty batch (no tokens, no KV) takes 0 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kvopt.batch_time import BatchStats
from kvopt.errors import InputError
from kvopt.hardware.a100_fit import ALL_REDUCE_MS, LINEAR_MS

LAYERS, HIDDEN, KV_HEADS, HEAD_DIM, BYTES = 80, 8192, 8, 128, 2
A100_HBM_GBPS = 2039.0


def linear_layer_ms(tokens: float, tensor_parallel: int) -> float:
    """Per-layer ms of the linear operators for a batch of `tokens` tokens (0 for an empty batch)."""
    if tokens <= 0:
        return 0.0
    c0, c1, c2 = LINEAR_MS[tensor_parallel]
    return c0 + c1 * tokens + c2 * math.ceil(tokens / 128)


def all_reduce_ms(tokens: float, tensor_parallel: int) -> float:
    """ms of one all-reduce of the batch's activations (none with a single GPU or an empty batch)."""
    if tensor_parallel == 1 or tokens <= 0:
        return 0.0
    floor, intercept, slope = ALL_REDUCE_MS[tensor_parallel]
    return max(floor, intercept + slope * tokens * HIDDEN * BYTES)


def attention_layer_ms(kv_tokens: float, tensor_parallel: int, hbm_bandwidth_gbps: float) -> float:
    """Per-layer ms to read the batch's KV cache from HBM (this GPU's share of the KV heads)."""
    kv_heads = math.ceil(KV_HEADS / tensor_parallel)
    return kv_tokens * 2 * HEAD_DIM * kv_heads * BYTES / (hbm_bandwidth_gbps * 1e9) * 1e3


@dataclass(frozen=True)
class A100Llama2_70B:
    """Llama-2-70B on `tensor_parallel` A100-80GB GPUs (1, 2 or 4; the MC-SF paper used 2)."""

    tensor_parallel: int = 2
    hbm_bandwidth_gbps: float = A100_HBM_GBPS

    def __post_init__(self) -> None:
        if self.tensor_parallel not in (1, 2, 4):
            raise InputError(f"tensor_parallel must be 1, 2 or 4 (the profiled all-reduce sizes), got "
                             f"{self.tensor_parallel!r}", "batch_time")
        bandwidth = self.hbm_bandwidth_gbps
        if isinstance(bandwidth, bool) or not isinstance(bandwidth, (int, float)) or not bandwidth > 0:
            raise InputError(f"hbm_bandwidth_gbps must be a positive number, got {bandwidth!r}", "batch_time")
        object.__setattr__(self, "hbm_bandwidth_gbps", float(bandwidth))

    def layer_ms(self, batch: BatchStats) -> float:
        tokens = batch.prefill_tokens + batch.decode_requests
        return (linear_layer_ms(tokens, self.tensor_parallel) + 2 * all_reduce_ms(tokens, self.tensor_parallel)
                + attention_layer_ms(batch.kv_tokens, self.tensor_parallel, self.hbm_bandwidth_gbps))

    def seconds(self, batch: BatchStats) -> float:
        return LAYERS * self.layer_ms(batch) / 1e3

    def spec(self) -> dict[str, Any]:
        return {"model": "a100-llama2-70b", "tensor_parallel": self.tensor_parallel,
                "hbm_bandwidth_gbps": self.hbm_bandwidth_gbps}
