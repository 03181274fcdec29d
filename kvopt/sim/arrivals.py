"""Where a simulation's requests come from.

`InstanceArrivals` reveals an instance's requests at their arrival: in rounds (arrival <= period) or, when
the batch-time spec has `arrival_unit_s`, on the clock (arrival * unit <= seconds elapsed at the start of
a batch; a request arriving during a batch joins the next one; kvopt/timing.py).

An arrival source may also be adaptive: it can watch the simulation as an Observer and release requests
in response to the policy's decisions (kvopt/sim/adversary.py). The engine asks a source only for what
has arrived by now and when the next arrival is due, so an online policy never sees the future.
"""

from __future__ import annotations

from functools import cached_property

from kvopt.instance import Instance, Request


class ArrivalSource:
    """Interface: `due(period, clock)` the (index, request) pairs revealed now, index = the request's
    position in the final instance; `next_arrival()` (period, seconds) of the next known arrival or None;
    `requests()` every request released so far, by index."""

    memory: int

    def due(self, period: int, clock: float) -> list[tuple[int, Request]]:
        raise NotImplementedError

    def next_arrival(self) -> tuple[int | None, float | None] | None:
        raise NotImplementedError

    def requests(self) -> tuple[Request, ...]:
        raise NotImplementedError

    def workload(self) -> Instance | None:
        """The whole instance when it is fixed in advance (for policies calibrated offline on its
        statistics, e.g. WAIT's arrival rates), None for adaptive sources."""
        return None


class InstanceArrivals(ArrivalSource):
    """The requests of a fixed instance, revealed in arrival order (ties: file order)."""

    def __init__(self, instance: Instance, arrival_unit_s: float | None = None):
        self.instance = instance
        self.memory = instance.memory
        self.unit = arrival_unit_s
        self._next = 0

    @cached_property
    def _order(self) -> list[int]:
        """Positions by (arrival, position); built on first use (kvopt.sim.compiled sorts arrays instead)."""
        requests = self.instance.requests
        return sorted(range(len(requests)), key=lambda k: (requests[k].arrival, k))

    def _time(self, request: Request) -> float:
        return request.arrival * self.unit

    def due(self, period: int, clock: float) -> list[tuple[int, Request]]:
        requests, order = self.instance.requests, self._order
        out = []
        while self._next < len(order):
            index = order[self._next]
            request = requests[index]
            if (request.arrival > period) if self.unit is None else (self._time(request) > clock):
                break
            out.append((index, request))
            self._next += 1
        return out

    def next_arrival(self) -> tuple[int | None, float | None] | None:
        if self._next >= len(self._order):
            return None
        request = self.instance.requests[self._order[self._next]]
        return (request.arrival, None) if self.unit is None else (None, self._time(request))

    def requests(self) -> tuple[Request, ...]:
        return self.instance.requests

    def workload(self) -> Instance:
        return self.instance
