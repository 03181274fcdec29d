"""`lp-cuts`: the completion-indexed LP with window/pair clique and sawtooth cuts."""

import pytest
from brute import brute_force_optimum
from conftest import homogeneous
from tiny import random_tiny

from kvopt import InputError, Instance, Request, solve
from kvopt.bounds.lpcuts import parse_families


def test_the_cuts_close_the_gap_of_the_plain_lp():
    # M=10, three requests s=1, o=6 (peak 7): no two can complete within 4 rounds of each other, so the
    # optimum runs them at completions 6, 10, 14 (30). The plain LP interleaves fractions of them (28).
    instance = homogeneous(10, 1, 6, 3)
    assert brute_force_optimum(instance) == 30
    assert solve(instance, "lp-cuts", cuts="none").lower_bound == 28
    assert solve(instance, "lp-cuts").lower_bound == 30


@pytest.mark.parametrize("seed", range(30))
def test_never_above_the_optimum(seed):
    instance = random_tiny(seed, n=5, arrivals=seed % 2 == 1)
    optimum = brute_force_optimum(instance)
    plain = solve(instance, "lp-cuts", cuts="none").lower_bound
    strengthened = solve(instance, "lp-cuts").lower_bound
    assert sum(r.output for r in instance.requests) <= plain <= strengthened <= optimum


def test_a_short_horizon_stays_a_relaxation(greedy_counterexample):
    # with T = 4 most completions fall on the late column; the bound gets weaker but stays valid
    value = solve(greedy_counterexample, "lp-cuts", horizon=4).lower_bound
    assert 15 <= value <= 25


def test_bad_options(greedy_counterexample):
    with pytest.raises(InputError, match="unknown cut family nope"):
        solve(greedy_counterexample, "lp-cuts", cuts="window,nope")
    with pytest.raises(InputError, match="horizon must be positive"):
        solve(greedy_counterexample, "lp-cuts", horizon=0)
    with pytest.raises(InputError, match="rounds must be >= 0"):
        solve(greedy_counterexample, "lp-cuts", rounds=-1)
    assert parse_families("none") == ()
