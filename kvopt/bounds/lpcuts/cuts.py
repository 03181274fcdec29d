"""Separation of the three cut families of `lp-cuts` (proofs: formulations/lower-bounds.md §6.2-6.4).

All families are valid for every feasible schedule (with any horizon, the late column taking
coefficient 0), so adding any of them, violated or not, keeps the LP a relaxation.

* window cliques: requests f, g that complete at c_f <= c_g conflict unless c_g - c_f >= L(f, g) =
  min(o_g, P_f + P_g - M). Windows W_g = [t - v_g, t + u_g] with u_g + v_f <= L(f, g) - 1 for all f != g
  in a set S can hold at most one completion: sum_{g in S} y(g, W_g) <= 1.
* pair cliques: the same for two requests with every maximal pair of windows.
* sawtooth: memory grows by at least one per round until the next completion, so
  mem(t) - sum_{j < R} (R - j) * E(t + j) <= M - R  (E(c) = number of completions in round c, R <= M).
"""

from __future__ import annotations

import numpy as np

from kvopt.bounds.lpcuts.model import CompletionModel, Cut

TOLERANCE = 1e-6


class Separator:
    """Finds violated cuts for one LP solution."""

    def __init__(self, model: CompletionModel, solution: np.ndarray):
        self.model = model
        self.solution = solution
        mass = model.completion_mass(solution)[:, : model.horizon + 1]  # late mass has coefficient 0
        self.mass = mass
        self.cumulative = np.concatenate([np.zeros((model.n, 1)), np.cumsum(mass, axis=1)], axis=1)

    def window_mass(self, requests: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Mass of requests[k] completing in [lo[k], hi[k]] (broadcasting over trailing axes)."""
        horizon = self.model.horizon
        lo = np.clip(lo, 0, horizon + 1)
        hi = np.clip(hi + 1, 0, horizon + 1)
        return np.where(hi > lo, self.cumulative[requests, hi] - self.cumulative[requests, lo], 0.0)

    def _range_mass(self, request: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Mass of one request completing in [lo, hi], elementwise (empty ranges give 0)."""
        horizon = self.model.horizon
        lo = np.clip(lo, 0, horizon + 1)
        hi = np.clip(hi + 1, 0, horizon + 1)
        return np.where(hi > lo, self.cumulative[request, hi] - self.cumulative[request, lo], 0.0)

    # ---------------------------------------------------------------- window cliques
    def window_cliques(self, per_set: int = 3) -> list[tuple[float, Cut]]:
        model = self.model
        peaks, outputs, memory = model.peaks, model.outputs, model.memory
        found: list[tuple[float, Cut]] = []
        rounds = np.arange(0, model.horizon + 1)
        seen: set[tuple[int, ...]] = set()
        for theta in np.unique(peaks[2 * peaks > memory]):
            for alpha in range(int(theta), int(peaks.max()) + 1):
                members, before, after = clique_windows(peaks, outputs, memory, theta, alpha)
                if members.size < 2:
                    continue
                key = (*members.tolist(), *before.tolist(), *after.tolist())
                if key in seen:
                    continue
                seen.add(key)
                total = self.window_mass(members[:, None], rounds[None, :] - before[:, None],
                                         rounds[None, :] + after[:, None]).sum(axis=0)
                for t in _best_points(total - 1.0, per_set):
                    terms = np.column_stack([members, t - before, t + after, np.ones(members.size),
                                             np.zeros(members.size)])
                    found.append((float(total[t] - 1.0), Cut(terms, 1.0, "window-clique")))
        return found

    # ---------------------------------------------------------------- pair cliques
    def pair_cliques(self, per_pair: int = 2) -> list[tuple[float, Cut]]:
        model = self.model
        peaks, outputs, memory = model.peaks, model.outputs, model.memory
        support = self.mass > 1e-9
        has = support.any(axis=1)
        first = np.where(has, support.argmax(axis=1), 0)
        last = np.where(has, model.horizon - support[:, ::-1].argmax(axis=1), -1)
        found: list[tuple[float, Cut]] = []
        horizon = model.horizon
        for f in np.flatnonzero(has):
            for g in np.flatnonzero(has):
                overlap = peaks[f] + peaks[g] - memory
                if f == g or overlap <= 0:
                    continue
                later_g = min(outputs[g], overlap)  # c_g - c_f in (-later_f, later_g) conflicts
                later_f = min(outputs[f], overlap)
                if first[g] > last[f] + later_g - 1 or last[g] < first[f] - later_f + 1:
                    continue
                x1 = np.arange(first[f], last[f] + 1)[None, :]
                x2 = x1 + np.arange(0, min(later_f + later_g - 1, last[f] - first[f] + 1))[:, None]
                total = (self.cumulative[f, np.clip(x2 + 1, 0, horizon + 1)] - self.cumulative[f, x1]) + \
                    self._range_mass(g, x2 - later_f + 1, x1 + later_g - 1)
                flat = total.ravel()
                for k in np.argsort(-flat)[:per_pair]:
                    if flat[k] <= 1.0 + TOLERANCE:
                        break
                    width, start = divmod(int(k), total.shape[1])
                    lo_f, hi_f = int(x1[0, start]), int(x2[width, start])
                    terms = np.array([[f, lo_f, hi_f, 1.0, 0.0],
                                      [g, hi_f - later_f + 1, lo_f + later_g - 1, 1.0, 0.0]])
                    found.append((float(flat[k] - 1.0), Cut(terms, 1.0, "pair-clique")))
        return found

    # ---------------------------------------------------------------- sawtooth
    def sawtooth(self) -> list[tuple[float, Cut]]:
        model = self.model
        horizon, memory, n = model.horizon, model.memory, model.n
        load = model.memory_rows @ self.solution  # mem(t) for t = 1..T
        events = self.mass.sum(axis=0)  # E(c), c = 0..T
        found: list[tuple[float, Cut]] = []
        for t in range(1, horizon + 1):
            longest = min(memory, horizon - t + 1)
            window = events[t: t + longest]
            j = np.arange(longest)
            reach = np.arange(1, longest + 1)  # R
            weighted = np.cumsum(window) * reach - np.cumsum(window * j)  # sum_{j<R} (R-j) E(t+j)
            violation = load[t - 1] + reach - weighted - memory
            best = int(np.argmax(violation))
            if violation[best] > TOLERANCE:
                r = best + 1
                terms = np.column_stack([np.arange(n), np.full(n, t), np.full(n, t + r - 1),
                                         np.full(n, -(r + t), dtype=float), np.ones(n)])
                found.append((float(violation[best]) / memory,
                              Cut(terms, float(memory - r), "sawtooth", memory_round=t)))
        return found


def clique_windows(peaks: np.ndarray, outputs: np.ndarray, memory: int, theta: int, alpha: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members of S = {P >= theta}, v_g = max(0, P_g - alpha) and the largest u_g with
    u_g + v_f <= min(o_g, P_f + P_g - M) - 1 for all f != g (members with u_g < 0 removed)."""
    members = np.flatnonzero(peaks >= theta)
    while members.size >= 2:
        p, o = peaks[members], outputs[members]
        before = np.maximum(0, p - alpha)
        limit = np.minimum(o[None, :], p[:, None] + p[None, :] - memory) - 1 - before[:, None]  # [f, g]
        np.fill_diagonal(limit, np.iinfo(np.int64).max)
        after = limit.min(axis=0)
        if (after >= 0).all():
            return members, before, after
        members = members[after >= 0]
    return members, np.zeros(members.size, np.int64), np.zeros(members.size, np.int64)


def _best_points(violation: np.ndarray, count: int) -> list[int]:
    """Up to `count` indices of the largest positive entries, pairwise at least 3 apart."""
    chosen: list[int] = []
    for k in np.argsort(-violation):
        if violation[k] <= TOLERANCE or len(chosen) >= count:
            break
        if all(abs(int(k) - c) >= 3 for c in chosen):
            chosen.append(int(k))
    return chosen
