"""What every executor runs for a job: `execute(job) -> row`, the same function on a local pool process
and on a Dask worker, so that the recorded results cannot depend on the executor.

The job runs in a forked child (kvopt.sweep.isolate) under a wall-clock guard; the row always comes
back, with an error instead of figures when the job raised, crashed or was killed.
"""

from __future__ import annotations

import datetime
import platform
import socket
import time
from functools import lru_cache
from importlib import metadata
from typing import Any

from kvopt.plugins import import_plugins
from kvopt.result import Status
from kvopt.sweep.isolate import call_isolated
from kvopt.sweep.jobs import Job, canonical_json, run_job

SOLVER_PACKAGES = ("numpy", "highspy", "ortools", "pyomo", "scipy")

# The columns a row holds, in store order (kvopt.sweep.store creates its table from this list).
COLUMNS = ("job_key", "instance", "instance_hash", "requests", "memory", "kind", "method", "label",
           "options", "seed", "time_limit", "threads", "status", "objective", "lower_bound", "gap",
           "runtime_s", "wall_s", "verdict", "peak_memory", "makespan", "error", "traceback", "info",
           "kvopt_version", "python_version", "solver_versions", "host", "finished_at", "energy")
# Columns that legitimately differ between two runs of the same job.
VOLATILE = ("runtime_s", "wall_s", "host", "finished_at")


@lru_cache(maxsize=1)
def environment() -> dict[str, str]:
    """Versions and host of this worker (looked up once per process)."""
    from kvopt.version import __version__
    versions = {}
    for package in SOLVER_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {"kvopt_version": __version__, "python_version": platform.python_version(),
            "solver_versions": canonical_json(versions), "host": socket.gethostname()}


def job_columns(job: Job) -> dict[str, Any]:
    return {"job_key": job.key, "instance": job.instance_name, "instance_hash": job.instance_hash,
            "requests": job.requests, "memory": job.memory, "kind": job.kind, "method": job.method,
            "label": job.label, "options": canonical_json(job.options), "seed": job.seed,
            "time_limit": job.time_limit, "threads": job.threads}


def failed_row(job: Job, status: str, error: str, traceback: str | None = None,
               wall_s: float | None = None) -> dict[str, Any]:
    """The row of a job that produced no outcome (it raised, crashed, was killed, or its executor failed)."""
    row = dict.fromkeys(COLUMNS)
    row.update(job_columns(job), status=status, error=error, traceback=traceback, wall_s=wall_s,
               finished_at=_now(), **environment())
    return row


def execute(job: Job) -> dict[str, Any]:
    """Run `job` isolated and return its full row (including 'schedule' and 'log' for the side table)."""
    import kvopt.catalogue  # noqa: F401  (registered methods are imported once per worker, not per child)
    import_plugins(job.plugins)
    clock = time.perf_counter()
    isolated = call_isolated(run_job, job, job.guard_s)
    wall = time.perf_counter() - clock
    if isolated.killed:
        return failed_row(job, Status.TIMEOUT.value, isolated.error, wall_s=wall)
    if isolated.error is not None:
        return failed_row(job, Status.ERROR.value, isolated.error, isolated.traceback, wall_s=wall)
    row = dict.fromkeys(COLUMNS)
    row.update(job_columns(job), **isolated.value, wall_s=wall, finished_at=_now(), **environment())
    return row


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
