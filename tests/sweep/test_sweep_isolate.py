"""call_isolated: a value, an exception, a crash and a guard kill all come back as an outcome."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from kvopt.sweep import forkserver
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
    outcome = call_isolated(import_colorsys, 1, timeout=30)
    assert outcome.value == 1 and "colorsys" in outcome.new_modules
    assert "colorsys" in sys.modules
    assert "colorsys" not in call_isolated(import_colorsys, 1, timeout=30).new_modules


def parent_pid(_):
    return os.getppid()


def test_a_threaded_process_forks_through_its_fork_server():
    """With another thread running, the child's parent is the fork server, not this process; the
    outcomes are the same."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert call_isolated(parent_pid, None, timeout=60).value not in (os.getpid(), None)
        assert call_isolated(square, 6, timeout=60).value == 36
        assert call_isolated(fail, 2, timeout=60).error == "ValueError: bad value 2"
        assert call_isolated(segfault, None, timeout=60).error == "the job process died (SIGSEGV) without a result"
        killed = call_isolated(sleep, 30, timeout=0.5)
        assert killed.killed and killed.error == "killed by the wall-clock guard after 0.5 s"
    finally:
        stop.set()
        other.join()
        forkserver.call_in_server(square, 1, None)  # the server of this thread exists ...
        forkserver._local.server.close()            # ... and stops when its pipe closes
    assert call_isolated(parent_pid, None, timeout=60).value == os.getpid()  # single-threaded again


def test_a_crash_returns_the_python_stack_at_the_crash():
    outcome = call_isolated(segfault, None, timeout=30)
    assert "in segfault" in outcome.traceback and "Segmentation fault" in outcome.traceback
