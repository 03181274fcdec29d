"""Clock-time instances (kvopt/clock.py): the schedule's clock record, re-timing every batch, arrivals as
experienced, and the conversion of clock-time arrivals to rounds."""

from __future__ import annotations

import pytest

from kvopt import InputError, Instance, Request, Schedule, solve, verify
from kvopt.clock import in_rounds, record_of
from kvopt.generate.a100 import a100_trace
from kvopt.policies import make_policy
from kvopt.sim import simulate
from kvopt.sim.run import timed

LINEAR = {"model": "linear", "base": 0.3, "per_prefill_token": 0.0, "per_decode_request": 0.0, "per_kv_token": 0.0}


def clock_instance() -> Instance:
    # every batch takes 0.3 s: b (1.0 s) joins batch 4; after a finishes (1.5 s) the worker waits for c (7 s)
    return Instance(10, (Request("a", 0, 1, 5), Request("b", 1, 1, 1), Request("c", 7, 1, 1)),
                    batch_time={"model": "linear", "base": 0.3, "arrival_unit_s": 1.0}, name="clocked")


def test_a_simulated_schedule_verifies_on_the_clock_instance_itself():
    instance = clock_instance()
    simulation = simulate(instance, make_policy("mcsf"))
    assert simulation.clock.waits == ((5, 7.0),)
    report = verify(instance, timed(simulation.schedule, simulation.clock))
    assert report.feasible and report.objective == simulation.objective == 5 + 1 + 1
    assert [r.arrival for r in report.instance.requests] == [0, 4, 5]
    assert report.latency_seconds == pytest.approx(simulation.metrics["latency_seconds"]["total"]) == \
        pytest.approx(1.5 + 0.5 + 0.3)


def test_without_the_wait_the_late_request_arrives_after_the_last_batch():
    instance = clock_instance()
    simulation = simulate(instance, make_policy("mcsf"))
    clock = simulation.clock.as_dict() | {"waits": []}
    report = verify(instance, Schedule(simulation.schedule.starts, metadata={"clock": clock}))
    assert not report.feasible and report.violations[0].kind == "before_arrival"
    assert "request 'c' starts at 5 before its arrival 6 (as experienced on the clock)" in report.first_problem()


def test_a_clock_instance_needs_a_clock_record_and_offline_methods_refuse_it():
    instance = clock_instance()
    with pytest.raises(InputError, match="has no clock record"):
        verify(instance, Schedule({"a": 0, "b": 4, "c": 5}))
    with pytest.raises(InputError, match="arrivals are clock times"):
        solve(instance, "fcfs")


def test_every_a100_policy_run_re_times_exactly():
    instance = a100_trace(50, 300, seed=3)
    for name in ("mcsf", "vllm", "mc-benchmark"):
        simulation = simulate(instance, make_policy(name))
        report = verify(instance, timed(simulation.schedule, simulation.clock))
        assert report.feasible and report.objective == simulation.objective
        assert report.instance.requests == simulation.instance.requests  # arrivals as experienced, exactly


def test_another_batch_time_model_keeps_the_instance_s_arrival_unit():
    instance = clock_instance()
    simulation = simulate(instance, make_policy("mcsf"), batch_time={"model": "linear", "base": 0.5})
    assert simulation.clock_mode and simulation.clock.arrival_unit_s == 1.0
    report = verify(instance, timed(simulation.schedule, simulation.clock))
    assert report.feasible and report.notes == (
        f"the schedule was simulated with batch-time model {LINEAR | {'base': 0.5}}, not the instance's "
        f"{LINEAR}",)


@pytest.mark.parametrize("record, message", [
    ({"arrival_unit_s": 1.0}, "must be an object with arrival_unit_s, batch_time"),
    ({"arrival_unit_s": 0, "batch_time": {"model": "unit"}}, "arrival_unit_s must be a positive"),
    ({"arrival_unit_s": 1, "batch_time": {"model": "unit", "arrival_unit_s": 1}}, "without arrival_unit_s"),
    ({"arrival_unit_s": 1, "batch_time": {"model": "warp"}}, "unknown batch-time model"),
    ({"arrival_unit_s": 1, "batch_time": {"model": "unit"}, "waits": [[1, 2.0], [1, 3.0]]}, "must increase"),
    ({"arrival_unit_s": 1, "batch_time": {"model": "unit"}, "waits": [[1.5, 2.0]]}, r"must be \[period, seconds\]"),
    ({"arrival_unit_s": 1, "batch_time": {"model": "unit"}, "extra": 1}, "must be an object"),
])
def test_bad_clock_records(record, message):
    with pytest.raises(InputError, match=message):
        record_of({"clock": record})


def test_conversion_to_rounds_is_exact_decimal_arithmetic():
    instance = Instance(10, (Request("a", 3, 1, 1), Request("b", 29, 1, 1)),
                        batch_time={"model": "unit", "arrival_unit_s": 0.001})
    converted = in_rounds(instance, 1000)
    assert [r.arrival for r in converted.requests] == [3, 29]  # 3 * 0.001 * 1000 is 2.9999999999999996 in floats
    assert converted.arrival_unit_s is None and "floor(arrival x 0.001 s x 1000" in converted.metadata[
        "arrivals_converted"]
    assert [r.arrival for r in in_rounds(instance, 100).requests] == [0, 2]
    with pytest.raises(InputError, match="already count rounds"):
        in_rounds(converted, 10)
