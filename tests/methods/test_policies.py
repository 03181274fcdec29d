"""Every policy runs through `kvopt solve` and `kvopt simulate`, verified."""

import pytest

from conftest import homogeneous
from kvopt import Instance, Request, solve
from kvopt.catalogue import all_methods
from kvopt.policies import all_policies
from kvopt.predictions import exact_predictions

POLICIES = [spec.name for spec in all_policies()]
INSTANCE = exact_predictions(Instance(30, tuple(Request(f"r{k}", k // 3, 1 + k % 4, 1 + (k * 5) % 17)
                                               for k in range(24))))


def test_the_names_other_helpers_rely_on_are_registered():
    names = {spec.name: spec.kind for spec in all_methods()}
    assert names["mcsf"] == names["mc-benchmark"] == "policy" and names["sorted-f"] == "heuristic"
    assert {"alpha-greedy", "alpha-clearing", "vllm", "orca", "faster-transformer", "lightllm", "amax", "amin",
            "wait", "nested-wait", "fluid"} <= set(names)


@pytest.mark.parametrize("name", POLICIES)
def test_every_policy_solves_and_is_verified(name):
    result = solve(INSTANCE, name)
    assert result.objective is not None and result.objective >= result.lower_bound
    assert result.info["evictions"] == result.schedule.evictions


def test_rule_options_reach_the_simulator():
    instance = Instance(10, (Request("r0", 0, 2, 6), Request("r1", 0, 2, 6)))
    result = solve(instance, "alpha-greedy", alpha=0.0, eviction="recompute", victim="latest-arrived")
    assert result.info["eviction"] == "recompute" and result.schedule.runs["r1"][-1].kept == 3


def test_mcsf_is_27_through_solve():
    assert solve(homogeneous(9, 1, 3, 5), "mcsf").objective == 27
