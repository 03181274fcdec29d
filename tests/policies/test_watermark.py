"""α-protection greedy and β-clearing (our reconstruction of the arXiv 2502.07115 v5 baselines)."""

import pytest

from kvopt import Instance, Request
from kvopt.errors import InputError
from kvopt.policies import make_policy
from kvopt.sim import DecisionTrace, simulate


def test_admission_keeps_usage_within_one_minus_alpha():
    # prompts 3 each: with alpha 0.5 (budget 5) only one starts; with alpha 0 (budget 10) three do
    instance = Instance(10, tuple(Request(f"r{k}", 0, 3, 1) for k in range(4)))
    half = simulate(instance, make_policy("alpha-greedy", {"alpha": 0.5}))
    assert sorted(half.schedule.starts.values()) == [0, 1, 2, 3]
    none = simulate(instance, make_policy("alpha-greedy", {"alpha": 0.0}))
    assert sorted(none.schedule.starts.values()) == [0, 0, 1, 1]  # 3 * 4 = 12 > 10: the third is undone


def test_beta_clearing_clears_down_to_one_minus_beta():
    # four requests start together (prompts 1) and grow; round 5 would need 4 * 6 = 24 > 20
    instance = Instance(20, tuple(Request(f"r{k}", 0, 1, 9) for k in range(4)))
    trace = DecisionTrace()
    simulate(instance, make_policy("alpha-clearing", {"alpha": 0.0, "beta": 0.5}), observers=[trace])
    first = [e for e in trace.events if e["event"] == "evict" and e["period"] == 4]
    # greedy clearing would evict one (3 * 6 = 18 <= 20); clearing to 10 evicts three (6 <= 10)
    assert len(first) == 3 and all(e["reason"].endswith("> 10") for e in first)
    greedy = DecisionTrace()
    simulate(instance, make_policy("alpha-greedy", {"alpha": 0.0}), observers=[greedy])
    assert len([e for e in greedy.events if e["event"] == "evict" and e["period"] == 4]) == 1


def test_defaults_are_restart_and_most_recent_start():
    simulation = simulate(Instance(10, (Request("a", 0, 1, 2),)), make_policy("alpha-clearing"))
    assert (simulation.eviction, simulation.victim) == ("restart", "most-recent-start")
    assert simulation.policy["alpha"] == 0.2 and simulation.policy["beta"] == 0.1


def test_bad_fractions():
    with pytest.raises(InputError, match="alpha must be a fraction"):
        make_policy("alpha-greedy", {"alpha": 1.0})
