"""Fluid: paced starts at the re-solved fluid rate (reconstruction of 2502.07115 v2)."""

import numpy as np
import pytest

from conftest import homogeneous
from kvopt.policies import make_policy
from kvopt.policies.fluid import fluid_rate
from kvopt.sim import simulate


def test_fluid_rate_is_the_fractional_knapsack_optimum():
    assert fluid_rate(np.array([9, 9, 9]), 9) == 1.0
    assert fluid_rate(np.array([4, 2, 10]), 11) == pytest.approx(2 + 5 / 10)
    assert fluid_rate(np.array([1, 1]), 100) == 2.0 and fluid_rate(np.array([], np.int64), 5) == 0.0


@pytest.mark.parametrize("n, optimum", [(5, 25), (6, 33)])
def test_pacing_staggers_starts_and_reaches_the_optimum_where_greedy_does_not(n, optimum):
    simulation = simulate(homogeneous(9, 1, 3, n), make_policy("fluid"))
    assert sorted(simulation.schedule.starts.values()) == list(range(n))
    assert simulation.objective == optimum < simulate(homogeneous(9, 1, 3, n), make_policy("mcsf")).objective
