"""`best_incumbent(instance)`: the best verified schedule of the registered heuristics.

The exact formulations use it for their horizon, their variable eliminations and their warm start
(anchors.md §A.9.1). Every registered method of kind "heuristic" is run (today `fcfs`; issue 4 adds
`mcsf`, `mc-benchmark`, `sorted-f`, ... under those names, and they are picked up once registered)
through `kvopt.solve`, so each schedule is checked by the independent verifier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.errors import KvoptError
from kvopt.instance import Instance
from kvopt.schedule import Schedule

HEURISTIC_TIME_LIMIT = 10.0  # seconds granted to each heuristic (they are fast; this only caps them)


@dataclass(frozen=True)
class Incumbent:
    schedule: Schedule
    objective: int
    method: str
    tried: tuple[tuple[str, int | None], ...]  # (heuristic, objective or None if it failed)

    @property
    def latest_start(self) -> int:
        return max(self.schedule.starts.values())

    def makespan(self, instance: Instance) -> int:
        return max(self.schedule.starts[r.id] + r.output for r in instance.requests)


def best_incumbent(instance: Instance, time_limit: float | None = None) -> Incumbent:
    """Run every registered heuristic (each capped at min(time_limit, 10 s)); keep the best objective
    (ties: alphabetical method name, so the result does not depend on registration order)."""
    from kvopt.catalogue import all_methods
    from kvopt.solve import solve

    cap = HEURISTIC_TIME_LIMIT if time_limit is None else max(1e-3, min(time_limit, HEURISTIC_TIME_LIMIT))
    best: Incumbent | None = None
    tried: list[tuple[str, int | None]] = []
    for spec in all_methods("heuristic"):
        try:
            result = solve(instance, spec.name, time_limit=cap)
        except KvoptError:
            tried.append((spec.name, None))
            continue
        tried.append((spec.name, result.objective))
        if result.schedule is None or result.schedule.runs:  # the IP models non-preemptive schedules only
            continue
        if best is None or result.objective < best.objective:
            best = Incumbent(result.schedule, result.objective, spec.name, ())
    if best is None:
        raise KvoptError("no registered heuristic produced a schedule")
    return Incumbent(best.schedule, best.objective, best.method, tuple(tried))


def complete_schedule(instance: Instance, starts: dict[str, int], priority=None) -> dict[str, int]:
    """Keep the given starts and place every other request in increasing `priority` (a number per file
    position; default: shortest output first), ties by file order, at its earliest start >= arrival where
    it fits in all its rounds next to everything placed. Repairs a solution of the time-indexed model that
    parks requests in overflow columns, and rounds LP solutions (lp_rounding)."""
    placed = dict(starts)
    rounds = int(instance.arrivals.max() + sum(r.output for r in instance.requests)
                 + max(placed.values(), default=0)) + 2
    load = np.zeros(rounds, dtype=np.int64)
    for request in instance.requests:
        if request.id in placed:
            p = placed[request.id]
            load[p + 1: p + request.output + 1] += request.prompt + np.arange(1, request.output + 1)
    if priority is None:
        priority = instance.outputs
    missing = sorted((k for k, r in enumerate(instance.requests) if r.id not in placed),
                     key=lambda k: (priority[k], k))
    for k in missing:
        request = instance.requests[k]
        growth = request.prompt + np.arange(1, request.output + 1)
        t = request.arrival
        while np.any(load[t + 1: t + request.output + 1] + growth > instance.memory):
            t += 1
        load[t + 1: t + request.output + 1] += growth
        placed[request.id] = t
    return placed


def total_latency(instance: Instance, starts: dict[str, int]) -> int:
    return sum(starts[r.id] + r.output - r.arrival for r in instance.requests)


def solution_starts(instance: Instance, model, values, objective: int, origin: str):
    """(starts, total latency, origin) of an integral solution of a TimeIndexedModel. A solution that
    parks requests in overflow columns is not a schedule: those requests are placed after the others
    (complete_schedule) and the origin says so."""
    starts = model.starts_from_values(values)
    if starts is not None:
        return starts, int(objective), origin
    starts = complete_schedule(instance, model.starts_from_values(values, partial=True))
    return starts, total_latency(instance, starts), f"{origin} (overflow requests placed after)"


def lp_rounding(instance: Instance, model, values) -> tuple[dict[str, int], int, str]:
    """A schedule from an LP solution of the time-indexed model: list scheduling (complete_schedule) in
    the order of the requests' LP mean completion times or of their alpha-points (the earliest completion
    time by which a share alpha of the request has started), the classic LP-ordering heuristics for
    time-indexed scheduling relaxations. Returns the best (starts, total latency, rule)."""
    values = np.asarray(values, dtype=float)
    completion = (model.col_start + model.groups.output[model.col_group]).astype(float)
    alphas = (0.25, 0.5, 0.75)
    keys = {"LP mean completion": np.zeros(len(instance)),
            **{f"LP {alpha}-point": np.zeros(len(instance)) for alpha in alphas}}
    for g, members in enumerate(model.groups.members):
        columns = np.flatnonzero(model.col_group == g)
        columns = columns[np.argsort(completion[columns], kind="stable")]
        share = values[columns] / len(members)
        cumulative = np.cumsum(share)
        keys["LP mean completion"][list(members)] = float(share @ completion[columns])
        for alpha in alphas:
            reached = min(int(np.searchsorted(cumulative, alpha - 1e-9)), columns.size - 1)
            keys[f"LP {alpha}-point"][list(members)] = completion[columns[reached]]
    best = None
    for rule, priority in keys.items():
        starts = complete_schedule(instance, {}, priority)
        objective = total_latency(instance, starts)
        if best is None or objective < best[1]:
            best = (starts, objective, rule)
    return best
