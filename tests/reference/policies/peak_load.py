"""Memory at future (predicted) completion points, kept incrementally (MC-SF's check, arXiv
2502.07115 v5, Eq. (5); the incremental form is ours [INF]).

A run j that started at period p_j holding held0_j (prompt + kept tokens) and is predicted to complete at
end_j holds held0_j + (tau - p_j) in round tau for p_j < tau <= end_j. Between two completion points the
total only grows, so the peak of the future memory profile is attained at a completion point:

    L(tau) = sum over runs j with end_j >= tau of (base_j + tau),   base_j = held0_j - p_j,

and MC-SF's future feasibility check (Eq. (5) of the paper's v5) is "max over completion points <= M".

`PeakLoad` keeps the runs sorted by end with L at every end, so that adding or removing a run and asking
"what would the peak be with this candidate?" cost O(k) vectorised work for k runs, instead of recomputing
every point from scratch (O(k^2), the paper's bound). `direct_peak` is that recomputation, kept as the
reference the incremental structure is tested against.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


class PeakLoad:
    """Runs (key, base, end) sorted by end, with the load L(end) at each of their ends.

    Rows of one preallocated buffer (end, base, load, key) so that an insertion or a deletion is one
    slice move."""

    END, BASE, LOAD, KEY = range(4)

    def __init__(self, capacity: int = 64) -> None:
        self.data = np.zeros((4, capacity), np.int64)
        self.size = 0
        self.entries: dict[int, tuple[int, int]] = {}

    @classmethod
    def from_runs(cls, keys: np.ndarray, bases: np.ndarray, ends: np.ndarray) -> PeakLoad:
        """Build the structure for many runs at once (vectorised)."""
        order = np.argsort(ends, kind="stable")
        keys, bases, ends = keys[order], bases[order], ends[order]
        n = ends.size
        first = ends.searchsorted(ends, side="left")
        base_after = np.concatenate([np.cumsum(bases[::-1])[::-1], [0]])
        out = cls(max(64, 2 * n))
        out.data[:, :n] = (ends, bases, base_after[first] + (n - first) * ends, keys)
        out.size = n
        out.entries = {int(k): (int(b), int(e)) for k, b, e in zip(keys, bases, ends)}
        return out

    def copy(self) -> PeakLoad:
        out = PeakLoad.__new__(PeakLoad)
        out.data, out.size, out.entries = self.data.copy(), self.size, dict(self.entries)
        return out

    def __len__(self) -> int:
        return self.size

    def __contains__(self, key: int) -> bool:
        return key in self.entries

    @property
    def ends(self) -> np.ndarray:
        return self.data[self.END, : self.size]

    @property
    def loads(self) -> np.ndarray:
        return self.data[self.LOAD, : self.size]

    def _new_load(self, base: int, end: int) -> int:
        """L(end) after adding a run (base, end): the runs ending at or after `end`, plus itself."""
        ends = self.data[self.END, : self.size]
        first = int(ends.searchsorted(end, side="left"))
        return int(self.data[self.BASE, first: self.size].sum()) + (self.size - first) * end + base + end

    def peak_with(self, base: int, end: int) -> int:
        """The largest L over all completion points if a run (base, end) were added."""
        ends = self.data[self.END, : self.size]
        loads = self.data[self.LOAD, : self.size]
        upto = int(ends.searchsorted(end, side="right"))
        peak = self._new_load(base, end)
        if upto:
            peak = max(peak, int((loads[:upto] + ends[:upto]).max()) + base)
        if upto < self.size:
            peak = max(peak, int(loads[upto:].max()))
        return peak

    def peaks_with_each(self, bases: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """peak_with(bases[i], ends[i]) for every i at once (vectorised; the runs are not added)."""
        n = self.size
        own_ends, loads = self.data[self.END, :n], self.data[self.LOAD, :n]
        first = own_ends.searchsorted(ends, side="left")
        upto = own_ends.searchsorted(ends, side="right")
        base_after = np.concatenate([np.cumsum(self.data[self.BASE, :n][::-1])[::-1], [0]])
        peaks = base_after[first] + (n - first) * ends + bases + ends
        if n:
            before = np.maximum.accumulate(loads + own_ends)
            peaks = np.where(upto > 0, np.maximum(peaks, before[np.maximum(upto - 1, 0)] + bases), peaks)
            after = np.concatenate([np.maximum.accumulate(loads[::-1])[::-1], [np.iinfo(np.int64).min]])
            peaks = np.maximum(peaks, after[upto])
        return peaks

    def peak(self) -> int:
        return int(self.loads.max()) if self.size else 0

    def add(self, key: int, base: int, end: int) -> None:
        if key in self.entries:
            raise KeyError(f"run {key} is already present")
        if self.size == self.data.shape[1]:
            self.data = np.concatenate([self.data, np.zeros_like(self.data)], axis=1)
        data, n = self.data, self.size
        upto = int(data[self.END, :n].searchsorted(end, side="right"))
        new_load = self._new_load(base, end)
        data[self.LOAD, :upto] += base + data[self.END, :upto]
        data[:, upto + 1: n + 1] = data[:, upto:n]
        data[:, upto] = (end, base, new_load, key)
        self.size = n + 1
        self.entries[key] = (base, end)

    def remove(self, key: int) -> None:
        base, end = self.entries.pop(key)
        data, n = self.data, self.size
        ends = data[self.END, :n]
        first = int(ends.searchsorted(end, side="left"))
        upto = int(ends.searchsorted(end, side="right"))
        position = first + int(np.flatnonzero(data[self.KEY, first:upto] == key)[0])
        data[self.LOAD, :upto] -= base + data[self.END, :upto]
        data[:, position: n - 1] = data[:, position + 1: n]
        self.size = n - 1

    def discard(self, key: int) -> None:
        if key in self.entries:
            self.remove(key)

    def ending_by(self, period: int) -> list[int]:
        """Keys of runs predicted to end at or before `period`."""
        upto = int(self.data[self.END, : self.size].searchsorted(period, side="right"))
        return self.data[self.KEY, :upto].tolist()


def direct_peak(runs: Iterable[tuple[int, int]]) -> int:
    """max over completion points tau of sum_{j: end_j >= tau} (base_j + tau), recomputed from scratch."""
    runs = list(runs)
    peak = 0
    for _, tau in runs:
        peak = max(peak, sum(base + tau for base, end in runs if end >= tau))
    return peak
