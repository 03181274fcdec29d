"""Batch-time models: how long one round (one batch) takes in seconds.

The theory counts rounds (`unit`: every round takes 1). Simulations of real hardware use a model of the
round's duration as a function of the batch composition. A model is described by a JSON-able spec
`{"model": NAME, ...parameters}` so it can live in an instance file; `make(spec)` builds it.
Other modules add models with `@register("name")`.

Arrival units. Without `arrival_unit_s` in the spec, request arrivals count rounds (batch indices) and a
batch-time model only converts rounds into seconds for reporting. With `"arrival_unit_s": u`, arrivals
are clock times a_i * u seconds: a simulator reveals request i when its clock passes a_i * u, and the
round-level instance it verifies against has the arrivals as experienced (index of the first batch that
could include the request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kvopt.errors import InputError


@dataclass(frozen=True)
class BatchStats:
    """What a batch-time model may look at for one round.

    requests: requests in the batch; prefill_tokens: prompt tokens processed this round (requests in
    their first round, recomputed tokens included); decode_requests: requests producing a decode token;
    kv_tokens: KV-cache tokens held at the end of the round.
    """

    requests: int
    prefill_tokens: int
    decode_requests: int
    kv_tokens: int


class BatchTimeModel(Protocol):
    def seconds(self, batch: BatchStats) -> float: ...

    def spec(self) -> dict[str, Any]: ...


_MODELS: dict[str, Callable[..., BatchTimeModel]] = {}


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


def _nonnegative(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InputError(f"{name} must be a non-negative number, got {value!r}", "batch_time")
    return float(value)


@register("unit")
@dataclass(frozen=True)
class UnitRounds:
    """Every round takes one time unit (the theoretical model)."""

    def seconds(self, batch: BatchStats) -> float:
        return 1.0

    def spec(self) -> dict[str, Any]:
        return {"model": "unit"}


@register("linear")
@dataclass(frozen=True)
class LinearBatchTime:
    """t = base + per_prefill_token * prefill_tokens + per_decode_request * decode_requests
    + per_kv_token * kv_tokens (seconds). The linear iteration-time model of WAIT (arXiv 2504.11320)."""

    base: float = 0.0
    per_prefill_token: float = 0.0
    per_decode_request: float = 0.0
    per_kv_token: float = 0.0

    def __post_init__(self) -> None:
        for name in ("base", "per_prefill_token", "per_decode_request", "per_kv_token"):
            object.__setattr__(self, name, _nonnegative(name, getattr(self, name)))
        if self.base == self.per_prefill_token == self.per_decode_request == self.per_kv_token == 0:
            raise InputError("a linear batch-time model needs at least one positive coefficient",
                             "batch_time")

    def seconds(self, batch: BatchStats) -> float:
        return (self.base + self.per_prefill_token * batch.prefill_tokens
                + self.per_decode_request * batch.decode_requests + self.per_kv_token * batch.kv_tokens)

    def spec(self) -> dict[str, Any]:
        return {"model": "linear", "base": self.base, "per_prefill_token": self.per_prefill_token,
                "per_decode_request": self.per_decode_request, "per_kv_token": self.per_kv_token}


# Hardware models register themselves on import (kept last: they import this module).
import kvopt.hardware.a100  # noqa: E402,F401  ("a100-llama2-70b")
