"""Sweep overhead per job: what `kvopt sweep` adds beyond the job itself, for each executor.

Run: python benchmarks/bench_sweep.py [--jobs N] [--workers 1 2] [--executors local dask-local]

The jobs are trivial on purpose: the `trivial` bound (sum of output lengths, ~0.1 ms) on the 5-request
instance, one job per seed, so nearly all of the time measured is the sweep's own: submitting the job,
forking its guarded child process, verifying, sending the row back and committing it to SQLite.

  overhead per job = run time x workers / jobs - mean job runtime
where run time is from the executor being ready to the last row committed (executor start-up is reported
separately: it is paid once per sweep, not per job). `in worker` is the part spent inside the worker
(fork, child, result transfer): mean of wall_s - runtime_s over the jobs. Wall-clock figures grow with
the machine's load; `CPU per job` does much less: the CPU seconds of this process and all its (reaped)
descendants — pool or Dask worker processes, job processes — during the sweep, less those of starting
and stopping the executor alone, divided by the number of jobs.

A second table runs 10 jobs of a method that imports pyomo.environ (benchmarks/sweep_plugin.py) on one
worker: the first job pays the import; the worker then imports what the job's process imported, so the
later jobs (forked from it) do not.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
from pathlib import Path

from kvopt.sweep import ResultsStore, load_config, run_sweep
from kvopt.sweep.executors import open_executor

ROOT = Path(__file__).resolve().parent.parent


def measure(executor: str, workers: int, jobs: int, directory: Path) -> dict[str, float]:
    config = directory / f"{executor}-{workers}.toml"
    config.write_text(f'seeds = {list(range(jobs))}\n[[instances]]\n'
                      f'path = "{ROOT / "instances" / "small" / "homogeneous_m9_s1_o3_n5.json"}"\n'
                      f'[[methods]]\nname = "trivial"\n')
    results = directory / f"{executor}-{workers}.sqlite"
    cpu_before = _cpu_seconds()
    with open_executor(executor, workers=workers):  # start-up and shut-down alone, to subtract
        pass
    startup_cpu = _cpu_seconds() - cpu_before
    cpu_before = _cpu_seconds()
    summary = run_sweep(load_config(config), results, executor=executor, workers=workers, progress=False)
    cpu = _cpu_seconds() - cpu_before - startup_cpu
    assert summary.executed == jobs and summary.errors == 0
    with ResultsStore(results) as store:
        rows = store.rows()
    runtime = statistics.fmean(row["runtime_s"] for row in rows)
    in_worker = statistics.fmean(row["wall_s"] - row["runtime_s"] for row in rows)
    return {"startup_s": summary.startup_s, "run_s": summary.run_s,
            "overhead_ms": 1000 * (summary.run_s * workers / jobs - runtime),
            "in_worker_ms": 1000 * in_worker, "job_ms": 1000 * runtime, "cpu_ms": 1000 * cpu / jobs}


def measure_imports(executor: str, directory: Path) -> tuple[float, float]:
    """Method runtime of the first job and median of the 9 others, one worker."""
    config = directory / f"imports-{executor}.toml"
    config.write_text(f'plugins = ["sweep_plugin"]\nseeds = {list(range(10))}\n[[instances]]\n'
                      f'path = "{ROOT / "instances" / "small" / "homogeneous_m9_s1_o3_n5.json"}"\n'
                      f'[[methods]]\nname = "bench-import-pyomo"\n')
    results = directory / f"imports-{executor}.sqlite"
    run_sweep(load_config(config), results, executor=executor, workers=1, progress=False)
    with ResultsStore(results) as store:
        runtimes = [row["runtime_s"] for row in sorted(store.rows(), key=lambda row: row["finished_at"])]
    return runtimes[0], statistics.median(runtimes[1:])


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--executors", nargs="+", default=["local", "dask-local"])
    args = parser.parse_args()
    print(f"{args.jobs} trivial jobs per run; load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| executor | workers | start-up (s) | run (s) | overhead per job (ms) | in worker (ms) | job itself (ms) "
          "| CPU per job (ms) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as directory:
        for executor in args.executors:
            for workers in args.workers:
                m = measure(executor, workers, args.jobs, Path(directory))
                print(f"| {executor} | {workers} | {m['startup_s']:.2f} | {m['run_s']:.2f} | "
                      f"{m['overhead_ms']:.1f} | {m['in_worker_ms']:.1f} | {m['job_ms']:.2f} | {m['cpu_ms']:.1f} |",
                      flush=True)
        print("\n| executor | first job importing pyomo.environ (s) | later jobs, median (s) |\n|---|---:|---:|")
        for executor in args.executors:
            first, later = measure_imports(executor, Path(directory))
            print(f"| {executor} | {first:.3f} | {later:.4f} |", flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
