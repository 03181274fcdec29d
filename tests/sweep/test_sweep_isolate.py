"""call_isolated: a value, an exception, a crash and a guard kill all come back as an outcome."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from kvopt.sweep import forkserver, isolate
from kvopt.sweep.fork import fork_and_call
from kvopt.sweep.isolate import call_isolated

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="isolation needs os.fork")


def square(x):
    return x * x


def fail(x):
    raise ValueError(f"bad value {x}")


def segfault(x):
    os.kill(os.getpid(), signal.SIGSEGV)


def sleep(seconds):
    time.sleep(seconds)
    return "woke up"


def leave(code):
    sys.exit(code)


def import_colorsys(x):
    import colorsys  # noqa: F401  (a stdlib module this test process has not imported)
    return x


def test_returns_the_value_computed_in_another_process():
    assert call_isolated(square, 7, timeout=30).value == 49
    assert call_isolated(os.getpid, None, timeout=30).value != os.getpid()


def test_an_exception_is_returned_with_its_traceback():
    outcome = call_isolated(fail, 3, timeout=30)
    assert outcome.value is None and not outcome.killed
    assert outcome.error == "ValueError: bad value 3"
    assert "raise ValueError" in outcome.traceback


def test_a_crash_is_an_error_naming_the_signal():
    outcome = call_isolated(segfault, None, timeout=30)
    assert outcome.error == "the job process died (SIGSEGV) without a result"


def test_sys_exit_in_the_job_is_recorded_not_obeyed():
    outcome = call_isolated(leave, 4, timeout=30)
    assert outcome.error == "SystemExit: 4"


def test_the_guard_kills_a_job_that_overruns():
    clock = time.monotonic()
    outcome = call_isolated(sleep, 30, timeout=0.5)
    assert outcome.killed and outcome.error == "killed by the wall-clock guard after 0.5 s"
    assert time.monotonic() - clock < 20  # far less than the 30 s the job wanted
    assert call_isolated(sleep, 0.01, timeout=20).value == "woke up"


def test_what_the_child_imported_is_imported_for_the_next_child():
    if "colorsys" in sys.modules:
        pytest.skip("colorsys already imported")
    outcome = fork_and_call(import_colorsys, 1, timeout=30)
    assert outcome.value == 1 and "colorsys" in outcome.new_modules
    assert "colorsys" in sys.modules
    assert "colorsys" not in fork_and_call(import_colorsys, 1, timeout=30).new_modules


def parent_pid(_):
    return os.getppid()


def test_only_a_single_threaded_process_forks_itself(monkeypatch):
    """Another thread running: the child's parent is this thread's fork server, not this process."""
    monkeypatch.setattr(isolate.threading, "active_count", lambda: 1)
    assert call_isolated(parent_pid, None, timeout=60).value == os.getpid()
    monkeypatch.setattr(isolate.threading, "active_count", lambda: 2)
    assert call_isolated(parent_pid, None, timeout=60).value not in (os.getpid(), None)


def test_the_fork_server_returns_the_same_outcomes():
    try:
        assert forkserver.call_in_server(square, 6, timeout=60).value == 36
        assert forkserver.call_in_server(fail, 2, timeout=60).error == "ValueError: bad value 2"
        crashed = forkserver.call_in_server(segfault, None, timeout=60)
        assert crashed.error == "the job process died (SIGSEGV) without a result"
        killed = forkserver.call_in_server(sleep, 30, timeout=0.5)
        assert killed.killed and killed.error == "killed by the wall-clock guard after 0.5 s"
        server = forkserver._local.server
        threading.Timer(1.0, server.process.kill).start()  # the server dies during a call: reported ...
        assert "the fork server of this worker died" in forkserver.call_in_server(sleep, 30, 60).error
        assert forkserver.call_in_server(square, 3, 60).value == 9  # ... and replaced
        assert forkserver._local.server is not server
    finally:
        forkserver._local.server.close()
