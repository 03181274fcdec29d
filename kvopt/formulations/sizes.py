"""Model sizes as formulas of n, the horizon H and the instance data: the functions the documents in
formulations/ cite, checked against built models by tests/formulations/test_sizes.py.

Notation: a_i, o_i arrival and output of request i; T = H the last modelled start; L = UB - sum_i o_i the
slack an upper bound UB leaves; for symmetry="aggregate" the sums run over classes g of identical
requests (|g| members), otherwise over requests.
"""

from __future__ import annotations

import numpy as np

from kvopt.formulations.timeindexed import identical_classes
from kvopt.instance import Instance


def plain_sizes(instance: Instance, horizon: int) -> dict[str, int]:
    """The paper's model (symmetry="none", reductions=False), H >= max a_i:
    variables = sum_i (H - a_i + 1) + n          (x[i, t] for a_i <= t <= H, plus late[i])
    rows      = n + (H + max o - min a)          (assignment; memory rounds min a + 1 .. H + max o)
    nonzeros  = sum_i (H - a_i + 1)(1 + o_i) + n (each x[i, t] in its assignment row and o_i memory rows)
    """
    a, o = instance.arrivals, instance.outputs
    n = len(instance)
    if horizon < int(a.max()):
        raise ValueError("plain_sizes needs H >= max a_i")
    windows = horizon - a + 1
    return {"variables": int(windows.sum()) + n,
            "rows": n + horizon + int(o.max()) - int(a.min()),
            "nonzeros": int((windows * (1 + o)).sum()) + n}


def reduced_sizes(instance: Instance, horizon: int, upper_bound: int, symmetry: str) -> dict[str, int]:
    """With reductions (UB given): group g keeps starts a_g .. min(H, a_g + L), i.e.
    w_g = max(0, min(H, a_g + L) - a_g + 1) columns, and a late column iff a_g + L > H:
    variables          = sum_g w_g + #{g : a_g + L > H}                              (exact)
    rows     <= G + (max_g (a_g + w_g - 1 + o_g) - min_g a_g) + R_order                (memory rows that
                cannot bind are dropped; R_order = sum over classes of (|class| - 1) for symmetry="order")
    nonzeros <= sum_g w_g (1 + o_g) + #late + N_order   (N_order = sum over consecutive pairs of the two
                requests' column counts)
    """
    slack = int(upper_bound) - int(instance.outputs.sum())
    classes = identical_classes(instance)
    if symmetry == "aggregate":
        groups = [(members[0], len(members)) for members in classes]
    else:
        groups = [(k, 1) for k in range(len(instance))]
    widths, lates, last_rounds = [], 0, []
    for head, _ in groups:
        a, o = int(instance.arrivals[head]), int(instance.outputs[head])
        width = max(0, min(horizon, a + slack) - a + 1)
        widths.append(width)
        late = a + slack > horizon
        lates += late
        if width:
            last_rounds.append(a + width - 1 + o)
    first_round = min(int(instance.arrivals[head]) for head, _ in groups)
    variables = sum(widths) + lates
    order_rows = sum(len(m) - 1 for m in classes) if symmetry == "order" else 0
    order_nonzeros = 0
    if symmetry == "order":
        columns = {head: w + (int(instance.arrivals[head]) + slack > horizon) for (head, _), w in zip(groups, widths)}
        order_nonzeros = sum(columns[i] + columns[j] for m in classes for i, j in zip(m, m[1:]))
    outputs = [int(instance.outputs[head]) for head, _ in groups]
    return {"variables": variables,
            "rows_at_most": len(groups) + (max(last_rounds, default=first_round) - first_round) + order_rows,
            "nonzeros_at_most": sum(w * (1 + o) for w, o in zip(widths, outputs)) + lates + order_nonzeros}


def cpsat_sizes(instance: Instance, encoding: str) -> dict[str, int]:
    """intervals: n start variables, sum_i o_i unit intervals, one cumulative;
    reservoir: n start variables, sum_i (o_i + 1) reservoir events."""
    n, total_output = len(instance), int(instance.outputs.sum())
    if encoding == "intervals":
        return {"integer_variables": n, "intervals": total_output, "cumulatives": 1}
    if encoding == "reservoir":
        return {"integer_variables": n, "reservoir_events": total_output + n}
    raise ValueError("the timeindexed encoding has the sizes of the time-indexed IP")


def nonzeros_at_most(instance: Instance, horizon: int, upper_bound: int | None) -> int:
    """sum_i w_i (1 + o_i) + n over requests (an upper bound for every symmetry option): what
    build_time_indexed would allocate, computed before building it."""
    a, o = instance.arrivals, instance.outputs
    last = horizon if upper_bound is None else np.minimum(horizon, a + int(upper_bound) - int(o.sum()))
    widths = np.maximum(0, last - a + 1)
    return int((widths * (1 + o)).sum()) + len(instance)
