"""The outcome of running a method on an instance."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kvopt.schedule import Schedule


class Status(str, enum.Enum):
    """OPTIMAL: the schedule is proven optimal. FEASIBLE: a verified schedule, optimality not proven
    (heuristics, or an exact method stopped by its time limit). INFEASIBLE: proven that no schedule exists.
    TIMEOUT: the time limit was reached before any schedule was found. BOUND: a lower-bound method (no
    schedule)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIMEOUT = "timeout"
    BOUND = "bound"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Result:
    """What `kvopt.solve` returns.

    objective is the total end-to-end latency recomputed by the verifier (None without a schedule);
    lower_bound is a proven lower bound on the optimum (None if the method proves none); runtime_s is
    wall-clock seconds of the method; info holds method-specific figures (nodes, horizon, ...).
    """

    method: str
    status: Status
    objective: int | None
    lower_bound: float | None
    runtime_s: float
    schedule: Schedule | None = None
    log: tuple[str, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "log", tuple(self.log))
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))

    @property
    def gap(self) -> float | None:
        """Relative gap (objective - lower_bound) / objective, None if either is missing."""
        if self.objective is None or self.lower_bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.lower_bound) / self.objective)

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary (no schedule, no log)."""
        return {
            "method": self.method,
            "status": self.status.value,
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "runtime_s": round(self.runtime_s, 6),
            **({"info": dict(self.info)} if self.info else {}),
        }
