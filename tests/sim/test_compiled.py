"""The compiled round loop (kvopt/sim/compiled.py, _admission.c) against the Python engine and the frozen
reference engine: for every policy it covers and every option, overflow and victim rule and length source,
on random traces and on every bundled instance, the same schedule (starts and runs), the same per-round and
per-request figures, or the same error (the compiled loop hands errors to the Python engine)."""

from __future__ import annotations

import shutil
import signal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kvopt.instances as bundled
import kvopt.sim.compiled as compiled
from kvopt import Instance, Request, timing
from kvopt.policies import make_policy
from kvopt.predictions import apply_predictions
from kvopt.sim import DecisionTrace, simulate
from kvopt.sim.arrivals import InstanceArrivals
from kvopt.sim.policy import resolve_lengths
from tests.sim.test_reference_engine import RULES, VICTIMS, assert_same, outcome, policy_options, traces

needs_c = pytest.mark.skipif(not compiled.available(), reason="kvopt/sim/_admission.c is not built")

FUTURE_PEAK = ("mcsf", "mc-benchmark", "fluid")
WITH_LENGTHS = (*FUTURE_PEAK, "sorted-f")  # lengths exact or predicted (auto: predicted on the traces)
INTERVALS = ("amax", "amin")  # interval ends (every drawn trace has intervals)
COMPILED = (*FUTURE_PEAK, "vllm", "alpha-greedy", "alpha-clearing", "sorted-f", "lightllm", *INTERVALS, "orca",
            "faster-transformer", "wait", "nested-wait")  # every policy of kvopt.policies


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler")
def test_the_c_loop_is_built_where_a_compiler_is():
    """With a compiler, the install builds kvopt/sim/_admission.c (optional in setup.py, so a failed build
    would otherwise pass unnoticed and every simulation would take the slower Python engine)."""
    assert compiled.available()


def python_engine(instance, policy, **kwargs):
    """simulate() with the compiled loop switched off."""
    saved, compiled._admission = compiled._admission, None
    try:
        return simulate(instance, policy, **kwargs)
    finally:
        compiled._admission = saved


def takes_compiled_path(instance, name, options, eviction=None, victim=None) -> bool:
    policy = make_policy(name, options)
    lengths = resolve_lengths(policy, instance)
    rules = policy.default_rules(lengths)
    return compiled.run_compiled(InstanceArrivals(instance), policy, lengths, eviction or rules[0],
                                 victim or rules[1], timing.make(None), False, []) is not None


def assert_same_as_python(instance, name, options, **kwargs) -> None:
    new, new_error = outcome(lambda: simulate(instance, make_policy(name, options), **kwargs))
    old, old_error = outcome(lambda: python_engine(instance, make_policy(name, options), **kwargs))
    assert new_error == old_error
    if old is None:
        return
    assert dict(new.schedule.starts) == dict(old.schedule.starts)
    assert dict(new.schedule.runs) == dict(old.schedule.runs)
    assert new.idle == old.idle and new.objective == old.objective and new.report == old.report
    for key, values in old.requests.items():
        np.testing.assert_array_equal(new.requests[key], values, err_msg=key)
    for key, values in old.round_table.items():
        np.testing.assert_array_equal(new.round_table[key], values, err_msg=key)


@needs_c
@pytest.mark.parametrize("name", COMPILED)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_traces_match_the_python_engine_and_the_reference(name, data):
    instance = data.draw(traces())
    options = data.draw(policy_options(name))
    if name in WITH_LENGTHS and data.draw(st.booleans()):  # else auto: predicted on these traces
        options["lengths"] = "exact"
    eviction = data.draw(st.sampled_from(RULES))
    victim = data.draw(st.sampled_from(VICTIMS))
    assert_same_as_python(instance, name, options, eviction=eviction, victim=victim)
    assert_same(instance, name, options, eviction=eviction, victim=victim)


@needs_c
def test_the_random_traces_take_the_compiled_path_and_reach_evictions():
    """Not vacuous: most drawn cases run in C, every policy among them, and they include evicted runs and
    restarts."""
    seen = {"compiled": 0, "evicted": False, "policies": set()}

    @settings(max_examples=20, deadline=None, database=None)
    @given(instance=traces(), eviction=st.sampled_from(RULES[1:]))
    def probe(name, instance, eviction):
        options = {"lengths": "predicted"} if name in WITH_LENGTHS else {}
        if takes_compiled_path(instance, name, options, eviction):
            seen["compiled"] += 1
            seen["policies"].add(name)
            seen["evicted"] |= bool(simulate(instance, make_policy(name, options), eviction=eviction).schedule.runs)

    for name in COMPILED:
        probe(name)
    assert seen["compiled"] >= 10 * len(COMPILED) and seen["evicted"] and seen["policies"] == set(COMPILED), seen


BUNDLED = [(set_name, name) for set_name in bundled.names() for name in bundled.instance_names(set_name)]


@needs_c
@pytest.mark.parametrize("set_name,instance_name", BUNDLED)
def test_bundled_sets_match_the_python_engine_and_the_reference(set_name, instance_name):
    exact = bundled.load(set_name, instance_name)
    predicted = apply_predictions(exact, "point:0.5", 0)
    intervals = [apply_predictions(exact, f"interval:{alpha}", 0) for alpha in (0.2, 0.7)]
    for name in COMPILED:
        for instance in intervals if name in INTERVALS else (exact, predicted):
            options = {"lengths": "predicted"} if name == "wait" and instance is predicted else {}
            for eviction in (None, "restart", "recompute"):
                assert_same_as_python(instance, name, options, eviction=eviction)
                assert_same(instance, name, options, eviction=eviction)


@needs_c
def test_what_needs_python_takes_the_python_engine():
    instance = Instance(20, (Request("a", 0, 2, 3), Request("b", 1, 2, 2)))
    assert takes_compiled_path(instance, "mcsf", {})
    assert not takes_compiled_path(instance, "mcsf", {"check": "direct"})
    assert takes_compiled_path(instance, "wait", {"lengths": "exact"})
    assert takes_compiled_path(instance, "nested-wait", {"limit": 2.0})
    for name in ("wait", "nested-wait"):  # the policy's start raises: the Python engine gives the error
        assert not takes_compiled_path(instance, name, {"types": "no-such-file.json"})
        assert_same_as_python(instance, name, {"types": "no-such-file.json"})
    for name in ("orca", "faster-transformer"):
        assert takes_compiled_path(instance, name, {"max_tokens": 5, "max_running": 1})
        assert not takes_compiled_path(instance, name, {"max_tokens": 4})  # "a" needs 5: the policy's error
    assert takes_compiled_path(instance, "sorted-f", {"mode": "sequential", "pool": 1})
    assert takes_compiled_path(instance, "lightllm", {})
    with_intervals = apply_predictions(instance, "interval:0.5", 0)
    for name in INTERVALS:
        assert takes_compiled_path(with_intervals, name, {"reserve": 0.1})
        assert not takes_compiled_path(with_intervals, name, {"check": "direct"})
    trace = DecisionTrace()
    simulation = simulate(instance, make_policy("mcsf"), observers=[trace])
    assert trace.events and simulation.report.feasible


@needs_c
def test_wait_policies_with_a_types_file_match(tmp_path):
    """WAIT and Nested WAIT on configured types (not calibrated on the workload) run compiled, with the same
    results as the Python engine and the reference."""
    types = tmp_path / "types.json"
    types.write_text('[{"output": 4, "prompt": 3, "rate": 0.5}, {"output": 12, "prompt": 5, "rate": 0.2}, '
                     '{"output": 40, "rate": 0.1}]')

    @settings(max_examples=30, deadline=None, database=None)
    @given(instance=traces(), name=st.sampled_from(("wait", "nested-wait")), limit=st.sampled_from([None, 3.0]),
           eviction=st.sampled_from(RULES))
    def check(instance, name, limit, eviction):
        options = {"types": str(types), "limit": limit}
        compiled_runs.append(takes_compiled_path(instance, name, options, eviction))  # not on an error
        assert_same_as_python(instance, name, options, eviction=eviction)
        assert_same(instance, name, options, eviction=eviction)

    compiled_runs = []
    check()
    assert sum(compiled_runs) >= len(compiled_runs) / 2, compiled_runs


@needs_c
def test_an_error_is_the_python_engines():
    """An overflow under rule none: the compiled loop gives up, the Python engine raises its error."""
    instance = Instance(10, (Request("r0", 0, 2, 6), Request("r1", 0, 2, 6)))
    assert_same_as_python(instance, "vllm", {"watermark": 0.0}, eviction="none")
    _, error = outcome(lambda: simulate(instance, make_policy("vllm", {"watermark": 0.0}), eviction="none"))
    assert error is not None and error[0] == "MemoryOverflow"


def long_instance(n: int = 60_000) -> Instance:
    return Instance(1000, tuple(Request(f"r{k}", k, 1, 40) for k in range(n)))


@needs_c
def test_progress_is_reported_from_the_compiled_loop():
    seen = []
    simulation = simulate(long_instance(), make_policy("mcsf"),
                          progress=lambda engine: seen.append((engine.rounds_done, engine.finished,
                                                               engine.state.period, engine.policy.name)))
    assert len(seen) == len(simulation.rounds) // 16384
    assert seen[0][0] == 16384 and seen[0][3] == "mcsf" and 0 < seen[0][1] < seen[-1][1]


@needs_c
def test_ctrl_c_stops_the_compiled_loop():
    """A signal that arrives while the loop runs raises KeyboardInterrupt before the run ends (kvopt
    simulate then exits 130)."""
    ticks = []

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    def progress(engine):
        ticks.append(engine.rounds_done)
        if len(ticks) == 1:
            signal.setitimer(signal.ITIMER_REAL, 0.001)

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            simulate(long_instance(200_000), make_policy("mcsf"), progress=progress)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert ticks[-1] < 200_000
