"""The method interface: every exact method, heuristic, offline run of a policy and lower bound is one
registered function `run(instance, settings) -> Outcome`.

A backend module imports this module (and the data model) only, and registers its methods with
`@register(...)`; `kvopt.catalogue` imports the built-in backends and looks methods up, and `kvopt.solve`
runs them. A method never runs another method: what it may start from (an incumbent) arrives in
`settings.initial_schedule`.

Rule for backend modules: import solver libraries (pyomo, ortools, highspy) inside the run function, so
that importing kvopt and listing methods stays fast.

Interrupts and progress. Ctrl-C while a method runs reaches Python only between bytecodes, not while a
solver library computes, so a backend runs each long solver call through `stoppable(call, stop)`: Ctrl-C
then asks the solver to stop (`stop()`) and return its best so far, and the interrupt is recorded in the
method's Settings, whose time is then up (`expired()`, `time_left() == 0`). `settings.report(text)` passes
a line of live progress (incumbent, bound) to whoever asked for it (`Settings.progress`, e.g. the CLI when
stderr is a terminal).
"""

from __future__ import annotations

import contextvars
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.result import Status
from kvopt.schedule import Schedule

KINDS = ("exact", "heuristic", "policy", "bound")


@dataclass(frozen=True)
class Option:
    """A method-specific option: name, type (int, float, bool or str), default, help, allowed values."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None

    def parse(self, value: Any, method: str) -> Any:
        where = f"method {method!r} option {self.name!r}"
        if isinstance(value, str) and self.type is not str:
            text = value.strip().lower()
            try:
                if self.type is bool:
                    if text not in ("true", "false", "1", "0", "yes", "no"):
                        raise ValueError
                    value = text in ("true", "1", "yes")
                elif self.type is int:
                    value = int(text)
                elif self.type is float:
                    value = float(text)
            except ValueError:
                raise InputError(f"expected {self.type.__name__}, got {value!r}", where) from None
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if value is not None and not isinstance(value, self.type):
            raise InputError(f"expected {self.type.__name__}, got {value!r}", where)
        if self.choices is not None and value not in self.choices:
            raise InputError(f"must be one of {', '.join(map(str, self.choices))}, got {value!r}", where)
        return value


def reject_unknown(options: tuple[Option, ...], values: Mapping[str, Any], name: str,
                   owner: str = "method") -> None:
    allowed = {option.name for option in options}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InputError(f"unknown option(s) {', '.join(unknown)} (allowed: "
                         f"{', '.join(sorted(allowed)) or 'none'})", f"{owner} {name!r}")


def parse_options(options: tuple[Option, ...], values: Mapping[str, Any], name: str,
                  owner: str = "method") -> dict[str, Any]:
    """Every option's value: the defaults, overridden by `values` (parsed and checked); errors name the
    `owner` ("method" or "policy") `name`."""
    reject_unknown(options, values, name, owner)
    known = {option.name: option for option in options}
    parsed = {key: option.default for key, option in known.items()}
    parsed.update({key: known[key].parse(value, name) for key, value in values.items()})
    return parsed


@dataclass(frozen=True)
class Settings:
    """What a method receives besides the instance: the common controls, its own options, and the
    verified non-preemptive schedule it may start from (PyJobShop's `initial_solution`)."""

    time_limit: float | None = None
    seed: int = 0
    threads: int = 1
    options: Mapping[str, Any] = field(default_factory=dict)
    initial_schedule: Schedule | None = None
    started: float = field(default_factory=time.monotonic)
    progress: Callable[[str], None] | None = field(default=None, compare=False)
    interrupt: threading.Event = field(default_factory=threading.Event, compare=False)

    def time_left(self) -> float | None:
        """Seconds left before the time limit (never negative; 0 once interrupted), None without a limit."""
        if self.interrupt.is_set():
            return 0.0
        if self.time_limit is None:
            return None
        return max(0.0, self.time_limit - (time.monotonic() - self.started))

    def expired(self) -> bool:
        left = self.time_left()
        return left is not None and left <= 0.0

    @property
    def interrupted(self) -> bool:
        return self.interrupt.is_set()

    def report(self, text: str) -> None:
        """A line of live progress (e.g. "incumbent 1208, bound 840"), shown only if someone listens."""
        if self.progress is not None:
            self.progress(text)


_RUNNING: contextvars.ContextVar[Settings | None] = contextvars.ContextVar("kvopt_running_method", default=None)


@contextmanager
def running(settings: Settings) -> Iterator[None]:
    """Mark `settings` as those of the method now running (kvopt.solve), for `stoppable`."""
    token = _RUNNING.set(settings)
    try:
        yield
    finally:
        _RUNNING.reset(token)


def stoppable(call: Callable[[], Any], stop: Callable[[], Any]) -> Any:
    """`call()`, a blocking solver call, made interruptible: Ctrl-C calls `stop()`, which makes the solver
    return its best so far, records the interrupt in the running method's Settings and lets `call`
    return. Outside a method run, the interrupt is raised again once the solver has returned.

    The solver runs in this (the main) thread: HiGHS's task scheduler breaks when runs move between
    threads. While it runs, SIGINT only sets a flag (a Python handler that raises nothing), and a watcher
    thread, woken through signal.set_wakeup_fd, calls `stop()` at once; after three presses of Ctrl-C the
    default handler is back, so a fourth raises KeyboardInterrupt even if the solver never stops."""
    if threading.current_thread() is not threading.main_thread():
        return call()  # signals are delivered to the main thread only
    interrupted = threading.Event()
    presses = 0
    finished = threading.Event()
    reader, writer = os.pipe()
    os.set_blocking(writer, False)

    def on_sigint(signum, frame) -> None:
        nonlocal presses
        presses += 1
        interrupted.set()
        if presses >= 3:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def watch() -> None:
        while not finished.is_set():
            ready, _, _ = select.select([reader], [], [], 0.05)
            if ready and signal.SIGINT in os.read(reader, 512):
                interrupted.set()
                stop()

    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    previous_fd = signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="kvopt-interrupt-watcher", daemon=True)
    watcher.start()
    try:
        value = call()
    finally:
        finished.set()
        watcher.join()
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous_handler)
        os.close(reader)
        os.close(writer)
    if interrupted.is_set():
        settings = _RUNNING.get()
        if settings is None:
            raise KeyboardInterrupt
        settings.interrupt.set()
    return value


@dataclass(frozen=True)
class Outcome:
    """What a method returns: its schedule (or None), its status, a proven lower bound (or None), the
    objective it believes its schedule has (checked against the verifier), a log and extra figures."""

    schedule: Schedule | None
    status: Status
    lower_bound: float | None = None
    claimed_objective: int | None = None
    log: tuple[str, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MethodSpec:
    """A registered method. uses_initial_schedule: the method starts from `settings.initial_schedule`
    when one is given (every such method models non-preemptive schedules)."""

    name: str
    kind: str
    summary: str
    run: Callable[[Instance, Settings], Outcome]
    options: tuple[Option, ...] = ()
    uses_initial_schedule: bool = False

    def settings(self, time_limit: float | None, seed: int, threads: int, options: Mapping[str, Any],
                 initial_schedule: Schedule | None = None,
                 progress: Callable[[str], None] | None = None) -> Settings:
        where = f"method {self.name!r}"
        reject_unknown(self.options, options, self.name)
        if time_limit is not None and not time_limit > 0:
            raise InputError(f"time limit must be positive, got {time_limit}", where)
        if threads < 1:
            raise InputError(f"threads must be positive, got {threads}", where)
        if initial_schedule is not None and not self.uses_initial_schedule:
            raise InputError("takes no initial schedule (methods that do: "
                             f"{', '.join(s.name for s in registered() if s.uses_initial_schedule)})", where)
        values = parse_options(self.options, options, self.name)
        return Settings(time_limit=time_limit, seed=seed, threads=threads, options=MappingProxyType(values),
                        initial_schedule=initial_schedule, progress=progress)


_METHODS: dict[str, MethodSpec] = {}


def register(name: str, kind: str, summary: str, options: tuple[Option, ...] = (),
             uses_initial_schedule: bool = False
             ) -> Callable[[Callable[[Instance, Settings], Outcome]], Callable[[Instance, Settings], Outcome]]:
    """Decorator registering `run(instance, settings) -> Outcome` under `name`."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")

    def add(run: Callable[[Instance, Settings], Outcome]) -> Callable[[Instance, Settings], Outcome]:
        if name in _METHODS and _METHODS[name].run is not run:
            raise ValueError(f"method {name!r} registered twice")
        _METHODS[name] = MethodSpec(name, kind, summary, run, tuple(options), uses_initial_schedule)
        return run
    return add


def unregister(name: str) -> None:
    """Remove a method (for tests that register temporary ones)."""
    _METHODS.pop(name, None)


def registered() -> list[MethodSpec]:
    """The methods registered so far, by name (kvopt.catalogue first imports the built-in ones)."""
    return [spec for _, spec in sorted(_METHODS.items())]


def lookup(name: str) -> MethodSpec | None:
    return _METHODS.get(name)
