"""The time-indexed integer program of arXiv 2502.07115 v5 ((1)-(4)), built as sparse arrays (no solver involved).

Columns. A *group* is one request, or (symmetry="aggregate") a class of identical (a, s, o) requests.
x[g, t] = number of requests of group g that start at period t, for a_g <= t <= last_g (binary for a
single request, integer in [0, |g|] for a class). Where a request might start after the horizon H, the
group also has one overflow column late[g] = number of its requests that start after H.
Rows. assignment: sum_t x[g, t] + late[g] = |g|; memory: for every round r that can bind,
sum_{g, k < r <= k + o_g} (s_g + r - k) x[g, k] <= M (its constraint (3)); symmetry="order" adds
start_i <= start_j for consecutive identical requests; cuts are appended by kvopt.formulations.cuts.
Objective: the total latency, sum (t + o_g - a_g) x[g, t] + (max(H + 1, a_g) + o_g - a_g) late[g].

Exactness (proofs in formulations/time-indexed-ip.md): the model is a relaxation of the scheduling
problem restricted to schedules of total latency <= upper_bound (a verified incumbent's), because a
request started after H is represented by late[g] at a cost no larger than its latency and without its
memory; and every solution with all late[g] = 0 *is* a schedule with that objective. So the optimum of
the model is a lower bound, and an optimal solution without late columns is an optimal schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from kvopt.instance import Instance

SYMMETRY = ("aggregate", "order", "none")


@dataclass(frozen=True)
class Groups:
    """Requests grouped for the columns: positions of the members (file order) and their (a, s, o)."""

    members: tuple[tuple[int, ...], ...]
    arrival: np.ndarray
    prompt: np.ndarray
    output: np.ndarray
    size: np.ndarray

    def __len__(self) -> int:
        return len(self.members)


def identical_classes(instance: Instance) -> list[tuple[int, ...]]:
    """Positions of the requests of each class of identical (arrival, prompt, output), in file order of
    their first member; members in file order."""
    classes: dict[tuple[int, int, int], list[int]] = {}
    for position, request in enumerate(instance.requests):
        classes.setdefault((request.arrival, request.prompt, request.output), []).append(position)
    return [tuple(members) for members in classes.values()]


def request_groups(instance: Instance, aggregate: bool) -> Groups:
    if aggregate:
        members = tuple(identical_classes(instance))
    else:
        members = tuple((k,) for k in range(len(instance)))
    first = np.array([m[0] for m in members], dtype=np.int64)
    return Groups(members, instance.arrivals[first].copy(), instance.prompts[first].copy(),
                  instance.outputs[first].copy(), np.array([len(m) for m in members], dtype=np.int64))


def paper_horizon(instance: Instance) -> int:
    """T = max a_i + sum o_i, a horizon that always suffices (used when no schedule is known)."""
    return int(instance.arrivals.max() + instance.outputs.sum())


def latest_starts(instance: Instance, groups: Groups, upper_bound: int | None) -> np.ndarray:
    """Latest start worth modelling per group: a request of group g that starts at t has latency
    t + o_g - a_g, every other request j at least o_j, so a schedule of total latency <= UB starts it
    at t <= a_g + UB - sum_j o_j (formulations/time-indexed-ip.md, Lemma 2). -1 marks "no limit"."""
    if upper_bound is None:
        return np.full(len(groups), -1, dtype=np.int64)
    return groups.arrival + (int(upper_bound) - int(instance.outputs.sum()))


@dataclass(frozen=True)
class TimeIndexedModel:
    """The model as arrays. Start columns of group g are first[g] .. first[g] + width[g] - 1 (starts
    a_g, a_g + 1, ...); late[g] is its overflow column or -1. Rows: `matrix` (CSR) with bounds."""

    instance: Instance
    groups: Groups
    symmetry: str
    horizon: int
    upper_bound: int | None
    reductions: bool
    first: np.ndarray
    width: np.ndarray
    late: np.ndarray
    col_group: np.ndarray
    col_start: np.ndarray  # start period; for late columns the earliest start after the horizon
    col_cost: np.ndarray
    col_upper: np.ndarray
    matrix: object  # scipy.sparse.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_names: tuple[str, ...]
    row_counts: dict

    @property
    def columns(self) -> int:
        return int(self.col_cost.size)

    @property
    def start_columns(self) -> int:
        return int(self.width.sum())

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def nonzeros(self) -> int:
        return int(self.matrix.nnz)

    def sizes(self) -> dict[str, int]:
        return {"variables": self.columns, "rows": self.rows, "nonzeros": self.nonzeros,
                **{f"{kind}_rows": count for kind, count in self.row_counts.items()},
                "late_columns": int((self.late >= 0).sum())}

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        """x_K_T: request at file position K starts at T; n_K_T: how many requests of the class whose
        first member is at position K start at T; late_K: starts after the horizon. Only the instance is
        needed to map a solution back (kvopt.formulations.export.schedule_from_solution)."""
        names = []
        for g, members in enumerate(self.groups.members):
            prefix = "x" if len(members) == 1 else "n"
            a = int(self.groups.arrival[g])
            names.extend(f"{prefix}_{members[0]}_{t}" for t in range(a, a + int(self.width[g])))
        names.extend(f"late_{self.groups.members[g][0]}" for g in range(len(self.groups)) if self.late[g] >= 0)
        return tuple(names)

    def with_rows(self, matrix, lower: np.ndarray, upper: np.ndarray, names: list[str],
                  kind: str) -> TimeIndexedModel:
        """A copy with extra rows appended (cuts, symmetry rows)."""
        from scipy import sparse
        counts = dict(self.row_counts)
        counts[kind] = counts.get(kind, 0) + matrix.shape[0]
        extended = replace(self, matrix=sparse.vstack([self.matrix, matrix], format="csr"),
                           row_lower=np.concatenate([self.row_lower, lower]),
                           row_upper=np.concatenate([self.row_upper, upper]),
                           row_names=self.row_names + tuple(names), row_counts=counts)
        for cached in ("states", "column_names"):  # same columns: keep the cached column data
            if cached in self.__dict__:
                extended.__dict__[cached] = self.__dict__[cached]
        return extended

    def without_rows(self, rows: np.ndarray, kind: str) -> TimeIndexedModel:
        """A copy without the given rows (all of one kind: cuts the LP no longer needs)."""
        keep = np.ones(self.rows, dtype=bool)
        keep[rows] = False
        counts = dict(self.row_counts)
        counts[kind] = counts.get(kind, 0) - int(rows.size)
        reduced = replace(self, matrix=self.matrix[keep], row_lower=self.row_lower[keep],
                          row_upper=self.row_upper[keep],
                          row_names=tuple(name for name, kept in zip(self.row_names, keep) if kept),
                          row_counts=counts)
        for cached in ("states", "column_names"):
            if cached in self.__dict__:
                reduced.__dict__[cached] = self.__dict__[cached]
        return reduced

    def values_from_starts(self, starts: dict[str, int]) -> np.ndarray | None:
        """Column values of a schedule, or None if it is not representable (a start eliminated)."""
        values = np.zeros(self.columns)
        ids = self.instance.ids
        for g, members in enumerate(self.groups.members):
            for k in members:
                t = int(starts[ids[k]])
                offset = t - int(self.groups.arrival[g])
                if 0 <= offset < self.width[g]:
                    values[self.first[g] + offset] += 1
                elif t > self.horizon and self.late[g] >= 0:
                    values[self.late[g]] += 1
                else:
                    return None
        return values

    def starts_from_values(self, values: np.ndarray, partial: bool = False) -> dict[str, int] | None:
        """Start of every request from (integral) column values; None if a late column is used, unless
        partial=True, which leaves out the requests in late columns (the last members of their group).
        Within a group the members take the group's starts in increasing order (file order)."""
        counts = np.rint(np.asarray(values, dtype=float)).astype(np.int64)
        if not partial and np.any(counts[self.late[self.late >= 0]] > 0):
            return None
        ids = self.instance.ids
        starts: dict[str, int] = {}
        for g, members in enumerate(self.groups.members):
            block = counts[self.first[g]: self.first[g] + self.width[g]]
            periods = np.repeat(np.arange(self.width[g]) + int(self.groups.arrival[g]), np.maximum(block, 0))
            late = int(counts[self.late[g]]) if self.late[g] >= 0 else 0
            if periods.size + late != len(members):
                raise ValueError(f"group of request position {members[0]}: {periods.size + late} starts for "
                                 f"{len(members)} requests")
            starts.update({ids[k]: int(t) for k, t in zip(members, periods)})
        return starts

    @cached_property
    def states(self) -> ActiveStates:
        return active_states(self)


@dataclass(frozen=True)
class ActiveStates:
    """Every (start column, round) pair in which the column's requests are active: the round, the memory
    one request holds then (s + r - k) and its remaining rounds after r (k + o - r)."""

    column: np.ndarray
    round: np.ndarray
    memory: np.ndarray
    remaining: np.ndarray


def active_states(model: TimeIndexedModel) -> ActiveStates:
    columns = np.arange(model.start_columns, dtype=np.int64)
    groups = model.col_group[columns]
    outputs = model.groups.output[groups]
    column = np.repeat(columns, outputs)
    age = np.arange(column.size, dtype=np.int64) - np.repeat(np.cumsum(outputs) - outputs, outputs) + 1
    start = model.col_start[column]
    return ActiveStates(column, start + age, model.groups.prompt[model.col_group[column]] + age,
                        np.repeat(outputs, outputs) - age)


def _max_round_load(groups: Groups, width: np.ndarray, rounds: np.ndarray) -> np.ndarray:
    """load[k] = the most memory round rounds[k] (sorted, distinct) can ever hold: every group at its largest
    coefficient in that row (the earliest active start), times its size. A memory row with load <= M can
    never bind. Only the given rounds are evaluated: a late arrival leaves no array as long as the horizon."""
    load = np.zeros(rounds.size, dtype=np.int64)
    for g in range(len(groups)):
        if width[g] == 0:
            continue
        a, s, o, size = (int(groups.arrival[g]), int(groups.prompt[g]), int(groups.output[g]),
                         int(groups.size[g]))
        last_round = a + int(width[g]) - 1 + o
        ramp_end = min(a + o, last_round)
        lo, mid, hi = np.searchsorted(rounds, [a + 1, ramp_end + 1, last_round + 1])
        load[lo:mid] += size * (s + rounds[lo:mid] - a)
        load[mid:hi] += size * (s + o)
    return load


def build_time_indexed(instance: Instance, horizon: int, *, upper_bound: int | None = None,
                       symmetry: str = "aggregate", reductions: bool = True) -> TimeIndexedModel:
    """Build the model for starts 0..horizon (see the module docstring).

    upper_bound: total latency of a verified schedule; with reductions=True it removes start columns that
    cannot belong to a schedule at least as good, and late columns where no such schedule starts a
    request after the horizon. reductions=True also drops memory rows that can never bind.
    """
    from scipy import sparse

    if symmetry not in SYMMETRY:
        raise ValueError(f"symmetry must be one of {SYMMETRY}")
    horizon = int(horizon)
    groups = request_groups(instance, aggregate=symmetry == "aggregate")
    count = len(groups)
    latest = latest_starts(instance, groups, upper_bound if reductions else None)
    unlimited = latest < 0
    last = np.where(unlimited, horizon, np.minimum(horizon, latest))
    width = np.maximum(0, last - groups.arrival + 1)
    has_late = unlimited | (latest > horizon)
    if np.any((width == 0) & ~has_late):
        raise ValueError("the upper bound leaves a request without any start; it is not the objective of "
                         "a feasible schedule")
    first = np.concatenate([[0], np.cumsum(width)[:-1]]).astype(np.int64)
    starts_total = int(width.sum())
    late = np.full(count, -1, dtype=np.int64)
    late[has_late] = starts_total + np.arange(int(has_late.sum()))
    columns = starts_total + int(has_late.sum())

    col_group = np.concatenate([np.repeat(np.arange(count), width), np.flatnonzero(has_late)]).astype(np.int64)
    col_start = np.concatenate([
        np.arange(starts_total) - np.repeat(first, width) + np.repeat(groups.arrival, width),
        np.maximum(horizon + 1, groups.arrival[has_late])]).astype(np.int64)
    col_cost = (col_start + groups.output[col_group] - groups.arrival[col_group]).astype(float)
    col_upper = groups.size[col_group].astype(float)

    model = TimeIndexedModel(instance, groups, symmetry, horizon, upper_bound, reductions, first, width, late,
                             col_group, col_start, col_cost, col_upper, sparse.csr_matrix((0, columns)),
                             np.zeros(0), np.zeros(0), (), {})

    # assignment rows
    assign = sparse.csr_matrix((np.ones(columns), (col_group, np.arange(columns))), shape=(count, columns))
    # memory rows: one per round that some start column can occupy (and, with reductions, that can bind)
    states = model.states
    rounds = np.unique(states.round)
    load = _max_round_load(groups, width, rounds)
    kept_rounds = rounds[load > instance.memory] if reductions else rounds[load > 0]
    row = np.minimum(np.searchsorted(kept_rounds, states.round), max(kept_rounds.size - 1, 0))
    in_row = kept_rounds[row] == states.round if kept_rounds.size else np.zeros(states.round.size, bool)
    memory = sparse.csr_matrix(
        (states.memory[in_row].astype(float), (row[in_row], states.column[in_row])),
        shape=(kept_rounds.size, columns))

    ids_first = [members[0] for members in groups.members]
    names = [f"assign_{k}" for k in ids_first] + [f"mem_{r}" for r in kept_rounds]
    model = replace(model, matrix=sparse.vstack([assign, memory], format="csr"),
                    row_lower=np.concatenate([groups.size.astype(float), np.full(kept_rounds.size, -np.inf)]),
                    row_upper=np.concatenate([groups.size.astype(float),
                                              np.full(kept_rounds.size, float(instance.memory))]),
                    row_names=tuple(names), row_counts={"assignment": count, "memory": int(kept_rounds.size)})
    model.__dict__["states"] = states  # cached_property cache: the expansion is reused by the cuts
    if symmetry == "order":
        model = _add_order_rows(model)
    return model


def _add_order_rows(model: TimeIndexedModel) -> TimeIndexedModel:
    """start_i - start_j <= 0 for consecutive members i, j of each class of identical requests (a late
    column counts as its earliest start after H). Valid: swapping identical requests keeps a schedule and its cost."""
    from scipy import sparse

    rows, cols, vals, names = [], [], [], []
    for members in identical_classes(model.instance):
        for i, j in zip(members, members[1:]):
            for position, sign in ((i, 1.0), (j, -1.0)):
                g = position  # symmetry="order" keeps one group per request, in file order
                span = np.arange(model.first[g], model.first[g] + model.width[g])
                extra = [model.late[g]] if model.late[g] >= 0 else []
                block = np.concatenate([span, np.array(extra, dtype=np.int64)])
                rows.append(np.full(block.size, len(names)))
                cols.append(block)
                vals.append(sign * model.col_start[block].astype(float))
            names.append(f"order_{i}_{j}")
    if not names:
        return model
    matrix = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(len(names), model.columns))
    return model.with_rows(matrix, np.full(len(names), -np.inf), np.zeros(len(names)), names, "symmetry")
