"""MC-SF: Memory-Constrained Shortest First (Jaillet, Jiang, Mellou, Molinaro, Podimata, Zhou,
arXiv 2502.07115 v5, with its future feasibility check, Eq. (5)).

Every period: keep the running requests; sort the waiting ones by predicted output length (ties: arrival,
then position [INF]); start each while the future-peak check holds (memory of the coming round and at
every predicted completion point within M); stop at the first that does not fit. With exact lengths it
never overflows. `reserve` keeps a protection fraction of M free (the paper's real-trace runs with noisy
predictions use 10% [V-sec]; "checks against (1 - reserve) M" is our reading [INF]). With predictions that
may fall short, an overflow is cleared by the `restart` rule (the paper's clearing; victim: the most
recently started run [INF]) unless another rule is named.

Known behaviour: 27 on M=9, s=1, o=3, n=5 all at round 0 (the optimum is 25).
"""

from __future__ import annotations

from kvopt.method import Option
from tests.reference.policies.future_peak import FuturePeakPolicy
from tests.reference.policies.registry import register_policy

FUTURE_PEAK_OPTIONS = (
    Option("reserve", float, 0.0, "fraction of M kept free by the admission check (protection)"),
    Option("check", str, "incremental", "future-peak check: incremental loads or direct recomputation",
           ("incremental", "direct")),
)


@register_policy("mcsf", "MC-SF: shortest predicted output first, future-peak memory check, stop at "
                         "first misfit (2502.07115)", FUTURE_PEAK_OPTIONS)
class MCSF(FuturePeakPolicy):
    shortest_first = True
