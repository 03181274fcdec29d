"""The restricted master LP of the pattern relaxation (Dantzig-Wolfe over multi-schedules): one column per
multi-schedule c, with its total latency and its copies of each class,

    min sum_c cost_c lambda_c   s.t.  sum_c count_kc lambda_c = |class k|  (all k),  sum_c lambda_c = 1,  lambda >= 0.

Its optimum over *all* multi-schedules is the Lagrangian dual bound max_pi L(pi); over a few columns it is
only an upper estimate of that bound, used for the prices of the next pricing round (never as a bound)."""

from __future__ import annotations

import numpy as np


class Master:
    def __init__(self, sizes: np.ndarray):
        from kvopt.formulations.highs_solver import new_highs

        self.highs = new_highs()
        self.classes = len(sizes)
        rhs = np.concatenate([sizes.astype(float), [1.0]])
        self.highs.addRows(self.classes + 1, rhs, rhs, 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
                           np.zeros(0))
        self.highs.changeObjectiveSense(__import__("highspy").ObjSense.kMinimize)
        self.seen: set[bytes] = set()
        self.columns: list[tuple[int, np.ndarray]] = []
        self.sizes = sizes

    def add(self, cost: int, counts: np.ndarray) -> bool:
        """Add a column (False if it is already there)."""
        key = counts.tobytes() + int(cost).to_bytes(8, "little", signed=True)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.columns.append((int(cost), counts.copy()))
        rows = np.concatenate([np.flatnonzero(counts), [self.classes]]).astype(np.int32)
        values = np.concatenate([counts[counts > 0], [1]]).astype(float)
        self.highs.addCol(float(cost), 0.0, np.inf, rows.size, rows, values)
        return True

    def solve(self) -> tuple[float, np.ndarray, float] | None:
        """(value, class prices, convexity price), or None when the master is infeasible."""
        import highspy

        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        duals = np.array(self.highs.getSolution().row_dual)
        return float(self.highs.getInfo().objective_function_value), duals[:self.classes], float(duals[-1])

    def repeated(self, excluded, limit: int) -> list[int]:
        """Up to `limit` classes of one request that the last solution starts more than once (weighted by
        the columns' values), most first, leaving out `excluded`."""
        if limit <= 0:
            return []
        weights = np.array(self.highs.getSolution().col_value)
        excess = np.zeros(self.classes)
        for value, (_, counts) in zip(weights, self.columns):
            if value > 1e-9:
                excess += value * np.maximum(counts - self.sizes, 0)
        excess[list(excluded)] = 0
        excess[self.sizes != 1] = 0
        order = [int(k) for k in np.argsort(-excess, kind="stable") if excess[k] > 1e-9]
        return order[:limit]
