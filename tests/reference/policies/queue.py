"""Waiting requests in a policy's priority order, kept up to date through the policy hooks."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from tests.reference.sim.policy import Policy
from tests.reference.sim.state import RequestView, SimState


class WaitingQueue:
    """A heap of waiting views by key (ties: position in the instance)."""

    def __init__(self, key: Callable[[RequestView], Any]):
        self.key = key
        self.heap: list[tuple[Any, int, RequestView]] = []

    def __len__(self) -> int:
        return len(self.heap)

    def push(self, view: RequestView) -> None:
        heapq.heappush(self.heap, (self.key(view), view.index, view))

    def peek(self) -> RequestView | None:
        return self.heap[0][2] if self.heap else None

    def pop(self) -> RequestView:
        return heapq.heappop(self.heap)[2]


class QueuedPolicy(Policy):
    """A policy whose waiting requests live in a WaitingQueue ordered by `queue_key` (default: arrival,
    i.e. first come, first served); arrivals, evictions and undone starts are queued automatically."""

    def queue_key(self, view: RequestView) -> Any:
        return (view.arrival, view.index)

    def start(self, context) -> None:
        super().start(context)
        self.queue = WaitingQueue(self.queue_key)

    def arrived(self, view: RequestView, state: SimState) -> None:
        self.queue.push(view)

    def evicted(self, view: RequestView, state: SimState) -> None:
        self.queue.push(view)

    def rejected(self, view: RequestView, state: SimState) -> None:
        self.queue.push(view)
