"""Peak-level clique cuts for the time-indexed model (formulations/time-indexed-ip.md, "Cuts").

For a round r, a level mu >= 1 and q >= 1, call a request *(q, mu)-loaded at r* if it is active at r, holds
m >= mu there, and m + (q + 1) * rho >= M - q * mu + 1, where rho is the number of rounds it still runs
after r. At most q requests are (q, mu)-loaded at any round: among q + 1 of them let u finish first; in
u's last round every one of them is still active, u holds m_u + rho_u and each other v holds
m_v + rho_u >= mu + rho_u, in total >= m_u + (q + 1) rho_u + q mu >= M + 1. Hence the valid row

    sum of x[g, k] over starts k that make group g's requests (q, mu)-loaded at r  <=  q.

It is not implied by the memory rows: the LP relaxation splits a request into fractional copies that
overlap (paper-sized instances: root bound +10-20%, see benchmarks/README.md). For fixed (q, r, mu) the
qualifying starts of a group form one interval, so rows are built in closed form; separation sweeps the
(round, mu) plane over the active states of the LP solution.
"""

from __future__ import annotations

import numpy as np

from kvopt.formulations.timeindexed import TimeIndexedModel

TOLERANCE = 1e-4  # minimum violation of a separated cut


def _ceil_div(numerator: np.ndarray, denominator: int) -> np.ndarray:
    return -((-numerator) // denominator)


def loaded_levels(memory: np.ndarray, remaining: np.ndarray, capacity: int, q: int) -> tuple[np.ndarray, np.ndarray]:
    """For states (m, rho): the interval [lo, hi] of levels mu at which the state is (q, mu)-loaded
    (empty when lo > hi): mu <= m and q * mu >= M + 1 - m - (q + 1) rho."""
    lo = np.maximum(1, _ceil_div(capacity + 1 - memory - (q + 1) * remaining, q))
    return lo, memory


def separate(model: TimeIndexedModel, values: np.ndarray, levels: tuple[int, ...] = (1, 2),
             per_round: int = 1, tolerance: float = TOLERANCE) -> list[tuple[float, int, int, int]]:
    """Violated cuts of an LP solution as (violation, q, round, mu), the `per_round` most violated per
    round and q, most violated first."""
    states = model.states
    weight = np.asarray(values, dtype=float)[states.column]
    used = weight > 1e-9
    rounds, memory, remaining, weight = (states.round[used], states.memory[used], states.remaining[used],
                                         weight[used])
    found: list[tuple[float, int, int, int]] = []
    for q in levels:
        lo, hi = loaded_levels(memory, remaining, model.instance.memory, q)
        ok = lo <= hi
        # coverage of each (round, mu) by the intervals [lo, hi] of the states: a sweep over sorted events
        event_round = np.concatenate([rounds[ok], rounds[ok]])
        event_level = np.concatenate([lo[ok], hi[ok] + 1])
        event_weight = np.concatenate([weight[ok], -weight[ok]])
        order = np.lexsort((event_level, event_round))
        event_round, event_level = event_round[order], event_level[order]
        coverage = np.cumsum(event_weight[order])  # every round's events sum to 0, so rounds do not mix
        last = np.ones(event_round.size, dtype=bool)
        last[:-1] = (event_round[1:] != event_round[:-1]) | (event_level[1:] != event_level[:-1])
        violated = last & (coverage > q + tolerance)
        r, mu, excess = event_round[violated], event_level[violated], coverage[violated] - q
        order = np.lexsort((-excess, r))
        r, mu, excess = r[order], mu[order], excess[order]
        rank = np.arange(r.size) - np.searchsorted(r, r, side="left")
        keep = rank < per_round
        found.extend(zip(excess[keep].tolist(), [q] * int(keep.sum()), r[keep].tolist(), mu[keep].tolist()))
    found.sort(key=lambda cut: -cut[0])
    return found


def cut_rows(model: TimeIndexedModel, cuts: list[tuple[int, int, int]]):
    """The rows of cuts given as (q, round, mu): (CSR matrix, upper bounds, names)."""
    from scipy import sparse

    groups = model.groups
    q = np.array([c[0] for c in cuts], dtype=np.int64)[:, None]
    r = np.array([c[1] for c in cuts], dtype=np.int64)[:, None]
    mu = np.array([c[2] for c in cuts], dtype=np.int64)[:, None]
    a, s, o = groups.arrival[None, :], groups.prompt[None, :], groups.output[None, :]
    last = (groups.arrival + model.width - 1)[None, :]
    # starts k with: active at r, memory s + r - k >= mu, and the (q + 1) rho condition (linear in k)
    k_lo = np.maximum(np.maximum(r - o, a), r + _ceil_div(model.instance.memory - q * mu + 1 - s - (q + 1) * o, q))
    k_hi = np.minimum(np.minimum(r - 1, last), s + r - mu)
    length = np.maximum(0, k_hi - k_lo + 1)
    row = np.repeat(np.arange(len(cuts)), length.sum(axis=1))
    flat_length = length.ravel()
    begin = (model.first[None, :] + (k_lo - a)).ravel()
    column = np.repeat(begin, flat_length) + (np.arange(flat_length.sum()) -
                                              np.repeat(np.cumsum(flat_length) - flat_length, flat_length))
    matrix = sparse.csr_matrix((np.ones(column.size), (row, column)), shape=(len(cuts), model.columns))
    names = [f"peak{qq}_{rr}_{mm}" for qq, rr, mm in cuts]
    return matrix, q.ravel().astype(float), names
