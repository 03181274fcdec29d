"""The outcome of running a method on an instance, its status vocabulary, and the arithmetic of lower
bounds against objectives (the one tolerance policy of kvopt).

Tolerance policy. Total latencies are integers, so a lower bound b on the optimum proves ceil(b), and
an objective equal to that ceiling is optimal. Two kinds of bounds reach this module:
- exact bounds: integers (the combinatorial bounds, the exact searches, sum of outputs) are used as they
  are, whatever their size: a bound of 8,567,403 stays 8,567,403;
- floating bounds: the value of an LP relaxation or the dual bound of a MIP or CP-SAT run, accurate only
  up to the solver's feasibility tolerances (HiGHS: primal and dual 1e-7, MIP 1e-6). A value that exceeds
  an integer k by at most LP_ABS_TOLERANCE is taken as k (solver noise), anything more is rounded up.
  The tolerance is absolute because the solvers' are: a relative slack grows with the value and, at
  1e7, would round an exact bound several units down.
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kvopt.schedule import Schedule


LP_ABS_TOLERANCE = 1e-6  # HiGHS's MIP feasibility tolerance, ten times its primal and dual ones


def integer_bound(value: float) -> int:
    """The integer lower bound that `value` proves: an integer unchanged, a floating (solver) value
    rounded up after allowing LP_ABS_TOLERANCE of noise."""
    if isinstance(value, numbers.Integral):
        return int(value)
    return math.ceil(value - LP_ABS_TOLERANCE)


def proves_optimal(bound: float | None, objective: int | None) -> bool:
    """The bound meets the (verified) objective: that schedule is optimal."""
    return bound is not None and objective is not None and integer_bound(bound) >= objective


def contradicts(bound: float | None, objective: int | None) -> bool:
    """The bound exceeds the objective of a verified schedule: one of the two is wrong."""
    return bound is not None and objective is not None and integer_bound(bound) > objective


def as_number(value: float | None) -> float | int | None:
    """An integral float as an int (bounds print and serialise as integers where they are integral)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def gap(objective: int | None, bound: float | None) -> float | None:
    """Relative gap (objective - bound) / objective, at least 0; 0 for a zero objective; None if either
    is missing."""
    if objective is None or bound is None:
        return None
    if objective == 0:
        return 0.0
    return max(0.0, (objective - bound) / objective)


class Status(str, enum.Enum):
    """OPTIMAL: the schedule is proven optimal. FEASIBLE: a verified schedule, optimality not proven
    (heuristics, or an exact method stopped by its time limit). INFEASIBLE: proven that no schedule exists.
    TIMEOUT: the time limit was reached before any schedule was found (in a sweep also: the job was
    killed by its wall-clock guard). BOUND: a lower-bound method (no schedule).

    What a method can end with is the above; a run inside certify or a sweep can also end as
    SKIPPED (the method does not apply to the instance), ERROR (it raised, crashed, or returned what the
    verifier rejects), NOT_RUN (certify did not start it: proven optimal already, budget spent, or
    interrupted before) or INTERRUPTED (Ctrl-C stopped it before it returned anything)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIMEOUT = "timeout"
    BOUND = "bound"
    SKIPPED = "skipped"
    ERROR = "error"
    NOT_RUN = "not run"
    INTERRUPTED = "interrupted"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Result:
    """What `kvopt.solve` returns.

    objective is the total end-to-end latency recomputed by the verifier (None without a schedule);
    lower_bound is a proven lower bound on the optimum (None if the method proves none); runtime_s is
    wall-clock seconds of the method; info holds method-specific figures (nodes, horizon, ...);
    interrupted: Ctrl-C stopped the method early (its schedule and bound are what it had by then).
    """

    method: str
    status: Status
    objective: int | None
    lower_bound: float | None
    runtime_s: float
    schedule: Schedule | None = None
    log: tuple[str, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)
    interrupted: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "log", tuple(self.log))
        object.__setattr__(self, "info", MappingProxyType(dict(self.info)))

    @property
    def gap(self) -> float | None:
        """Relative gap (objective - lower_bound) / objective, None if either is missing."""
        return gap(self.objective, self.lower_bound)

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary (no schedule, no log)."""
        return {
            "method": self.method,
            "status": self.status.value,
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "runtime_s": round(self.runtime_s, 6),
            **({"interrupted": True} if self.interrupted else {}),
            **({"info": dict(self.info)} if self.info else {}),
        }
