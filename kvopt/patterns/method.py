"""The registered `pattern` bound (kvopt.patterns.bound)."""

from __future__ import annotations

from kvopt.instance import Instance
from kvopt.method import Outcome, Settings, register
from kvopt.patterns.bound import OPTIONS


@register("pattern", kind="bound", options=OPTIONS, uses_initial_schedule=True,
          summary="Lagrangian bound over memory-feasible multi-schedules (exact pricing program), from the "
                  "peak-cut LP's duals improved by column generation")
def run_pattern(instance: Instance, settings: Settings) -> Outcome:
    from kvopt.patterns.bound import pattern_bound
    return pattern_bound(instance, settings)


@register("pattern-fix", kind="exact", options=OPTIONS, uses_initial_schedule=True,
          summary="the pattern bound, reduced-cost fixing of every start no better schedule can use, then "
                  "CP-SAT over the starts left")
def run_pattern_fix(instance: Instance, settings: Settings) -> Outcome:
    from kvopt.patterns.fixing import pattern_fix
    return pattern_fix(instance, settings)
