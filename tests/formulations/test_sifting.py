"""The root LP by sifting (kvopt/formulations/sifting.py): the same LP value as the whole model, before and
after the same cuts, from any start set (an infeasible one included); ip and lp give the same results with
and without it."""

from __future__ import annotations

import numpy as np
import pytest

from kvopt import solve
from kvopt.formulations.cuts import cut_rows, separate
from kvopt.formulations.highs_solver import FullLP, root_bound, to_highs
from kvopt.formulations.sifting import RestrictedLP, initial_columns
from kvopt.formulations.timeindexed import build_time_indexed
from kvopt.generate.paper import paper_synthetic
from kvopt.heuristics import incumbent
from kvopt.instance import Instance
from tests.oracles import brute_force_optimum, random_instance


def prefix(instance: Instance, n: int) -> Instance:
    return Instance(instance.memory, instance.requests[:n], name=f"{instance.name}-n{n}")


def models():
    for seed in range(6):
        yield build_time_indexed(random_instance(seed, (4, 7), arrivals=None, twins=0.3),
                                 horizon=20)
    for model, index in ((1, 0), (2, 1), (2, 3)):
        instance = prefix(paper_synthetic(model, 0, index), 14)
        start = incumbent(instance, None)
        yield build_time_indexed(instance, start.makespan(instance), upper_bound=start.objective)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


@pytest.mark.parametrize("model", list(models()), ids=lambda m: m.instance.name or "random")
def test_sifting_gives_the_whole_lp_value_before_and_after_the_same_cuts(model):
    whole = FullLP(to_highs(model, integer=False))
    sifted = RestrictedLP(model, initial_columns(model, None))
    value, point = whole.solve(None)
    sifted_value, sifted_point = sifted.solve(None)
    assert close(sifted_value, value)
    assert sifted.active.sum() <= model.columns
    assert np.all(sifted_point >= -1e-9) and np.allclose(model.matrix[:len(model.groups)] @ sifted_point,
                                                         model.groups.size)
    for _ in range(3):  # the same cuts (separated from the whole LP's point) into both
        found = separate(model, point)
        if not found:
            break
        matrix, upper, _ = cut_rows(model, [(q, r, mu) for _, q, r, mu in found])
        for lp in (whole, sifted):
            lp.add_rows(matrix, np.full(upper.size, -np.inf), upper)
        value, point = whole.solve(None)
        sifted_value, _ = sifted.solve(None)
        assert close(sifted_value, value)


def test_a_start_set_without_a_feasible_point_still_gives_the_lp_value():
    instance = prefix(paper_synthetic(1, 0, 2), 10)  # all arrive at 0: one start each cannot fit
    model = build_time_indexed(instance, 200)
    only_first = np.zeros(model.columns, dtype=bool)
    only_first[model.first] = True
    value, _ = FullLP(to_highs(model, integer=False)).solve(None)
    sifted_value, _ = RestrictedLP(model, only_first).solve(None)
    assert close(sifted_value, value)


@pytest.mark.parametrize("seed", range(8))
def test_ip_and_lp_agree_with_and_without_sifting(seed):
    instance = random_instance(seed, (3, 6), arrivals=None, twins=0.2)
    optimum = brute_force_optimum(instance)
    results = {flag: (solve(instance, "ip", sifting=flag), solve(instance, "lp", sifting=flag))
               for flag in ("on", "off")}
    for ip, lp in results.values():
        assert ip.objective == optimum and ip.lower_bound == optimum
        assert lp.lower_bound <= optimum + 1e-6
    assert close(results["on"][1].info["lp_relaxation"], results["off"][1].info["lp_relaxation"])
    assert "lp_active_columns" in results["on"][1].info and "lp_active_columns" not in results["off"][1].info


def converged_root(model, interleave: bool, purge_after: int | None):
    lp = RestrictedLP(model, initial_columns(model, None)) if interleave else FullLP(to_highs(model, integer=False))
    root = root_bound(model, lp, cut_rounds=500, deadline=None, min_gain=0.0, purge_after=purge_after,
                      interleave=interleave)
    return root, lp


@pytest.mark.parametrize("model", list(models()), ids=lambda m: m.instance.name or "random")
def test_the_cut_loop_converges_to_the_same_bound_interleaved_and_with_idle_cuts_dropped(model):
    """Pricing interleaved with the cut rounds and idle cuts dropped end, where no cut is violated any more,
    at the value of the LP with every peak cut: the point satisfies them all and is optimal for a
    relaxation of it."""
    values = {}
    for interleave in (False, True):
        for purge_after in (None, 1, 2):
            root, lp = converged_root(model, interleave, purge_after)
            assert root.stopped == "no violated cut"
            assert lp.converged
            assert root.model.row_counts.get("cut", 0) == root.cuts - root.purged
            assert root.model.rows == lp.highs.getNumRow()
            assert not separate(root.model, root.values)
            values[interleave, purge_after] = root.strengthened
    reference = values[False, None]
    assert all(abs(value - reference) <= 1e-5 * max(1.0, reference) for value in values.values()), values


def test_every_bound_of_the_interleaved_cut_loop_is_below_the_optimum():
    dropped = 0
    for seed in range(8):
        instance = random_instance(seed, (4, 6), arrivals=None, twins=0.2)
        optimum = brute_force_optimum(instance)
        model = build_time_indexed(instance, horizon=sum(r.output for r in instance.requests))
        root, _ = converged_root(model, True, 1)
        dropped += root.purged
        assert all(bound <= optimum + 1e-6 for bound, *_ in root.history)
        assert root.strengthened <= optimum + 1e-6
    assert dropped > 0  # the purge was exercised
