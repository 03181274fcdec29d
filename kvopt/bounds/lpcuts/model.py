"""The completion-indexed LP relaxation that `lp-cuts` strengthens (formulations/lower-bounds.md §6).

y[i, c] = 1 iff request i completes in round c (c in [a_i + o_i, T]), plus one *late* column per request
for "completes after T" with cost T + 1 - a_i and no other coefficient. Rows: one assignment row per
request (= 1) and one memory row per round t = 1..T (<= M): the time-indexed IP of paper.md §3 with the
start p = c - o, truncated at the horizon T. Truncation keeps it a relaxation for every T, because the
late column under-states both the cost and the memory of a request completing after T.

Cuts are rows `sum coef(i, c) * y[i, c] <= rhs` given as terms (i, lo, hi, base, slope): coefficient
base + slope * c on every column (i, c) with lo <= c <= hi, optionally plus the memory row of one round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.instance import Instance


@dataclass(frozen=True)
class Cut:
    """A valid inequality. terms: rows of (request, lo, hi, base, slope); memory_round: also add the
    memory coefficients of that round; family: which family produced it (for reports)."""

    terms: np.ndarray
    rhs: float
    family: str
    memory_round: int | None = None


class CompletionModel:
    """Column universe, costs and coefficients of the completion-indexed LP."""

    def __init__(self, instance: Instance, horizon: int):
        self.instance = instance
        self.horizon = horizon
        self.memory = instance.memory
        self.arrivals = np.asarray(instance.arrivals, np.int64)
        self.prompts = np.asarray(instance.prompts, np.int64)
        self.outputs = np.asarray(instance.outputs, np.int64)
        self.peaks = self.prompts + self.outputs
        self.n = len(instance)
        earliest = self.arrivals + self.outputs
        counts = np.maximum(0, horizon - earliest + 1)
        self.first = np.concatenate([[0], np.cumsum(counts)])[:-1]  # first column of each request
        self.owner = np.repeat(np.arange(self.n), counts)
        self.completion = np.concatenate([np.arange(e, horizon + 1) for e in earliest]) \
            if counts.sum() else np.zeros(0, np.int64)
        self.timed = int(counts.sum())  # columns with a completion round; late columns follow
        self.columns = self.timed + self.n
        self.cost = np.concatenate([self.completion - self.arrivals[self.owner],
                                    horizon + 1 - self.arrivals]).astype(float)
        self.earliest = earliest
        self._memory_rows = self._build_memory_rows()

    def column(self, request: int, completion: int) -> int:
        """Index of column (request, completion); -1 if outside [a + o, T]."""
        if completion < self.earliest[request] or completion > self.horizon:
            return -1
        return int(self.first[request] + completion - self.earliest[request])

    def late(self, request: int) -> int:
        return self.timed + request

    def _build_memory_rows(self):
        """CSR matrix (rounds 1..T as rows 0..T-1) of the memory coefficients of the timed columns."""
        from scipy import sparse
        outputs = self.outputs[self.owner]
        length = outputs.sum()
        column = np.repeat(np.arange(self.timed), outputs)
        age = np.arange(length) - np.repeat(np.cumsum(outputs) - outputs, outputs) + 1  # 1..o
        start = np.repeat(self.completion - outputs, outputs)
        round_ = start + age
        keep = round_ <= self.horizon
        values = (self.prompts[self.owner][column] + age)[keep].astype(float)
        return sparse.csr_matrix((values, (round_[keep] - 1, column[keep])),
                                 shape=(self.horizon, self.columns))

    @property
    def memory_rows(self):
        return self._memory_rows

    def cut_row(self, cut: Cut) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, coefficients) of a cut, duplicates summed, zeros dropped."""
        indices, values = [], []
        for request, lo, hi, base, slope in cut.terms:
            request = int(request)
            lo = max(int(lo), int(self.earliest[request]))
            hi = min(int(hi), self.horizon)
            if lo > hi:
                continue
            completions = np.arange(lo, hi + 1)
            indices.append(self.first[request] + completions - self.earliest[request])
            values.append(base + slope * completions.astype(float))
        if cut.memory_round is not None:
            row = self._memory_rows.getrow(cut.memory_round - 1)
            indices.append(row.indices)
            values.append(row.data)
        if not indices:
            return np.zeros(0, np.int64), np.zeros(0)
        indices = np.concatenate(indices)
        values = np.concatenate(values)
        unique, inverse = np.unique(indices, return_inverse=True)
        summed = np.bincount(inverse, weights=values)
        keep = summed != 0
        return unique[keep], summed[keep]

    def completion_mass(self, solution: np.ndarray) -> np.ndarray:
        """Y[i, c]: LP mass of request i completing in round c (c = 0..T+1; T+1 holds the late mass)."""
        mass = np.zeros((self.n, self.horizon + 2))
        np.add.at(mass, (self.owner, self.completion), solution[: self.timed])
        mass[:, self.horizon + 1] += solution[self.timed:]
        return mass
