"""Metrics of a simulation, checked by hand on small instances."""

import pytest

from kvopt import Instance, Request
from kvopt.policies import make_policy
from kvopt.sim import simulate
from kvopt.sim.metrics import round_arrays, throughput


def test_metrics_of_mcsf_on_the_greedy_counterexample(greedy_counterexample):
    metrics = simulate(greedy_counterexample, make_policy("mcsf")).metrics
    # starts 0,0,3,3,6 with o = 3: latencies 3,3,6,6,9; first tokens after 1,1,4,4,7 rounds
    assert metrics["latency_rounds"]["total"] == 27 and metrics["latency_rounds"]["mean"] == 5.4
    assert metrics["latency_rounds"]["p50"] == 6 and metrics["latency_rounds"]["max"] == 9
    assert metrics["ttft_rounds"]["mean"] == pytest.approx(3.4)
    # memory 4,6,8 three times over (the last batch of one request: 2,3,4)
    assert metrics["memory_utilisation"]["mean"] == pytest.approx(45 / 81)
    assert metrics["memory_utilisation"]["max"] == pytest.approx(8 / 9)
    assert metrics["queue"]["max"] == 3
    assert metrics["queue"]["slope_per_round"] is None  # all arrive at 0: no arrival window to fit
    assert metrics["evictions"] == metrics["tokens_lost"] == 0
    assert "latency_seconds" not in metrics  # unit rounds: no seconds


def test_throughput_windows_account_for_every_token(greedy_counterexample):
    simulation = simulate(greedy_counterexample, make_policy("mcsf"))
    windows = throughput(simulation, windows=3)
    width = windows[0]["to"] - windows[0]["from"]
    # 15 output tokens + 5 prompt tokens prefilled; 5 requests of 1 + 3 tokens arrive
    assert sum(w["processed_per_unit"] for w in windows) * width == pytest.approx(20)
    assert sum(w["arriving_per_unit"] for w in windows) * width == pytest.approx(20)
    rounds = round_arrays(simulation)
    assert list(rounds["requests"]) == [2, 2, 2, 2, 2, 2, 1, 1, 1]


def test_queue_slope_separates_overload_from_a_stable_queue():
    overloaded = Instance(4, tuple(Request(f"r{k}", k, 1, 3) for k in range(40)))   # one fits at a time
    stable = Instance(40, tuple(Request(f"r{k}", k, 1, 3) for k in range(40)))
    assert simulate(overloaded, make_policy("mcsf")).metrics["queue"]["slope_per_round"] > 0.3
    assert simulate(stable, make_policy("mcsf")).metrics["queue"]["slope_per_round"] == 0
    assert simulate(overloaded, make_policy("mcsf")).metrics["latency_slope_per_round"] > 1
