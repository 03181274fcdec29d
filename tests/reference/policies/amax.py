"""A_max: conservative scheduling with interval predictions (Chen, Ye, Zhou, arXiv 2508.14544).

Each request comes with an interval [lo, hi] containing its output length; A_max plans as if every
output were its upper end hi: shortest hi first with the future-peak check of MC-SF, stop at the first
misfit. It never overflows (true lengths are at most hi) but wastes memory when intervals are wide; the
paper proves a competitive ratio growing like 1/alpha^2 in alpha = lo/hi [SRC-2nd]. Order and tie-breaks
as MC-SF [INF].
"""

from __future__ import annotations

from tests.reference.policies.future_peak import FuturePeakPolicy
from tests.reference.policies.mcsf import FUTURE_PEAK_OPTIONS
from tests.reference.policies.registry import register_policy


@register_policy("amax", "A_max: MC-SF planned on the upper ends of interval predictions (2508.14544)",
                 FUTURE_PEAK_OPTIONS)
class AMax(FuturePeakPolicy):
    lengths_allowed = ("interval-hi",)
    shortest_first = True
