"""Observer hooks on a simulation: metrics collectors and decision traces subscribe to events.

An observer sees what the engine does (admissions, refusals with the policy's reason, evictions,
completions, finished rounds); it cannot change the simulation. `DecisionTrace` records every event as a
JSON-able dict, answering "why was this request not admitted?" and "who was evicted, and what was lost?"
(preemption observability, as vLLM users ask for in vLLM PR #42827).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.reference.sim.state import RequestView


@dataclass(frozen=True)
class RoundRecord:
    """One executed round (batch): it ran from period `period` to period + 1.

    requests: batch size; prefill_tokens: prompt (and recomputed) tokens of requests in the first round of
    a run; memory: KV tokens held at the end of the round; waiting: queue length when it started;
    seconds: its duration under the batch-time model; clock: seconds at its end.
    """

    period: int
    requests: int
    prefill_tokens: int
    memory: int
    waiting: int
    seconds: float
    clock: float


class Observer:
    """Base class with no-op hooks; override the ones you need."""

    def admitted(self, period: int, view: RequestView) -> None: ...

    def refused(self, period: int, view: RequestView, reason: str) -> None: ...

    def rejected(self, period: int, view: RequestView, reason: str) -> None: ...

    def evicted(self, period: int, view: RequestView, tokens: int, lost: int, reason: str) -> None: ...

    def completed(self, period: int, view: RequestView) -> None: ...

    def round_done(self, record: RoundRecord) -> None: ...


class DecisionTrace(Observer):
    """Every decision as a dict: {"period", "event", "request", ...}. `rounds=True` also logs each round."""

    def __init__(self, rounds: bool = False):
        self.events: list[dict[str, Any]] = []
        self.rounds = rounds

    def admitted(self, period: int, view: RequestView) -> None:
        self.events.append({"period": period, "event": "start", "request": view.id, "kept": view.kept})

    def refused(self, period: int, view: RequestView, reason: str) -> None:
        self.events.append({"period": period, "event": "wait", "request": view.id, "reason": reason})

    def rejected(self, period: int, view: RequestView, reason: str) -> None:
        self.events.append({"period": period, "event": "start-undone", "request": view.id,
                            "reason": reason})

    def evicted(self, period: int, view: RequestView, tokens: int, lost: int, reason: str) -> None:
        self.events.append({"period": period, "event": "evict", "request": view.id, "tokens": tokens,
                            "tokens_lost": lost, "reason": reason})

    def completed(self, period: int, view: RequestView) -> None:
        self.events.append({"period": period, "event": "complete", "request": view.id})

    def round_done(self, record: RoundRecord) -> None:
        if self.rounds:
            self.events.append({"period": record.period, "event": "round", "requests": record.requests,
                                "memory": record.memory, "waiting": record.waiting})

    def why_waiting(self, request_id: str) -> list[dict[str, Any]]:
        """The refusal reasons recorded for one request, in order."""
        return [e for e in self.events if e.get("request") == request_id and e["event"] == "wait"]
