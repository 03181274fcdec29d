"""MC-Benchmark (the FCFS baseline of arXiv 2502.07115 v5): MC-SF's future-peak check and stop at the
first misfit, but waiting requests taken in arrival order (FCFS). It isolates the value of the
shortest-first order. With exact lengths it starts requests exactly like `fcfs` (kvopt.heuristics.fcfs_starts)
and like Vidur's LightLLM scheduler (kvopt/policies/lightllm.py).
"""

from __future__ import annotations

from tests.reference.policies.future_peak import FuturePeakPolicy
from tests.reference.policies.mcsf import FUTURE_PEAK_OPTIONS
from tests.reference.policies.registry import register_policy


@register_policy("mc-benchmark", "MC-Benchmark: arrival order with MC-SF's future-peak check "
                                 "(2502.07115)", FUTURE_PEAK_OPTIONS)
class MCBenchmark(FuturePeakPolicy):
    shortest_first = False
