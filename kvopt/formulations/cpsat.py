"""OR-Tools CP-SAT models of the scheduling problem (formulations/cpsat.md; the unit-interval cumulative
follows the OR-Tools maintainers' advice for time-varying demand, or-tools issues #1157 and #1546).

A ramping demand (s + j in the j-th round) is not native to CP-SAT; three exact encodings:
- "intervals": request i has one start variable p_i; its o_i rounds are unit intervals at fixed offsets
  p_i + j with demand s_i + j, all in one AddCumulative of capacity M.
- "reservoir": one AddReservoirConstraint over the memory level: +(s_i + 1) at p_i + 1, +1 at
  p_i + 2 .. p_i + o_i, -(s_i + o_i) at p_i + o_i + 1; the level must stay in [0, M].
- "timeindexed": the booleans/integers of the time-indexed IP (kvopt.formulations.timeindexed), rows as
  linear constraints (assignment rows as exactly-one where a group is one request).
Start domains are [a_i, a_i + UB - sum_j o_j] (time-indexed-ip.md, Lemma 2), UB the incumbent's total
latency; identical requests are ordered p_i <= p_j (Lemma 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.formulations.rounding import solution_starts
from kvopt.formulations.timeindexed import TimeIndexedModel, identical_classes
from kvopt.instance import Instance
from kvopt.method import stoppable

ENCODINGS = ("intervals", "reservoir", "timeindexed")


def serial_starts(instance: Instance) -> dict[str, int]:
    """One request at a time in arrival order: always feasible (each request fits alone), so its total
    latency bounds the start domains when no heuristic incumbent is used."""
    starts, free = {}, 0
    for k in sorted(range(len(instance)), key=lambda k: (instance.requests[k].arrival, k)):
        request = instance.requests[k]
        starts[request.id] = max(free, request.arrival)
        free = starts[request.id] + request.output
    return starts


@dataclass
class CpBuild:
    """A CP-SAT model and how to read a schedule from it."""

    model: object  # cp_model.CpModel
    start_vars: list | None = None  # intervals / reservoir: p_i per request
    column_vars: list | None = None  # timeindexed: one variable per column of `ti_model`
    ti_model: TimeIndexedModel | None = None
    sizes: dict | None = None


def _start_model(instance: Instance, upper_bound: int, hint: dict[str, int] | None):
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    slack = upper_bound - int(instance.outputs.sum())
    starts = [model.NewIntVar(r.arrival, r.arrival + slack, f"p_{k}") for k, r in enumerate(instance.requests)]
    for members in identical_classes(instance):
        for i, j in zip(members, members[1:]):
            model.Add(starts[i] <= starts[j])
    if hint is not None:
        for k, r in enumerate(instance.requests):
            model.AddHint(starts[k], int(hint[r.id]))
    model.Minimize(sum(starts) + int(instance.outputs.sum() - instance.arrivals.sum()))
    return model, starts


def build_intervals(instance: Instance, upper_bound: int, hint: dict[str, int] | None) -> CpBuild:
    model, starts = _start_model(instance, upper_bound, hint)
    intervals, demands = [], []
    for k, r in enumerate(instance.requests):
        for j in range(1, r.output + 1):
            intervals.append(model.NewFixedSizeIntervalVar(starts[k] + j, 1, f"round_{k}_{j}"))
            demands.append(r.prompt + j)
    model.AddCumulative(intervals, demands, instance.memory)
    return CpBuild(model, start_vars=starts, sizes={"integer_variables": len(starts),
                                                    "intervals": len(intervals), "cumulatives": 1})


def build_reservoir(instance: Instance, upper_bound: int, hint: dict[str, int] | None) -> CpBuild:
    model, starts = _start_model(instance, upper_bound, hint)
    times, changes = [], []
    for k, r in enumerate(instance.requests):
        times.append(starts[k] + 1)
        changes.append(r.prompt + 1)
        for j in range(2, r.output + 1):
            times.append(starts[k] + j)
            changes.append(1)
        times.append(starts[k] + r.output + 1)
        changes.append(-(r.prompt + r.output))
    model.AddReservoirConstraint(times, changes, 0, instance.memory)
    return CpBuild(model, start_vars=starts, sizes={"integer_variables": len(starts),
                                                    "reservoir_events": len(times)})


def build_timeindexed(ti_model: TimeIndexedModel, hint_values: np.ndarray | None) -> CpBuild:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    upper = ti_model.col_upper.astype(np.int64)
    names = ti_model.column_names
    columns = [model.NewBoolVar(names[j]) if upper[j] == 1 else model.NewIntVar(0, int(upper[j]), names[j])
               for j in range(ti_model.columns)]
    matrix = ti_model.matrix.tocsr()
    for row in range(ti_model.rows):
        begin, end = matrix.indptr[row], matrix.indptr[row + 1]
        if begin == end:
            continue
        variables = [columns[j] for j in matrix.indices[begin:end]]
        coefficients = np.rint(matrix.data[begin:end]).astype(np.int64).tolist()
        lower, upper_row = ti_model.row_lower[row], ti_model.row_upper[row]
        if lower == upper_row == 1 and all(c == 1 for c in coefficients) and all(upper[j] == 1 for j in matrix.indices[begin:end]):
            model.AddExactlyOne(variables)
        elif lower == upper_row:
            model.Add(cp_model.LinearExpr.WeightedSum(variables, coefficients) == int(lower))
        elif np.isfinite(lower):
            model.AddLinearConstraint(cp_model.LinearExpr.WeightedSum(variables, coefficients), int(lower),
                                      int(upper_row))
        else:
            model.Add(cp_model.LinearExpr.WeightedSum(variables, coefficients) <= int(upper_row))
    model.Minimize(cp_model.LinearExpr.WeightedSum(columns, np.rint(ti_model.col_cost).astype(np.int64).tolist()))
    if hint_values is not None:
        for variable, value in zip(columns, hint_values):
            model.AddHint(variable, int(round(value)))
    return CpBuild(model, column_vars=columns, ti_model=ti_model, sizes=ti_model.sizes())


@dataclass
class CpRun:
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | MODEL_INVALID | UNKNOWN
    starts: dict[str, int] | None
    objective: int | None
    bound: float | None
    seconds: float
    late_used: bool = False
    origin: str = "cp-sat"


def solve_cp(instance: Instance, build: CpBuild, *, time_limit: float | None, threads: int,
             seed: int) -> CpRun:
    """threads: CP-SAT's search workers (its portfolio and LNS need several, even on fewer cores)."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = max(0.01, float(time_limit))
    solver.parameters.num_workers = int(threads)
    solver.parameters.random_seed = int(seed)
    solver.parameters.catch_sigint_signal = False  # CP-SAT would swallow Ctrl-C and reset its handler
    status = stoppable(lambda: solver.Solve(build.model), solver.StopSearch)
    name = solver.StatusName(status)
    starts, objective, late_used, origin = None, None, False, "cp-sat"
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        objective = int(round(solver.ObjectiveValue()))
        if build.start_vars is not None:
            starts = {r.id: int(solver.Value(v)) for r, v in zip(instance.requests, build.start_vars)}
        else:
            values = np.array([solver.Value(v) for v in build.column_vars], dtype=float)
            starts, objective, origin = solution_starts(instance, build.ti_model, values, objective, "cp-sat")
            late_used = origin != "cp-sat"
    bound = solver.BestObjectiveBound() if status != cp_model.MODEL_INVALID else None
    return CpRun(name, starts, objective, bound, solver.WallTime(), late_used, origin)
