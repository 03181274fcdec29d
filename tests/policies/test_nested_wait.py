"""Nested WAIT (2504.11320): segment-1 gate from nested budgets; no length information."""

import json

from kvopt import Instance, Request
from kvopt.policies import make_policy
from kvopt.sim import simulate


def test_the_first_segment_gate(tmp_path):
    path = tmp_path / "types.json"
    path.write_text(json.dumps([{"output": 2, "prompt": 1, "rate": 1}, {"output": 4, "prompt": 1, "rate": 1}]))
    # segments of 2 and 2 steps reached by rates 2 and 1: q = 0.5; L = 12 = n1 (2 + 2 * 0.5): n1 = 4,
    # segment-1 budget 8, cohorts of 8 // 2 = 4
    requests = [Request(f"r{k}", 0 if k < 3 else 1, 1, 2 + 2 * (k % 2)) for k in range(5)]
    simulation = simulate(Instance(100, tuple(requests)),
                          make_policy("nested-wait", {"types": str(path), "limit": 12}))
    assert simulation.policy["n1"] == 4 and simulation.policy["segment1_budget"] == 8
    assert simulation.lengths == "none"
    starts = dict(simulation.schedule.starts)
    assert [starts[f"r{k}"] for k in range(4)] == [1, 1, 1, 1]  # three wait at 0 for the fourth
    assert starts["r4"] > 1 and simulation.report.feasible      # the straggler is flushed, not dropped
