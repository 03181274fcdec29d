"""Schedules from solutions of the time-indexed model: an integral solution that parks requests in
overflow columns is completed by list scheduling, and an LP solution is rounded by the classic
LP-ordering rules (kvopt.heuristics.complete_schedule in the LP's order)."""

from __future__ import annotations

import numpy as np

from kvopt.heuristics import complete_schedule, total_latency
from kvopt.instance import Instance


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
