"""The data model: Request, Instance, Schedule, Result are validated and immutable."""

import dataclasses

import numpy as np
import pytest

from kvopt import InputError, Instance, Request, Result, Run, Schedule, Status


def test_request_fields_and_derived_sizes():
    request = Request("a", 2, 3, 4, predicted_output=5, output_interval=[3, 6])
    assert (request.arrival, request.prompt, request.output) == (2, 3, 4)
    assert request.output_interval == (3, 6)
    assert request.peak_memory == 7
    assert request.volume == 3 * 4 + 4 * 5 // 2


def test_integral_floats_are_accepted_but_fractions_are_not():
    assert Request("a", 0.0, 2.0, 3.0).prompt == 2
    with pytest.raises(InputError, match="prompt must be an integer"):
        Request("a", 0, 2.5, 3)


@pytest.mark.parametrize("field, value, message", [
    ("arrival", -1, "arrival must be >= 0"),
    ("prompt", 0, "prompt must be positive"),
    ("prompt", -3, "prompt must be positive"),
    ("output", 0, "output must be positive"),
    ("output", True, "output must be an integer"),
    ("output", "3", "output must be an integer"),
])
def test_request_rejects_bad_sizes(field, value, message):
    values = {"id": "r", "arrival": 0, "prompt": 1, "output": 1, field: value}
    with pytest.raises(InputError, match=message):
        Request(**values)


def test_request_rejects_bad_interval_and_id():
    with pytest.raises(InputError, match="lo > hi"):
        Request("r", 0, 1, 1, output_interval=(5, 2))
    with pytest.raises(InputError, match=r"\[lo, hi\]"):
        Request("r", 0, 1, 1, output_interval=(5,))
    with pytest.raises(InputError, match="non-empty string"):
        Request("", 0, 1, 1)


def test_instance_rejects_duplicates_and_requests_that_never_fit():
    with pytest.raises(InputError, match="duplicate id 'a'"):
        Instance(10, (Request("a", 0, 1, 1), Request("a", 0, 1, 1)))
    with pytest.raises(InputError, match=r"requests\[1\] \(id 'b'\).*exceeds memory 10"):
        Instance(10, (Request("a", 0, 1, 1), Request("b", 0, 4, 7)))
    with pytest.raises(InputError, match="at least one request"):
        Instance(10, ())
    with pytest.raises(InputError, match="memory must be positive"):
        Instance(0, (Request("a", 0, 1, 1),))


def test_request_that_exactly_fills_memory_is_allowed():
    assert len(Instance(10, (Request("a", 0, 4, 6),))) == 1


def test_instance_is_immutable_and_arrays_are_read_only(greedy_counterexample):
    with pytest.raises(dataclasses.FrozenInstanceError):
        greedy_counterexample.memory = 3
    assert greedy_counterexample.outputs.tolist() == [3] * 5
    with pytest.raises(ValueError):
        greedy_counterexample.outputs[0] = 1
    assert greedy_counterexample.index["r3"] == 3
    assert greedy_counterexample.request("r2").output == 3
    with pytest.raises(InputError, match="unknown request id"):
        greedy_counterexample.request("zz")


def test_instance_validates_batch_time_spec():
    requests = (Request("a", 0, 1, 1),)
    assert Instance(5, requests, batch_time={"model": "unit"}).batch_time == {"model": "unit"}
    with pytest.raises(InputError, match="unknown batch-time model"):
        Instance(5, requests, batch_time={"model": "warp"})
    with pytest.raises(InputError, match="non-negative"):
        Instance(5, requests, batch_time={"model": "linear", "base": -1})


def test_schedule_validation():
    schedule = Schedule({"a": 0, "b": 2}, {"b": (Run(0, 1), Run(2, 3))})
    assert schedule.evictions == 1 and not schedule.resumes_progress
    assert Schedule({"b": 2}, {"b": (Run(0, 1), Run(2, 2, kept=1))}).resumes_progress
    with pytest.raises(InputError, match="start must be >= 0"):
        Schedule({"a": -1})
    with pytest.raises(InputError, match="last run starts at 0"):
        Schedule({"b": 2}, {"b": (Run(0, 3),)})
    with pytest.raises(InputError, match="no start"):
        Schedule({"a": 0}, {"b": (Run(0, 3),)})
    with pytest.raises(InputError, match="run tokens must be positive"):
        Run(0, 0)
    with pytest.raises(TypeError):
        schedule.starts["a"] = 5


def test_result_gap_and_status():
    result = Result("m", "feasible", objective=100, lower_bound=90, runtime_s=0.1)
    assert result.status is Status.FEASIBLE
    assert result.gap == pytest.approx(0.1)
    assert Result("m", Status.BOUND, None, 5, 0.0).gap is None
    assert np.isclose(Result("m", Status.OPTIMAL, 7, 7, 0.0).gap, 0.0)
    assert result.summary()["status"] == "feasible"
