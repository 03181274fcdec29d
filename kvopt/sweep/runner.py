"""Run a sweep: expand the grid, skip the jobs already recorded, run the rest, record every row.

Resuming is the same command again: a job whose key is in the results file is never run again (with
`retry_failed`, jobs recorded with an error — raised, crashed, killed by the guard — run once more).
Rows are committed one by one, so an interrupted sweep keeps everything that finished.

Jobs that take an initial schedule (kvopt.sweep.config, `initial`) run in a second wave, each handed
the best verified non-preemptive schedule recorded for its instance once the first wave is in.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kvopt.io import schedule_to_dict
from kvopt.sweep.config import SweepConfig, expand_jobs
from kvopt.sweep.executors import check_arguments, open_executor
from kvopt.sweep.jobs import Job, canonical_json
from kvopt.sweep.progress import Progress
from kvopt.sweep.store import ResultsStore


@dataclass
class SweepSummary:
    """jobs: the grid's size; recorded: already in the results file; executed: run by this call, of which
    `errors` ended with an error (raised, crashed, killed by the guard); statuses counts their statuses."""

    results: Path
    jobs: int
    recorded: int
    executed: int = 0
    executor: str = ""
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    startup_s: float = 0.0  # starting the executor (a LocalCluster, say)
    run_s: float = 0.0      # from the executor being ready to the last row recorded


def results_path(config: SweepConfig, results: str | Path | None) -> Path:
    """The results file: the argument, else the config's `results`, else NAME.sqlite beside the config."""
    if results is not None:
        return Path(results)
    return config.results or config.path.with_name(f"{config.name}.sqlite")


def pending(jobs: list[Job], store: ResultsStore, retry_failed: bool = False) -> list[Job]:
    """The jobs still to run; gives recorded jobs the current config's labels."""
    recorded = store.statuses()
    store.relabel({job.key: job.label for job in jobs if job.key in recorded})
    return [job for job in jobs if job.key not in recorded or (retry_failed and recorded[job.key][1] is not None)]


def with_best_schedule(job: Job, store: ResultsStore) -> Job:
    """The job handed the best verified non-preemptive schedule recorded for its instance (if any)."""
    found = store.best_schedule(job.instance_hash)
    if found is None:
        return job
    return replace(job, initial_json=canonical_json(schedule_to_dict(found[0])))


def run_sweep(config: SweepConfig, results: str | Path | None = None, *, executor: str = "local",
              scheduler: str | None = None, workers: int | None = None, retry_failed: bool = False,
              progress: bool = True, dry_run: bool = False,
              on_row: Callable[[dict[str, Any]], None] | None = None) -> SweepSummary:
    """Run the jobs of `config` not yet in `results`; returns what was run and how it ended.

    Nothing is written before the executor is up: bad arguments or an unreachable cluster leave no
    results file behind.
    """
    check_arguments(executor, scheduler, workers)
    path = results_path(config, results)
    jobs, contents = expand_jobs(config)
    todo = jobs
    if path.exists():
        with ResultsStore(path) as store:
            todo = pending(jobs, store, retry_failed)
    summary = SweepSummary(path, jobs=len(jobs), recorded=len(jobs) - len(todo))
    if dry_run or not todo:
        return summary
    clock = time.perf_counter()
    with open_executor(executor, scheduler, workers) as pool, ResultsStore(path) as store:
        summary.executor = pool.description
        summary.startup_s = time.perf_counter() - clock
        store.add_instances(contents)
        bar = Progress(len(todo)) if progress else None
        first = [job for job in todo if not job.uses_initial]
        second = [job for job in todo if job.uses_initial]
        try:
            for wave in (first, second):
                if wave is second:
                    wave = [with_best_schedule(job, store) for job in wave]
                for row in pool.run(wave) if wave else ():
                    store.add(row)
                    summary.executed += 1
                    summary.statuses[row["status"]] += 1
                    summary.errors += row["error"] is not None
                    if bar:
                        bar.update(row["status"])
                    if on_row:
                        on_row(row)
        finally:
            summary.run_s = time.perf_counter() - clock - summary.startup_s
            if bar:
                bar.close()
    return summary
