"""A custom heuristic in a user's own module: list scheduling, smallest memory volume first."""

from kvopt.heuristics import complete_schedule
from kvopt.method import Option, Outcome, register
from kvopt.result import Status
from kvopt.schedule import Schedule


@register("volume-first", kind="heuristic",
          summary="list scheduling by memory volume s*o + o(o+1)/2, smallest first",
          options=(Option("largest", bool, False, "largest volume first instead"),))
def volume_first(instance, settings):
    outputs = instance.outputs
    volume = instance.prompts * outputs + outputs * (outputs + 1) // 2
    if settings.options["largest"]:
        volume = -volume
    starts = complete_schedule(instance, {}, priority=volume)  # each at its earliest fitting start
    return Outcome(Schedule(starts, metadata={"method": "volume-first"}), Status.FEASIBLE)
