"""MC-Benchmark with exact lengths = the core `fcfs` = Vidur's LightLLM (three implementations)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt import Instance, Request
from kvopt.heuristics import fcfs_starts
from kvopt.policies import make_policy
from kvopt.sim import simulate


@st.composite
def instances(draw):
    memory = draw(st.integers(5, 40))
    requests = []
    for k in range(draw(st.integers(1, 14))):
        prompt = draw(st.integers(1, memory - 1))
        requests.append(Request(f"r{k}", draw(st.integers(0, 20)), prompt,
                                draw(st.integers(1, memory - prompt))))
    return Instance(memory, tuple(requests))


@settings(max_examples=80, deadline=None)
@given(instances())
def test_mc_benchmark_fcfs_and_lightllm_start_every_request_at_the_same_period(instance):
    expected = fcfs_starts(instance)
    assert dict(simulate(instance, make_policy("mc-benchmark")).schedule.starts) == expected
    assert dict(simulate(instance, make_policy("lightllm")).schedule.starts) == expected


def test_mc_benchmark_on_the_counterexample(greedy_counterexample):
    assert simulate(greedy_counterexample, make_policy("mc-benchmark")).objective == 27
