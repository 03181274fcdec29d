"""Memory at future (predicted) completion points, kept incrementally (paper.md §4.1).

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
    """Runs (key, base, end) and the load L(end) at each of their ends."""

    def __init__(self) -> None:
        self.ends = np.empty(0, np.int64)
        self.bases = np.empty(0, np.int64)
        self.loads = np.empty(0, np.int64)
        self.keys = np.empty(0, np.int64)
        self.entries: dict[int, tuple[int, int]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: int) -> bool:
        return key in self.entries

    def _new_load(self, base: int, end: int) -> int:
        """L(end) after adding a run (base, end): the runs ending at or after `end`, plus itself."""
        first = int(np.searchsorted(self.ends, end, side="left"))
        after = self.ends.size - first
        return int(self.bases[first:].sum()) + after * end + base + end

    def peak_with(self, base: int, end: int) -> int:
        """The largest L over all completion points if a run (base, end) were added."""
        upto = int(np.searchsorted(self.ends, end, side="right"))
        peak = self._new_load(base, end)
        if upto:
            peak = max(peak, int((self.loads[:upto] + self.ends[:upto]).max()) + base)
        if upto < self.ends.size:
            peak = max(peak, int(self.loads[upto:].max()))
        return peak

    def peak(self) -> int:
        return int(self.loads.max()) if self.loads.size else 0

    def add(self, key: int, base: int, end: int) -> None:
        if key in self.entries:
            raise KeyError(f"run {key} is already present")
        upto = int(np.searchsorted(self.ends, end, side="right"))
        new_load = self._new_load(base, end)
        self.loads[:upto] += base + self.ends[:upto]
        self.ends = np.insert(self.ends, upto, end)
        self.bases = np.insert(self.bases, upto, base)
        self.loads = np.insert(self.loads, upto, new_load)
        self.keys = np.insert(self.keys, upto, key)
        self.entries[key] = (base, end)

    def remove(self, key: int) -> None:
        base, end = self.entries.pop(key)
        first = int(np.searchsorted(self.ends, end, side="left"))
        upto = int(np.searchsorted(self.ends, end, side="right"))
        position = first + int(np.flatnonzero(self.keys[first:upto] == key)[0])
        self.loads[:upto] -= base + self.ends[:upto]
        self.ends = np.delete(self.ends, position)
        self.bases = np.delete(self.bases, position)
        self.loads = np.delete(self.loads, position)
        self.keys = np.delete(self.keys, position)

    def discard(self, key: int) -> None:
        if key in self.entries:
            self.remove(key)

    def ending_by(self, period: int) -> list[int]:
        """Keys of runs predicted to end at or before `period`."""
        upto = int(np.searchsorted(self.ends, period, side="right"))
        return self.keys[:upto].tolist()


def direct_peak(runs: Iterable[tuple[int, int]]) -> int:
    """max over completion points tau of sum_{j: end_j >= tau} (base_j + tau), recomputed from scratch."""
    runs = list(runs)
    peak = 0
    for _, tau in runs:
        peak = max(peak, sum(base + tau for base, end in runs if end >= tau))
    return peak
