"""kvopt.policies.vidur_replica: the unit-round replay of Vidur's schedulers, its options and its errors
(parity with Vidur itself: tests/policies/test_vidur_parity.py)."""

from __future__ import annotations

import pytest

from kvopt.errors import InputError
from kvopt.instance import Instance, Request
from kvopt.policies import make_policy
from kvopt.policies.vidur_replica import replay_policy
from kvopt.sim.run import simulate

LEAK = Instance(6, tuple(Request(f"r{k}", 0, 1, o) for k, o in enumerate((1, 2, 1, 1))))


def replayed(policy: str, instance: Instance, **options):
    return replay_policy(instance, make_policy(policy, options))


def test_ft_leak_reproducer_vidur_10_intended_9():
    """The issue's reproducer: Vidur leaks r0's blocks (r2 and r3 run one after the other), the intended
    free lets them share the second static batch; native frees like the intended mode."""
    leak = replayed("faster-transformer", LEAK, max_tokens=3, fidelity="vidur")
    fixed = replayed("faster-transformer", LEAK, max_tokens=3, fidelity="vidur-fixed")
    native = simulate(LEAK, make_policy("faster-transformer", {"max_tokens": 3}))
    assert leak.starts == ((0,), (0,), (2,), (3,)) and leak.total_latency == 10
    assert fixed.starts == ((0,), (0,), (2,), (2,)) and fixed.total_latency == 9
    assert native.objective == fixed.total_latency


def test_prefill_only_round_stalls_running_requests():
    """r1 arrives at 2: Vidur's vllm runs a prefill-only batch at 2, so r0 (5 tokens from 0) ends at 6."""
    instance = Instance(100, (Request("r0", 0, 10, 5), Request("r1", 2, 10, 3)))
    replay = replayed("vllm", instance, fidelity="vidur")
    assert replay.completions == (6, 5) and replay.preemptions == (0, 0)
    assert simulate(instance, make_policy("vllm")).requests["completion"].tolist() == [5, 5]


def test_watermark_is_int_of_fraction_times_blocks():
    """M = 350: int(3.5) = 3 blocks kept free; 350 - 100 - 246 = 4 admits the second request at 1."""
    instance = Instance(350, (Request("r0", 0, 100, 50), Request("r1", 1, 246, 3)))
    assert replayed("vllm", instance, fidelity="vidur").starts == ((0,), (1,))
    assert replayed("vllm", instance, fidelity="vidur", watermark=0.02).starts == ((0,), (50,))  # 7 blocks


def test_stuck_requests_are_reported_not_raised():
    instance = Instance(100, (Request("r0", 0, 95, 5), Request("r1", 1, 10, 2)))
    replay = replayed("vllm", instance, fidelity="vidur", watermark=0.1)
    assert replay.outcome == "stuck" and replay.total_latency is None and replay.completions == (None, None)


def test_lightllm_and_mc_benchmark_replay_the_same_scheduler():
    instance = Instance(60, (Request("r0", 0, 10, 30), Request("r1", 1, 5, 3), Request("r2", 2, 5, 3)))
    light = replayed("lightllm", instance, fidelity="vidur")
    assert light.starts == ((0,), (11,), (11,))  # admitted after 10 decode batches
    assert replayed("mc-benchmark", instance, fidelity="vidur") == \
        replay_policy(instance, make_policy("mc-benchmark", {"fidelity": "vidur"}))
    assert replayed("mc-benchmark", instance, fidelity="vidur").completions == light.completions


@pytest.mark.parametrize("policy, options, message", [
    ("vllm", {"fidelity": "exact"}, "must be one of native, vidur, got"),
    ("orca", {"fidelity": "vidur-fixed"}, "must be one of native, vidur, got"),
    ("mc-benchmark", {"fidelity": "vidur", "reserve": 0.1}, "exact lengths, no reserve"),
])
def test_bad_fidelity_options_are_input_errors(policy, options, message):
    with pytest.raises(InputError, match=message):
        make_policy(policy, options)


def test_simulate_refuses_a_vidur_mode_and_replay_a_native_one():
    with pytest.raises(InputError, match="replay it with kvopt.policies.vidur_replica.replay_policy"):
        simulate(LEAK, make_policy("orca", {"fidelity": "vidur"}))
    with pytest.raises(InputError, match="needs a policy built with -o fidelity=vidur"):
        replayed("orca", LEAK)


def test_replay_needs_unit_rounds():
    timed = Instance(LEAK.memory, LEAK.requests, batch_time={"model": "linear", "base": 0.01})
    with pytest.raises(InputError, match="unit rounds only"):
        replayed("orca", timed, fidelity="vidur")
