"""MC-SF against the certified optimum on the paper's synthetic instances (arXiv 2502.07115 v5;
notebook 01).

The paper divides MC-SF's total latency by the optimum of its IP (Gurobi) on 200 instances per arrival
model. kvopt does not take an optimum on trust: every instance is run as a sweep (kvopt.sweep, one job per
instance and method, resumable, local processes or Dask) of

  * the policy (MC-SF with exact lengths, as a `kvopt solve` method) and other quick heuristics, whose
    verified schedules give the best known objective (an upper bound on the optimum);
  * the exact methods and lower bounds that are registered (`kvopt methods`), each within `time_limit`
    seconds, whose proven bounds give the best lower bound (an exact method that proves optimality
    gives its objective as bound).

Per instance the true ratio policy / OPT lies between policy / best known and policy / best bound; the
optimum is proven when the best bound meets the best known objective. Exact methods and bounds that are
not registered are listed as missing and skipped, so the study runs with whatever kvopt has.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kvopt.experiments.common import available
from kvopt.result import gap, proves_optimal
from kvopt.sweep import ResultsStore, load_config, run_sweep
from kvopt.sweep.runner import SweepSummary



@dataclass(frozen=True)
class SyntheticStudy:
    """What to run: `count` instances of each arrival model (kvopt.generate.paper_synthetic, indices
    0..count-1), the policy under study, heuristics that may improve the best known schedule, and the
    exact methods and bounds tried within `time_limit` seconds each per instance (every registered
    method of kind "bound" is added to `bounds`)."""

    models: tuple[int, ...] = (1, 2)
    count: int = 200
    seed: int = 0
    policy: str = "mcsf"
    heuristics: tuple[str, ...] = ("fcfs",)
    exact: tuple[str, ...] = ("exact", "ip", "cpsat")
    bounds: tuple[str, ...] = ("lp",)
    time_limit: float = 30.0
    name: str = "paper-synthetic-certified"

    def methods(self) -> tuple[list[str], list[str], list[str]]:
        """(quick methods, registered exact methods and bounds, missing names)."""
        quick, missing_quick = available((self.policy, *self.heuristics))
        slow, missing_slow = available((*self.exact, *self.bounds), kinds=("bound",))
        return quick, slow, missing_quick + missing_slow

    def worst_case_hours(self, workers: int) -> float:
        """Upper bound on the running time: every exact method and bound uses its whole time limit."""
        _, slow, _ = self.methods()
        return len(self.models) * self.count * len(slow) * self.time_limit / max(1, workers) / 3600


def write_config(study: SyntheticStudy, path: str | Path) -> Path:
    """Write the study as a `kvopt sweep` TOML file (run it on a Dask cluster with `kvopt sweep PATH
    --executor dask --scheduler ADDRESS`; the notebook then reads the same results file)."""
    quick, slow, missing = study.methods()
    if study.policy not in quick:
        raise ValueError(f"the policy {study.policy!r} is not a registered method")
    path = Path(path)
    lines = [f"# {study.name}: written by kvopt.experiments.synthetic.write_config",
             f"# study = {json.dumps(asdict(study))}",
             f"# methods not registered when written (skipped): {', '.join(missing) or 'none'}",
             f'name = "{study.name}"', f"seeds = [{study.seed}]", "max_job_seconds = 600", "grace = 10", "",
             "[[instances]]", 'generator = "paper-synthetic"',
             f"model = [{', '.join(str(m) for m in study.models)}]", f"seed = {study.seed}",
             f"count = {study.count}"]
    for name in quick:  # quick methods run without a time limit, so their jobs survive a change of budget
        lines += ["", "[[methods]]", f'name = "{name}"', "time_limits = []"]
    for name in slow:
        lines += ["", "[[methods]]", f'name = "{name}"', f"time_limits = [{float(study.time_limit)}]"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def run_study(study: SyntheticStudy, results: str | Path, *, executor: str = "local", workers: int | None = None,
              scheduler: str | None = None, progress: bool = False) -> SweepSummary:
    """Run the jobs not yet in `results` (a SQLite file; its config is written beside it as .toml)."""
    results = Path(results)
    config = load_config(write_config(study, results.with_suffix(".toml")))
    return run_sweep(config, results, executor=executor, workers=workers, scheduler=scheduler,
                     progress=progress)


@dataclass(frozen=True)
class InstanceLine:
    """One instance: the policy's objective, the best known objective and the best proven bound, with the
    methods that produced them."""

    instance: str
    model: int
    requests: int
    memory: int
    policy_objective: int | None
    best_objective: int | None
    best_by: tuple[str, ...]
    bound: float | None
    bound_by: tuple[str, ...]
    failed: tuple[str, ...] = field(default_factory=tuple)

    @property
    def proven(self) -> bool:
        """The optimum is proven: the best bound meets the best known objective."""
        return proves_optimal(self.bound, self.best_objective)

    @property
    def ratio_to_best(self) -> float | None:
        """policy / best known: a LOWER bound on policy / OPT (equal to it when the optimum is proven)."""
        if self.policy_objective is None or not self.best_objective:
            return None
        return self.policy_objective / self.best_objective

    @property
    def ratio_to_bound(self) -> float | None:
        """policy / best proven lower bound: an UPPER bound on policy / OPT."""
        if self.policy_objective is None or not self.bound:
            return None
        return self.policy_objective / self.bound

    @property
    def policy_proven_optimal(self) -> bool:
        return proves_optimal(self.bound, self.policy_objective)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "proven": self.proven, "ratio_to_best": self.ratio_to_best,
                "ratio_to_bound": self.ratio_to_bound, "policy_proven_optimal": self.policy_proven_optimal}


def bound_source(row: Mapping[str, Any]) -> str:
    """The method whose proof a row's lower bound is: the row's own method, unless kvopt.solve took the
    bound from elsewhere (the trivial bound attached to a policy's result, say)."""
    info = json.loads(row["info"]) if row["info"] else {}
    if "optimality_proved_by" in info:
        return info["optimality_proved_by"]
    if row["status"] == "optimal":
        return row["method"]
    return info.get("lower_bound_source", row["method"])


def _model(store: ResultsStore, row: Mapping[str, Any]) -> int:
    return int(store.instance(row["instance_hash"]).metadata["model"])


def instance_lines(results: str | Path, policy: str = "mcsf") -> list[InstanceLine]:
    """One line per instance of a results file, in model then instance order."""
    with ResultsStore(results, create=False) as store:
        rows = store.rows()
        grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault((row["instance"], row["instance_hash"]), []).append(row)
        lines = []
        for (name, _), members in grouped.items():
            first = members[0]
            objectives = {r["method"]: r["objective"] for r in members if r["objective"] is not None}
            bounds: dict[str, float] = {}
            for r in members:
                if r["lower_bound"] is not None:
                    source = bound_source(r)
                    bounds[source] = max(bounds.get(source, 0.0), float(r["lower_bound"]))
            best = min(objectives.values(), default=None)
            bound = max(bounds.values(), default=None)
            lines.append(InstanceLine(
                instance=name, model=_model(store, first), requests=first["requests"], memory=first["memory"],
                policy_objective=objectives.get(policy), best_objective=best,
                best_by=tuple(sorted(m for m, v in objectives.items() if v == best)),
                bound=bound, bound_by=tuple(sorted(m for m, v in bounds.items() if v == bound)),
                failed=tuple(sorted(r["method"] for r in members if r["error"] is not None))))
    return sorted(lines, key=lambda line: (line.model, line.instance))


@dataclass(frozen=True)
class ModelSummary:
    """The paper's figures for one arrival model, measured both ways (to best known and to best bound)."""

    model: int
    instances: int
    proven: int
    policy_equal_best: int
    policy_proven_optimal: int
    mean_to_best: float
    worst_to_best: float
    mean_to_bound: float
    worst_to_bound: float
    mean_gap: float  # (best known - best bound) / best known, averaged: how far from proven the optimum is

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(lines: Sequence[InstanceLine]) -> list[ModelSummary]:
    """One summary per arrival model (instances without a policy objective or bound are left out)."""
    out = []
    for model in sorted({line.model for line in lines}):
        members = [line for line in lines if line.model == model and line.ratio_to_best is not None
                   and line.ratio_to_bound is not None]
        if not members:
            continue
        to_best = [line.ratio_to_best for line in members]
        to_bound = [line.ratio_to_bound for line in members]
        gaps = [gap(line.best_objective, line.bound) for line in members]
        out.append(ModelSummary(
            model=model, instances=len(members), proven=sum(line.proven for line in members),
            policy_equal_best=sum(line.policy_objective == line.best_objective for line in members),
            policy_proven_optimal=sum(line.policy_proven_optimal for line in members),
            mean_to_best=sum(to_best) / len(to_best), worst_to_best=max(to_best),
            mean_to_bound=sum(to_bound) / len(to_bound), worst_to_bound=max(to_bound),
            mean_gap=sum(gaps) / len(gaps)))
    return out
