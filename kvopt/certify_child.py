"""The second process of `certify(jobs=2)` (started by kvopt.certify_lane as `python -m kvopt.certify_child
IN OUT`, IN and OUT its pipes' file descriptors): it waits for the instance and the hand-off, runs its
steps as certify would (kvopt.certify.run_lane; every schedule verified by kvopt.solve here), sends each
attempt as it finishes with its schedule's starts, then "done"."""

from __future__ import annotations

import signal
import sys
import time
from multiprocessing.connection import Connection

from kvopt.attempt import Attempt
from kvopt.catalogue import get_method
from kvopt.certify import Portfolio, bound_source, run_lane, run_leftover
from kvopt.io import instance_from_dict
from kvopt.result import Result, Status
from kvopt.schedule import Schedule
from kvopt.verify import verify


class _Interrupts:
    """The child's SIGINT handler: a KeyboardInterrupt while a method runs (each method returns its best so
    far, as in one process), a flag between them (nothing half-sent)."""

    def __init__(self):
        self.pressed, self.raising = False, False

    def __call__(self, signum, frame) -> None:
        self.pressed = True
        if self.raising:
            raise KeyboardInterrupt


class _ChildPortfolio(Portfolio):
    raises_failure = False

    def __init__(self, interrupts: _Interrupts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.interrupts = interrupts

    def run(self, spec, limit: float, note: str | None = None, seed: int | None = None,
            options: dict | None = None) -> None:
        if self.interrupts.pressed:
            self.interrupted = True
            return super().record(Attempt(spec.name, spec.kind, Status.NOT_RUN, note="interrupted before it started"))
        self.listener(("started", spec.name))
        self.interrupts.raising = True
        try:
            super().run(spec, limit, note, seed, options)
        finally:
            self.interrupts.raising = False
        self.interrupted = self.interrupted or self.interrupts.pressed


def main(receiving: Connection, connection: Connection) -> None:
    """The child: wait for the instance and the hand-off, run the methods, send each attempt, then "done"."""
    interrupts = _Interrupts()
    signal.signal(signal.SIGINT, interrupts)
    try:
        instance_data, message = receiving.recv(), receiving.recv()
    except (EOFError, OSError):
        return
    _, steps, options, shares, seconds, handed, bound, seed, threads, leftover = message
    deadline = time.monotonic() + seconds
    instance = instance_from_dict(instance_data)

    def send(attempt, result: Result | None = None) -> None:
        if isinstance(attempt, tuple):  # ("started", method)
            return connection.send(attempt)
        schedule = None if result is None else result.schedule
        starts = None if schedule is None else dict(schedule.starts)
        source = attempt.method if result is None else bound_source(attempt.method, result)
        connection.send(("attempt", attempt, starts, source))

    portfolio = _ChildPortfolio(interrupts, instance, options, seed, threads, send)
    portfolio.bound, portfolio.bound_method = bound
    try:
        if handed is not None:
            method, starts = handed
            portfolio.best = Result(method, Status.FEASIBLE, verify(instance, Schedule(starts)).objective, None,
                                    0.0, Schedule(starts))
            portfolio.incumbent = Schedule(starts, metadata={"method": method})
        run_lane(portfolio, [get_method(name) for name, _, _ in steps], shares, deadline,
                 [(step_options, note) for _, step_options, note in steps])
        if leftover:
            run_leftover(portfolio, deadline)
    except KeyboardInterrupt:
        portfolio.interrupted = True
    except BrokenPipeError:
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        connection.send(("done", portfolio.interrupted))
    except OSError:
        pass


if __name__ == "__main__":
    main(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
