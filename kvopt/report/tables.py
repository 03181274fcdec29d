"""Paper-ready tables from a results file: one line per method (and time limit, when several were run).

For every job with a verified schedule:
  ratio to best bound = objective / the largest lower bound recorded for its instance by any job
                        (an upper bound on the job's true ratio to the optimum; 1 means proven optimal);
  ratio to best known = objective / the smallest objective recorded for its instance by any job
                        whose schedule is non-preemptive (verdict "preemptive" rows resume evicted
                        requests with their progress, a relaxation; they are reported, not compared).
A line reports how many jobs it has, how many produced a schedule, how many were proven optimal and how
many failed (error, time-out without a schedule, infeasible), the mean and worst of both ratios over the
jobs with a schedule, and the mean runtime of the jobs that ran to the end.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, fields
from typing import Any

from kvopt.result import Status

FAILED = (Status.ERROR, Status.TIMEOUT, Status.INFEASIBLE)  # statuses of jobs that give no figure
FORMATS = ("markdown", "latex", "csv")


@dataclass(frozen=True)
class MethodLine:
    method: str
    time_limit: float | None
    jobs: int
    schedules: int
    optimal: int
    failed: int
    bound_ratio_mean: float | None
    bound_ratio_worst: float | None
    best_ratio_mean: float | None
    best_ratio_worst: float | None
    runtime_mean_s: float | None


def instance_key(row: Mapping[str, Any]) -> tuple[str, str]:
    return row["instance"], row["instance_hash"]


def best_per_instance(rows: Iterable[Mapping[str, Any]]) -> tuple[dict, dict]:
    """Per instance: the largest recorded lower bound and the smallest recorded objective."""
    bound: dict[tuple[str, str], float] = {}
    known: dict[tuple[str, str], int] = {}
    for row in rows:
        key = instance_key(row)
        if row["lower_bound"] is not None:
            bound[key] = max(bound.get(key, row["lower_bound"]), row["lower_bound"])
        if row["objective"] is not None and row.get("verdict") != "preemptive":  # another model's optimum
            known[key] = min(known.get(key, row["objective"]), row["objective"])
    return bound, known


def ratios(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows with a schedule, each with 'bound_ratio' and 'best_ratio' added."""
    bound, known = best_per_instance(rows)
    out = []
    for row in rows:
        if row["objective"] is None:
            continue
        key = instance_key(row)
        out.append({**row, "bound_ratio": row["objective"] / bound[key] if bound.get(key) else None,
                    "best_ratio": row["objective"] / known[key] if known.get(key) else None})
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarize(rows: list[Mapping[str, Any]]) -> list[MethodLine]:
    """One MethodLine per (label, time limit), sorted by label then time limit (no limit last)."""
    groups: dict[tuple[str, float | None], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["label"], row["time_limit"]].append(row)
    with_ratios = defaultdict(list)
    for row in ratios(rows):
        with_ratios[row["label"], row["time_limit"]].append(row)
    lines = []
    for (label, time_limit), members in sorted(groups.items(),
                                               key=lambda item: (item[0][0], item[0][1] is None, item[0][1] or 0)):
        solved = with_ratios[label, time_limit]
        bound_ratios = [r["bound_ratio"] for r in solved if r["bound_ratio"] is not None]
        best_ratios = [r["best_ratio"] for r in solved if r["best_ratio"] is not None]
        runtimes = [r["runtime_s"] for r in members if r["runtime_s"] is not None]
        lines.append(MethodLine(
            method=label, time_limit=time_limit, jobs=len(members), schedules=len(solved),
            optimal=sum(r["status"] == "optimal" for r in members),
            failed=sum(r["status"] in FAILED for r in members),
            bound_ratio_mean=_mean(bound_ratios), bound_ratio_worst=max(bound_ratios, default=None),
            best_ratio_mean=_mean(best_ratios), best_ratio_worst=max(best_ratios, default=None),
            runtime_mean_s=_mean(runtimes)))
    return lines


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.001:
        return "<0.001"
    return f"{value:.0f}" if value >= 100 else f"{value:.2f}" if value >= 1 else f"{value:.3f}"


def _cells(line: MethodLine, with_limit: bool) -> list[str]:
    limit = ["none" if line.time_limit is None else f"{line.time_limit:g}"] if with_limit else []
    return [line.method, *limit, str(line.jobs), str(line.schedules), str(line.optimal), str(line.failed),
            _ratio(line.bound_ratio_mean), _ratio(line.bound_ratio_worst), _ratio(line.best_ratio_mean),
            _ratio(line.best_ratio_worst), _seconds(line.runtime_mean_s)]


def _csv(kind: type, lines: list) -> str:
    """A table's lines (dataclasses of `kind`) as CSV at full precision, one column per field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields(kind)])
    writer.writerows(["" if v is None else v for v in astuple(line)] for line in lines)
    return out.getvalue()


def render(lines: list[MethodLine], fmt: str = "markdown") -> str:
    """The table as Markdown, LaTeX (booktabs) or CSV (CSV keeps full precision)."""
    with_limit = len({line.time_limit for line in lines}) > 1
    if fmt == "csv":
        return _csv(MethodLine, lines)
    limit = ["time limit (s)"] if with_limit else []
    if fmt == "markdown":
        header = ["method", *limit, "jobs", "schedules", "optimal", "failed", "ratio to best bound: mean",
                  "worst", "ratio to best known: mean", "worst", "mean runtime (s)"]
        rule = ["---"] + ["---:"] * (len(header) - 1)
        body = [header, rule, *(_cells(line, with_limit) for line in lines)]
        return "\n".join("| " + " | ".join(row) + " |" for row in body) + "\n"
    if fmt == "latex":
        first = 6 + len(limit)  # column of the first ratio
        rows = [" & ".join(_latex(cell) for cell in _cells(line, with_limit)) + r" \\" for line in lines]
        return "\n".join([
            r"\begin{tabular}{l" + "r" * (9 + len(limit)) + "}",
            r"\toprule",
            " & ".join(["method", *limit, "jobs", "schedules", "optimal", "failed",
                        r"\multicolumn{2}{c}{ratio to best bound}", r"\multicolumn{2}{c}{ratio to best known}",
                        "runtime (s)"]) + r" \\",
            rf"\cmidrule(lr){{{first}-{first + 1}}}\cmidrule(lr){{{first + 2}-{first + 3}}}",
            " & ".join([""] * (5 + len(limit)) + ["mean", "worst", "mean", "worst", "mean"]) + r" \\",
            r"\midrule", *rows, r"\bottomrule", r"\end{tabular}", ""])
    raise ValueError(f"unknown format {fmt!r}")


_LATEX = {"—": "--", "\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
          **{char: "\\" + char for char in "&%$#_{}"}}


def _latex(text: str) -> str:
    return "".join(_LATEX.get(char, char) for char in text)


@dataclass(frozen=True)
class EnergyLine:
    """Energy of a method's schedules (the `energy` column: kvopt.energy under the default power model)."""

    method: str
    time_limit: float | None
    schedules: int
    energy_mean: float | None
    energy_ratio_mean: float | None
    energy_ratio_worst: float | None
    on_pareto_front: int


def energy_summary(rows: list[Mapping[str, Any]]) -> list[EnergyLine]:
    """Per (label, time limit): mean energy, mean and worst energy / least energy recorded for the instance,
    and how many of its schedules lie on their instance's latency-energy Pareto front (non-preemptive
    schedules compared, as for the best known objective)."""
    from kvopt.energy import pareto_front

    solved = [r for r in rows if r.get("energy") is not None and r["objective"] is not None]
    compared = [r for r in solved if r.get("verdict") != "preemptive"]
    least: dict[tuple[str, str], float] = {}
    by_instance: dict[tuple[str, str], list[tuple[str, float, float]]] = defaultdict(list)
    for row in compared:
        key = instance_key(row)
        least[key] = min(least.get(key, row["energy"]), row["energy"])
        by_instance[key].append((row["job_key"], row["objective"], row["energy"]))
    front = {job for points in by_instance.values() for job, _, _ in pareto_front(points)}
    groups: dict[tuple[str, float | None], list[Mapping[str, Any]]] = defaultdict(list)
    for row in solved:
        groups[row["label"], row["time_limit"]].append(row)
    lines = []
    for (label, limit), members in sorted(groups.items(), key=lambda i: (i[0][0], i[0][1] is None, i[0][1] or 0)):
        ratios_ = [r["energy"] / least[instance_key(r)] for r in members
                   if least.get(instance_key(r)) and r.get("verdict") != "preemptive"]
        lines.append(EnergyLine(label, limit, len(members), _mean([r["energy"] for r in members]), _mean(ratios_),
                                max(ratios_, default=None), sum(r["job_key"] in front for r in members)))
    return lines


def render_energy(lines: list[EnergyLine], fmt: str = "markdown") -> str:
    """The energy table as Markdown, LaTeX (booktabs) or CSV."""
    with_limit = len({line.time_limit for line in lines}) > 1
    if fmt == "csv":
        return _csv(EnergyLine, lines)
    header = ["method", *(["time limit (s)"] if with_limit else []), "schedules", "mean energy",
              "energy / least: mean", "worst", "on the latency-energy front"]
    body = [[line.method, *(["none" if line.time_limit is None else f"{line.time_limit:g}"] if with_limit else []),
             str(line.schedules), "—" if line.energy_mean is None else f"{line.energy_mean:.1f}",
             _ratio(line.energy_ratio_mean), _ratio(line.energy_ratio_worst), str(line.on_pareto_front)]
            for line in lines]
    if fmt == "markdown":
        rule = ["---"] + ["---:"] * (len(header) - 1)
        return "\n".join("| " + " | ".join(row) + " |" for row in [header, rule, *body]) + "\n"
    if fmt == "latex":
        return "\n".join([r"\begin{tabular}{l" + "r" * (len(header) - 1) + "}", r"\toprule",
                          " & ".join(_latex(c) for c in header) + r" \\", r"\midrule",
                          *(" & ".join(_latex(c) for c in row) + r" \\" for row in body),
                          r"\bottomrule", r"\end{tabular}", ""])
    raise ValueError(f"unknown format {fmt!r}")
