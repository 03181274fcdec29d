"""Sorted-F (2508.06133 reconstruction) against shortest-first on the fat/thin family."""

import pytest

from conftest import homogeneous
from kvopt import solve
from kvopt.generate.families import fat_thin
from kvopt.policies import make_policy
from kvopt.sim import simulate


@pytest.mark.parametrize("memory, optimum, mcsf", [(12, 20, 26), (16, 28, 40)])
def test_fat_thin_sorted_f_finds_the_optimum_where_shortest_first_does_not(memory, optimum, mcsf):
    instance = fat_thin(memory)
    assert simulate(instance, make_policy("mcsf")).objective == mcsf
    for mode in ("continuous", "sequential"):
        simulation = simulate(instance, make_policy("sorted-f", {"mode": mode}))
        assert simulation.objective == optimum
        assert all(simulation.schedule.starts[f"thin{k}"] == 0 for k in range(memory // 3))


def test_sequential_batches_wait_for_the_previous_batch(greedy_counterexample):
    # F of a pair = 6/4 beats a single request (3/1); three do not fit together
    simulation = simulate(greedy_counterexample, make_policy("sorted-f", {"mode": "sequential"}))
    assert sorted(simulation.schedule.starts.values()) == [0, 0, 3, 3, 6]


def test_sorted_f_is_an_offline_heuristic_method():
    from kvopt.catalogue import get_method
    assert get_method("sorted-f").kind == "heuristic"
    assert solve(homogeneous(9, 1, 3, 5), "sorted-f").objective == 27
