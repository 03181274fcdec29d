"""Solving a TimeIndexedModel with HiGHS through highspy: the matrices are passed as they are (no
modelling layer), the LP relaxation is strengthened by a cut loop, then the MIP runs with a warm start.

HiGHS's time limit and gaps are set as native options (the Pyomo-level time limit is not always
honoured, as users of Pyomo's appsi_highs report). The MIP stops only when primal - dual < 1
(mip_abs_gap just below 1): latencies are integers, so that already proves optimality, while HiGHS's
default relative gap 1e-4 would not.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from kvopt.formulations import cuts as peak_cuts
from kvopt.formulations.timeindexed import TimeIndexedModel
from kvopt.method import stoppable
from kvopt.result import LP_ABS_TOLERANCE

# HiGHS stops once primal - dual < ABS_GAP: then integer_bound(dual) >= primal, the proof of optimality
ABS_GAP = 1.0 - LP_ABS_TOLERANCE
PURGE_AFTER = 2  # a cut whose dual stayed zero this many solves leaves the LP (root_bound)
PURGE_DUAL_TOLERANCE = 1e-9
MAX_CUTS_PER_ROUND = 250  # the most violated ones; smaller batches keep each LP re-solve short, which
# gave better bounds within 60 s on the larger paper instances (formulations/time-indexed-ip.md §5)


@contextlib.contextmanager
def quiet_stdout():
    """HiGHS prints a banner on stdout (file descriptor 1) when the first Highs object is created."""
    import sys
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs():
    import highspy
    with quiet_stdout():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


def to_highs(model: TimeIndexedModel, integer: bool, threads: int = 1, names: bool = False,
             columns: np.ndarray | None = None):
    """A Highs object holding the model (LP relaxation when integer=False), or only its `columns` (indices,
    in that order: the restricted LP of kvopt.formulations.sifting)."""
    import highspy

    matrix = (model.matrix if columns is None else model.matrix[:, columns]).tocsc()
    cost = model.col_cost if columns is None else model.col_cost[columns]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cost.size, model.rows
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(cost.size)
    lp.col_upper_ = model.col_upper if columns is None else model.col_upper[columns]
    lp.row_lower_ = np.where(np.isfinite(model.row_lower), model.row_lower, -highspy.kHighsInf)
    lp.row_upper_ = np.where(np.isfinite(model.row_upper), model.row_upper, highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * cost.size
    if names:
        lp.col_names_ = list(model.column_names) if columns is None else [model.column_names[k] for k in columns]
        lp.row_names_ = list(model.row_names)
    highs = new_highs()
    highs.setOptionValue("threads", int(threads))
    highs.passModel(lp)
    return highs


def set_integer(highs, columns: int) -> None:
    import highspy
    highs.changeColsIntegrality(columns, np.arange(columns, dtype=np.int32),
                                np.full(columns, highspy.HighsVarType.kInteger))


def append_rows(highs, matrix, lower: np.ndarray, upper: np.ndarray) -> None:
    import highspy
    matrix = matrix.tocsr()
    highs.addRows(matrix.shape[0], np.where(np.isfinite(lower), lower, -highspy.kHighsInf),
                  np.where(np.isfinite(upper), upper, highspy.kHighsInf), matrix.nnz,
                  matrix.indptr[:-1].astype(np.int32), matrix.indices.astype(np.int32), matrix.data.astype(float))


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


def _set_time_limit(highs, seconds: float | None) -> None:
    """HiGHS compares time_limit with the run time accumulated over all runs of the object."""
    import highspy
    limit = highspy.kHighsInf if seconds is None else highs.getRunTime() + max(0.01, float(seconds))
    highs.setOptionValue("time_limit", limit)


def solve_lp(highs, deadline: float | None) -> tuple[float | None, np.ndarray | None]:
    """Optimal LP value and solution, or (None, None) if the time ran out first."""
    import highspy
    left = _remaining(deadline)
    if left is not None and left <= 0:
        return None, None
    _set_time_limit(highs, left)
    _run(highs)
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, None
    return float(highs.getInfo().objective_function_value), np.array(highs.getSolution().col_value)


class FullLP:
    """The LP relaxation held whole by a Highs object (`-o sifting=off`); the interface of
    kvopt.formulations.sifting.RestrictedLP."""

    def __init__(self, highs):
        self.highs = highs

    @property
    def nonzeros(self) -> int:
        return int(self.highs.getNumNz())

    converged = True  # every column is in the LP

    def solve(self, deadline: float | None, converge: bool = True) -> tuple[float | None, np.ndarray | None]:
        return solve_lp(self.highs, deadline)

    def add_rows(self, matrix, lower: np.ndarray, upper: np.ndarray) -> None:
        append_rows(self.highs, matrix, lower, upper)

    def row_duals(self) -> np.ndarray | None:
        return np.array(self.highs.getSolution().row_dual)

    def delete_rows(self, rows: np.ndarray) -> None:
        self.highs.deleteRows(rows.size, rows.astype(np.int32))

    def full_highs(self, model: TimeIndexedModel, threads: int = 1):
        return self.highs


@dataclass
class RootBound:
    """The LP relaxation before and after the cut loop."""

    model: TimeIndexedModel
    plain: float | None = None
    strengthened: float | None = None
    values: np.ndarray | None = None
    plain_seconds: float | None = None
    plain_nonzeros: int = 0  # what HiGHS held for the plain LP (the active columns when sifting)
    cuts: int = 0
    purged: int = 0  # cuts dropped again (idle)
    rounds: int = 0
    stopped: str = "no cuts requested"
    history: list[tuple[float, int, float]] = field(default_factory=list)  # (bound, cuts, seconds)

    @property
    def full_lp_seconds(self) -> float | None:
        """The plain LP's time scaled to the whole model's nonzeros: what a solve from scratch of the whole
        model (HiGHS's MIP root) is expected to take."""
        if self.plain_seconds is None:
            return None
        return self.plain_seconds * self.model.nonzeros / max(1, self.plain_nonzeros)


def root_bound(model: TimeIndexedModel, lp, *, cut_rounds: int, deadline: float | None,
               cut_deadline: Callable[[float], float | None] | None = None, per_round: int = 1,
               max_cuts: int = MAX_CUTS_PER_ROUND,
               levels: tuple[int, ...] = (1, 2), min_gain: float = 1e-4, purge_after: int | None = PURGE_AFTER,
               interleave: bool = True, log: Callable[[str], None] = lambda line: None) -> RootBound:
    """Solve the LP relaxation `lp` (a FullLP or a sifting RestrictedLP; a Highs object holding the model
    is taken as a FullLP) by `deadline`, then add violated peak-level cuts (at most `max_cuts` per round,
    most violated first) to both the LP and the model for
    up to `cut_rounds` rounds; stops early when a round
    improves the bound by less than `min_gain` (relative) three times in a row, or at the cut deadline
    (`cut_deadline(RootBound.full_lp_seconds)`, default `deadline`). A cut whose dual is zero after
    `purge_after` successive solves leaves the LP and the model (None: cuts stay); it may come back."""
    if not hasattr(lp, "add_rows"):
        lp = FullLP(lp)
    clock = time.monotonic()
    value, values = lp.solve(deadline)
    root = RootBound(model, plain=value, strengthened=value, values=values, plain_nonzeros=lp.nonzeros)
    if value is None:
        root.stopped = "time limit before the LP relaxation was solved"
        return root
    root.plain_seconds = time.monotonic() - clock
    log(f"LP relaxation {value:.3f} ({root.plain_seconds:.1f} s)")
    root.history.append((value, 0, time.monotonic() - clock))
    if cut_deadline is not None:
        deadline = cut_deadline(root.full_lp_seconds)
    stalls = 0
    seen: set[bytes] = set()  # different (q, r, mu) often give the same row
    first_cut = root.model.rows
    signatures: list[bytes] = []  # of the cut rows in the LP, in row order
    dropped_once: set[bytes] = set()
    idle = np.zeros(0, dtype=np.int64)  # successive solves each cut row has had a zero dual
    for round_number in range(cut_rounds):
        found = peak_cuts.separate(root.model, values, levels, per_round)
        specs = [(q, r, mu) for _, q, r, mu in found][:max_cuts]  # most violated first
        matrix, upper, names = peak_cuts.cut_rows(root.model, specs) if specs else (None, None, None)
        fresh = []
        for row in range(len(specs)):
            signature = upper[row].tobytes() + matrix.indices[matrix.indptr[row]:matrix.indptr[row + 1]].tobytes()
            if signature not in seen:
                seen.add(signature)
                signatures.append(signature)
                fresh.append(row)
        if not fresh and not lp.converged:  # the point of a restricted LP: price out the rest first
            value_new, values_new = lp.solve(deadline)
            if value_new is None:
                root.stopped = "time limit during the cut loop"
                break
            if value_new > root.strengthened:
                root.strengthened = value_new
            value, values = value_new, values_new
            root.values = values
            continue
        if not fresh:
            root.stopped = "no violated cut"
            break
        matrix, upper, names = matrix[fresh], upper[fresh], [names[k] for k in fresh]
        specs = [specs[k] for k in fresh]
        lp.add_rows(matrix, np.full(len(specs), -np.inf), upper)
        root.model = root.model.with_rows(matrix, np.full(len(specs), -np.inf), upper, names, "cut")
        root.cuts += len(specs)
        idle = np.concatenate([idle, np.zeros(len(specs), dtype=np.int64)])
        value_new, values_new = lp.solve(deadline, converge=not interleave)
        if value_new is None:
            root.stopped = "time limit during the cut loop"
            break
        root.rounds = round_number + 1
        best = max(root.strengthened, value_new)
        gain = (best - root.strengthened) / max(1.0, abs(root.strengthened))
        value, values = value_new, values_new
        root.strengthened, root.values = best, values
        root.history.append((best, root.cuts, time.monotonic() - clock))
        log(f"cut round {round_number + 1}: +{len(specs)} cuts ({root.model.row_counts.get('cut', 0)} in the LP), "
            f"LP {value:.3f}{'' if lp.converged else ' (columns still entering)'} "
            f"({time.monotonic() - clock:.1f} s)")
        if lp.converged:  # a Lagrangian bound while columns enter may lag behind: not a stall
            stalls = stalls + 1 if gain < min_gain else 0
        if stalls >= 3:
            root.stopped = "bound stalled"
            break
        if purge_after is not None:
            idle = _purge_idle_cuts(root, lp, first_cut, idle, signatures, seen, dropped_once, purge_after)
    else:
        root.stopped = f"{cut_rounds} cut rounds done" if cut_rounds else root.stopped
    return root


def _purge_idle_cuts(root: RootBound, lp, first_cut: int, idle: np.ndarray, signatures: list[bytes],
                     seen: set[bytes], returned: set[bytes], purge_after: int) -> np.ndarray:
    """Drop the cut rows whose dual has been zero for `purge_after` solves from the LP and root.model
    (smaller re-solves); their signatures leave `seen`, so separation may add them again (once: they join
    `returned`)."""
    duals = lp.row_duals()
    if duals is None:
        return idle
    idle = np.where(np.abs(duals[first_cut:]) <= PURGE_DUAL_TOLERANCE, idle + 1, 0)
    # a cut that came back after being dropped stays: every cut leaves at most once, so the loop ends
    dropped = np.flatnonzero((idle >= purge_after) & [signature not in returned for signature in signatures])
    if dropped.size == 0:
        return idle
    lp.delete_rows(dropped + first_cut)
    root.model = root.model.without_rows(dropped + first_cut, "cut")
    root.purged += int(dropped.size)
    for k in dropped:
        seen.discard(signatures[k])
        returned.add(signatures[k])
    keep = np.ones(idle.size, dtype=bool)
    keep[dropped] = False
    signatures[:] = [signature for signature, kept in zip(signatures, keep) if kept]
    return idle[keep]


def _run_with_watchdog(highs, seconds: float | None) -> None:
    """HiGHS's MIP checks time_limit only between phases (on the paper sample its root LP and separation
    rounds overran a 30 s limit by 20 s), so a timer also cancels it through the user interrupt. That is
    not checked while HiGHS solves the root LP from scratch either, so callers start B&B only with time
    for that (kvopt.formulations.methods.ROOT_LP_MARGIN)."""
    if seconds is None:
        _run(highs)
        return
    import threading
    watchdog = threading.Timer(max(0.01, seconds), highs.cancelSolve)
    watchdog.daemon = True
    watchdog.start()
    try:
        _run(highs)
    finally:
        watchdog.cancel()


def _run(highs) -> None:
    """highs.run(), stopped by highs.cancelSolve() (through HiGHS's user interrupt, which startSolve would
    clear too) or by Ctrl-C (kvopt.method.stoppable)."""
    highs.HandleUserInterrupt = True
    highs._Highs__solver_should_stop = False  # an earlier cancel must not stop this run
    try:
        stoppable(highs.run, highs.cancelSolve)
    finally:
        highs.HandleUserInterrupt = False


@dataclass
class MipRun:
    status: str  # HiGHS model status text
    optimal: bool
    values: np.ndarray | None
    objective: float | None
    dual_bound: float | None
    nodes: int
    seconds: float


def solve_mip(highs, model: TimeIndexedModel, *, deadline: float | None, gap: float,
              start: np.ndarray | None, presolve: bool = False) -> MipRun:
    """Run HiGHS's branch and bound on `highs` (which must hold `model` with integer columns).

    presolve=False by default: on paper-sized models HiGHS's MIP presolve reduces nothing, takes ~30 s
    and does not check the time limit (HiGHS 1.16; benchmarks/README.md)."""
    import highspy

    _set_time_limit(highs, _remaining(deadline))
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.setOptionValue("mip_abs_gap", ABS_GAP)
    highs.setOptionValue("presolve", "on" if presolve else "off")
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(start)
        solution.value_valid = True
        highs.setSolution(solution)
    clock = time.monotonic()
    _run_with_watchdog(highs, _remaining(deadline))
    seconds = time.monotonic() - clock
    status = highs.getModelStatus()
    info = highs.getInfo()
    has_solution = info.primal_solution_status == 2
    values = np.array(highs.getSolution().col_value) if has_solution else None
    dual = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    return MipRun(status=highs.modelStatusToString(status), optimal=status == highspy.HighsModelStatus.kOptimal,
                  values=values, objective=float(info.objective_function_value) if has_solution else None,
                  dual_bound=dual, nodes=int(max(0, info.mip_node_count)), seconds=seconds)
