"""One sweep job: an instance, a job kind and method with options, a seed, a time limit.

A job is identified by a stable key: the SHA-256 of the instance's content hash and name, the job kind,
method, options, seed, time limit and threads. The kvopt version and the wall-clock guard are not part of
the key (they are recorded in the result row): a finished job is never recomputed, whoever computed it.

Job kinds are pluggable. The built-in kind "solve" runs `kvopt.solve`; another module adds e.g. online
simulations with a few lines:

    from kvopt.sweep import register_job_kind
    register_job_kind("simulate", run=simulate_as_result, check=check_policy_options)

where `run(instance, method, *, time_limit, seed, threads, options) -> kvopt.Result` and
`check(method, options, time_limit, seed, threads)` raises InputError for an unknown method or bad
options (called once per job before the sweep starts, so a typo fails fast). Whatever the kind, the
schedule it returns is checked again here by `kvopt.verify`. A "solve" job of a method that takes an
initial schedule may carry one (`initial_json`, chosen by the runner; not part of the key): `run` then
also receives `initial_schedule=`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.plugins import import_plugins
from kvopt.result import Result, Status
from kvopt.schedule import Schedule



@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[..., Result]
    check: Callable[[str, Mapping[str, Any], float | None, int, int], None]


_KINDS: dict[str, JobKind] = {}


def register_job_kind(name: str, run: Callable[..., Result],
                      check: Callable[[str, Mapping[str, Any], float | None, int, int], None]) -> None:
    _KINDS[name] = JobKind(name, run, check)


def get_job_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise InputError(f"unknown job kind {name!r}; known: {', '.join(sorted(_KINDS))}") from None


def _run_solve(instance: Instance, method: str, *, time_limit: float | None, seed: int, threads: int,
               options: Mapping[str, Any], initial_schedule: Schedule | None = None) -> Result:
    from kvopt.solve import solve
    return solve(instance, method, time_limit=time_limit, seed=seed, threads=threads,
                 initial_schedule=initial_schedule, **options)


def _check_solve(method: str, options: Mapping[str, Any], time_limit: float | None, seed: int,
                 threads: int) -> None:
    from kvopt.catalogue import get_method
    get_method(method).settings(time_limit, seed, threads, options)


register_job_kind("solve", run=_run_solve, check=_check_solve)


def _plain(value: Any) -> Any:
    """JSON fallback for method info: numpy scalars and arrays as numbers and lists, anything else as text."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def instance_digest(content: Mapping[str, Any]) -> str:
    """SHA-256 of an instance's canonical JSON without its descriptive keys (name, source, metadata)."""
    essential = {k: v for k, v in content.items() if k not in ("name", "source", "metadata")}
    return hashlib.sha256(canonical_json(essential).encode()).hexdigest()


@dataclass(frozen=True)
class Job:
    """Everything a worker needs, as plain picklable values (the instance as canonical JSON text)."""

    instance_name: str
    instance_hash: str
    instance_json: str
    requests: int
    memory: int
    kind: str
    method: str
    label: str
    options: dict[str, Any]
    seed: int
    time_limit: float | None
    threads: int
    guard_s: float | None = None
    plugins: tuple[str, ...] = ()
    uses_initial: bool = False          # a "solve" job whose method takes an initial schedule, in a sweep
    initial_json: str | None = None     # that hands one on (the runner fills it in)
    key: str = field(init=False)

    def __post_init__(self) -> None:
        identity = {"instance_hash": self.instance_hash, "instance": self.instance_name, "kind": self.kind,
                    "method": self.method, "options": self.options, "seed": self.seed,
                    "time_limit": self.time_limit, "threads": self.threads}
        if self.uses_initial:
            identity["initial"] = "best recorded"
        object.__setattr__(self, "key", hashlib.sha256(canonical_json(identity).encode()).hexdigest())


def _energy(instance: Instance, schedule: Any) -> float:
    """The schedule's energy under the default power model (kvopt.energy: W-rounds for unit rounds)."""
    from kvopt.energy import account
    from kvopt.hardware.energy import load
    return account(instance, schedule, load()).total


def run_job(job: Job) -> dict[str, Any]:
    """Run a job (in the worker's child process) and return its outcome columns.

    Exceptions propagate: the caller records them as the job's error.
    """
    from kvopt.io import instance_from_dict, schedule_from_dict, schedule_to_dict
    from kvopt.verify import verify

    import_plugins(job.plugins)
    instance = instance_from_dict(json.loads(job.instance_json))
    initial = {} if job.initial_json is None else {
        "initial_schedule": schedule_from_dict(json.loads(job.initial_json))}
    result = get_job_kind(job.kind).run(instance, job.method, time_limit=job.time_limit, seed=job.seed,
                                        threads=job.threads, options=job.options, **initial)
    outcome: dict[str, Any] = {
        "status": result.status.value, "objective": result.objective, "lower_bound": result.lower_bound,
        "gap": result.gap, "runtime_s": result.runtime_s, "verdict": None, "peak_memory": None,
        "makespan": None, "energy": None, "error": None, "info": canonical_json(dict(result.info)) if result.info else None,
        "schedule": None, "log": "\n".join(result.log) or None,
    }
    if result.schedule is not None:
        report = verify(instance, result.schedule)
        verdict = "preemptive" if result.schedule.resumes_progress else "feasible"  # see Schedule
        outcome.update(verdict=verdict if report.feasible else "infeasible", objective=report.objective,
                       peak_memory=report.peak_memory, makespan=report.makespan,
                       energy=_energy(instance, result.schedule) if report.feasible else None,
                       schedule=canonical_json(schedule_to_dict(result.schedule)))
        if not report.feasible:
            outcome.update(status=Status.ERROR.value, gap=None,
                           error=f"the verifier rejects the schedule: {report.first_problem()}")
    return outcome
