"""Prediction-error models: instance transforms that add output-length predictions, deterministic per seed.

  point:EPS      predicted_output = max(1, round(o * (1 + u))), u ~ U[-EPS, EPS]: the MC-SF paper's
                 prediction-error study, eps in {0.2, 0.5, 0.8} (arXiv 2502.07115 v5; the error distribution
                 is not published, uniform relative error is our reading [INF]);
  over:ALPHA     predicted_output = ceil(o * U[1, ALPHA]): over-estimates o <= p <= ALPHA * o, the
                 assumption of Theorem 4.3 of arXiv 2502.07115 v5;
  interval:ALPHA output_interval [lo, hi] containing o with lo / hi ~ ALPHA (0 < ALPHA <= 1; ALPHA = 1 is
                 exact), o placed uniformly in the interval (alpha = lo/hi is the notation of A_max/A_min,
                 arXiv 2508.14544; the sampling scheme is our reading [INF]);
  exact          predicted_output = o and output_interval = [o, o].
The random draws are made once per request, in instance order, from numpy's generator seeded by `seed`.
"""

from __future__ import annotations

import math

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance, Request


def _with(instance: Instance, requests: list[Request], spec: str, seed: int) -> Instance:
    metadata = {**instance.metadata, "predictions": spec, "prediction_seed": seed}
    return instance.replace_requests(requests, metadata=metadata)


def _replace(request: Request, **changes) -> Request:
    fields = dict(id=request.id, arrival=request.arrival, prompt=request.prompt, output=request.output,
                  predicted_output=request.predicted_output, output_interval=request.output_interval,
                  metadata=request.metadata)
    fields.update(changes)
    return Request(**fields)


def point_predictions(instance: Instance, error: float, seed: int = 0) -> Instance:
    if not 0.0 <= error < 1.0:
        raise InputError(f"the point-prediction error must be in [0, 1), got {error}", "predictions")
    factors = 1.0 + np.random.default_rng(seed).uniform(-error, error, len(instance))
    requests = [_replace(r, predicted_output=max(1, int(round(r.output * f))))
                for r, f in zip(instance.requests, factors)]
    return _with(instance, requests, f"point:{error}", seed)


def overestimates(instance: Instance, factor: float, seed: int = 0) -> Instance:
    if not factor >= 1.0:
        raise InputError(f"the over-estimation factor must be >= 1, got {factor}", "predictions")
    factors = np.random.default_rng(seed).uniform(1.0, factor, len(instance))
    requests = [_replace(r, predicted_output=min(math.ceil(r.output * f), math.floor(r.output * factor)))
                for r, f in zip(instance.requests, factors)]
    return _with(instance, requests, f"over:{factor}", seed)


def interval_predictions(instance: Instance, alpha: float, seed: int = 0) -> Instance:
    if not 0.0 < alpha <= 1.0:
        raise InputError(f"the interval ratio alpha = lo/hi must be in (0, 1], got {alpha}", "predictions")
    positions = np.random.default_rng(seed).uniform(0.0, 1.0, len(instance))
    requests = []
    for request, position in zip(instance.requests, positions):
        # o = hi * (alpha + (1 - alpha) * position) lies in [alpha * hi, hi]
        hi = max(request.output, math.ceil(request.output / (alpha + (1.0 - alpha) * position)))
        lo = max(1, min(request.output, math.floor(alpha * hi)))
        requests.append(_replace(request, output_interval=(lo, hi)))
    return _with(instance, requests, f"interval:{alpha}", seed)


def exact_predictions(instance: Instance) -> Instance:
    requests = [_replace(r, predicted_output=r.output, output_interval=(r.output, r.output))
                for r in instance.requests]
    return _with(instance, requests, "exact", 0)


def apply_predictions(instance: Instance, spec: str, seed: int = 0) -> Instance:
    """Apply a model named by `point:EPS`, `over:ALPHA`, `interval:ALPHA` or `exact`."""
    kind, _, value = spec.partition(":")
    if kind == "exact" and not value:
        return exact_predictions(instance)
    models = {"point": point_predictions, "over": overestimates, "interval": interval_predictions}
    if kind not in models or not value:
        raise InputError(f"expected point:EPS, over:ALPHA, interval:ALPHA or exact, got {spec!r}",
                         "predictions")
    try:
        parameter = float(value)
    except ValueError:
        raise InputError(f"not a number: {value!r}", "predictions") from None
    return models[kind](instance, parameter, seed)
