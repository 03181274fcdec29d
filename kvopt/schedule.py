"""Schedules: the start round of every request, and for online runs with evictions the executed runs.

A non-preemptive schedule is just `starts` (request id -> period p_i at which it starts; it runs in
rounds p_i+1 .. p_i+o_i). An online run that evicted requests also lists, for those requests, every
attempt as a `Run`: it started at `start`, held `prompt + kept + j` memory while producing its j-th token
of this attempt, and produced `tokens` tokens before it was evicted (or, for the last run, completed).
`kept` is how many previously generated tokens the run kept as part of its prompt (0 for
evict-and-restart, the tokens generated so far for Vidur-style recompute). The last run's start is the
request's entry in `starts`. A simulation at trace scale keeps its runs in columns (`RunTable`, a
Mapping of the same tuples of Run, built per request when read) and its starts in a column (`StartTable`).

A Schedule is structurally validated on construction; whether it is *feasible* for an instance is
decided only by kvopt.verify.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
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


class _ByRequest(Mapping):
    """A Mapping keyed by the request ids `ids` (distinct), `row` their positions."""

    ids: tuple[str, ...]
    row: dict[str, int]

    def __contains__(self, request_id: object) -> bool:
        return request_id in self.row

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class StartTable(_ByRequest):
    """The start of every request in a column: ids[k] starts at start[k] (distinct ids: an instance's). A
    Mapping whose index of ids is built only when a start is looked up by id: a simulation's million
    starts need no dict to be verified (kvopt.verify reads the column)."""

    def __init__(self, ids: tuple[str, ...], start: np.ndarray):
        self.ids, self.start = ids, np.array(start, np.int64)
        if len(self.start) != len(ids) or (len(ids) and (int(self.start.min()) < 0
                                                          or int(self.start.max()) > MAX_INTEGER)):
            raise InputError("a start table needs one start in [0, 10^12] per request", "starts")
        self.start.flags.writeable = False

    @cached_property
    def row(self) -> dict[str, int]:
        return dict(zip(self.ids, range(len(self.ids))))

    def __getitem__(self, request_id: str) -> int:
        return int(self.start[self.row[request_id]])


    def items(self) -> Iterator[tuple[str, int]]:  # what dict(), == and Schedule read: no look-up by id
        return zip(self.ids, self.start.tolist())

    def values(self) -> list[int]:
        return self.start.tolist()


def start_column(starts: Mapping[str, int], ids: Sequence[str]) -> np.ndarray:
    """The starts of requests `ids` (each has one) in that order: a StartTable's own column when it lists
    the same requests in the same order, else looked up one by one."""
    if isinstance(starts, StartTable) and (starts.ids is ids or starts.ids == tuple(ids)):
        return starts.start
    return np.fromiter(map(starts.__getitem__, ids), np.int64, len(ids))


class RunTable(_ByRequest):
    """The runs of evicted requests in columns: request ids[k] ran runs first[k] .. first[k] + counts[k] - 1
    (flat rows of start, tokens, kept, in the order they ran). As a Mapping it gives each request's tuple
    of Run, built when read (a million-request simulation evicts a hundred thousand: no object per run
    until one is asked for). Structurally checked in bulk on construction, as Run checks one run."""

    def __init__(self, ids: Sequence[str], counts: np.ndarray, start: np.ndarray, tokens: np.ndarray,
                 kept: np.ndarray):
        self.ids = tuple(ids)
        self.row = dict(zip(self.ids, range(len(self.ids))))
        self.__contains__ = self.row.__contains__  # map(table.__contains__, a million ids) at a dict's speed
        self.counts, self.start, self.tokens, self.kept = (
            np.array(column, np.int64) for column in (counts, start, tokens, kept))
        self.first = np.cumsum(self.counts) - self.counts
        rows = int(self.counts.sum())
        if len(self.row) != len(self.ids) or not all(isinstance(i, str) and i for i in self.ids):
            raise InputError("run table ids must be distinct non-empty strings", "runs")
        if len(self.counts) != len(self.ids) or (self.counts < 1).any() \
                or not len(self.start) == len(self.tokens) == len(self.kept) == rows:
            raise InputError("run table: every request needs at least one run, and every run a start, "
                             "tokens and kept", "runs")
        for name, column, least in (("start", self.start, 0), ("tokens", self.tokens, 1), ("kept", self.kept, 0)):
            if column.size and (int(column.min()) < least or int(column.max()) > MAX_INTEGER):
                raise InputError(f"run {name} must be in [{least}, 10^12]", "runs")
        for column in (self.counts, self.start, self.tokens, self.kept, self.first):
            column.flags.writeable = False

    def __getitem__(self, request_id: str) -> tuple[Run, ...]:
        k = self.row[request_id]
        rows = slice(int(self.first[k]), int(self.first[k] + self.counts[k]))
        return tuple(map(Run, self.start[rows].tolist(), self.tokens[rows].tolist(), self.kept[rows].tolist()))


    def last_starts(self) -> np.ndarray:
        """The start of each request's last run (its entry in the schedule's starts)."""
        return self.start[self.first + self.counts - 1]


def flat_runs(runs: Mapping[str, tuple[Run, ...]], ids: Sequence[str]) \
        -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs of the evicted requests `ids` (in that order) as flat arrays: (runs per request, and per
    run its start, tokens, kept), request by request, runs in order; a RunTable's own columns when it lists
    the same requests in the same order, else read from the Run objects."""
    if isinstance(runs, RunTable) and runs.ids == tuple(ids):
        return runs.counts, runs.start, runs.tokens, runs.kept
    attempts = [runs[i] for i in ids]
    counts = np.fromiter(map(len, attempts), np.int64, len(attempts))
    flat = [run for each in attempts for run in each]
    return (counts, *(np.fromiter(map(operator.attrgetter(name), flat), np.int64, len(flat))
                      for name in ("start", "tokens", "kept")))


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
        given = self.starts  # a dict is copied whole; another Mapping read by its items (a StartTable)
        starts = given.copy() if type(given) in (dict, MappingProxyType) else dict(given.items())
        if not plain_starts(starts):  # then entry by entry, naming the first problem
            starts = {}
            for request_id, start in self.starts.items():
                if not isinstance(request_id, str) or not request_id:
                    raise InputError(f"request ids must be non-empty strings, got {request_id!r}", "schedule")
                if type(start) is not int or not 0 <= start <= MAX_INTEGER:
                    start = as_int(start, "start", f"starts[{request_id!r}]", minimum=0)
                starts[request_id] = start
        if isinstance(self.runs, RunTable) and self._table_fits(self.runs, starts):  # kept as it is
            runs = self.runs
        else:
            runs = self._checked_runs(self.runs, starts)
        object.__setattr__(self, "starts", MappingProxyType(starts))
        object.__setattr__(self, "runs", runs if isinstance(runs, RunTable) else MappingProxyType(runs))
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    @staticmethod
    def _table_fits(table: RunTable, starts: dict[str, int]) -> bool:
        """Every request of the table has a start, that of its last run (else the checks of _checked_runs
        name the first that does not)."""
        if not all(map(starts.__contains__, table.ids)):
            return False
        return bool(np.array_equal(np.fromiter(map(starts.__getitem__, table.ids), np.int64, len(table)),
                                   table.last_starts()))

    @staticmethod
    def _checked_runs(given: Mapping[str, Iterable[Run]], starts: dict[str, int]) -> dict[str, tuple[Run, ...]]:
        runs = {}
        for request_id, attempts in dict(given).items():
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
        return runs

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def evictions(self) -> int:
        """Number of evicted attempts (runs that did not complete)."""
        if isinstance(self.runs, RunTable):
            return len(self.runs.start) - len(self.runs)
        return sum(len(attempts) - 1 for attempts in self.runs.values())

    @property
    def resumes_progress(self) -> bool:
        """True if a run resumes with tokens kept from an evicted run (Vidur-style recompute). Such an
        execution is preemptive, a relaxation of the non-preemptive model: its objective can fall below
        the non-preemptive optimum, so it is never compared with that model's bounds or optima. (Runs
        that restart from scratch are fine: their last runs alone form a non-preemptive schedule.)"""
        if isinstance(self.runs, RunTable):
            return bool((self.runs.kept > 0).any())
        return any(run.kept > 0 for attempts in self.runs.values() for run in attempts)

    @classmethod
    def from_starts(cls, ids: Iterable[str], starts: Iterable[int], **metadata: Any) -> Schedule:
        """A non-preemptive schedule from parallel sequences of ids and start periods."""
        return cls(dict(zip(ids, (int(s) for s in starts), strict=True)), metadata=metadata)
