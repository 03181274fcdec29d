"""Column generation and cutting planes for the completion-indexed LP, with a certified Lagrangian bound.

The restricted master (RMP) holds a subset of the columns and every row found so far. After each solve
the row duals pi (clipped to pi <= 0 for the <= rows) give the Lagrangian bound

    L(pi) = sum_rows pi_r * rhs_r + sum_i min_c (cost_ic - sum_r pi_r * A_r,ic)

over the *whole* column universe with the assignment rows kept as constraints; L(pi) <= LP <= OPT for any
pi <= 0 (weak duality), so it is a valid bound even when the RMP is not optimal, the time limit stops the
loop, or the LP solver's tolerances are loose. It is recomputed here in float64 from the rows themselves;
the reported bound rounds it up after subtracting a safety margin (OPT is an integer).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from kvopt.bounds.lpcuts.cuts import Separator
from kvopt.bounds.lpcuts.model import CompletionModel, Cut

FAMILIES = ("window", "pair", "sawtooth")


@dataclass
class Progress:
    """What the loop did: best certified bound, LP values, counts and a short log."""

    bound: float = -math.inf
    lp_value: float | None = None
    rounds: int = 0
    columns: int = 0
    cuts: dict[str, int] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    finished: bool = False


class CutLoop:
    def __init__(self, model: CompletionModel, initial_columns: np.ndarray, threads: int = 1):
        import highspy

        from kvopt.formulations.highs_solver import new_highs
        from scipy import sparse

        self.model = model
        self.sparse = sparse
        self.cut_rows: list[tuple[np.ndarray, np.ndarray]] = []
        self.cut_rhs: list[float] = []
        self.cut_matrix = sparse.csr_matrix((0, model.columns))
        self.memory_columns = model.memory_rows.tocsc()
        self.position = np.full(model.columns, -1, np.int64)  # universe column -> RMP column
        self.in_rmp: list[int] = []
        highs = self.highs = new_highs()
        highs.setOptionValue("threads", threads)
        n, horizon = model.n, model.horizon
        lower = np.concatenate([np.ones(n), np.full(horizon, -highspy.kHighsInf)])
        upper = np.concatenate([np.ones(n), np.full(horizon, float(model.memory))])
        highs.addRows(n + horizon, lower, upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32),
                      np.zeros(0))
        self.add_columns(np.unique(np.concatenate([initial_columns,
                                                   model.timed + np.arange(model.n)])))

    # ------------------------------------------------------------------ building the RMP
    def add_columns(self, columns: np.ndarray) -> None:
        columns = columns[self.position[columns] < 0]
        if columns.size == 0:
            return
        model = self.model
        starts, indices, values = [], [], []
        memory = self.memory_columns[:, columns]
        cuts = self.cut_matrix.tocsc()[:, columns] if self.cut_rows else None
        count = 0
        for k, column in enumerate(columns):
            owner = int(model.owner[column]) if column < model.timed else int(column - model.timed)
            rows = [np.array([owner])]
            vals = [np.array([1.0])]
            segment = slice(memory.indptr[k], memory.indptr[k + 1])
            rows.append(model.n + memory.indices[segment])
            vals.append(memory.data[segment])
            if cuts is not None:
                segment = slice(cuts.indptr[k], cuts.indptr[k + 1])
                rows.append(model.n + model.horizon + cuts.indices[segment])
                vals.append(cuts.data[segment])
            starts.append(count)
            row_block = np.concatenate(rows)
            indices.append(row_block)
            values.append(np.concatenate(vals))
            count += row_block.size
        self.highs.addCols(columns.size, model.cost[columns], np.zeros(columns.size),
                           np.full(columns.size, np.inf), count, np.array(starts, np.int32),
                           np.concatenate(indices).astype(np.int32), np.concatenate(values))
        self.position[columns] = len(self.in_rmp) + np.arange(columns.size)
        self.in_rmp.extend(columns.tolist())

    def add_cuts(self, cuts: list[Cut]) -> None:
        if not cuts:
            return
        rows = [self.model.cut_row(cut) for cut in cuts]
        starts, indices, values = [], [], []
        count = 0
        for columns, coefficients in rows:
            present = self.position[columns] >= 0
            starts.append(count)
            indices.append(self.position[columns[present]])
            values.append(coefficients[present])
            count += int(present.sum())
        rhs = np.array([cut.rhs for cut in cuts], float)
        import highspy
        self.highs.addRows(len(cuts), np.full(len(cuts), -highspy.kHighsInf), rhs, count,
                           np.array(starts, np.int32), np.concatenate(indices).astype(np.int32),
                           np.concatenate(values))
        for (columns, coefficients), cut in zip(rows, cuts):
            self.cut_rows.append((columns, coefficients))
            self.cut_rhs.append(cut.rhs)
        data = np.concatenate([c for _, c in self.cut_rows])
        cols = np.concatenate([c for c, _ in self.cut_rows])
        row_ids = np.repeat(np.arange(len(self.cut_rows)), [c.size for c, _ in self.cut_rows])
        self.cut_matrix = self.sparse.csr_matrix((data, (row_ids, cols)),
                                                 shape=(len(self.cut_rows), self.model.columns))

    # ------------------------------------------------------------------ solving and pricing
    def solve(self, time_left: float | None) -> bool:
        if time_left is not None:
            # HiGHS's time limit counts the object's accumulated run time, not this call's
            self.highs.setOptionValue("time_limit", self.highs.getRunTime() + max(0.01, time_left))
        self.highs.run()
        status = self.highs.getModelStatus()
        import highspy
        self.last_status = self.highs.modelStatusToString(status)
        return status == highspy.HighsModelStatus.kOptimal

    def duals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Assignment duals u, memory-row duals and cut-row duals (the last two clipped to <= 0)."""
        model = self.model
        row_dual = np.asarray(self.highs.getSolution().row_dual)
        assignment = row_dual[: model.n]
        memory = np.minimum(row_dual[model.n: model.n + model.horizon], 0.0)
        cuts = np.minimum(row_dual[model.n + model.horizon:], 0.0)
        return assignment, memory, cuts

    def priced_costs(self, memory_duals: np.ndarray, cut_duals: np.ndarray) -> np.ndarray:
        """cost - A^T pi over the whole universe (assignment rows excluded)."""
        value = self.model.cost - self.model.memory_rows.T @ memory_duals
        if self.cut_rows:
            value = value - self.cut_matrix.T @ cut_duals
        return value

    def lagrangian(self, memory_duals: np.ndarray, cut_duals: np.ndarray, priced: np.ndarray) -> float:
        model = self.model
        per_request = np.full(model.n, np.inf)
        np.minimum.at(per_request, model.owner, priced[: model.timed])
        per_request = np.minimum(per_request, priced[model.timed:])
        return float(model.memory * memory_duals.sum() + np.dot(self.cut_rhs, cut_duals)
                     + per_request.sum())

    def solution(self) -> np.ndarray:
        values = np.asarray(self.highs.getSolution().col_value)
        full = np.zeros(self.model.columns)
        full[np.array(self.in_rmp)] = values
        return full


def run(model: CompletionModel, initial_columns: np.ndarray, families: tuple[str, ...],
        deadline: float | None, max_rounds: int = 200, threads: int = 1,
        columns_per_request: int = 4, cuts_per_round: int = 300) -> Progress:
    """Column generation to LP optimality, then rounds of cuts, until no cut is violated, the bound
    stops improving, max_rounds is reached or the deadline (time.monotonic()) passes."""
    progress = Progress()
    loop = CutLoop(model, initial_columns, threads)

    def time_left() -> float | None:
        return None if deadline is None else deadline - time.monotonic()

    stalled = 0
    while progress.rounds <= max_rounds:
        # ---- column generation for the current rows
        while True:
            left = time_left()
            if left is not None and left <= 0:
                return progress
            optimal = loop.solve(left)
            assignment, memory_duals, cut_duals = loop.duals()
            priced = loop.priced_costs(memory_duals, cut_duals)
            if optimal:
                progress.bound = max(progress.bound, loop.lagrangian(memory_duals, cut_duals, priced))
            reduced = priced - np.concatenate([assignment[model.owner], assignment])
            reduced[loop.position >= 0] = np.inf  # only columns outside the RMP are candidates
            new = _most_negative(model, reduced, columns_per_request)
            if new.size == 0 or not optimal:
                break
            loop.add_columns(new)
        if not optimal:
            progress.log.append(f"stopped: LP status {loop.last_status}")
            return progress
        lp_value = loop.highs.getInfo().objective_function_value
        gained = lp_value - (progress.lp_value if progress.lp_value is not None else -math.inf)
        progress.lp_value = lp_value
        progress.columns = len(loop.in_rmp)
        progress.log.append(f"round {progress.rounds}: LP {lp_value:.3f}, bound {progress.bound:.3f}, "
                            f"{progress.columns} columns, {len(loop.cut_rows)} cuts")
        stalled = stalled + 1 if gained < 1e-4 * max(1.0, abs(lp_value)) else 0
        if stalled >= 3 or progress.rounds == max_rounds:
            break
        # ---- separation
        separator = Separator(model, loop.solution())
        found: list[tuple[float, Cut]] = []
        if "window" in families:
            found += separator.window_cliques()
        if "pair" in families:
            found += separator.pair_cliques()
        if "sawtooth" in families:
            found += separator.sawtooth()
        if not found:
            progress.finished = True
            break
        found.sort(key=lambda item: -item[0])
        chosen = [cut for _, cut in found[:cuts_per_round]]
        for cut in chosen:
            progress.cuts[cut.family] = progress.cuts.get(cut.family, 0) + 1
        loop.add_cuts(chosen)
        progress.rounds += 1
    return progress


def _most_negative(model: CompletionModel, reduced: np.ndarray, per_request: int) -> np.ndarray:
    """Up to `per_request` columns with negative reduced cost per request (most negative first)."""
    negative = np.flatnonzero(reduced < -1e-6)
    if negative.size == 0:
        return negative
    owner = np.where(negative < model.timed, model.owner[np.minimum(negative, model.timed - 1)],
                     negative - model.timed)
    order = np.lexsort((reduced[negative], owner))
    negative, owner = negative[order], owner[order]
    rank = np.arange(negative.size) - np.searchsorted(owner, owner, side="left")
    return negative[rank < per_request]
