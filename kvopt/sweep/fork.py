"""Fork one child process to run a call under a hard wall-clock guard (kvopt.sweep.isolate decides
where the fork happens).

The child gets its own process group (the guard kills whatever the job started), its output goes to
/dev/null except for a crash's Python stack (faulthandler), which is returned as the error's traceback,
and on Linux it dies with its parent (prctl PR_SET_PDEATHSIG), so an interrupted sweep leaves no
orphans. The parent imports afterwards what the child imported (a solver library, say), so that the next
child starts with it.
"""

from __future__ import annotations

import faulthandler
import importlib
import os
import pickle
import select
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Isolated:
    """The outcome of an isolated call: its value, or an error (the call raised, or the child died), or
    killed=True when the guard stopped it. new_modules: modules the child imported (in import order)."""

    value: Any = None
    error: str | None = None
    traceback: str | None = None
    killed: bool = False
    new_modules: tuple[str, ...] = ()


def fork_and_call(function: Callable[[Any], Any], argument: Any, timeout: float | None) -> Isolated:
    """call_isolated by forking this (single-threaded) process."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # otherwise the child would print the parent's pending output again
    load_prctl()
    parent = os.getpid()
    with tempfile.TemporaryFile() as crash_log:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child(function, argument, read_end, write_end, parent, crash_log.fileno())
        os.close(write_end)
        deadline = None if timeout is None else time.monotonic() + timeout
        finished = False
        try:
            _set_group(pid)
            data, finished = _read_all(read_end, deadline)
        finally:
            os.close(read_end)
            if not finished:
                _kill_group(pid)
            _, status = os.waitpid(pid, 0)
        if not finished:
            return Isolated(error=f"killed by the wall-clock guard after {timeout:g} s", killed=True)
        if not data:
            crash_log.seek(0)
            stack = crash_log.read().decode(errors="replace").strip() or None
            return Isolated(error=_death(os.waitstatus_to_exitcode(status)), traceback=stack)
    value, error, trace, new_modules = pickle.loads(data)
    _warm(new_modules)
    return Isolated(value, error, trace, new_modules=new_modules)


def _warm(modules: tuple[str, ...]) -> None:
    """Import the modules a child imported, so that the next child starts with them. Best effort."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in modules:
            if name not in sys.modules:
                try:
                    importlib.import_module(name)
                except BaseException:  # noqa: BLE001 - a module that cannot be imported again is not warmed
                    continue


def call_here(function: Callable[[Any], Any], argument: Any,
               catch: type[BaseException] = Exception) -> Isolated:
    try:
        return Isolated(function(argument))
    except catch as error:  # recorded, not raised: one failing job must not stop a sweep
        return Isolated(error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())


def _child(function: Callable[[Any], Any], argument: Any, read_end: int, write_end: int,
           parent: int, crash_log: int) -> None:
    """Body of the forked child; never returns."""
    code = 0
    try:
        os.close(read_end)
        _set_group(0)
        die_with_parent(parent)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        faulthandler.enable(file=crash_log, all_threads=False)
        before = set(sys.modules)
        outcome = call_here(function, argument, catch=BaseException)  # even SystemExit is recorded
        new_modules = tuple(name for name in list(sys.modules) if name not in before)
        try:
            data = pickle.dumps((outcome.value, outcome.error, outcome.traceback, new_modules))
        except Exception as error:
            data = pickle.dumps((None, f"the job's result cannot be pickled: {error}", None, new_modules))
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _read_all(fd: int, deadline: float | None) -> tuple[bytes, bool]:
    """Read the pipe until the child closes it (True) or the deadline passes (False)."""
    chunks = []
    while True:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks), True
            chunks.append(chunk)


def _set_group(pid: int) -> None:
    """Make the child a process-group leader (called by both sides, so neither order races)."""
    try:
        os.setpgid(pid, 0)
    except OSError:
        pass  # already exited, or already a leader


def _kill_group(pid: int) -> None:
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            kill(target, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            continue


_prctl: Any = None


def load_prctl() -> None:
    """Look up libc's prctl once, in the parent (Linux only)."""
    global _prctl
    if _prctl is None and sys.platform.startswith("linux"):
        try:
            import ctypes
            _prctl = ctypes.CDLL(None).prctl
        except (OSError, AttributeError):
            _prctl = False


def die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when the worker thread that forked it dies."""
    if _prctl:
        _prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(70)


def _death(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the job process died ({name}) without a result"
    return f"the job process exited with code {code} without a result"
