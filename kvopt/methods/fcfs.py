"""`fcfs`: first come, first served with the future memory check (exact output lengths); the rule is
kvopt.heuristics.fcfs_starts. With exact lengths it behaves like MC-Benchmark (arXiv 2502.07115, the
MC-SF paper's FCFS baseline)."""

from __future__ import annotations

from kvopt.heuristics import fcfs_starts
from kvopt.instance import Instance
from kvopt.method import Outcome, Settings, register
from kvopt.result import Status
from kvopt.schedule import Schedule


@register("fcfs", kind="heuristic",
          summary="first come, first served; each request starts once the future memory check passes")
def fcfs(instance: Instance, settings: Settings) -> Outcome:
    return Outcome(schedule=Schedule(fcfs_starts(instance), metadata={"method": "fcfs"}),
                   status=Status.FEASIBLE)
