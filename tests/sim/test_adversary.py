"""The adaptive adversary (kvopt.sim.adversary) against deterministic policies."""

import pytest

from kvopt import verify
from kvopt.policies import make_policy
from kvopt.sim import simulate
from kvopt.sim.adversary import LONG, DelayedShortAdversary, hindsight_schedules


@pytest.mark.parametrize("x", [2, 5, 9])
def test_mcsf_against_the_adversary_pays_x_over_2_times_the_hindsight_schedule(x):
    adversary = DelayedShortAdversary(x)
    simulation = simulate(None, make_policy("mcsf"), arrivals=adversary)
    instance = simulation.instance
    assert adversary.long_started == 0 and instance.memory == x * (x + 1) and len(instance) == x + 1
    assert all(r.arrival == 1 for r in instance.requests if r.id != LONG)
    # every short request waits for the long one: ALG = x + x * x; B first then A costs 2x + 2
    assert simulation.objective == x + x * x
    hindsight = {name: verify(instance, schedule) for name, schedule in hindsight_schedules(instance).items()}
    assert all(report.feasible for report in hindsight.values())
    assert min(report.objective for report in hindsight.values()) == min(2 * x + 2, x + x * x)


def test_the_adversary_waits_for_the_policy_to_start_the_long_request():
    adversary = DelayedShortAdversary(4)
    simulation = simulate(None, make_policy("faster-transformer", {"max_tokens": 20}), arrivals=adversary)
    assert simulation.report.feasible and adversary.long_started == 0
    assert {r.arrival for r in simulation.instance.requests if r.id != LONG} == {1}
