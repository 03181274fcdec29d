"""Every registered method on tiny instances against the brute-force oracle, so that a method is tested
the day it is registered: its schedule is verified, its bound is at most its objective and at most the
optimum, a schedule is never better than the optimum (unless it resumes evicted requests with their
progress, a preemptive relaxation), and `optimal` means the oracle's optimum. Every method must apply
to at least one instance (a method that applies to none is untested, so that fails too)."""

import pytest

from conftest import homogeneous
from kvopt import InputError, solve, verify
from kvopt.catalogue import all_methods
from kvopt.predictions import exact_predictions
from kvopt.result import Status, contradicts
from tests.oracles import brute_force_optimum, random_instance

INSTANCES = [exact_predictions(instance) for instance in (
    homogeneous(9, 1, 3, 5),
    homogeneous(7, 1, 2, 4),
    *(random_instance(seed, 5, memory=(6, 12), arrivals=seed % 2 == 1, same_prompt=seed % 3 == 0)
      for seed in range(4)),
)]
OPTIMA = [brute_force_optimum(instance) for instance in INSTANCES]


@pytest.mark.parametrize("method", [spec.name for spec in all_methods()])
def test_every_registered_method_against_the_oracle(method):
    applied = 0
    for instance, optimum in zip(INSTANCES, OPTIMA):
        try:
            result = solve(instance, method, time_limit=30)
        except InputError:  # does not apply (a special case, or options the instance cannot serve)
            continue
        applied += 1
        where = (method, instance)
        assert not contradicts(result.lower_bound, optimum), where
        if result.schedule is None:
            assert result.status in (Status.BOUND, Status.TIMEOUT), where
            continue
        report = verify(instance, result.schedule)
        assert report.feasible and report.objective == result.objective, where
        assert not contradicts(result.lower_bound, result.objective), where
        if not result.schedule.resumes_progress:
            assert result.objective >= optimum, where
        if result.status is Status.OPTIMAL:
            assert result.objective == optimum, where
    assert applied, f"{method} applies to none of the test instances: give it one it applies to"
