"""WAIT (2504.11320): per-type booking limits from arrival rates; cohorts; nothing is ever dropped."""

import json

import pytest

from kvopt import Instance, Request
from kvopt.errors import InputError
from kvopt.policies import make_policy
from kvopt.policies.wait import types_from_workload
from kvopt.sim import simulate


@pytest.fixture
def two_types(tmp_path):
    path = tmp_path / "types.json"
    path.write_text(json.dumps([{"output": 2, "prompt": 1, "rate": 1}, {"output": 4, "prompt": 1, "rate": 1}]))
    return str(path)


def test_booking_limits_and_cohorts_follow_the_official_formulas(two_types):
    # L = 24; shares rate*(o+1): 3/8 and 5/8 -> booking 9 and 15, per stage floor(9/3) = floor(15/5) = 3
    short = [Request(f"s{k}", k // 2, 1, 2) for k in range(3)]        # arrive at 0, 0, 1
    long = [Request(f"l{k}", 0, 1, 4) for k in range(2)]               # only two: below the threshold
    simulation = simulate(Instance(100, tuple(short + long)),
                          make_policy("wait", {"types": two_types, "limit": 24}))
    assert simulation.policy["booking"] == [9, 15] and simulation.policy["per_stage"] == [3, 3]
    starts = dict(simulation.schedule.starts)
    assert [starts[f"s{k}"] for k in range(3)] == [1, 1, 1]     # the cohort of 3 waits for its third member
    # the two long ones never reach a cohort of 3; when nothing runs and nothing will arrive, they are
    # flushed (the official code would drop them)
    assert starts["l0"] == starts["l1"] == 3
    assert simulation.report.feasible


def test_limit_from_memory_and_auto_types():
    instance = Instance(200, tuple(Request(f"r{k}", k // 3, 1 + k % 3, 1 + (k * 7) % 12) for k in range(60)))
    types = types_from_workload(instance, 3)
    assert types[-1].output == 12 and [t.output for t in types] == sorted(t.output for t in types)
    simulation = simulate(instance, make_policy("wait"))
    assert simulation.report.feasible and simulation.policy["total_limit"] > 0


def test_bad_type_files(tmp_path):
    path = tmp_path / "types.json"
    path.write_text(json.dumps([{"output": 0, "rate": 1}]))
    with pytest.raises(InputError, match="output must be a positive integer"):
        simulate(Instance(10, (Request("a", 0, 1, 1),)), make_policy("wait", {"types": str(path)}))
    with pytest.raises(InputError, match="no such file"):
        simulate(Instance(10, (Request("a", 0, 1, 1),)), make_policy("wait", {"types": str(tmp_path / "x")}))
