"""The root LP over a growing subset of its columns (sifting): HiGHS holds only the active columns; after
each optimal solve every column of the model is priced with the row duals and the most negative reduced
costs join, until none is negative. Then the restricted optimum is the LP optimum of the whole model.

Why: a time-indexed model has one column per (request, start) and each column meets every round the
request runs in (paper-sized models: 80,000 columns, 2.5 million nonzeros), while an optimal LP point uses
a small fraction of the columns. Each simplex iteration then works on a matrix several times smaller
(formulations/time-indexed-ip.md, "Sifting"; benchmarks/README.md, "The root LP by sifting").

The value returned is also safe where pricing tolerates tiny negative reduced costs: it is the Lagrangian
bound of the duals, the restricted optimum plus every inactive column's most negative contribution
(reduced cost times its upper bound), which no feasible point of the whole LP can beat.
"""

from __future__ import annotations

import numpy as np

from kvopt.formulations.highs_solver import append_rows, solve_lp, to_highs
from kvopt.formulations.timeindexed import TimeIndexedModel

FIRST_STARTS = 5  # each request's earliest starts are active from the beginning
PRICING_BATCH = 1000  # at most this many columns join per pricing round, the most negative first (with the
# cut loop interleaved, 1,000 gave higher 60-s bounds than 500, 2,000 or 5,000: benchmarks/README.md)
PRICING_TOLERANCE = 1e-7  # HiGHS's dual feasibility tolerance


def initial_columns(model: TimeIndexedModel, schedule_values: np.ndarray | None) -> np.ndarray:
    """Overflow columns, each request's FIRST_STARTS earliest starts and the incumbent's columns (so the
    restricted LP has a feasible point wherever the incumbent fits the model)."""
    active = np.zeros(model.columns, dtype=bool)
    active[model.late[model.late >= 0]] = True
    offsets = np.arange(model.start_columns) - np.repeat(model.first, model.width)
    active[:model.start_columns] |= offsets < FIRST_STARTS
    if schedule_values is not None:
        active |= schedule_values > 0
    return active


class RestrictedLP:
    """The LP relaxation of `model` (and the rows added later) solved by sifting; `solve` returns the value
    and the point over all columns, like kvopt.formulations.highs_solver.solve_lp on the whole model."""

    def __init__(self, model: TimeIndexedModel, active: np.ndarray, threads: int = 1,
                 batch: int = PRICING_BATCH):
        self.batch = batch
        self.cost, self.upper = model.col_cost, model.col_upper
        self.rows = model.matrix.tocsr()  # every row over every column, for pricing
        self.active = active.copy()
        self.index = np.flatnonzero(self.active)  # restricted column k is model column index[k]
        self.pricing_rounds = 0
        self.converged = False  # the last solve priced out every column
        self.duals: np.ndarray | None = None
        self.highs = to_highs(model, integer=False, threads=threads, columns=self.index)

    @property
    def nonzeros(self) -> int:
        """Nonzeros HiGHS holds now (the active columns)."""
        return int(self.highs.getNumNz())

    def add_rows(self, matrix, lower: np.ndarray, upper: np.ndarray) -> None:
        """Rows over all columns (cuts); HiGHS gets their active part."""
        from scipy import sparse
        matrix = matrix.tocsr()
        self.rows = sparse.vstack([self.rows, matrix], format="csr")
        append_rows(self.highs, matrix[:, self.index], lower, upper)

    def delete_rows(self, rows: np.ndarray) -> None:
        keep = np.ones(self.rows.shape[0], dtype=bool)
        keep[rows] = False
        self.rows = self.rows[keep]
        self.highs.deleteRows(rows.size, rows.astype(np.int32))
        self.duals = None if self.duals is None else self.duals[keep]

    def _activate(self, columns: np.ndarray) -> None:
        block = self.rows[:, columns].tocsc()
        self.highs.addCols(columns.size, self.cost[columns], np.zeros(columns.size), self.upper[columns],
                           block.nnz, block.indptr[:-1].astype(np.int32), block.indices.astype(np.int32),
                           block.data.astype(float))
        self.active[columns] = True
        self.index = np.concatenate([self.index, columns])

    def solve(self, deadline: float | None, converge: bool = True) -> tuple[float | None, np.ndarray | None]:
        """The LP bound of the whole model and its point, or (None, None) if the time ran out first. With
        converge=False after one restricted solve: its Lagrangian bound (below the LP value while columns
        still enter; `converged` says whether any did) and the restricted optimum, and the entering
        columns join for the next solve."""
        import highspy

        while True:
            value, values = solve_lp(self.highs, deadline)
            if value is None:
                if self.highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible and not self.active.all():
                    self._activate(np.flatnonzero(~self.active))  # the start set admits no point: all
                    continue
                return None, None
            duals = np.array(self.highs.getSolution().row_dual)
            reduced = self.cost - self.rows.T @ duals
            reduced[self.active] = 0.0
            self.pricing_rounds += 1
            entering = np.flatnonzero(reduced < -PRICING_TOLERANCE)
            self.converged = entering.size == 0
            if self.converged or not converge:
                self.duals = duals
                point = np.zeros(self.active.size)
                point[self.index] = values
                bound = value + float(np.minimum(reduced, 0.0) @ self.upper)
                if not self.converged:
                    self._activate(entering[np.argsort(reduced[entering], kind="stable")[:self.batch]])
                return bound, point
            self._activate(entering[np.argsort(reduced[entering], kind="stable")[:self.batch]])

    def row_duals(self) -> np.ndarray | None:
        return self.duals

    def full_highs(self, model: TimeIndexedModel, threads: int = 1):
        """A Highs object with the whole `model` (which holds the rows added here), for branch and bound
        (HiGHS's MIP solves its root LP from scratch anyway: formulations/time-indexed-ip.md §8)."""
        return to_highs(model, integer=False, threads=threads)
