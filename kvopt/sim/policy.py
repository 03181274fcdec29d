"""The interface between the simulator and an online policy.

A policy is asked `admit(state)` once per period while requests run, and at each arrival while the worker
is idle (idle stretches are skipped): which waiting requests start now. Everything else is
optional: lifecycle hooks (arrived, started, rejected, completed, evicted) let a policy keep incremental
data structures; `quiet` lets the engine skip periods in which the policy's decision cannot change; `flush` is asked only when nothing runs, requests wait and no request will ever arrive
again (end of a trace; a threshold policy must not strand them); `clear_target` is the memory level an
overflow is cleared down to (default M).

Length information (what the policy is entitled to):
  exact        clairvoyant: views carry the true output length;
  predicted    views carry `predicted_output` only (every request must have one);
  interval-lo  / interval-hi  the lower / upper end of `output_interval` (arXiv 2508.14544);
  none         no length information (watermark, reservation and threshold policies);
  auto         predicted when every request has a prediction, otherwise exact.
A policy declares which it accepts in `lengths_allowed` (the first is its default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.sim.state import RequestView, SimState

LENGTH_SOURCES = ("auto", "exact", "predicted", "interval-lo", "interval-hi", "none")


@dataclass(frozen=True)
class SimContext:
    """What a policy learns when a simulation starts: capacity M, its resolved length information, and
    (only for a fixed instance) the workload for offline calibration of rates (WAIT-type policies)."""

    memory: int
    lengths: str
    workload: Instance | None = None


class Policy:
    """Base class of online policies. Subclasses set `name` and implement `admit`."""

    name: ClassVar[str] = "policy"
    lengths_allowed: ClassVar[tuple[str, ...]] = ("none",)
    default_eviction: ClassVar[str] = "none"
    default_victim: ClassVar[str] = "latest-arrived"

    def __init__(self, lengths: str | None = None, **options: Any):
        if options:
            raise InputError(f"unknown option(s) {', '.join(sorted(options))}", f"policy {self.name!r}")
        lengths = lengths or self.lengths_allowed[0]
        allowed = self.lengths_allowed
        if lengths not in allowed:
            raise InputError(f"lengths must be one of {', '.join(allowed)}, got {lengths!r}",
                             f"policy {self.name!r}")
        self.lengths = lengths
        self.context: SimContext | None = None

    # ---- lifecycle ------------------------------------------------------------------------------
    def start(self, context: SimContext) -> None:
        """Called once before the first period."""
        self.context = context

    def arrived(self, view: RequestView, state: SimState) -> None: ...

    def started(self, view: RequestView, state: SimState) -> None: ...

    def rejected(self, view: RequestView, state: SimState) -> None:
        """The engine undid this period's start of `view` (the admissions overflowed the next round)."""

    def completed(self, view: RequestView, state: SimState) -> None: ...

    def evicted(self, view: RequestView, state: SimState) -> None: ...

    # ---- decisions ------------------------------------------------------------------------------
    def admit(self, state: SimState) -> Iterable[RequestView]:
        raise NotImplementedError

    def flush(self, state: SimState) -> Iterable[RequestView]:
        return ()

    def quiet(self, state: SimState) -> bool:
        """True if `admit` would start nothing and change nothing at this period and every later one
        until the next arrival, completion or eviction (asked after a period that started nothing): the
        engine then runs those batches without asking. Default False: asked every period."""
        return False

    def clear_target(self, state: SimState) -> int:
        return state.memory

    def default_rules(self, lengths: str) -> tuple[str, str]:
        """(overflow rule, victim rule) used unless the caller names others; `lengths` is resolved."""
        return self.default_eviction, self.default_victim

    def describe(self) -> dict[str, Any]:
        """The policy's name and settings (for results and traces)."""
        return {"policy": self.name, "lengths": self.lengths}


def resolve_lengths(policy: Policy, instance: Instance | None) -> str:
    """The length information a policy runs with on `instance` ("auto" resolved); InputError if the
    instance lacks what the choice needs."""
    lengths = policy.lengths
    if lengths not in ("auto", "predicted", "interval-lo", "interval-hi") or instance is None:
        return "exact" if lengths == "auto" else lengths
    if lengths == "auto" and instance.plain:
        return "exact"  # no predictions (an instance made by from_columns: no Request objects built)
    requests = instance.requests
    where = f"policy {policy.name!r}"
    if lengths == "auto":
        with_prediction = sum(r.predicted_output is not None for r in requests)
        if 0 < with_prediction < len(requests):
            missing = next(r.id for r in requests if r.predicted_output is None)
            raise InputError(f"{with_prediction} of {len(requests)} requests have predicted_output "
                             f"(not {missing!r}); give every request one or choose -o lengths=exact", where)
        return "predicted" if with_prediction else "exact"
    if instance is not None and lengths == "predicted":
        missing = [r.id for r in requests if r.predicted_output is None]
        if missing:
            raise InputError(f"lengths=predicted needs predicted_output on every request ({len(missing)} "
                             f"without, e.g. {missing[0]!r}); add them with --predictions point:EPS", where)
    if instance is not None and lengths in ("interval-lo", "interval-hi"):
        missing = [r.id for r in requests if r.output_interval is None]
        if missing:
            raise InputError(f"lengths={lengths} needs output_interval on every request ({len(missing)} "
                             f"without, e.g. {missing[0]!r}); add them with --predictions interval:ALPHA",
                             where)
    return lengths


def length_estimate(view: RequestView, lengths: str, memory: int) -> int:
    """The output length a policy assumes for `view` under its length information, raised to
    max_generated + 1 when the request is known to be longer (it ran that far without finishing) and
    capped at memory - prompt (every request fits alone, so none is longer [INF])."""
    if lengths == "exact":
        return view.output
    if lengths == "predicted":
        guess = view.predicted_output
    elif lengths == "interval-lo":
        guess = view.output_interval[0]
    elif lengths == "interval-hi":
        guess = view.output_interval[1]
    else:
        raise ValueError(f"no length estimate under lengths={lengths!r}")
    return min(max(guess, view.max_generated + 1), memory - view.prompt)
