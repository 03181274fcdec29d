"""An adaptive adversary for online policies: kvopt's construction for the lower bound of
arXiv 2502.07115 v5, Theorem 4.1 [INF construction, not the paper's].

Parameter x >= 2, memory M = x(x+1). At round 0 one long request A arrives (prompt M - x, output x: peak
exactly M; while it runs, free memory is below x + 1). The adversary watches the simulation; when the
policy first starts A, at period tau, it releases x short requests B_1..B_x (prompt x, output 1, each
needs x + 1; all x fit together, none next to A) at tau + 1. Every B then waits for A, so any
deterministic policy pays at least tau + x + x^2, while the hindsight schedule pays about 2x + tau + 2 (B
first, then A) -- or 2x when tau >= x - 1 (A at 0 finishes before the B arrive). The ratio grows like x/2:
no deterministic online policy is constant-competitive (2502.07115 proves Omega(sqrt n); this simpler
family gives Omega(n) when prompt sizes differ).

Requests carry exact predictions (predicted_output and output_interval equal to the true length) so that
every policy can run; the family holds even with known lengths.
"""

from __future__ import annotations

from kvopt.instance import Instance, Request
from kvopt.schedule import Schedule
from kvopt.sim.arrivals import ArrivalSource
from kvopt.sim.observers import Observer
from kvopt.sim.state import RequestView

LONG = "long"


def _request(request_id: str, arrival: int, prompt: int, output: int) -> Request:
    return Request(request_id, arrival, prompt, output, predicted_output=output,
                   output_interval=(output, output))


class DelayedShortAdversary(ArrivalSource, Observer):
    """Releases the short requests one round after the policy starts the long one."""

    def __init__(self, x: int):
        if x < 2:
            raise ValueError("the family needs x >= 2")
        self.x = x
        self.memory = x * (x + 1)
        self.released: list[Request] = []
        self.pending = [_request(LONG, 0, self.memory - x, x)]
        self.long_started: int | None = None

    def due(self, period: int, clock: float) -> list[tuple[int, Request]]:
        out = []
        while self.pending and self.pending[0].arrival <= period:
            request = self.pending.pop(0)
            out.append((len(self.released), request))
            self.released.append(request)
        return out

    def next_arrival(self) -> tuple[int | None, float | None] | None:
        return (self.pending[0].arrival, None) if self.pending else None

    def requests(self) -> tuple[Request, ...]:
        return tuple(self.released)

    def admitted(self, period: int, view: RequestView) -> None:
        if view.id == LONG and self.long_started is None:
            self.long_started = period
            self.pending.extend(_request(f"short{k}", period + 1, self.x, 1) for k in range(self.x))


def hindsight_schedules(instance: Instance) -> dict[str, Schedule]:
    """Candidate offline schedules for a realised adversary instance (each to be verified): the long request
    first, or the short ones first at their arrival with the long one right after."""
    long = instance.request(LONG)
    shorts = [r for r in instance.requests if r.id != LONG]
    release = shorts[0].arrival if shorts else 0
    after_long = max(release, long.output)
    candidates = {
        "long-first": Schedule({LONG: 0, **{r.id: after_long for r in shorts}}),
        "short-first": Schedule({LONG: release + 1 if shorts else 0, **{r.id: release for r in shorts}}),
    }
    return candidates
