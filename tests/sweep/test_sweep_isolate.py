"""call_isolated: a value, an exception, a crash and a guard kill all come back as an outcome."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

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


def test_reports_the_modules_the_child_imported():
    if "colorsys" in sys.modules:
        pytest.skip("colorsys already imported")
    outcome = call_isolated(import_colorsys, 1, timeout=30)
    assert outcome.value == 1 and "colorsys" in outcome.new_modules
    assert "colorsys" not in sys.modules  # the child's imports stay in the child


def test_a_crash_returns_the_python_stack_at_the_crash():
    outcome = call_isolated(segfault, None, timeout=30)
    assert "in segfault" in outcome.traceback and "Segmentation fault" in outcome.traceback
