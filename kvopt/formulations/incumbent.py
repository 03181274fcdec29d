"""`best_incumbent(instance)`: the best verified schedule of the registered heuristics.

The exact formulations use it for their horizon, their variable eliminations and their warm start
(anchors.md §A.9.1). Every registered method of kind "heuristic" is run (today `fcfs`; issue 4 adds
`mcsf`, `mc-benchmark`, `sorted-f`, ... under those names, and they are picked up once registered)
through `kvopt.solve`, so each schedule is checked by the independent verifier.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def best_incumbent(instance: Instance, time_limit: float | None = None) -> Incumbent:
    """Run every registered heuristic (each capped at min(time_limit, 10 s)); keep the best objective
    (ties: alphabetical method name, so the result does not depend on registration order)."""
    from kvopt.methods.registry import all_methods
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
        if result.schedule is not None and (best is None or result.objective < best.objective):
            best = Incumbent(result.schedule, result.objective, spec.name, ())
    if best is None:
        raise KvoptError("no registered heuristic produced a schedule")
    return Incumbent(best.schedule, best.objective, best.method, tuple(tried))
