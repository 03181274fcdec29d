"""Batch-time models."""

import pytest

from kvopt.errors import InputError
from kvopt.timing import BatchStats, available, make


def test_unit_and_linear_models():
    batch = BatchStats(requests=3, prefill_tokens=10, decode_requests=2, kv_tokens=40)
    assert make(None).seconds(batch) == 1.0
    assert make({"model": "unit"}).seconds(batch) == 1.0
    linear = make({"model": "linear", "base": 0.5, "per_prefill_token": 0.1, "per_decode_request": 0.01,
                   "per_kv_token": 0.001})
    assert linear.seconds(batch) == pytest.approx(0.5 + 1.0 + 0.02 + 0.04)
    assert make(linear.spec()) == linear
    assert {"unit", "linear"} <= set(available())


def test_bad_specs():
    with pytest.raises(InputError, match="'model' key"):
        make({"base": 1})
    with pytest.raises(InputError, match="bad parameters"):
        make({"model": "linear", "bogus": 1})
    with pytest.raises(InputError, match="at least one positive"):
        make({"model": "linear"})


def test_arrival_unit():
    from kvopt.timing import arrival_unit, check_spec
    assert arrival_unit(None) is None and arrival_unit({"model": "unit"}) is None
    spec = check_spec({"model": "linear", "base": 0.02, "arrival_unit_s": 0.001})
    assert arrival_unit(spec) == 0.001 and make(spec).seconds(BatchStats(1, 0, 1, 5)) == 0.02
    with pytest.raises(InputError, match="arrival_unit_s must be a positive"):
        make({"model": "unit", "arrival_unit_s": 0})
