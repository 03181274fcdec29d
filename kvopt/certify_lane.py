"""The second process of `certify(jobs=2)`: the schedule searches (order-search, cpsat) run in a child
process while this one runs the bounds and exact methods, so each side has the whole budget on its core.

The child is spawned when certify starts (its imports overlap the quick methods) and waits. At the first
long method certify hands it its methods, their options and shares, the best schedule and bound so far and
the time left; the child runs them as certify would (kvopt.certify.run_lane, every schedule verified by
kvopt.solve there) and sends each attempt back as it finishes, with its schedule's starts. This process
verifies each schedule again before keeping it (nothing from the child is trusted), records the attempt
on a receiving thread (the progress lines appear as the attempts finish) and hands nothing back: the two
sides do not talk while they run.

The end: the child stops at the deadline and sends "done". Where optimality is proven here first, the
child is terminated (what it was running is recorded as stopped). On Ctrl-C both processes are
interrupted (a terminal sends SIGINT to both; otherwise it is forwarded): the child's methods return
their best so far, as in a single process, and it reports them before it ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

from kvopt.certify import Attempt, Portfolio, bound_source, run_lane, run_leftover
from kvopt.catalogue import get_method
from kvopt.io import instance_from_dict, instance_to_dict
from kvopt.result import Result, Status
from kvopt.schedule import Schedule
from kvopt.verify import verify

CHILD = [sys.executable, "-m", "kvopt.certify_lane"]  # then the two pipes' file descriptors
GRACE_S = 10.0  # past the deadline (or after an interrupt), how long the child may take to report
NOTE = "second process"


@contextmanager
def _sigint_ignored():
    """SIGINT ignored while the child starts: a spawned Python inherits the disposition and installs no
    KeyboardInterrupt handler of its own, so a Ctrl-C during its imports prints no traceback there."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class SecondProcess:
    """The child process and the thread here that records its attempts."""

    def __init__(self, instance):
        # A new interpreter (`python -m kvopt.certify_lane`), not multiprocessing: a fork would copy the
        # solvers' thread pools mid-use, and a spawn would import the caller's main module again. The
        # two talk over their own pipes (stdout stays clean); the child's stderr is kept for an error note.
        to_child, from_child = os.pipe(), os.pipe()
        self.errors = tempfile.TemporaryFile()
        package_parent = str(Path(__file__).resolve().parents[1])
        environment = os.environ | {"PYTHONPATH": os.pathsep.join(
            filter(None, [package_parent, os.environ.get("PYTHONPATH")]))}
        with _sigint_ignored():
            self.process = subprocess.Popen(
                CHILD + [str(to_child[0]), str(from_child[1])],
                pass_fds=(to_child[0], from_child[1]), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self.errors, env=environment)
        os.close(to_child[0]), os.close(from_child[1])
        self.sender, self.connection = Connection(to_child[1], readable=False), Connection(from_child[0], writable=False)
        self.deadline = 0.0
        self.done = False
        try:
            self.sender.send(instance_to_dict(instance))
            self.broken = False
        except OSError:  # the child ended at once
            self.broken = True
        self.receiver: threading.Thread | None = None
        self.pending: list[tuple[str, str]] = []  # (method, kind) handed over and not reported yet
        self.started: set[str] = set()  # the methods the child has begun

    def hand_off(self, portfolio: Portfolio, names: list[str], options: dict, shares: dict, deadline: float,
                 leftover: bool) -> bool:
        """Hand `names` to the child; False if it has ended (certify then runs them here)."""
        if self.broken or self.process.poll() is not None:
            return False
        with portfolio.lock:
            incumbent = portfolio.incumbent
            handed = None if incumbent is None else (incumbent.metadata["method"], dict(incumbent.starts))
            bound = (portfolio.bound, portfolio.bound_method)
        self.deadline = deadline
        self.pending = [(name, get_method(name).kind) for name in names]
        try:
            self.sender.send(("run", names, options, shares, deadline - time.monotonic(), handed, bound,
                              portfolio.seed, portfolio.threads, leftover))
        except OSError:
            return False
        self.receiver = threading.Thread(target=self._receive, args=(portfolio,), daemon=True)
        self.receiver.start()
        return True

    def _receive(self, portfolio: Portfolio) -> None:
        try:
            while True:
                message = self.connection.recv()
                if message[0] == "started":
                    self.started.add(message[1])
                    continue
                if message[0] == "done":
                    portfolio.interrupted = portfolio.interrupted or message[1]
                    self.done = True
                    return
                attempt, result = _checked(portfolio.instance, *message[1:])
                if (attempt.method, attempt.kind) in self.pending:
                    self.pending.remove((attempt.method, attempt.kind))
                portfolio.record(attempt, result)
        except (EOFError, OSError):  # the child ended without its last message (killed, or out of memory)
            return

    def finish(self, portfolio: Portfolio, proven: bool) -> None:
        """Wait for the child's last attempts (until the deadline and GRACE_S), or stop it: terminated
        where optimality is proven here, interrupted where this process was."""
        if self.receiver is None:
            return self.close()
        try:
            if proven:
                self.process.terminate()
            elif portfolio.interrupted:
                self._interrupt()
            self.receiver.join(max(0.0, self.deadline - time.monotonic()) + GRACE_S)
            if self.receiver.is_alive():
                self._interrupt()
                self.receiver.join(GRACE_S)
        except KeyboardInterrupt:
            portfolio.interrupted = True
        self.close()
        if not self.done:
            self._record_pending(portfolio, proven)

    def _record_pending(self, portfolio: Portfolio, proven: bool) -> None:
        """The methods handed over that did not report: not run, stopped, or lost with the child."""
        self.errors.seek(0)
        last = ([""] + self.errors.read().decode(errors="replace").strip().splitlines())[-1]
        lost = (f"the second process ended without reporting (exit code {self.process.returncode}"
                + (f": {last})" if last else ")"))
        for method, kind in self.pending:
            if proven:
                status, note = ((Status.INTERRUPTED, "stopped: optimality proven") if method in self.started
                                else (Status.NOT_RUN, "already proven optimal"))
            elif portfolio.interrupted:
                status, note = ((Status.INTERRUPTED, "interrupted before it reported") if method in self.started
                                else (Status.NOT_RUN, "interrupted before it started"))
            else:
                status, note = Status.ERROR, lost
            portfolio.record(Attempt(method, kind, status, note=f"{note}; {NOTE}"))

    def _interrupt(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(5.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.receiver is not None:
            self.receiver.join(5.0)  # it reads to the end of the pipe, which the child's end closed
        self.sender.close(), self.connection.close()


def _checked(instance, attempt: Attempt, starts: dict | None, source: str) -> tuple[Attempt, Result | None]:
    """The child's attempt, its schedule verified here; an attempt whose schedule fails is an error."""
    attempt = Attempt(**(attempt.__dict__ | {"note": "; ".join(filter(None, [attempt.note, NOTE]))}))
    if attempt.status in (Status.SKIPPED, Status.ERROR, Status.NOT_RUN, Status.INTERRUPTED):
        return attempt, None
    schedule = None if starts is None else Schedule(starts, metadata={"method": attempt.method})
    if schedule is not None:
        report = verify(instance, schedule)
        if not report.feasible or report.objective != attempt.objective:
            problem = report.first_problem() if not report.feasible else f"objective {report.objective}"
            return Attempt(attempt.method, attempt.kind, Status.ERROR,
                           note=f"its schedule from the second process fails verification here: {problem}"), None
    result = Result(attempt.method, attempt.status, attempt.objective, attempt.lower_bound, attempt.runtime_s,
                    schedule, info={"lower_bound_source": source})
    return attempt, result


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

    def run(self, spec, limit: float, note: str | None = None, seed: int | None = None) -> None:
        if self.interrupts.pressed:
            self.interrupted = True
            return super().record(Attempt(spec.name, spec.kind, Status.NOT_RUN, note="interrupted before it started"))
        self.listener(("started", spec.name))
        self.interrupts.raising = True
        try:
            super().run(spec, limit, note, seed)
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
    _, names, options, shares, seconds, handed, bound, seed, threads, leftover = message
    deadline = time.monotonic() + seconds
    instance = instance_from_dict(instance_data)

    def send(attempt, result: Result | None = None) -> None:
        if isinstance(attempt, tuple):  # ("started", method)
            return connection.send(attempt)
        schedule = None if result is None else result.schedule
        starts = None if schedule is None else dict(schedule.starts)
        connection.send(("attempt", attempt, starts, attempt.method if result is None else bound_source(attempt.method, result)))

    portfolio = _ChildPortfolio(interrupts, instance, options, seed, threads, send)
    portfolio.bound, portfolio.bound_method = bound
    try:
        if handed is not None:
            method, starts = handed
            portfolio.best = Result(method, Status.FEASIBLE, verify(instance, Schedule(starts)).objective, None,
                                    0.0, Schedule(starts))
            portfolio.incumbent = Schedule(starts, metadata={"method": method})
        run_lane(portfolio, [get_method(name) for name in names], shares, deadline)
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
