"""The same time-indexed IP as a Pyomo model, solved by HiGHS through Pyomo's persistent APPSI interface
(`kvopt solve --method ip -o builder=pyomo`).

Pyomo's construction time is the known pain point for large indexed constraint sets (Pyomo
issues #1672, #2429, #2560), so every row is built from the sparse row of the TimeIndexedModel with a
`LinearExpression` (coefficients and variables given directly, no rule that scans all (i, t)). Even so
the Pyomo build takes several times longer than building the arrays and passing them to highspy
(benchmarks/README.md, "Model build time"), which is why `builder=highs` is the default.
"""

from __future__ import annotations

import math

import numpy as np

from kvopt.formulations.highs_solver import ABS_GAP, MipRun, quiet_stdout
from kvopt.formulations.timeindexed import TimeIndexedModel


def build_pyomo(model: TimeIndexedModel):
    """A ConcreteModel with x[g, t] (start columns), late[g] (overflow columns), one constraint per row
    of `model` and the total-latency objective."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    starts = model.start_columns
    size = model.groups.size
    index = list(zip(model.col_group[:starts].tolist(), model.col_start[:starts].tolist()))
    late_groups = np.flatnonzero(model.late >= 0).tolist()
    pm = pyo.ConcreteModel(name=model.instance.name or "kvopt-time-indexed")
    pm.x = pyo.Var(index, domain=pyo.NonNegativeIntegers, bounds=lambda _, g, t: (0, int(size[g])))
    pm.late = pyo.Var(late_groups, domain=pyo.NonNegativeIntegers, bounds=lambda _, g: (0, int(size[g])))
    variables = [pm.x[key] for key in index] + [pm.late[g] for g in late_groups]
    pm.columns = variables  # column order of `model`, to read values back

    matrix = model.matrix.tocsr()
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data

    def row_rule(_, row):
        begin, end = indptr[row], indptr[row + 1]
        body = LinearExpression(constant=0, linear_coefs=data[begin:end].tolist(),
                                linear_vars=[variables[j] for j in indices[begin:end]])
        lower = model.row_lower[row] if math.isfinite(model.row_lower[row]) else None
        upper = model.row_upper[row] if math.isfinite(model.row_upper[row]) else None
        return (lower, body, upper)

    pm.rows = pyo.Constraint(range(model.rows), rule=row_rule)
    pm.latency = pyo.Objective(expr=LinearExpression(constant=0, linear_coefs=model.col_cost.tolist(),
                                                     linear_vars=variables), sense=pyo.minimize)
    return pm


def solve_pyomo(pm, *, time_limit: float | None, gap: float, threads: int,
                start: np.ndarray | None, presolve: bool = False) -> MipRun:
    """Solve a model of `build_pyomo` with APPSI HiGHS (time limit and gaps as native HiGHS options)."""
    import time

    from pyomo.contrib.appsi.base import TerminationCondition
    from pyomo.contrib.appsi.solvers.highs import Highs

    solver = Highs()
    solver.config.load_solution = False
    solver.config.warmstart = start is not None
    options = {"mip_rel_gap": float(gap), "mip_abs_gap": ABS_GAP, "threads": int(threads),
               "presolve": "on" if presolve else "off"}
    if time_limit is not None:
        options["time_limit"] = max(0.01, float(time_limit))
    solver.highs_options = options
    if start is not None:
        for variable, value in zip(pm.columns, start):
            variable.set_value(float(value), skip_validation=True)
    clock = time.monotonic()
    with quiet_stdout():
        results = solver.solve(pm)
    seconds = time.monotonic() - clock
    optimal = results.termination_condition == TerminationCondition.optimal
    objective = results.best_feasible_objective
    values = None
    if objective is not None:
        results.solution_loader.load_vars()
        values = np.array([variable.value for variable in pm.columns], dtype=float)
    bound = results.best_objective_bound
    nodes = solver._solver_model.getInfo().mip_node_count  # not exposed by APPSI's Results
    return MipRun(status=str(results.termination_condition.name), optimal=optimal, values=values,
                  objective=objective, dual_bound=bound if bound is not None and math.isfinite(bound) else None,
                  nodes=int(max(0, nodes)), seconds=seconds)
