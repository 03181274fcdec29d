"""A_max: MC-SF on the upper ends of interval predictions (2508.14544)."""

import pytest

from kvopt import Instance, Request
from kvopt.errors import InputError
from kvopt.policies import make_policy
from kvopt.predictions import exact_predictions, interval_predictions
from kvopt.sim import simulate

INSTANCE = Instance(40, tuple(Request(f"r{k}", k // 2, 1 + k % 4, 2 + (k * 7) % 20) for k in range(30)))


def test_with_exact_intervals_it_is_mcsf():
    exact = exact_predictions(INSTANCE)
    assert dict(simulate(exact, make_policy("amax")).schedule.starts) == \
        dict(simulate(INSTANCE, make_policy("mcsf")).schedule.starts)


def test_wide_intervals_never_overflow_but_cost_latency():
    wide = interval_predictions(INSTANCE, 0.2, seed=1)
    simulation = simulate(wide, make_policy("amax"))
    assert simulation.eviction == "none" and simulation.report.evictions == 0
    assert simulation.objective > simulate(INSTANCE, make_policy("mcsf")).objective


def test_it_needs_intervals():
    with pytest.raises(InputError, match="needs output_interval on every request"):
        simulate(INSTANCE, make_policy("amax"))
