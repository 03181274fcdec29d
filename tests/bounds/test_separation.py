"""`separation`: large-peak requests as one-machine jobs, mixed with the memory volume."""

import numpy as np
import pytest
from hypothesis import given, settings

from kvopt import InputError, Instance, Request, solve
from kvopt.bounds.separation import machine_lengths, separation_bound
from tests.oracles import brute_force_optimum, random_instance, small_instances


def test_two_full_requests_run_one_after_the_other():
    # M=5, two requests s=1, o=4 (peak 5 = M): q = min(4, 5 + 5 - 5) = 4, so completions >= 4 and 8
    instance = Instance(5, (Request("a", 0, 1, 4), Request("b", 0, 1, 4)))
    assert machine_lengths(instance, np.array([0, 1])).tolist() == [4, 4]
    assert separation_bound(instance)[0] == 12 == brute_force_optimum(instance)
    assert solve(instance, "volume-dff").lower_bound < 12


def test_machine_length_uses_the_smallest_other_peak():
    instance = Instance(10, (Request("a", 0, 1, 9), Request("b", 0, 2, 5), Request("c", 0, 1, 8)))
    # peaks 10, 7, 9: a with c: min(9, 10 + 7 - 10) = 7; b: min(5, 7 + 9 - 10) = 5; c: min(8, 9 + 7 - 10) = 6
    assert machine_lengths(instance, np.array([0, 1, 2])).tolist() == [7, 5, 6]


@pytest.mark.parametrize("seed", range(40))
def test_never_above_the_optimum_paper_like(seed):
    instance = random_instance(seed, 5, memory=(6, 14), arrivals=seed % 2 == 0)
    assert separation_bound(instance)[0] <= brute_force_optimum(instance)


@settings(max_examples=150, deadline=None)
@given(small_instances())
def test_never_above_the_optimum_and_never_below_the_volume_bound(instance):
    value = separation_bound(instance)[0]
    assert value <= brute_force_optimum(instance)
    assert value >= solve(instance, "volume").lower_bound


def test_bad_steps():
    with pytest.raises(InputError, match="steps must be positive"):
        solve(Instance(5, (Request("a", 0, 1, 4),)), "separation", steps=0)
