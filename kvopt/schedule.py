"""Schedules: the start round of every request, and for online runs with evictions the executed runs.

A non-preemptive schedule is just `starts` (request id -> period p_i at which it starts; it runs in
rounds p_i+1 .. p_i+o_i). An online run that evicted requests also lists, for those requests, every
attempt as a `Run`: it started at `start`, held `prompt + kept + j` memory while producing its j-th token
of this attempt, and produced `tokens` tokens before it was evicted (or, for the last run, completed).
`kept` is how many previously generated tokens the run kept as part of its prompt (0 for
evict-and-restart, the tokens generated so far for Vidur-style recompute). The last run's start is the
request's entry in `starts`.

A Schedule is structurally validated on construction; whether it is *feasible* for an instance is
decided only by kvopt.verify.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import MAX_INTEGER, as_int


@dataclass(frozen=True, slots=True)  # slots: an online run at trace scale holds hundreds of thousands
class Run:
    """One attempt of a request: started at `start`, produced `tokens` tokens, kept `kept` earlier
    tokens as prompt."""

    start: int
    tokens: int
    kept: int = 0

    def __post_init__(self) -> None:
        start, tokens, kept = self.start, self.tokens, self.kept
        if type(start) is int and type(tokens) is int and type(kept) is int and 0 <= start <= MAX_INTEGER \
                and 1 <= tokens <= MAX_INTEGER and 0 <= kept <= MAX_INTEGER:  # the common case, checked fast
            return
        object.__setattr__(self, "start", as_int(self.start, "run start", "run", minimum=0))
        object.__setattr__(self, "tokens", as_int(self.tokens, "run tokens", "run", minimum=1))
        object.__setattr__(self, "kept", as_int(self.kept, "run kept", "run", minimum=0))

    @property
    def end(self) -> int:
        """The last round of this run (it holds memory in rounds start+1 .. end)."""
        return self.start + self.tokens


def plain_starts(starts: dict) -> bool:
    """Every key is a non-empty str and every start an int in [0, 10^12] (checked in bulk: a schedule of a
    million requests)."""
    if not starts:
        return True
    if set(map(type, starts)) != {str} or "" in starts or set(map(type, starts.values())) != {int}:
        return False
    try:
        values = np.fromiter(starts.values(), np.int64, len(starts))
    except OverflowError:
        return False
    return 0 <= int(values.min()) and int(values.max()) <= MAX_INTEGER


@dataclass(frozen=True)
class Schedule:
    """Start period of every request, and the runs of requests that were evicted at least once."""

    starts: Mapping[str, int]
    runs: Mapping[str, tuple[Run, ...]] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.starts, Mapping):
            raise InputError(f"starts must map request ids to rounds, got {type(self.starts).__name__}",
                             "schedule")
        given = self.starts  # a dict is copied whole; another Mapping read by its items (kvopt.sim.run._Starts)
        starts = given.copy() if type(given) in (dict, MappingProxyType) else dict(given.items())
        if not plain_starts(starts):  # then entry by entry, naming the first problem
            starts = {}
            for request_id, start in self.starts.items():
                if not isinstance(request_id, str) or not request_id:
                    raise InputError(f"request ids must be non-empty strings, got {request_id!r}", "schedule")
                if type(start) is not int or not 0 <= start <= MAX_INTEGER:
                    start = as_int(start, "start", f"starts[{request_id!r}]", minimum=0)
                starts[request_id] = start
        runs = {}
        for request_id, attempts in dict(self.runs).items():
            where = f"runs[{request_id!r}]"
            if request_id not in starts:
                raise InputError("runs listed for a request that has no start", where)
            attempts = tuple(attempts)
            if not attempts or not all(isinstance(run, Run) for run in attempts):
                raise InputError("runs must be a non-empty list of Run", where)
            if attempts[-1].start != starts[request_id]:
                raise InputError(f"last run starts at {attempts[-1].start} but starts gives "
                                 f"{starts[request_id]}", where)
            runs[request_id] = attempts
        object.__setattr__(self, "starts", MappingProxyType(starts))
        object.__setattr__(self, "runs", MappingProxyType(runs))
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    @classmethod
    def built(cls, starts: dict[str, int], runs: dict[str, tuple[Run, ...]], metadata: Mapping[str, Any]) -> Schedule:
        """The schedule of dicts the caller has built as the constructor keeps them (non-empty string ids,
        int starts in [0, 10^12], each evicted request's runs a non-empty tuple of Run, the last starting at
        its start), kept without the constructor's checks and copies (kvopt.sim.run: a million starts, and
        the schedule is verified after)."""
        schedule = object.__new__(cls)
        for name, value in (("starts", starts), ("runs", runs), ("metadata", dict(metadata))):
            object.__setattr__(schedule, name, MappingProxyType(value))
        return schedule

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def evictions(self) -> int:
        """Number of evicted attempts (runs that did not complete)."""
        return sum(len(attempts) - 1 for attempts in self.runs.values())

    @property
    def resumes_progress(self) -> bool:
        """True if a run resumes with tokens kept from an evicted run (Vidur-style recompute). Such an
        execution is preemptive, a relaxation of the non-preemptive model: its objective can fall below
        the non-preemptive optimum, so it is never compared with that model's bounds or optima. (Runs
        that restart from scratch are fine: their last runs alone form a non-preemptive schedule.)"""
        return any(run.kept > 0 for attempts in self.runs.values() for run in attempts)

    @classmethod
    def from_starts(cls, ids: Iterable[str], starts: Iterable[int], **metadata: Any) -> Schedule:
        """A non-preemptive schedule from parallel sequences of ids and start periods."""
        return cls(dict(zip(ids, (int(s) for s in starts), strict=True)), metadata=metadata)
