"""Every registered lower bound against brute-force optima (formulations/lower-bounds.md)."""

import pytest

from kvopt import solve
from kvopt.catalogue import all_methods
from tests.oracles import brute_force_optimum, random_instance

BOUNDS = sorted(spec.name for spec in all_methods() if spec.kind == "bound" and not spec.name.startswith("test-"))
CASES = [(seed, arrivals, same_prompt) for arrivals in (False, True) for same_prompt in (False, True)
         for seed in range(100, 106)]


def test_the_issue_bounds_are_registered():
    assert {"trivial", "volume", "volume-dff", "separation", "lp"} <= set(BOUNDS)


@pytest.mark.parametrize("seed, arrivals, same_prompt", CASES)
def test_no_bound_exceeds_the_optimum(seed, arrivals, same_prompt):
    instance = random_instance(seed, 5, memory=(6, 14), arrivals=arrivals, same_prompt=same_prompt)
    optimum = brute_force_optimum(instance)
    for name in BOUNDS:
        value = solve(instance, name, time_limit=30).lower_bound
        assert value <= optimum + 1e-6, (name, instance)


def test_strictly_better_than_the_sum_of_outputs(greedy_counterexample):
    # M=9, s=1, o=3, n=5 all at 0: sum o = 15, optimum 25 (starts 0..4). Volume 9 each over M = 9: the k-th
    # completion is at least max(3, k), so the memory-volume bound is 3+3+3+4+5 = 18.
    assert solve(greedy_counterexample, "trivial").lower_bound == 15
    assert solve(greedy_counterexample, "volume").lower_bound == 18
    for name in ("volume-dff", "separation", "lp"):
        assert 15 < solve(greedy_counterexample, name).lower_bound <= 25, name
