"""The sweep config: one TOML file holding the whole experiment grid (experiments as data, as
airbus/discrete-optimization keeps its studies; PyJobShop keeps its solver settings in TOML the same way).

    name = "paper-sample"            # optional (default: the file name)
    results = "paper-sample.sqlite"  # optional results file, relative to this file
    seeds = [0, 1]                   # default [0]
    time_limits = [10.0]             # seconds; default: no limit
    threads = 1                      # solver threads per job
    grace = 10.0                     # guard: kill a job still running time_limit + grace seconds in
    max_job_seconds = 600.0          # guard for jobs without a time limit (default: none)
    plugins = ["mylab.methods"]      # modules imported by every worker (they register methods); a
                                     # .py file is read relative to this file
    initial = "best"                 # exact methods and bounds start from the best recorded schedule
                                     # of their instance ("none": from their own construction)

    [[instances]]                    # kvopt.sweep.sources: files or a generator
    path = "../../instances/paper-sample"

    [[methods]]
    name = "fcfs"                    # anything `kvopt methods` lists
    [[methods]]
    name = "ip"
    kind = "solve"                   # job kind (default "solve"; "simulate" once registered)
    options = { presolve = true }    # method options, checked before anything runs
    grid = { horizon = [100, 200] }  # options to vary: one entry per combination
    label = "ip"                     # the name in reports, followed by the grid's values
                                     # (default: the method name followed by all its options)
    seeds = [0]                      # per-method overrides of seeds and time_limits
    time_limits = [60.0]

The grid is instances x methods (with their option grids) x seeds x time limits. With initial = "best"
(the default) the jobs of methods that take an initial schedule (`kvopt methods`: ip, lp, cpsat, exact)
run after the others, each starting from the best verified non-preemptive schedule recorded for its
instance in the results file, as `kvopt certify` hands its best schedule on.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvopt.errors import InputError
from kvopt.io import instance_to_dict
from kvopt.plugins import import_plugins
from kvopt.sweep.jobs import Job, canonical_json, get_job_kind, instance_digest
from kvopt.sweep.sources import load_source, reject_unknown, take

TOP_KEYS = {"name", "results", "seeds", "time_limits", "threads", "grace", "max_job_seconds", "plugins",
            "initial", "instances", "methods"}
INITIAL = ("best", "none")
DEFAULT_GRACE = 10.0


@dataclass(frozen=True)
class MethodEntry:
    kind: str
    name: str
    label: str
    options: Mapping[str, Any]
    seeds: tuple[int, ...]
    time_limits: tuple[float | None, ...]


@dataclass(frozen=True)
class SweepConfig:
    name: str
    path: Path
    results: Path | None
    threads: int
    grace: float
    max_job_seconds: float | None
    plugins: tuple[str, ...]
    sources: tuple[Mapping[str, Any], ...]
    methods: tuple[MethodEntry, ...]
    initial: str = "best"

    def guard(self, time_limit: float | None) -> float | None:
        """Wall-clock seconds after which a job is killed."""
        return self.max_job_seconds if time_limit is None else time_limit + self.grace


def load_config(path: str | Path) -> SweepConfig:
    """Read and check a sweep config (methods, options and plugins are checked here, before any job)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"malformed TOML: {error}", str(path)) from None
    where = str(path)
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(TOP_KEYS))})", where)
    name = take(data, "name", str, where, default=path.stem)
    results = take(data, "results", str, where)
    plugins = tuple(_plugin(name, path.parent) for name in
                    _strings(take(data, "plugins", list, where, default=[]), "plugins", where))
    try:
        import_plugins(plugins)
    except InputError as error:
        raise error.located(where) from None
    seeds = _seeds(take(data, "seeds", list, where, default=[0]), where)
    time_limits = _time_limits(take(data, "time_limits", list, where, default=[]), where)
    threads = take(data, "threads", int, where, default=1)
    if threads < 1:
        raise InputError(f"'threads' must be positive, got {threads}", where)
    grace = float(_positive(take(data, "grace", (int, float), where, default=DEFAULT_GRACE), "grace", where))
    initial = take(data, "initial", str, where, default="best")
    if initial not in INITIAL:
        raise InputError(f"'initial' must be one of {', '.join(INITIAL)}, got {initial!r}", where)
    max_job = take(data, "max_job_seconds", (int, float), where)
    sources = take(data, "instances", list, where, default=[])
    methods = take(data, "methods", list, where, default=[])
    if not sources:
        raise InputError("no [[instances]] given", where)
    if not methods:
        raise InputError("no [[methods]] given", where)
    entries = [entry for k, method in enumerate(methods)
               for entry in _method_entries(method, f"{where}: methods[{k}]", seeds, time_limits, threads)]
    labels = [entry.label for entry in entries]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise InputError(f"method label(s) {', '.join(repeated)} used more than once; give each entry its "
                         f"own 'label'", where)
    return SweepConfig(name=name, path=path, results=None if results is None else path.parent / results,
                       threads=threads, grace=grace,
                       max_job_seconds=None if max_job is None else float(_positive(max_job, "max_job_seconds",
                                                                                      where)),
                       plugins=plugins, sources=tuple(sources), methods=tuple(entries), initial=initial)


def expand_jobs(config: SweepConfig) -> tuple[list[Job], dict[str, str]]:
    """The jobs of the grid (in config order, duplicates removed) and the instances' contents by hash."""
    jobs: dict[str, Job] = {}
    contents: dict[str, str] = {}
    for k, source in enumerate(config.sources):
        for instance in load_source(source, config.path.parent, f"{config.path}: instances[{k}]"):
            content = instance_to_dict(instance)
            digest = instance_digest(content)
            contents[digest] = canonical_json(content)
            for entry in config.methods:
                uses_initial = config.initial == "best" and _takes_initial(entry)
                for time_limit in entry.time_limits:
                    for seed in entry.seeds:
                        job = Job(instance_name=instance.name or digest[:12], instance_hash=digest,
                                  instance_json=contents[digest], requests=len(instance),
                                  memory=instance.memory, kind=entry.kind, method=entry.name,
                                  label=entry.label, options=dict(entry.options), seed=seed,
                                  time_limit=time_limit, threads=config.threads,
                                  guard_s=config.guard(time_limit), plugins=config.plugins,
                                  uses_initial=uses_initial)
                        jobs.setdefault(job.key, job)
    return list(jobs.values()), contents


def _takes_initial(entry: MethodEntry) -> bool:
    from kvopt.catalogue import get_method
    return entry.kind == "solve" and get_method(entry.name).uses_initial_schedule


def _method_entries(method: Any, where: str, seeds: tuple[int, ...], time_limits: tuple[float | None, ...],
                    threads: int) -> list[MethodEntry]:
    if not isinstance(method, Mapping):
        raise InputError("a method must be a table", where)
    params = dict(method)
    name = take(params, "name", str, where, required=True)
    kind = take(params, "kind", str, where, default="solve")
    label = take(params, "label", str, where)
    options = take(params, "options", dict, where, default={})
    grid = take(params, "grid", dict, where, default={})
    seeds = _seeds(take(params, "seeds", list, where), where) if "seeds" in params else seeds
    if "time_limits" in params:
        time_limits = _time_limits(take(params, "time_limits", list, where), where)
    reject_unknown(params, where)
    try:
        job_kind = get_job_kind(kind)
    except InputError as error:
        raise error.located(where) from None
    clash = sorted(set(options) & set(grid))
    if clash:
        raise InputError(f"option(s) {', '.join(clash)} given both in 'options' and 'grid'", where)
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise InputError(f"grid option {key!r} must be a non-empty list of values", where)
    entries = []
    for combination in itertools.product(*grid.values()):
        varied = dict(zip(grid, combination))
        chosen = {**options, **varied}
        for time_limit in time_limits:
            try:
                job_kind.check(name, chosen, time_limit, seeds[0], threads)
            except InputError as error:
                raise error.located(where) from None
        shown = varied if label is not None else chosen
        entry_label = (label or name) + (f"[{', '.join(f'{k}={v}' for k, v in shown.items())}]" if shown else "")
        entries.append(MethodEntry(kind, name, entry_label, chosen, seeds, time_limits))
    return entries


def _plugin(name: str, directory: Path) -> str:
    """A plugin as every worker can import it: a .py file as an absolute path."""
    return str((directory / name).resolve()) if name.endswith(".py") else name


def _strings(values: list, key: str, where: str) -> list[str]:
    if not all(isinstance(v, str) for v in values):
        raise InputError(f"{key!r} must be a list of strings", where)
    return values


def _seeds(values: list, where: str) -> tuple[int, ...]:
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise InputError(f"'seeds' must be a non-empty list of non-negative integers, got {values!r}", where)
    return tuple(dict.fromkeys(values))


def _time_limits(values: list, where: str) -> tuple[float | None, ...]:
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise InputError(f"'time_limits' must hold positive numbers of seconds, got {value!r}", where)
    return tuple(dict.fromkeys(float(v) for v in values)) or (None,)


def _positive(value: float, key: str, where: str) -> float:
    if not value > 0:
        raise InputError(f"{key!r} must be positive, got {value}", where)
    return value
