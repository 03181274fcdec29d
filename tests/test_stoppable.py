"""Ctrl-C inside the library: a stoppable solver call returns its best so far and marks the run
interrupted; certify and check-claim end with what finished instead of losing it."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from conftest import homogeneous

from kvopt.certify import certify
from kvopt.claims import check_claim
from kvopt.heuristics import fcfs_starts
from kvopt.method import Outcome, Settings, running, stoppable
from kvopt.result import Status
from kvopt.schedule import Schedule


def ctrl_c_in(seconds: float) -> None:
    threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT)).start()


def solver_until_stopped():
    stopped = threading.Event()
    return (lambda: stopped.wait(30) and "best so far"), stopped.set


def test_a_stoppable_call_returns_its_best_and_marks_the_run():
    call, stop = solver_until_stopped()
    settings = Settings()
    ctrl_c_in(0.2)
    with running(settings):
        assert stoppable(call, stop) == "best so far"
    assert settings.interrupted and settings.expired() and settings.time_left() == 0.0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back


def test_outside_a_method_run_the_interrupt_is_raised_once_the_solver_stopped():
    call, stop = solver_until_stopped()
    ctrl_c_in(0.2)
    with pytest.raises(KeyboardInterrupt):
        stoppable(call, stop)


def test_certify_keeps_what_finished(temporary_methods):
    def boom(instance, settings: Settings) -> Outcome:
        raise KeyboardInterrupt

    temporary_methods("boom", "heuristic", boom)
    certificate = certify(homogeneous(9, 1, 3, 5), 10, ["fcfs", "boom", "exact"])
    assert certificate.interrupted and certificate.objective == 27
    assert [(a.method, a.status) for a in certificate.attempts] == [
        ("fcfs", Status.FEASIBLE), ("boom", Status.INTERRUPTED), ("exact", Status.NOT_RUN)]
    assert certificate.as_dict()["interrupted"] is True


def test_check_claim_keeps_the_trials_that_finished(temporary_methods):
    calls = []

    def second_call_interrupted(instance, settings: Settings) -> Outcome:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return Outcome(Schedule(fcfs_starts(instance)), Status.FEASIBLE)

    temporary_methods("flaky", "heuristic", second_call_interrupted)
    report = check_claim("flaky", "homogeneous", trials=5)
    assert report.interrupted and report.trials == report.decided == report.holds == 1
    assert report.as_dict()["interrupted"] is True
