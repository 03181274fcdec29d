"""Worst-case reservation: Orca and FasterTransformer as Vidur models them (microsoft/vidur
`orca_replica_scheduler.py`, `faster_transformer_replica_scheduler.py`; Orca: Yu et al., OSDI 2022).

Both admit first come, first served while every running request, and the new one, can hold a worst-case
reservation of `max_tokens` (the model's context length: Vidur reserves max_tokens/block_size blocks per
request). No length information is used and no overflow can happen as long as every request's prompt +
output is at most max_tokens (checked when the simulation starts; default: the largest prompt + output
of the workload, standing for the context limit).
  orca                 iteration-level: admission every round, batches re-formed continuously;
  faster-transformer   request-level (static) batching: a batch is formed only when nothing runs and
                       runs until all its members finish.
fidelity=native (default) is kvopt's round model: a request that finishes frees its reservation at once.
fidelity=vidur replays Vidur's scheduler in unit rounds (kvopt/policies/vidur_replica.py): for orca it
gives the same schedules; for faster-transformer it reproduces Vidur's leak (a member that finishes before
the last one of its static batch is never freed: `_pending_free_map` is read, never written), and
fidelity=vidur-fixed frees such members when their batch ends, as the map intends (docs/policies-vs-sources.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from kvopt.errors import InputError
from kvopt.method import Option
from kvopt.policies.queue import QueuedPolicy
from kvopt.policies.registry import register_policy
from kvopt.policies.vidur_replica import (FasterTransformerReplica, OrcaReplica, Replica, check_fidelity,
                                          fidelity_option)
from kvopt.sim.policy import SimContext
from kvopt.sim.state import RequestView, SimState

RESERVATION_OPTIONS = (
    Option("max_tokens", int, None, "worst-case tokens reserved per request (default: the workload's "
                                    "largest prompt + output)"),
    Option("max_running", int, None, "cap on running requests (Vidur batch_size_cap)"),
)


class Reservation(QueuedPolicy):
    static_batches = False
    fidelities = ("native", "vidur")

    def __init__(self, max_tokens: int | None = None, max_running: int | None = None, fidelity: str = "native"):
        super().__init__()
        self.fidelity = check_fidelity(self.name, fidelity, self.fidelities)
        for name, value in (("max_tokens", max_tokens), ("max_running", max_running)):
            if value is not None and value < 1:
                raise InputError(f"{name} must be positive, got {value}", f"policy {self.name!r}")
        self.max_tokens = max_tokens
        self.max_running = max_running

    def start(self, context: SimContext) -> None:
        super().start(context)
        workload = context.workload
        if self.max_tokens is None:
            if workload is None:
                raise InputError("give -o max_tokens (the per-request reservation): the workload is not "
                                 "known in advance", f"policy {self.name!r}")
            self.reservation = max(r.peak_memory for r in workload.requests)
        else:
            self.reservation = self.max_tokens
            if workload is not None:
                longest = max(workload.requests, key=lambda r: r.peak_memory)
                if longest.peak_memory > self.reservation:
                    raise InputError(f"request {longest.id!r} needs {longest.peak_memory} tokens, more than "
                                     f"the reservation max_tokens = {self.reservation}", f"policy {self.name!r}")
        self.slots = context.memory // self.reservation
        if self.max_running is not None:
            self.slots = min(self.slots, self.max_running)

    def describe(self) -> dict:
        return {**super().describe(), "max_tokens": self.max_tokens, "max_running": self.max_running,
                "fidelity": self.fidelity}

    def vidur_replica(self, memory: int, max_tokens: int) -> Replica:
        if self.static_batches:
            return FasterTransformerReplica(memory, max_tokens, self.max_running, self.fidelity == "vidur")
        return OrcaReplica(memory, max_tokens, self.max_running)

    def quiet(self, state: SimState) -> bool:
        """Nothing waits, or every reservation is taken (or a static batch runs) until a completion."""
        return not self.queue or (self.static_batches and bool(state.running)) or \
            len(state.running) >= self.slots

    def admit(self, state: SimState) -> Iterable[RequestView]:
        if self.static_batches and state.running:
            return ()
        admitted = []
        while self.queue and len(state.running) + len(admitted) < self.slots:
            admitted.append(self.queue.pop())
        if self.queue and state.observers:
            state.explain(self.queue.peek(), f"all {self.slots} reservations of {self.reservation} tokens "
                                             f"are taken")
        return admitted


@register_policy("orca", "Orca: iteration-level FCFS with a worst-case reservation of max_tokens per "
                         "request (Vidur)", RESERVATION_OPTIONS + (fidelity_option(),))
class Orca(Reservation):
    static_batches = False


@register_policy("faster-transformer", "FasterTransformer: static batches, worst-case reservation; a "
                                       "batch runs until all its members finish (after Vidur; fidelity=vidur: "
                                       "Vidur's, its block leak included)",
                 RESERVATION_OPTIONS + (fidelity_option(("native", "vidur", "vidur-fixed")),))
class FasterTransformer(Reservation):
    static_batches = True
    fidelities = ("native", "vidur", "vidur-fixed")
