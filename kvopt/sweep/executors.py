"""Executors: run `kvopt.sweep.worker.execute` over jobs and yield the rows as they finish.

local       a ProcessPoolExecutor on this machine (default: one worker per available core);
dask        an existing Dask distributed cluster (`--scheduler tcp://host:8786`); its workers need kvopt
            (and any plugin modules) importable;
dask-local  a Dask LocalCluster started for the sweep (one single-threaded worker process per core),
            which exercises exactly the code path of a real cluster on one machine.
Every executor runs the same `execute`, so the rows cannot depend on the executor. A job whose executor
fails (a worker lost, say) still yields a row, with the failure as its error.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from kvopt.errors import InputError, SolveError
from kvopt.result import Status
from kvopt.sweep.jobs import Job
from kvopt.sweep.worker import execute, failed_row

EXECUTORS = ("local", "dask", "dask-local")


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def check_arguments(kind: str, scheduler: str | None, workers: int | None) -> None:
    """Reject executor arguments that do not go together (before anything is written)."""
    if kind not in EXECUTORS:
        raise InputError(f"unknown executor {kind!r}; known: {', '.join(EXECUTORS)}")
    if workers is not None and not 1 <= workers <= 1024:
        raise InputError(f"--workers must be positive (at most 1024), got {workers}")
    if kind == "dask" and not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS (or use --executor dask-local)")
    if kind == "dask" and workers is not None:
        raise InputError("--workers applies to local and dask-local; a Dask cluster has its own workers")
    if kind != "dask" and scheduler:
        raise InputError(f"--scheduler applies only to --executor dask, not {kind}")


def open_executor(kind: str, scheduler: str | None = None, workers: int | None = None) -> Executor:
    check_arguments(kind, scheduler, workers)
    if kind == "dask":
        return DaskExecutor(scheduler=scheduler)
    if kind == "dask-local":
        return DaskExecutor(workers=workers or default_workers())
    return LocalExecutor(workers or default_workers())


class Executor:
    """Context manager; `run(jobs)` yields one row per job, in completion order."""

    workers: int | None = None
    description = ""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(interrupted=exc[0] is not None)

    def close(self, interrupted: bool = False) -> None:
        raise NotImplementedError

    def run(self, jobs: list[Job]) -> Iterator[dict[str, Any]]:
        raise NotImplementedError


def _row(job: Job, result: Any, failure: BaseException | None) -> dict[str, Any]:
    if failure is None:
        return result
    return failed_row(job, Status.ERROR.value, f"executor failure: {type(failure).__name__}: {failure}")


class LocalExecutor(Executor):
    def __init__(self, workers: int):
        self.workers = workers
        self.description = f"local processes ({workers} workers)"
        # Fork the workers when this process has no other thread (fast, and methods registered here are
        # inherited); otherwise start them from a fork server, as forking a threaded process is unsafe.
        method = "fork" if threading.active_count() == 1 and hasattr(os, "fork") else "forkserver"
        if method not in multiprocessing.get_all_start_methods():
            method = "spawn"
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))

    def run(self, jobs: list[Job]) -> Iterator[dict[str, Any]]:
        pending: dict[Future, Job] = {self._pool.submit(execute, job): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                failure = future.exception()
                if isinstance(failure, BrokenProcessPool):
                    # A worker was killed from outside (jobs run in their own processes): no job is to
                    # blame, so none is recorded as failed; the unrecorded jobs run when the sweep resumes.
                    raise SolveError("a worker process of the local pool was killed; the jobs finished so "
                                     "far are recorded: run the same command to resume") from None
                yield _row(job, None if failure else future.result(), failure)

    def close(self, interrupted: bool = False) -> None:
        if interrupted:  # do not wait for running jobs: stop the workers (their job processes die too)
            workers = list((getattr(self._pool, "_processes", None) or {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.terminate()
            # Wait for them: after shutdown(wait=False) the pool no longer would, and a job still running
            # when the sweep returns could write after the caller has moved on. A worker's job process
            # dies with it (PR_SET_PDEATHSIG, kvopt.sweep.isolate).
            for process in workers:
                process.join(5)
                if process.is_alive():
                    process.kill()
                    process.join()
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    def __init__(self, scheduler: str | None = None, workers: int | None = None):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise InputError("the Dask executors need dask[distributed]: pip install 'kvopt[dask]'") from None
        self._cluster = None
        if scheduler is None:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=":0", silence_logs=logging.CRITICAL)
            self._client = Client(self._cluster)
            self.description = f"Dask LocalCluster ({workers} workers)"
        else:
            try:
                self._client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as error:
                raise InputError(f"cannot reach the Dask scheduler: {error}", scheduler) from None
            self.description = f"Dask cluster at {scheduler}"
        self.workers = sum(self._client.nthreads().values()) or None
        self._futures: list[Any] = []

    def run(self, jobs: list[Job]) -> Iterator[dict[str, Any]]:
        from dask.distributed import as_completed
        token = uuid.uuid4().hex[:8]  # task keys unique to this run, so a long-lived cluster never reuses one
        futures = self._client.map(execute, jobs, key=[f"kvopt-{token}-{job.key[:24]}" for job in jobs])
        self._futures = futures
        job_of = {future.key: job for future, job in zip(futures, jobs)}
        for future in as_completed(futures):
            job = job_of[future.key]
            try:
                row, failure = future.result(), None
            except Exception as error:  # a lost worker, a cancelled task
                row, failure = None, error
            future.release()
            yield _row(job, row, failure)

    def close(self, interrupted: bool = False) -> None:
        if interrupted and self._futures:
            self._client.cancel(self._futures)
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
