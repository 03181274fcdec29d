"""The plots of `kvopt report RESULTS --plots DIR`, drawn from a results file alone (the file stores the
instances and schedules, so no instance file is needed):

  ratio-to-bound.png, ratio-to-best.png  per method, the distribution of objective / best bound and
                                         objective / best known objective over its jobs;
  latency-cdf.png                        per method, request latencies pooled over its jobs;
  gantt-INSTANCE-METHOD.png,             for one instance (--instance, default the first by name), each
  memory-INSTANCE-METHOD.png,            method's schedule (its first seed and time limit): Gantt chart,
  power-INSTANCE-METHOD.png              memory per round, power over time next to memory (kvopt.energy);
  energy-pareto-INSTANCE.png             that instance's schedules: total latency against energy.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path

from kvopt.errors import InputError
from kvopt.report import plots
from kvopt.report.tables import ratios
from kvopt.sweep.store import ResultsStore


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "x"


Plot = tuple[str, Callable[[Path], Path]]  # file name, and the function drawing it into a given file


def planned_plots(store: ResultsStore, instance: str | None = None) -> list[Plot]:
    """The plots of a results file, checked (an unknown instance is an InputError) before any is drawn."""
    rows = store.rows()
    solved = ratios(rows)
    if not solved:
        raise InputError("no job in the results file has a schedule: nothing to plot", str(store.path))
    names = sorted({row["instance"] for row in solved})
    chosen = instance or names[0]
    if chosen not in names:
        raise InputError(f"no schedule recorded for instance {chosen!r}; instances with schedules: "
                         f"{', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
    planned: list[Plot] = []
    for column, name, label in (("bound_ratio", "ratio-to-bound.png", "objective / best lower bound"),
                                ("best_ratio", "ratio-to-best.png", "objective / best known objective")):
        groups = defaultdict(list)
        for row in solved:
            groups[row["label"]].append(row[column])
        planned.append((name, partial(plots.ratio_distribution, groups, xlabel=label, title=f"{label} per job")))
    latencies = defaultdict(list)
    instances = {}
    for row in solved:
        if row["instance_hash"] not in instances:
            instances[row["instance_hash"]] = store.instance(row["instance_hash"])
        schedule = store.schedule(row["job_key"])
        latencies[row["label"]].extend(plots.request_latencies(instances[row["instance_hash"]], schedule))
    planned.append(("latency-cdf.png", partial(plots.latency_cdf, latencies,
                                               title="request latency, all jobs with a schedule")))
    shown = set()
    points: list[tuple[str, float, float]] = []
    for row in solved:  # rows are ordered by instance, label, time limit, seed: the first per label is shown
        if row["instance"] != chosen or row["label"] in shown:
            continue
        shown.add(row["label"])
        instance_data = instances[row["instance_hash"]]
        schedule = store.schedule(row["job_key"])
        stem = f"{_slug(chosen)}-{_slug(row['label'])}"
        title = f"{chosen}, {row['label']} (seed {row['seed']}): total latency {row['objective']}"
        planned.append((f"gantt-{stem}.png", partial(plots.gantt, instance_data, schedule, title=title)))
        planned.append((f"memory-{stem}.png", partial(plots.memory_profile, instance_data, schedule,
                                                      title=f"{chosen}, {row['label']}: memory per round")))
        planned.append((f"power-{stem}.png", partial(plots.power_profile, instance_data, schedule,
                                                     title=f"{chosen}, {row['label']}: power and memory")))
        if row.get("energy") is not None and row.get("verdict") == "feasible":
            points.append((row["label"], row["objective"], row["energy"]))
    if points:
        planned.append((f"energy-pareto-{_slug(chosen)}.png", partial(
            plots.energy_pareto, points, unit="the default power model: W-rounds with unit rounds", title=f"{chosen}: latency and energy")))
    return planned


def plot_results(store: ResultsStore, directory: str | Path, instance: str | None = None) -> list[Path]:
    """Write the plots into `directory`; returns the files written."""
    return [draw(Path(directory) / name) for name, draw in planned_plots(store, instance)]
