"""Methods and a job kind registered only for the sweep tests. Sweep configs name this module under
`plugins`, so that every worker (a local pool process, a Dask worker, the job's child) imports it."""

from __future__ import annotations

import os
import signal
import time

from kvopt.errors import InputError
from kvopt.heuristics import fcfs_starts
from kvopt.instance import Instance, Request
from kvopt.method import Option, Outcome, register
from kvopt.result import Result, Status
from kvopt.schedule import Schedule
from kvopt.sweep import register_generator, register_job_kind


@register("test-raise", kind="heuristic", summary="test only: always raises")
def always_raises(instance, settings):
    raise RuntimeError(f"deliberate failure on {instance.name}")


@register("test-crash", kind="heuristic", summary="test only: the process dies of SIGSEGV")
def crashes(instance, settings):
    os.kill(os.getpid(), signal.SIGSEGV)


@register("test-sleep", kind="heuristic", summary="test only: ignores its time limit and sleeps",
          options=(Option("seconds", float, 60.0, "how long to sleep"),))
def sleeps(instance, settings):
    time.sleep(settings.options["seconds"])
    return Outcome(Schedule(fcfs_starts(instance)), Status.FEASIBLE)


@register("test-count", kind="heuristic", summary="test only: fcfs, appending one line per run to a file",
          options=(Option("log", str, None, "file that counts the runs"),
                   Option("seconds", float, 0.0, "sleep this long first")))
def counts(instance, settings):
    time.sleep(settings.options["seconds"])
    with open(settings.options["log"], "a", encoding="utf-8") as log:
        log.write(f"{instance.name} seed={settings.seed}\n")
    return Outcome(Schedule(fcfs_starts(instance)), Status.FEASIBLE)


def _all_at_arrival(instance, method, *, time_limit, seed, threads, options):
    """Job kind 'test-greedy': every request starts on arrival (infeasible when memory overflows)."""
    schedule = Schedule({r.id: r.arrival for r in instance.requests})
    return Result(method=method, status=Status.FEASIBLE, objective=None, lower_bound=None, runtime_s=0.0,
                  schedule=schedule)


def _check(method, options, time_limit, seed, threads):
    if method != "all-at-arrival" or options:
        raise InputError(f"the test-greedy kind has only the option-less method 'all-at-arrival', got {method!r}")


register_job_kind("test-greedy", run=_all_at_arrival, check=_check)


@register_generator("test-homogeneous")
def homogeneous_family(params, where):
    """n identical requests at round 0, for each n in `sizes` (memory, prompt, output fixed)."""
    memory, prompt, output = params.pop("memory"), params.pop("prompt"), params.pop("output")
    sizes = params.pop("sizes")
    if params:
        raise InputError(f"unknown key(s) {', '.join(sorted(params))}", where)
    return [Instance(memory, tuple(Request(f"r{k}", 0, prompt, output) for k in range(n)),
                     name=f"homogeneous-n{n}") for n in sizes]
