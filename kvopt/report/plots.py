"""Plots (matplotlib, imported inside each function; figures are drawn on the Agg canvas directly, so no
global backend is switched and no display is needed):

gantt               one schedule: each request's wait (arrival to start) and run(s), evicted runs marked;
memory_profile      one schedule: memory held in every round against the capacity M, from the verifier's
                    own profile (kvopt.verify Report.memory_profile);
power_profile       one schedule: power over time (kvopt.energy) and, on a second axis, memory held;
energy_pareto       per instance: total latency against energy of each method's schedule, Pareto front;
latency_cdf         per method: the empirical CDF of request latencies p_i + o_i - a_i;
ratio_distribution  per method: the empirical CDF of a per-job ratio (objective / best bound, say).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.io.files import atomic_write
from kvopt.schedule import Schedule

COLORS = {"run": "#3b75af", "evicted": "#e5862f", "wait": "#c9c9c9", "limit": "#c0392b"}


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError("plots need matplotlib: pip install 'kvopt[plot]'") from None
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Any, path: str | Path) -> Path:
    """Write the figure atomically, in the format its suffix names (a missing folder is created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda temporary: figure.savefig(temporary, dpi=120))
    return path


def completions(instance: Instance, schedule: Schedule) -> np.ndarray:
    """Completion period of every request (instance order): start + output, or the end of its last run."""
    return np.array([schedule.runs[r.id][-1].end if r.id in schedule.runs else schedule.starts[r.id] + r.output
                     for r in instance.requests], dtype=np.int64)


def request_latencies(instance: Instance, schedule: Schedule) -> np.ndarray:
    """p_i + o_i - a_i for every request (the end of the last run for evicted requests)."""
    return completions(instance, schedule) - instance.arrivals


def gantt(instance: Instance, schedule: Schedule, path: str | Path, title: str | None = None) -> Path:
    """One line per request, ordered by start: grey while waiting, blue while running (rounds p+1..p+o
    are drawn as the interval [p, p+o]), orange for runs that were evicted."""
    missing = [r.id for r in instance.requests if r.id not in schedule.starts]
    if missing:
        raise InputError(f"the schedule has no start for {len(missing)} request(s), e.g. {missing[0]!r}")
    order = sorted(range(len(instance)), key=lambda k: (schedule.starts[instance.ids[k]], k))
    rows = {k: y for y, k in enumerate(order)}
    figure = _figure(9, min(12, 2 + 0.12 * len(instance)))
    axes = figure.add_subplot()
    first_runs = {r.id: schedule.runs[r.id][0].start for r in instance.requests if r.id in schedule.runs}
    wait_from = instance.arrivals
    wait_to = np.array([first_runs.get(r.id, schedule.starts[r.id]) for r in instance.requests])
    y = np.array([rows[k] for k in range(len(instance))])
    axes.barh(y, wait_to - wait_from, left=wait_from, height=0.35, color=COLORS["wait"], label="waiting")
    starts = np.array([schedule.starts[r.id] for r in instance.requests])
    completion = completions(instance, schedule)
    last_start = np.array([schedule.runs[r.id][-1].start if r.id in schedule.runs else starts[k]
                           for k, r in enumerate(instance.requests)])
    axes.barh(y, completion - last_start, left=last_start, height=0.8, color=COLORS["run"], label="running")
    evicted = [(rows[k], run) for k, r in enumerate(instance.requests) for run in schedule.runs.get(r.id, ())[:-1]]
    if evicted:
        axes.barh([row for row, _ in evicted], [run.tokens for _, run in evicted],
                  left=[run.start for _, run in evicted], height=0.8, color=COLORS["evicted"],
                  label="evicted run")
    axes.invert_yaxis()
    axes.set_xlabel("time in rounds (started at p, a request runs in rounds p+1 .. p+o: from p to p+o)")
    axes.set_ylabel("request (by start)")
    if len(instance) <= 40:
        axes.set_yticks(range(len(order)), [instance.ids[k] for k in order], fontsize=7)
    axes.set_xlim(0, max(1, int(completion.max())))
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    axes.set_title(title or f"{instance.name or 'instance'}: {len(instance)} requests, M = {instance.memory}")
    return _save(figure, path)


def memory_profile(instance: Instance, schedule: Schedule, path: str | Path, title: str | None = None) -> Path:
    """Memory held in each round (the verifier's profile) and the capacity M; violated rounds in red.
    Round t is drawn over the interval t-1..t, on the same time axis as `gantt`."""
    from kvopt.verify import verify

    report = verify(instance, schedule)
    profile = report.memory_profile
    rounds = np.arange(profile.size)
    figure = _figure(9, 3.6)
    axes = figure.add_subplot()
    axes.fill_between(rounds, profile, step="pre", color=COLORS["run"], alpha=0.35)
    axes.step(rounds, profile, where="pre", color=COLORS["run"], linewidth=1, label="memory held")
    axes.axhline(instance.memory, color=COLORS["limit"], linestyle="--", linewidth=1.2,
                 label=f"M = {instance.memory}")
    over = profile > instance.memory
    if over.any():
        axes.plot(rounds[over] - 0.5, profile[over], "o", color=COLORS["limit"], markersize=3, label="over M")
    axes.set_xlabel("time in rounds (round t ends at t)")
    axes.set_ylabel("KV-cache tokens")
    axes.set_ylim(0, max(instance.memory, int(profile.max(initial=0))) * 1.08)
    axes.set_xlim(0, max(1, profile.size - 1))
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    verdict = f"peak {report.peak_memory} in round {report.peak_round}" if report.feasible else \
        f"INFEASIBLE: {report.violation_count} violation(s)"
    axes.set_title(title or f"{instance.name or 'instance'}: memory per round ({verdict})")
    return _save(figure, path)


def power_profile(instance: Instance, schedule: Schedule, path: str | Path, title: str | None = None,
                  model: Any = None) -> Path:
    """Power of every batch (W, all GPUs; idle gaps at idle power) over time in seconds (or rounds), with
    the KV memory held on a second axis. A clock-time schedule is timed by its clock record."""
    from kvopt.energy import account
    from kvopt.hardware.energy import load

    energy = account(instance, schedule, model or load())
    b = energy.batches
    times = np.concatenate([[0.0], b.begin + b.duration])
    figure = _figure(9, 3.6)
    axes = figure.add_subplot()
    power = energy.power()
    gaps = energy.idle_gaps > 0
    axes.step(times, np.concatenate([power[:1], power]), where="pre", color=COLORS["evicted"], linewidth=1,
              label="power (W)")
    if gaps.any():  # idle waits before batches, at idle power
        axes.hlines(np.full(int(gaps.sum()), energy.idle_power_w), (b.begin - energy.idle_gaps)[gaps],
                    b.begin[gaps], color=COLORS["wait"], linewidth=2, label="idle (W)")
    axes.set_xlabel("time (s)" if b.unit == "s" else "time in rounds")
    axes.set_ylabel(f"power, {energy.gpus} GPUs (W)")
    axes.set_ylim(0, max(1.0, float(power.max(initial=0))) * 1.1)
    memory = figure.axes[0].twinx()
    memory.step(times, np.concatenate([b.kv[:1], b.kv]), where="pre", color=COLORS["run"], alpha=0.6,
                linewidth=1, label="memory held")
    memory.axhline(instance.memory, color=COLORS["limit"], linestyle="--", linewidth=1, label=f"M = {instance.memory}")
    memory.set_ylabel("KV-cache tokens")
    memory.set_ylim(0, instance.memory * 1.08)
    lines = axes.get_legend_handles_labels()
    more = memory.get_legend_handles_labels()
    axes.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", bbox_to_anchor=(1.08, 1.0), fontsize=8)
    summary = energy.summary(windows=1)
    axes.set_title(title or f"{instance.name or 'instance'}: {summary['total']:.4g} {energy.unit} "
                            f"({energy.model}), average {summary['average_power_w']:.0f} W")
    return _save(figure, path)


def energy_pareto(points: Sequence[tuple[str, float, float]], path: str | Path, unit: str,
                  title: str | None = None) -> Path:
    """(label, total latency, energy) of schedules of one instance, the Pareto front joined."""
    from kvopt.energy import pareto_front

    figure = _figure(7, 4.2)
    axes = figure.add_subplot()
    for label, latency, energy in points:
        axes.plot(latency, energy, "o", markersize=5, label=label)
    front = pareto_front(points)
    axes.plot([p[1] for p in front], [p[2] for p in front], "-", color="black", linewidth=1, label="Pareto front")
    axes.set_xlabel("total latency (rounds)")
    axes.set_ylabel(f"energy ({unit})")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.set_title(title or "latency against energy")
    return _save(figure, path)


def _ecdf(axes: Any, groups: Mapping[str, Sequence[float]]) -> None:
    for label, values in groups.items():
        values = np.sort(np.asarray(values, dtype=float))
        if values.size:  # the curve starts at 0 at the smallest value
            axes.step(np.concatenate([values[:1], values]), np.arange(values.size + 1) / values.size,
                      where="post", label=f"{label} (n={values.size})")
    axes.set_ylim(0, 1.02)
    axes.set_ylabel("fraction")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)


def latency_cdf(latencies: Mapping[str, Sequence[float]], path: str | Path, title: str | None = None) -> Path:
    """Empirical CDF of request latencies (rounds), one curve per method."""
    figure = _figure(7, 4.2)
    axes = figure.add_subplot()
    _ecdf(axes, latencies)
    axes.set_xlabel("request latency p + o - a (rounds)")
    axes.set_title(title or "request latency")
    return _save(figure, path)


def ratio_distribution(ratios: Mapping[str, Sequence[float]], path: str | Path, title: str | None = None,
                       xlabel: str = "objective / best lower bound") -> Path:
    """Empirical CDF of per-job ratios, one curve per method."""
    figure = _figure(7, 4.2)
    axes = figure.add_subplot()
    _ecdf(axes, ratios)
    axes.set_xlabel(xlabel)
    axes.set_title(title or "ratio distribution")
    return _save(figure, path)
