"""Peak-level clique cuts: valid for every feasible schedule (checked exhaustively over all (q, r, mu)
on random schedules), separated from a fractional LP point, and strengthening the LP bound."""

from __future__ import annotations

import random

import numpy as np
from conftest import homogeneous

from kvopt import verify
from kvopt.formulations.cuts import cut_rows, separate
from kvopt.formulations.highs_solver import root_bound, solve_lp, to_highs
from kvopt.formulations.timeindexed import build_time_indexed
from kvopt.schedule import Schedule
from tests.oracles import random_instance


def random_feasible_starts(instance, rng):
    """Requests in random order, each at a random feasible start (test-only list scheduling)."""
    load: dict[int, int] = {}
    starts = {}
    for request in rng.sample(list(instance.requests), len(instance)):
        t = request.arrival + rng.randint(0, 3)
        while any(load.get(t + j, 0) + request.prompt + j > instance.memory for j in range(1, request.output + 1)):
            t += 1
        for j in range(1, request.output + 1):
            load[t + j] = load.get(t + j, 0) + request.prompt + j
        starts[request.id] = t
    return starts


def all_cuts(model, levels=(1, 2, 3)):
    last_round = int(model.states.round.max())
    return [(q, r, mu) for q in levels for r in range(1, last_round + 1)
            for mu in range(1, model.instance.memory + 1)]


def test_every_cut_holds_for_random_feasible_schedules():
    rng = random.Random(7)
    draws = np.random.default_rng(7)
    checked = 0
    for _ in range(25):
        instance = random_instance(draws, (1, 8), max_output=6, arrivals=None, max_arrival=6, same_prompt=None, twins=0.2)
        for _ in range(4):
            starts = random_feasible_starts(instance, rng)
            assert verify(instance, Schedule(starts)).feasible
            horizon = max(starts.values())
            for symmetry in ("aggregate", "none"):
                model = build_time_indexed(instance, horizon, symmetry=symmetry, reductions=False)
                values = model.values_from_starts(starts)
                cuts = all_cuts(model)
                matrix, upper, _ = cut_rows(model, cuts)
                assert np.all(matrix @ values <= upper + 1e-9)
                checked += len(cuts)
    assert checked > 10_000


def test_separation_finds_cuts_violated_by_the_lp_point_and_closes_the_gap():
    instance = homogeneous(9, 1, 3, 5)  # LP relaxation 23.84, optimum 25
    model = build_time_indexed(instance, 8)
    highs = to_highs(model, integer=False)
    value, x = solve_lp(highs, None)
    assert value < 24
    found = separate(model, x)
    assert found and all(violation > 1e-4 for violation, *_ in found)
    matrix, upper, _ = cut_rows(model, [(q, r, mu) for _, q, r, mu in found])
    assert np.all(matrix @ x > upper + 1e-4)
    root = root_bound(model, to_highs(model, integer=False), cut_rounds=10, deadline=None)
    assert root.plain < 24 and root.strengthened > 25 - 1e-6
    assert root.model.row_counts["cut"] == root.cuts - root.purged > 0
