"""MC-Benchmark (the FCFS baseline of arXiv 2502.07115 v5): MC-SF's future-peak check and stop at the
first misfit, but waiting requests taken in arrival order (FCFS). It isolates the value of the
shortest-first order. With exact lengths it starts requests exactly like `fcfs` (kvopt.heuristics.fcfs_starts)
and like the native mode of the LightLLM policy (kvopt/policies/lightllm.py). fidelity=vidur replays
Vidur's LightLLM scheduler instead (the baseline as the paper ran it in Vidur; exact lengths, no reserve).
"""

from __future__ import annotations

from typing import Any

from kvopt.errors import InputError
from kvopt.policies.future_peak import FuturePeakPolicy
from kvopt.policies.mcsf import FUTURE_PEAK_OPTIONS
from kvopt.policies.registry import register_policy
from kvopt.policies.vidur_replica import LightLLMReplica, check_fidelity, fidelity_option


@register_policy("mc-benchmark", "MC-Benchmark: arrival order with MC-SF's future-peak check "
                                 "(2502.07115; fidelity=vidur: Vidur's LightLLM scheduler, unit rounds)",
                 FUTURE_PEAK_OPTIONS + (fidelity_option(),))
class MCBenchmark(FuturePeakPolicy):
    shortest_first = False

    def __init__(self, lengths: str | None = None, reserve: float = 0.0, check: str = "incremental",
                 fidelity: str = "native", **options: Any):
        super().__init__(lengths, reserve, check, **options)
        self.fidelity = check_fidelity(self.name, fidelity)
        if fidelity == "vidur" and (reserve or self.lengths not in ("auto", "exact")):
            raise InputError("fidelity=vidur is Vidur's LightLLM scheduler: exact lengths, no reserve",
                             f"policy {self.name!r}")

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "fidelity": self.fidelity}

    def vidur_replica(self, memory: int, max_tokens: int) -> LightLLMReplica:
        return LightLLMReplica(memory, max_tokens, None)
