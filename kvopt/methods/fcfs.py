"""`fcfs`: first come, first served with the future memory check (exact output lengths).

Requests are taken in arrival order (ties: file order). Each starts at the earliest period, no earlier
than its arrival and than the previous request's start, at which it and every request already placed
stay within M in all future rounds. Starts never decrease, so this is also an online rule: at each
round admit the head of the queue if the future check passes, otherwise wait (no overtaking). With exact
lengths it behaves like MC-Benchmark (paper.md §4.3).
"""

from __future__ import annotations

import numpy as np

from kvopt.instance import Instance
from kvopt.method import Outcome, Settings, register
from kvopt.result import Status
from kvopt.schedule import Schedule


def fcfs_starts(instance: Instance) -> dict[str, int]:
    memory = instance.memory
    load = np.zeros(1024, np.int64)  # load[t]: memory held in round t by the requests placed so far
    order = sorted(range(len(instance.requests)), key=lambda k: (instance.requests[k].arrival, k))
    starts: dict[str, int] = {}
    earliest = 0
    for k in order:
        request = instance.requests[k]
        growth = request.prompt + np.arange(1, request.output + 1, dtype=np.int64)
        t = max(request.arrival, earliest)
        while True:
            if t + request.output + 1 > load.size:
                load = np.concatenate([load, np.zeros(max(load.size, request.output + 1), np.int64)])
            if np.all(load[t + 1: t + request.output + 1] + growth <= memory):
                break
            t += 1
        load[t + 1: t + request.output + 1] += growth
        starts[request.id] = t
        earliest = t
    return starts


@register("fcfs", kind="heuristic",
          summary="first come, first served; each request starts once the future memory check passes")
def fcfs(instance: Instance, settings: Settings) -> Outcome:
    return Outcome(schedule=Schedule(fcfs_starts(instance), metadata={"method": "fcfs"}),
                   status=Status.FEASIBLE)
