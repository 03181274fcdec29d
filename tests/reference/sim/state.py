"""What an online policy sees: one view per arrived request and the state of the worker.

Information entitlement (the online model of arXiv 2502.07115 v5): a policy sees a request only once it
has arrived; it sees its prompt, any prediction the instance carries (`predicted_output`,
`output_interval`), how many tokens it has generated so far, and its true output length only if the
policy runs clairvoyantly (`lengths=exact`).
Views are owned and updated by the engine; policies read them and never modify them.

Time: at *period* t the policy decides which waiting requests start; the batch of round t+1 then runs
(every running request produces one token). A request started at period p that kept k earlier tokens
(Vidur-style recompute) holds prompt + k + j memory while producing the j-th token of this run.
"""

from __future__ import annotations

from typing import Any


class RequestView:
    """One arrived request as a policy sees it.

    id, index (position in the instance), arrival (the period at which it was revealed), arrival_time
    (seconds; None when arrivals count rounds), prompt, output (true length, None unless clairvoyant),
    predicted_output, output_interval, kept (earlier tokens folded into the prompt of the current or
    next run), run_start (period of the current run, None while waiting), evictions, max_generated (the
    most tokens it ever had: a non-clairvoyant policy learns that output > max_generated while it runs or
    after an eviction), first_start (period of its first run).
    """

    __slots__ = ("id", "index", "arrival", "arrival_time", "prompt", "output", "predicted_output",
                 "output_interval", "kept", "run_start", "evictions", "max_generated", "first_start")

    def __init__(self, id: str, index: int, arrival: int, arrival_time: float | None, prompt: int,
                 output: int | None, predicted_output: int | None,
                 output_interval: tuple[int, int] | None):
        self.id = id
        self.index = index
        self.arrival = arrival
        self.arrival_time = arrival_time
        self.prompt = prompt
        self.output = output
        self.predicted_output = predicted_output
        self.output_interval = output_interval
        self.kept = 0
        self.run_start: int | None = None
        self.evictions = 0
        self.max_generated = 0
        self.first_start: int | None = None

    @property
    def running(self) -> bool:
        return self.run_start is not None

    @property
    def held0(self) -> int:
        """Memory held before the first token of the current (or next) run: prompt + kept tokens."""
        return self.prompt + self.kept

    def generated(self, period: int) -> int:
        """Output tokens it has at `period` (kept ones included)."""
        if self.run_start is None:
            return self.kept
        return self.kept + period - self.run_start

    def __repr__(self) -> str:
        where = f"running since {self.run_start}" if self.running else "waiting"
        return f"RequestView({self.id!r}, arrival={self.arrival}, prompt={self.prompt}, {where})"


class SimState:
    """The worker at one period, as the engine shows it to policies (read-only for them).

    memory: capacity M; period: the current decision period; clock: seconds elapsed at the start of the
    coming batch; waiting / running: arrived requests by id, in the order they (re)joined; held: memory
    the running requests hold in the round that just ended; lengths: the length information the policy
    runs with ("exact", "predicted", "interval-lo", "interval-hi" or "none"); observers: the engine's
    tests.reference.sim.observers.Observer list (a policy asks `if state.observers` before explaining a refusal).
    """

    __slots__ = ("memory", "period", "clock", "waiting", "running", "held", "lengths", "observers")

    def __init__(self, memory: int, lengths: str, observers: list[Any]):
        self.memory = memory
        self.period = 0
        self.clock = 0.0
        self.waiting: dict[str, RequestView] = {}
        self.running: dict[str, RequestView] = {}
        self.held = 0
        self.lengths = lengths
        self.observers = observers

    @property
    def memory_next(self) -> int:
        """Memory the running requests need in the coming round (each grows by one token)."""
        return self.held + len(self.running)

    def generated(self, view: RequestView) -> int:
        return view.generated(self.period)

    def explain(self, view: RequestView, reason: str) -> None:
        """Record why a waiting request was not started (seen by observers, e.g. a decision trace)."""
        for observer in self.observers:
            observer.refused(self.period, view, reason)
