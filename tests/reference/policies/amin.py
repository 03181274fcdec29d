"""A_min: adaptive scheduling with interval predictions (Chen, Ye, Zhou, arXiv 2508.14544).

Plans with the optimistic estimate lo (the interval's lower end), shortest estimate first with the
future-peak check. Estimates are refined by what the run reveals: a running request that reaches its
estimate without finishing is assumed to finish in the next round, and an evicted request's estimate
becomes at least its generated tokens + 1 (the "pseudo lower bound" refinement [SRC-2nd]). When memory
would overflow, running requests are evicted fewest-generated-tokens first (the paper's ordered eviction
[SRC-2nd news rewrite; ties by latest arrival, INF]) and restart from scratch. The paper proves a ratio
O(log(1/alpha)), alpha = lo/hi.
"""

from __future__ import annotations

from tests.reference.policies.future_peak import FuturePeakPolicy
from tests.reference.policies.mcsf import FUTURE_PEAK_OPTIONS
from tests.reference.policies.registry import register_policy


@register_policy("amin", "A_min: MC-SF planned on interval lower ends, refined online, evicts fewest-"
                         "generated first (2508.14544)", FUTURE_PEAK_OPTIONS)
class AMin(FuturePeakPolicy):
    lengths_allowed = ("interval-lo",)
    shortest_first = True
    default_eviction = "restart"
    default_victim = "fewest-generated"
