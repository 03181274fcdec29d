"""Requests and instances: immutable, validated on construction.

Time is counted in rounds. A request that *starts at period p* is in the batches of rounds p+1, ..., p+o
(the round ending at time t is "round t"); while producing its j-th token (round p+j) it holds s + j
memory; it completes at p + o and frees everything. Latency is p + o - a. The model of arXiv 2502.07115.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np

from kvopt.errors import InputError

# Every size, round and clock value is at most 10^12, so that sums over millions of requests (total
# latency, memory per round) stay exact in 64-bit integers.
MAX_INTEGER = 10**12


def shown(value: Any) -> str:
    """repr of a value for an error message, shortened when it is long (a 5,000-digit number, say)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


def as_int(value: Any, what: str, where: str | None, minimum: int | None = None) -> int:
    """`value` as an int in [minimum, MAX_INTEGER] (integral floats accepted), else an InputError naming
    `what` and `where`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{what} must be an integer, got {shown(value)}", where)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or value != int(value):
            raise InputError(f"{what} must be an integer, got {shown(value)}", where)
    value = int(value)
    if minimum is not None and value < minimum:
        kind = "positive" if minimum == 1 else f">= {minimum}"
        raise InputError(f"{what} must be {kind}, got {shown(value)}", where)
    if abs(value) > MAX_INTEGER:
        raise InputError(f"{what} must be at most 10^12, got {shown(value)}", where)
    return value


NO_METADATA: Mapping[str, Any] = MappingProxyType({})  # shared: read-only


def frozen_mapping(mapping: Any, what: str, where: str | None) -> Mapping[str, Any]:
    """A read-only copy of an object-valued field (None: empty); anything else is an InputError."""
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, Mapping):
        raise InputError(f"{what} must be an object, got {shown(mapping)}", where)
    return MappingProxyType(dict(mapping))


def optional_text(value: Any, what: str, where: str | None) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InputError(f"{what} must be a string, got {shown(value)}", where)
    return value


@dataclass(frozen=True)
class Request:
    """One inference request.

    id: unique name; arrival: round at which it is revealed (a_i >= 0); prompt: KV tokens of the prompt
    (s_i >= 1); output: true number of output tokens (o_i >= 1). Optional information an online policy
    may be entitled to: predicted_output (a point prediction) and output_interval (lo, hi).
    """

    id: str
    arrival: int
    prompt: int
    output: int
    predicted_output: int | None = None
    output_interval: tuple[int, int] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        where = f"request {self.id!r}" if isinstance(self.id, str) else "request"
        if not isinstance(self.id, str) or not self.id:
            raise InputError(f"id must be a non-empty string, got {self.id!r}", where)
        set_ = object.__setattr__
        arrival, prompt, output = self.arrival, self.prompt, self.output
        if not (type(arrival) is int and type(prompt) is int and type(output) is int  # the common case
                and 0 <= arrival <= MAX_INTEGER and 1 <= prompt <= MAX_INTEGER and 1 <= output <= MAX_INTEGER):
            set_(self, "arrival", as_int(arrival, "arrival", where, minimum=0))
            set_(self, "prompt", as_int(prompt, "prompt", where, minimum=1))
            set_(self, "output", as_int(output, "output", where, minimum=1))
        if self.predicted_output is not None:
            set_(self, "predicted_output",
                 as_int(self.predicted_output, "predicted_output", where, minimum=1))
        if self.output_interval is not None:
            interval = self.output_interval
            if isinstance(interval, (str, bytes)) or not isinstance(interval, Iterable):
                raise InputError(f"output_interval must be [lo, hi], got {interval!r}", where)
            interval = list(interval)
            if len(interval) != 2:
                raise InputError(f"output_interval must be [lo, hi], got {interval!r}", where)
            lo = as_int(interval[0], "output_interval lower end", where, minimum=1)
            hi = as_int(interval[1], "output_interval upper end", where, minimum=1)
            if lo > hi:
                raise InputError(f"output_interval [{lo}, {hi}] has lo > hi", where)
            set_(self, "output_interval", (lo, hi))
        set_(self, "metadata", NO_METADATA if self.metadata is None or self.metadata == {} else
             frozen_mapping(self.metadata, "metadata", where))

    @property
    def peak_memory(self) -> int:
        """Memory held in the request's last round: s + o."""
        return self.prompt + self.output

    @property
    def volume(self) -> int:
        """Memory x rounds the request occupies: s*o + o(o+1)/2."""
        return self.prompt * self.output + self.output * (self.output + 1) // 2


def validated_requests(ids: list[str], arrivals: list[int], prompts: list[int], outputs: list[int]) -> list[Request]:
    """Requests without optional fields, from fields the caller has already checked as Request checks them
    (non-empty string ids; int arrival >= 0, prompt and output >= 1, all <= MAX_INTEGER), built without
    __post_init__ (half the time for a million requests read from a file). The attributes are set in field
    order, as the dataclass does, so that the objects keep their compact shared-key layout."""
    new, set_ = object.__new__, object.__setattr__
    requests = []
    for request_id, arrival, prompt, output in zip(ids, arrivals, prompts, outputs):
        request = new(Request)
        set_(request, "id", request_id), set_(request, "arrival", arrival), set_(request, "prompt", prompt)
        set_(request, "output", output), set_(request, "predicted_output", None)
        set_(request, "output_interval", None), set_(request, "metadata", NO_METADATA)
        requests.append(request)
    return requests


def int64_column(column: Any) -> np.ndarray | None:
    """A column of Python ints (bool is not int here) as a new int64 array, an int64 array as it is (the
    instance makes it read-only); None for anything else or a value out of its range."""
    if isinstance(column, np.ndarray):
        return column if column.dtype == np.int64 and column.ndim == 1 else None
    if set(map(type, column)) != {int}:
        return None
    try:
        return np.array(column, np.int64)
    except OverflowError:
        return None


def all_distinct(ids: list[str]) -> bool:
    """No id repeats: checked on their sorted hashes (equal strings hash alike; faster than a set of a million
    strings), with a set only if two hashes are equal."""
    hashes = np.fromiter(map(hash, ids), np.int64, len(ids))
    hashes.sort()
    return not np.any(hashes[1:] == hashes[:-1]) or len(set(ids)) == len(ids)


@dataclass(frozen=True)
class Instance:
    """A KV-cache scheduling instance: memory capacity M (tokens) and the requests.

    Validated on construction: ids are unique and every request fits on its own (s_i + o_i <= M),
    otherwise no schedule exists. `batch_time` optionally names a batch-time model (see kvopt.timing)
    that turns rounds into seconds; it never changes the round-based objective.
    """

    memory: int
    requests: tuple[Request, ...]
    name: str | None = None
    source: str | None = None
    batch_time: Mapping[str, Any] | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "memory", as_int(self.memory, "memory", "instance", minimum=1))
        requests = tuple(self.requests)
        if not requests:
            raise InputError("an instance needs at least one request", "requests")
        if not self._fit_with_unique_ids(requests):
            self._raise_first_invalid(requests)
        set_(self, "requests", requests)
        self._check_header(max(r.arrival for r in requests) + sum(r.output for r in requests))

    def _check_header(self, horizon: int) -> None:
        """The checks after the requests': the horizon (last arrival plus all outputs), then the other fields."""
        set_ = object.__setattr__
        if horizon > MAX_INTEGER:
            raise InputError(f"the last arrival plus all outputs is {horizon:,} rounds, more than 10^12 (every "
                             f"start of a schedule must stay within 10^12)", "requests")
        optional_text(self.name, "name", "instance")
        optional_text(self.source, "source", "instance")
        if self.batch_time is not None:
            from kvopt.timing import check_spec  # local import: timing depends on nothing here
            set_(self, "batch_time", frozen_mapping(check_spec(self.batch_time), "batch_time", "instance"))
        set_(self, "metadata", frozen_mapping(self.metadata, "metadata", "instance"))

    @classmethod
    def from_columns(cls, memory: Any, ids: list, arrivals: Any, prompts: Any, outputs: Any,
                     **fields: Any) -> Instance | None:
        """The instance of requests without optional fields given as columns (a trace of a million requests),
        checked column by column; its Request objects are built only when `requests` is first read. None if
        a request or the set of requests would fail a check (the caller then builds them one by one, which
        names the first problem); errors of the other fields are raised as the constructor raises them.
        ids: a list of str; the others lists of Python ints or int64 arrays (which the instance makes read-only
        and keeps)."""
        columns = [int64_column(column) for column in (arrivals, prompts, outputs)]
        if not ids or set(map(type, ids)) != {str} or "" in ids or any(c is None for c in columns):
            return None
        arrival, prompt, output = columns
        if arrival.min() < 0 or min(prompt.min(), output.min()) < 1 or \
                max(arrival.max(), prompt.max(), output.max()) > MAX_INTEGER:
            return None
        instance = object.__new__(cls)
        set_ = object.__setattr__
        for name, value in {"name": None, "source": None, "batch_time": None, "metadata": None, **fields}.items():
            set_(instance, name, value)
        set_(instance, "memory", as_int(memory, "memory", "instance", minimum=1))
        if not all_distinct(ids) or int((prompt + output).max()) > instance.memory:
            return None
        for name, column in (("arrivals", arrival), ("prompts", prompt), ("outputs", output)):
            column.setflags(write=False)
            set_(instance, name, column)
        set_(instance, "ids", tuple(ids))
        instance._check_header(int(arrival.max()) + sum(output.tolist()))
        return instance

    def __getattr__(self, name: str) -> Any:
        """`requests` of an instance made by from_columns, built on first use."""
        if name != "requests" or "ids" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        requests = tuple(validated_requests(self.ids, self.arrivals.tolist(), self.prompts.tolist(),
                                            self.outputs.tolist()))
        object.__setattr__(self, "requests", requests)
        return requests

    def _fit_with_unique_ids(self, requests: tuple) -> bool:
        """The checks of _raise_first_invalid in bulk (the common case: all pass)."""
        if not all(isinstance(request, Request) for request in requests) or \
                len({request.id for request in requests}) != len(requests):
            return False
        peaks = np.fromiter((request.prompt + request.output for request in requests), np.int64, len(requests))
        return int(peaks.max()) <= self.memory

    def _raise_first_invalid(self, requests: tuple) -> None:
        seen: dict[str, int] = {}
        for position, request in enumerate(requests):
            if not isinstance(request, Request):
                raise InputError(f"expected a Request, got {type(request).__name__}",
                                 f"requests[{position}]")
            if request.id in seen:
                raise InputError(f"duplicate id {request.id!r} (first used by requests[{seen[request.id]}])",
                                 f"requests[{position}]")
            seen[request.id] = position
            if request.peak_memory > self.memory:
                raise InputError(
                    f"prompt {request.prompt} + output {request.output} = {request.peak_memory} exceeds "
                    f"memory {self.memory}; the request can never run",
                    f"requests[{position}] (id {request.id!r})")

    def __len__(self) -> int:
        requests = self.__dict__.get("requests")  # not built for an instance made by from_columns
        return len(self.ids if requests is None else requests)

    @property
    def arrival_unit_s(self) -> float | None:
        """Seconds per arrival unit when the arrivals are clock times (`arrival_unit_s` in batch_time, as
        in the A100 traces), None when they count rounds."""
        unit = (self.batch_time or {}).get("arrival_unit_s")
        return None if unit is None else float(unit)

    def check_rounds(self) -> None:
        """An InputError unless the arrivals count rounds: offline methods model rounds, and a clock-time
        instance has no round arrivals until a schedule fixes when its batches run (kvopt.clock)."""
        unit = self.arrival_unit_s
        if unit is not None:
            raise InputError(f"arrivals are clock times ({unit:g} s units, arrival_unit_s in batch_time) and "
                             f"offline methods count rounds: simulate it (kvopt simulate), or convert its "
                             f"arrivals to rounds with --rounds-per-second R", self.name or "instance")

    @cached_property
    def index(self) -> Mapping[str, int]:
        """Position of each request id."""
        return MappingProxyType({request_id: k for k, request_id in enumerate(self.ids)})

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.requests)

    @cached_property
    def plain(self) -> bool:
        """No request has a predicted_output, an output_interval or metadata."""
        return "requests" not in self.__dict__ or all(
            r.predicted_output is None and r.output_interval is None and not r.metadata for r in self.requests)

    def column(self, field: str) -> np.ndarray:
        """`field` (arrival, prompt or output) of every request as an int64 array: the instance's own where it
        has one (made by from_columns, or kept by `arrivals` etc.), else built here and not kept (at trace
        scale an instance of Request objects would hold its three columns for good)."""
        kept = vars(self).get(field + "s")
        return kept if kept is not None else self._array(field)

    def _array(self, attribute: str) -> np.ndarray:
        values = np.fromiter((getattr(r, attribute) for r in self.requests), dtype=np.int64,
                             count=len(self.requests))
        values.setflags(write=False)
        return values

    @cached_property
    def arrivals(self) -> np.ndarray:
        return self._array("arrival")

    @cached_property
    def prompts(self) -> np.ndarray:
        return self._array("prompt")

    @cached_property
    def outputs(self) -> np.ndarray:
        return self._array("output")

    def request(self, request_id: str) -> Request:
        try:
            return self.requests[self.index[request_id]]
        except KeyError:
            raise InputError(f"unknown request id {request_id!r}", self.name) from None

    def replace_requests(self, requests: Iterable[Request], **changes: Any) -> Instance:
        """A new instance with other requests (and optionally other fields), validated again."""
        fields = dict(memory=self.memory, requests=tuple(requests), name=self.name, source=self.source,
                      batch_time=self.batch_time, metadata=self.metadata)
        fields.update(changes)
        return Instance(**fields)
