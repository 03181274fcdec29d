"""Batch-time models: how long one round (one batch) takes in seconds.

The theory counts rounds (`unit`: every round takes 1). Simulations of real hardware use a model of the
round's duration as a function of the batch composition. A model is described by a JSON-able spec
`{"model": NAME, ...parameters}` so it can live in an instance file; `make(spec)` builds it.
Built-in models: `unit` and `linear` (kvopt.batch_time) and `a100-llama2-70b` (kvopt.hardware.a100);
other modules add models with `@register("name")`.

Arrival units. Without `arrival_unit_s` in the spec, request arrivals count rounds (batch indices) and a
batch-time model only converts rounds into seconds for reporting. With `"arrival_unit_s": u`, arrivals
are clock times a_i * u seconds: a simulator reveals request i when its clock passes a_i * u, and the
round-level instance it verifies against has the arrivals as experienced (index of the first batch that
could include the request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kvopt.batch_time import BatchStats, BatchTimeModel, LinearBatchTime, UnitRounds
from kvopt.errors import InputError
from kvopt.hardware.a100 import A100Llama2_70B

__all__ = ["BatchStats", "BatchTimeModel", "UnitRounds", "LinearBatchTime", "register", "available", "make",
           "arrival_unit", "check_spec"]


_MODELS: dict[str, Callable[..., BatchTimeModel]] = {
    "unit": UnitRounds, "linear": LinearBatchTime, "a100-llama2-70b": A100Llama2_70B}


def register(name: str) -> Callable[[Callable[..., BatchTimeModel]], Callable[..., BatchTimeModel]]:
    def add(factory: Callable[..., BatchTimeModel]) -> Callable[..., BatchTimeModel]:
        _MODELS[name] = factory
        return factory
    return add


def available() -> list[str]:
    return sorted(_MODELS)


def make(spec: Mapping[str, Any] | None) -> BatchTimeModel:
    """Build the model a spec describes; None means unit rounds."""
    if spec is None:
        return UnitRounds()
    if not isinstance(spec, Mapping) or "model" not in spec:
        raise InputError(f"a batch-time spec must be an object with a 'model' key, got {spec!r}",
                         "batch_time")
    name = spec["model"]
    arrival_unit(spec)  # validates it
    if name not in _MODELS:
        raise InputError(f"unknown batch-time model {name!r}; known: {', '.join(available())}",
                         "batch_time")
    parameters = {k: v for k, v in spec.items() if k not in ("model", "arrival_unit_s")}
    try:
        return _MODELS[name](**parameters)
    except TypeError as error:
        raise InputError(f"bad parameters for batch-time model {name!r}: {error}", "batch_time") from None


def arrival_unit(spec: Mapping[str, Any] | None) -> float | None:
    """Seconds per arrival unit, or None when arrivals count rounds."""
    if spec is None or spec.get("arrival_unit_s") is None:
        return None
    unit = spec["arrival_unit_s"]
    if isinstance(unit, bool) or not isinstance(unit, (int, float)) or not unit > 0:
        raise InputError(f"arrival_unit_s must be a positive number of seconds, got {unit!r}", "batch_time")
    return float(unit)


def check_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a spec by building its model; return the model's canonical spec."""
    canonical = make(spec).spec()
    unit = arrival_unit(spec)
    return canonical if unit is None else {**canonical, "arrival_unit_s": unit}
