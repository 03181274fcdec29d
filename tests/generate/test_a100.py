"""A100-derived instances: defaults, determinism, Poisson arrivals in clock time, trace lengths."""

import numpy as np
import pytest

from kvopt.errors import InputError
from kvopt.generate.a100 import a100_trace
from kvopt.hardware.memory import PAPER_A100_KV_CAPACITY
from kvopt.timing import arrival_unit, make


def test_defaults_follow_the_paper():
    instance = a100_trace(50, requests=200)
    assert instance.memory == PAPER_A100_KV_CAPACITY == 16_492 and len(instance) == 200
    assert arrival_unit(instance.batch_time) == 0.001
    assert make(instance.batch_time).spec()["model"] == "a100-llama2-70b"
    arrivals = instance.arrivals
    assert arrivals[0] == 0 and np.all(np.diff(arrivals) >= 0)
    assert instance.metadata["rate_per_s"] == 50


def test_deterministic_per_seed_and_index():
    assert a100_trace(10, 300, seed=4, index=2) == a100_trace(10, 300, seed=4, index=2)
    assert a100_trace(10, 300, seed=4, index=2) != a100_trace(10, 300, seed=5, index=2)
    assert a100_trace(10, 300, seed=4, index=2) != a100_trace(10, 300, seed=4, index=3)


def test_both_rates_share_the_requests_and_differ_in_time_scale():
    slow, fast = a100_trace(10, 500), a100_trace(50, 500)
    assert np.array_equal(slow.prompts, fast.prompts) and np.array_equal(slow.outputs, fast.outputs)
    # arrivals are floor(t / rate / 1 ms) of the same unit-rate times t
    assert np.all(np.abs(slow.arrivals / 5 - fast.arrivals) <= 1)


def test_poisson_rate_within_sampling_error():
    """Mean gap of 5,000 exponential gaps at 50/s: 20 ms, standard error 20 / sqrt(4999) = 0.28 ms."""
    arrivals = a100_trace(50, 5000, seed=1).arrivals
    gaps = np.diff(arrivals)
    assert abs(gaps.mean() - 20.0) <= 4 * 20.0 / np.sqrt(gaps.size) + 0.5  # + floor to whole ms


def test_lengths_from_a_trace_file(tmp_path):
    trace = tmp_path / "conv.csv"
    trace.write_text("arrived_at,num_prefill_tokens,num_decode_tokens\n"
                     + "".join(f"{k / 10},{10 + k},{1 + k % 7}\n" for k in range(50)))
    instance = a100_trace(10, 20, trace=trace, memory=1000)
    assert set(zip(instance.prompts.tolist(), instance.outputs.tolist())) <= {(10 + k, 1 + k % 7) for k in range(50)}
    assert instance.name.startswith("a100-conv-r10-n20") and instance.metadata["trace_rows_used"] == 50


def test_bad_input():
    with pytest.raises(InputError, match="rate"):
        a100_trace(0)
    with pytest.raises(InputError, match="requests"):
        a100_trace(10, 0)
    with pytest.raises(InputError, match="largest prompt"):
        a100_trace(10, 10, memory=5000)
