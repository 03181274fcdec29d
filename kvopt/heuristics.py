"""Cheap list-scheduling constructions, as plain functions (no registry, no solve): the `fcfs` method's
rule, and the incumbent an exact method or bound starts from when it is given no initial schedule.

List scheduling places requests one at a time in a priority order, each at its earliest start (no
earlier than its arrival) where it fits in all its rounds next to everything placed before it. This
keeps memory feasible by construction: a placed request's rounds are never changed afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kvopt.instance import Instance
from kvopt.schedule import Schedule


def fcfs_starts(instance: Instance) -> dict[str, int]:
    """First come, first served: requests in arrival order (ties: file order), each at the earliest
    period, no earlier than its arrival and than the previous request's start, at which it fits next to
    every request already placed in all future rounds. Starts never decrease, so this is also an online
    rule: admit the head of the queue when the future check passes, otherwise wait (no overtaking)."""
    memory = instance.memory
    load = np.zeros(1024, np.int64)  # load[t - base]: memory held in round t by the requests placed so far
    base = 0
    order = sorted(range(len(instance.requests)), key=lambda k: (instance.requests[k].arrival, k))
    starts: dict[str, int] = {}
    earliest = 0
    for k in order:
        request = instance.requests[k]
        growth = request.prompt + np.arange(1, request.output + 1, dtype=np.int64)
        t = max(request.arrival, earliest)
        if t > base:  # rounds up to t are never read again (starts never decrease): a gap costs nothing
            load = load[t - base:] if t - base < load.size else np.zeros(1024, np.int64)
            base = t
        while True:
            first = t - base + 1
            if first + request.output > load.size:
                load = np.concatenate([load, np.zeros(max(load.size, request.output + 1), np.int64)])
            if np.all(load[first: first + request.output] + growth <= memory):
                break
            t += 1
        load[first: first + request.output] += growth
        starts[request.id] = t
        earliest = t
    return starts


class PagedLoad:
    """Memory held per round, stored in pages of PAGE rounds created when first written: a request
    arriving at round 10**9 costs one page, not an array as long as the horizon."""

    PAGE = 4096

    def __init__(self) -> None:
        self.pages: dict[int, np.ndarray] = {}

    def window(self, first: int, length: int) -> np.ndarray:
        """The load of rounds first .. first+length-1 (within one page: a view, for reading)."""
        page, offset = divmod(first, self.PAGE)
        if offset + length <= self.PAGE:  # the common case, as cheap as slicing one array
            stored = self.pages.get(page)
            return stored[offset: offset + length] if stored is not None else np.zeros(length, np.int64)
        out = np.zeros(length, np.int64)
        for page in range(first // self.PAGE, (first + length - 1) // self.PAGE + 1):
            if page in self.pages:
                lo, hi = max(first, page * self.PAGE), min(first + length, (page + 1) * self.PAGE)
                out[lo - first: hi - first] = self.pages[page][lo - page * self.PAGE: hi - page * self.PAGE]
        return out

    def add(self, first: int, values: np.ndarray) -> None:
        for page in range(first // self.PAGE, (first + values.size - 1) // self.PAGE + 1):
            lo, hi = max(first, page * self.PAGE), min(first + values.size, (page + 1) * self.PAGE)
            target = self.pages.setdefault(page, np.zeros(self.PAGE, np.int64))
            target[lo - page * self.PAGE: hi - page * self.PAGE] += values[lo - first: hi - first]


def complete_schedule(instance: Instance, starts: Mapping[str, int],
                      priority: Sequence[float] | None = None) -> dict[str, int]:
    """Keep the given starts and place every other request in increasing `priority` (a number per file
    position; default: shortest output first), ties by file order, at its earliest start >= arrival where
    it fits in all its rounds next to everything placed. With no starts given this is list scheduling;
    it also repairs a partial solution of the time-indexed model and rounds LP solutions."""
    placed = dict(starts)
    load = PagedLoad()
    for request in instance.requests:
        if request.id in placed:
            load.add(placed[request.id] + 1, request.prompt + np.arange(1, request.output + 1))
    if priority is None:
        priority = instance.outputs
    missing = sorted((k for k, r in enumerate(instance.requests) if r.id not in placed),
                     key=lambda k: (priority[k], k))
    for k in missing:
        request = instance.requests[k]
        growth = request.prompt + np.arange(1, request.output + 1)
        t = request.arrival
        while np.any(load.window(t + 1, request.output) + growth > instance.memory):
            t += 1
        load.add(t + 1, growth)
        placed[request.id] = t
    return placed


def total_latency(instance: Instance, starts: Mapping[str, int]) -> int:
    return sum(starts[r.id] + r.output - r.arrival for r in instance.requests)


@dataclass(frozen=True)
class Incumbent:
    """The schedule an exact method or bound starts from: its starts, total latency and where it came
    from ("initial schedule (METHOD)" when handed in, else the construction's name)."""

    starts: Mapping[str, int]
    objective: int
    source: str

    def makespan(self, instance: Instance) -> int:
        return max(self.starts[r.id] + r.output for r in instance.requests)


def constructions(instance: Instance) -> list[Incumbent]:
    """The built-in constructions: FCFS and shortest-output-first list scheduling."""
    found = []
    for name, starts in (("fcfs", fcfs_starts(instance)), ("shortest first", complete_schedule(instance, {}))):
        found.append(Incumbent(starts, total_latency(instance, starts), name))
    return found


def incumbent(instance: Instance, initial: Schedule | None) -> Incumbent:
    """The initial schedule when one is given (solve has verified it: non-preemptive, feasible, for this
    instance), else the best built-in construction (ties: the first listed)."""
    if initial is not None:
        origin = initial.metadata.get("method")
        return Incumbent(dict(initial.starts), total_latency(instance, initial.starts),
                         f"initial schedule ({origin})" if origin else "initial schedule")
    return min(constructions(instance), key=lambda found: found.objective)
