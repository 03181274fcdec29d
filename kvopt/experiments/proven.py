"""MC-SF against proven optima at the sizes where kvopt proves them (notebook 01, issue 11).

The instances are the first n requests of the paper-synthetic instances (kvopt.generate.paper_synthetic,
indices 0..count-1): for model 1, n requests at round 0 with the paper's draws of M, s and o; for model 2,
the first n arrivals of its Poisson process. Each is certified once (kvopt.certify, the default portfolio,
`budget` seconds); MC-SF / OPT is exact where the certificate proves the optimum and lies in
[MC-SF / best, MC-SF / bound] elsewhere. Rows are appended to a JSON-lines file as each instance finishes,
so a run that is stopped continues where it was.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kvopt.certify import certify
from kvopt.errors import InputError
from kvopt.generate.paper import paper_synthetic
from kvopt.instance import Instance
from kvopt.result import integer_bound


def prefix_instances(model: int, n: int | None, count: int, seed: int = 0) -> Iterator[Instance]:
    """The first n requests of instances 0..count-1 (n None: the whole instances, the paper's size)."""
    for index in range(count):
        full = paper_synthetic(model, seed, index)
        yield full if n is None else full.replace_requests(full.requests[:n], name=f"{full.name}-n{n}")


def certified_row(instance: Instance, budget: float, prefix: int | None) -> dict:
    certificate = certify(instance, budget_s=budget)
    if certificate.interrupted:  # a stopped certificate is not a result: nothing is written for it
        raise KeyboardInterrupt
    mcsf = next(a.objective for a in certificate.attempts if a.method == "mcsf")
    return {"instance": instance.name, "model": instance.metadata["model"], "prefix": prefix, "n": len(instance),
            "memory": instance.memory, "budget_s": budget, "mcsf": mcsf, "objective": certificate.objective,
            "found_by": certificate.best.method, "lower_bound": integer_bound(certificate.lower_bound),
            "proved_by": certificate.bound_method, "optimal": certificate.optimal,
            "runtime_s": round(certificate.runtime_s, 2)}


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    with open(path) as lines:
        for number, line in enumerate(lines, 1):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as problem:
                raise InputError(f"not a JSON line ({problem.msg})", f"{path}:{number}") from None
    return rows


def run(models, sizes, count: int, budget: float, path: Path, seed: int = 0, report=print) -> list[dict]:
    """Certify every instance not yet in `path` (same name and budget); returns all rows for the study."""
    done = {(row["instance"], row["budget_s"]) for row in read_rows(path)}
    wanted = set()
    path.parent.mkdir(parents=True, exist_ok=True)
    for model in models:
        for n in sizes:
            for instance in prefix_instances(model, n, count, seed):
                wanted.add((instance.name, budget))
                if (instance.name, budget) in done:
                    continue
                row = certified_row(instance, budget, n)
                with open(path, "a") as out:
                    out.write(json.dumps(row) + "\n")
                if report:
                    report(f"{row['instance']}: MC-SF {row['mcsf']}, best {row['objective']} ({row['found_by']}), "
                           f"bound {row['lower_bound']} ({row['proved_by']}){' proven' if row['optimal'] else ''}, "
                           f"{row['runtime_s']} s")
    return [row for row in read_rows(path) if (row["instance"], row["budget_s"]) in wanted]


@dataclass(frozen=True)
class Summary:
    model: int
    n: int | None  # None: whole instances
    instances: int
    proven: int
    mean_ratio: float | None  # MC-SF / OPT over the proven instances
    worst_ratio: float | None
    mcsf_optimal: int  # proven instances where MC-SF's objective is the optimum
    mean_to_best: float  # over all instances: MC-SF / best known (below the true ratio)
    mean_to_bound: float  # over all instances: MC-SF / bound (above it)
    median_runtime_s: float


def summarize(rows: list[dict]) -> list[Summary]:
    """Per model and prefix size (whole instances last, as n = None)."""
    summaries = []
    for model, n in sorted({(row["model"], row["prefix"]) for row in rows}, key=lambda key: (key[0], key[1] or 10**9)):
        group = [row for row in rows if (row["model"], row["prefix"]) == (model, n)]
        proven = [row["mcsf"] / row["objective"] for row in group if row["optimal"]]
        summaries.append(Summary(
            model, n, len(group), len(proven), statistics.fmean(proven) if proven else None,
            max(proven, default=None),
            sum(1 for row in group if row["optimal"] and row["mcsf"] == row["objective"]),
            statistics.fmean(row["mcsf"] / row["objective"] for row in group),
            statistics.fmean(row["mcsf"] / max(row["lower_bound"], 1) for row in group),
            statistics.median(row["runtime_s"] for row in group)))
    return summaries
