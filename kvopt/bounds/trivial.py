"""The trivial lower bound: every request needs at least its o_i rounds, so OPT >= sum of o_i."""

from __future__ import annotations

from kvopt.instance import Instance
from kvopt.method import Outcome, Settings, register
from kvopt.result import Status


def sum_of_outputs(instance: Instance) -> int:
    return sum(instance.outputs.tolist())  # Python ints: exact at any size


@register("trivial", kind="bound", summary="sum of output lengths (every request waits at least o_i)")
def trivial_bound(instance: Instance, settings: Settings) -> Outcome:
    return Outcome(schedule=None, status=Status.BOUND, lower_bound=sum_of_outputs(instance))
