"""The second process of `certify(jobs=2)`: the schedule searches (order-search, cpsat) run in a child
process while this one runs the bounds and exact methods, so each side has the whole budget on its core.

The child (kvopt.certify_child) is started when certify starts (its imports overlap the quick methods)
and waits. At the first long method certify hands it its steps, their options and shares, the best
schedule and bound so far and the time left; the child runs them as certify would (kvopt.certify.run_lane, every schedule verified by
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
from typing import TYPE_CHECKING

from kvopt.attempt import Attempt
from kvopt.catalogue import get_method
from kvopt.io import instance_to_dict
from kvopt.result import Result, Status
from kvopt.schedule import Schedule
from kvopt.verify import verify

CHILD = [sys.executable, "-m", "kvopt.certify_child"]  # then the two pipes' file descriptors
GRACE_S = 10.0  # past the deadline (or after an interrupt), how long the child may take to report
NOTE = "second process"

if TYPE_CHECKING:
    from kvopt.certify import Portfolio


@contextmanager
def _sigint_ignored():
    """SIGINT ignored while the child starts: the new interpreter inherits the disposition and installs no
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
        # A new interpreter (`python -m kvopt.certify_child`), not multiprocessing: a fork would copy the
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
        self.sender = Connection(to_child[1], readable=False)
        self.connection = Connection(from_child[0], writable=False)
        self.failure: Exception | None = None  # raised by the listener on the receiving thread (a closed pipe)
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

    def hand_off(self, portfolio: Portfolio, steps: list[tuple[str, dict, str | None]], options: dict,
                 shares: dict, deadline: float, leftover: bool) -> bool:
        """Hand `steps` (method, options, note) to the child; False if it has ended (certify then runs
        their methods here)."""
        if self.broken or self.process.poll() is not None:
            return False
        with portfolio.lock:
            incumbent = portfolio.incumbent
            handed = None if incumbent is None else (incumbent.metadata["method"], dict(incumbent.starts))
            bound = (portfolio.bound, portfolio.bound_method)
        self.deadline = deadline
        self.pending = [(name, get_method(name).kind) for name, _, _ in steps]
        try:
            self.sender.send(("run", steps, options, shares, deadline - time.monotonic(), handed, bound,
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
        except Exception as problem:  # e.g. the progress line's stdout closed: raised again by finish
            self.failure = problem

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
        if self.failure is not None:
            raise self.failure
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
