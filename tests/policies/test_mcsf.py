"""MC-SF (arXiv 2502.07115 v5): shortest predicted output first, future-peak check, stop at the first misfit."""

import math

import pytest

from conftest import homogeneous
from kvopt import Instance, Request, solve
from kvopt.errors import InputError
from kvopt.policies import make_policy
from kvopt.predictions import point_predictions
from kvopt.sim import simulate


@pytest.mark.parametrize("case, greedy", [((9, 1, 3, 5), 27), ((9, 1, 3, 6), 36), ((11, 1, 4, 5), 36),
                                          ((11, 1, 4, 6), 48), ((12, 1, 4, 6), 43)])
def test_the_homogeneous_greedy_values_of_paper_section_5_4(case, greedy):
    assert simulate(homogeneous(*case), make_policy("mcsf")).objective == greedy


def test_solve_gives_27_on_the_counterexample(greedy_counterexample):
    result = solve(greedy_counterexample, "mcsf")
    assert result.objective == 27 and result.lower_bound == 15


def test_it_stops_at_the_first_misfit_instead_of_skipping():
    # SF order: x (o=1), f (o=2), g (o=3). f does not fit next to x; g would, but MC-SF does not skip.
    instance = Instance(10, (Request("x", 0, 2, 1), Request("f", 0, 8, 2), Request("g", 0, 1, 3)))
    assert dict(simulate(instance, make_policy("mcsf")).schedule.starts) == {"x": 0, "f": 1, "g": 3}


def test_shortest_first_against_arrival_order():
    # started together they would need 7 + 4 = 11 > 10 in round 2; one round apart 6 + 4 = 10 fits
    instance = Instance(10, (Request("long", 0, 5, 5), Request("short", 0, 2, 2)))
    assert dict(simulate(instance, make_policy("mcsf")).schedule.starts) == {"short": 0, "long": 1}
    assert dict(simulate(instance, make_policy("mc-benchmark")).schedule.starts) == {"long": 0, "short": 5}


def test_the_reserve_keeps_memory_below_the_protected_limit(greedy_counterexample):
    instance = Instance(40, tuple(Request(f"r{k}", k % 7, 1 + k % 4, 3 + k % 9) for k in range(30)))
    simulation = simulate(instance, make_policy("mcsf", {"reserve": 0.25}))
    assert simulation.report.peak_memory <= math.floor(0.75 * 40) < 40
    # an idle worker still admits a request that needs the reserve
    big = Instance(10, (Request("big", 0, 2, 7),))
    assert simulate(big, make_policy("mcsf", {"reserve": 0.5})).report.feasible


def test_noisy_predictions_overflow_and_are_cleared_by_restart():
    instance = point_predictions(Instance(30, tuple(Request(f"r{k}", k, 2, 5 + (k * 7) % 20)
                                                    for k in range(40))), 0.8, seed=3)
    simulation = simulate(instance, make_policy("mcsf"))
    assert simulation.lengths == "predicted" and simulation.eviction == "restart"
    assert simulation.report.feasible and simulation.report.evictions > 0
    assert simulation.report.tokens_lost == simulation.requests["tokens_lost"].sum() > 0


def test_bad_options():
    with pytest.raises(InputError, match="reserve must be a fraction"):
        make_policy("mcsf", {"reserve": "1.5"})
    with pytest.raises(InputError, match="unknown option"):
        make_policy("mcsf", {"colour": "red"})
