"""What a batch-time model sees of one round (`BatchStats`), what it must provide (`BatchTimeModel`),
and the two generic models: `unit` rounds and the `linear` model. kvopt.timing builds models from specs;
models of real hardware (kvopt.hardware.a100) build on this module.
"""

from __future__ import annotations

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


def _nonnegative(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InputError(f"{name} must be a non-negative number, got {value!r}", "batch_time")
    return float(value)


@dataclass(frozen=True)
class UnitRounds:
    """Every round takes one time unit (the theoretical model)."""

    def seconds(self, batch: BatchStats) -> float:
        return 1.0

    def spec(self) -> dict[str, Any]:
        return {"model": "unit"}


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
