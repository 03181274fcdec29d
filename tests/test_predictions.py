"""Prediction-error models: deterministic per seed, within their documented ranges."""

import pytest

from kvopt import Instance, Request
from kvopt.errors import InputError
from kvopt.predictions import apply_predictions

INSTANCE = Instance(500, tuple(Request(f"r{k}", 0, 1, 1 + (k * 37) % 400) for k in range(300)))


def test_point_predictions_are_within_eps_and_reproducible():
    a = apply_predictions(INSTANCE, "point:0.5", seed=7)
    assert a == apply_predictions(INSTANCE, "point:0.5", seed=7)
    assert a != apply_predictions(INSTANCE, "point:0.5", seed=8)
    for request in a.requests:
        assert abs(request.predicted_output - request.output) <= 0.5 * request.output + 0.5
    assert a.metadata["predictions"] == "point:0.5" and a.metadata["prediction_seed"] == 7


def test_overestimates_are_between_o_and_alpha_o():
    for request in apply_predictions(INSTANCE, "over:2", seed=1).requests:
        assert request.output <= request.predicted_output <= 2 * request.output


@pytest.mark.parametrize("alpha", [0.2, 0.5, 1.0])
def test_intervals_contain_the_output_with_ratio_alpha(alpha):
    ratios = []
    for request in apply_predictions(INSTANCE, f"interval:{alpha}", seed=2).requests:
        lo, hi = request.output_interval
        assert lo <= request.output <= hi
        ratios.append(lo / hi)
    assert sum(ratios) / len(ratios) == pytest.approx(alpha, abs=0.05)


def test_exact_and_bad_specs():
    request = apply_predictions(INSTANCE, "exact").requests[5]
    assert request.predicted_output == request.output and request.output_interval == (request.output,) * 2
    for spec, fragment in [("point", "expected point:EPS"), ("point:x", "not a number"),
                           ("interval:0", "alpha = lo/hi"), ("over:0.5", ">= 1"), ("noise:1", "expected")]:
        with pytest.raises(InputError, match=fragment):
            apply_predictions(INSTANCE, spec)
