"""The plots of `kvopt report RESULTS --plots DIR`, drawn from a results file alone (the file stores the
instances and schedules, so no instance file is needed):

  ratio-to-bound.png, ratio-to-best.png  per method, the distribution of objective / best bound and
                                         objective / best known objective over its jobs;
  latency-cdf.png                        per method, request latencies pooled over its jobs;
  gantt-INSTANCE-METHOD.png,             for one instance (--instance, default the first by name), each
  memory-INSTANCE-METHOD.png             method's schedule (its first seed and time limit).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from kvopt.errors import InputError
from kvopt.report import plots
from kvopt.report.tables import ratios
from kvopt.sweep.store import ResultsStore


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "x"


def plot_results(store: ResultsStore, directory: str | Path, instance: str | None = None) -> list[Path]:
    """Write the plots into `directory`; returns the files written."""
    directory = Path(directory)
    rows = store.rows()
    solved = ratios(rows)
    if not solved:
        raise InputError("no job in the results file has a schedule: nothing to plot", str(store.path))
    written = []
    for column, name, label in (("bound_ratio", "ratio-to-bound.png", "objective / best lower bound"),
                                ("best_ratio", "ratio-to-best.png", "objective / best known objective")):
        groups = defaultdict(list)
        for row in solved:
            groups[row["label"]].append(row[column])
        written.append(plots.ratio_distribution(groups, directory / name, xlabel=label,
                                                title=f"{label} per job"))
    latencies = defaultdict(list)
    instances = {}
    for row in solved:
        if row["instance_hash"] not in instances:
            instances[row["instance_hash"]] = store.instance(row["instance_hash"])
        schedule = store.schedule(row["job_key"])
        latencies[row["label"]].extend(plots.request_latencies(instances[row["instance_hash"]], schedule))
    written.append(plots.latency_cdf(latencies, directory / "latency-cdf.png",
                                     title="request latency, all jobs with a schedule"))
    names = sorted({row["instance"] for row in solved})
    chosen = instance or names[0]
    if chosen not in names:
        raise InputError(f"no schedule recorded for instance {chosen!r}; instances with schedules: "
                         f"{', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
    shown = set()
    for row in solved:  # rows are ordered by instance, label, time limit, seed: the first per label is shown
        if row["instance"] != chosen or row["label"] in shown:
            continue
        shown.add(row["label"])
        instance_data = instances[row["instance_hash"]]
        schedule = store.schedule(row["job_key"])
        stem = f"{_slug(chosen)}-{_slug(row['label'])}"
        title = f"{chosen}, {row['label']} (seed {row['seed']}): total latency {row['objective']}"
        written.append(plots.gantt(instance_data, schedule, directory / f"gantt-{stem}.png", title=title))
        written.append(plots.memory_profile(instance_data, schedule, directory / f"memory-{stem}.png",
                                            title=f"{chosen}, {row['label']}: memory per round"))
    return written
