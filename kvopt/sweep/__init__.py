"""Experiments at scale: a grid of (instance x method x options x seed x time limit) jobs from one TOML
file, run on local processes or a Dask cluster, recorded in a SQLite results file, resumable.

    from kvopt.sweep import load_config, run_sweep
    summary = run_sweep(load_config("benchmarks/sweeps/paper-sample.toml"), executor="dask-local")

Extension points: `register_job_kind` (e.g. online simulations next to `kvopt.solve`) and
`register_generator` (instance families usable as `[[instances]] generator = "name"`).
"""

from kvopt.sweep.config import SweepConfig, expand_jobs, load_config
from kvopt.sweep.jobs import Job, register_job_kind
from kvopt.sweep.runner import SweepSummary, run_sweep
from kvopt.sweep.sources import register_generator
from kvopt.sweep.store import ResultsStore

__all__ = ["SweepConfig", "SweepSummary", "Job", "ResultsStore", "load_config", "expand_jobs", "run_sweep",
           "register_job_kind", "register_generator"]
