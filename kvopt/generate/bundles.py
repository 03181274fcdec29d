"""The bundled instance sets in instances/: what each holds, and how their best-known values are found.

Each set is a list of `kvopt generate` commands (so its manifest records how to regenerate it) plus the
method kinds and time limit used to fill in, for every instance, the best verified objective, the best
lower bound, which method found each, and the schedule achieving the best objective. The values come from
every method registered at build time (`kvopt methods`): exact methods, heuristics, policies and bounds
as they land, so rebuilding after new methods are merged improves the values automatically.

Rebuild: `python instances/build.py` (all sets) or `python instances/build.py --sets small --time-limit 5`.
"""

from __future__ import annotations


import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kvopt.catalogue import all_methods
from kvopt.errors import KvoptError
from kvopt.generate.catalogue import command_words, generate
from kvopt.generate.families import witnesses
from kvopt.generate.manifest import MANIFEST, read_manifest, write_set
from kvopt.instance import Instance
from kvopt.io import write_json, write_schedule
from kvopt.result import Status, integer_bound, proves_optimal
from kvopt.schedule import Schedule
from kvopt.solve import solve
from kvopt.verify import verify

KIND_ORDER = ("exact", "bound", "heuristic", "policy")  # preference among equally good results
SCHEDULES = "schedules"


@dataclass(frozen=True)
class BundledSet:
    name: str
    description: str
    contents: tuple[tuple[str, dict[str, Any]], ...]  # (family, parameters) of kvopt.generate.generate
    kinds: tuple[str, ...]      # kinds of methods tried for best-known values (none: time-based set)
    time_limit: float           # seconds per method and instance
    note: str | None = None

    @property
    def commands(self) -> tuple[tuple[str, ...], ...]:
        """The `kvopt generate` words of each part, as the manifest records them."""
        return tuple(tuple(command_words(family, params)) for family, params in self.contents)


ALL_KINDS = ("exact", "heuristic", "policy", "bound")
SETS = {s.name: s for s in (
    BundledSet("small", "small instances for exact solvers: the greedy counterexample (M=9, s=1, o=3, n=5) and "
               "random ones (n <= 8)",
               (("homogeneous", {"memory": 9, "prompt": 1, "output": 3, "requests": 5}),
                *(("random-small", {"count": 6, "arrivals": arrivals, "prompts": prompts, "seed": 0})
                  for arrivals in ("zero", "spread") for prompts in ("identical", "heterogeneous"))),
               ALL_KINDS, 10.0),
    BundledSet("paper-sample", "THE fixed paper-sized sample: 10 instances of each arrival model, seed 0 "
               "(arXiv 2502.07115, synthetic experiments)",
               (("paper-synthetic", {"count": 10, "seed": 0}),), ALL_KINDS, 60.0),
    BundledSet("families", "adversarial and structured families (adversary, fat-thin, staggering)",
               (("adversary", {"x": [2, 3, 4, 6, 8]}),
                ("fat-thin", {"memory": [12, 16, 25, 36]}),
                ("staggering", {"known": True}),
                ("staggering", {"output": [3, 4, 5], "requests": [8, 12, 16]})),
               ALL_KINDS, 10.0),
    BundledSet("a100", "Llama-2-70B on two A100s, M = 16,492, LMSYS lengths, Poisson arrivals at 10 and 50 "
               "requests/s, 1,000 requests each (arXiv 2502.07115, real-trace experiments)",
               (("a100", {"rate": [10.0, 50.0], "requests": 1000, "seed": 0}),),
               (), 0.0, note="arrivals are clock times (arrival_unit_s = 0.001 s) for a time-based "
                    "simulation with the a100-llama2-70b batch-time model; a round-level objective would read them as round indices "
                    "(1 ms rounds), which is not the paper's latency in seconds, so no round-level values are "
                    "stored (status 'time-based')"),
)}


def _credit(method: str, info: dict[str, Any]) -> str:
    return info.get("optimality_proved_by") or info.get("lower_bound_source") or method


def best_known(instance: Instance, kinds: tuple[str, ...], time_limit: float,
               log: Callable[[str], None] = lambda line: None) -> tuple[dict[str, Any], Schedule | None]:
    """Run every registered method of the given kinds, and check the family's witness schedules
    (kvopt.generate.families.witnesses); return the manifest fields and the best schedule. No kinds:
    a time-based instance, nothing is computed."""
    fields: dict[str, Any] = {"best_known": None, "best_known_method": None, "schedule": None,
                              "lower_bound": None, "lower_bound_method": None, "status": "open"}
    if not kinds:
        return {**fields, "status": "time-based", "methods": {}}, None
    methods = sorted((m for m in all_methods() if m.kind in kinds),
                     key=lambda m: (KIND_ORDER.index(m.kind), m.name))
    results: dict[str, Any] = {}
    best = None          # (objective, method, schedule)
    bound = None         # (lower bound, credited method)
    for method in methods:
        try:
            result = solve(instance, method.name, time_limit=time_limit)
        except KvoptError as problem:
            results[method.name] = {"error": str(problem)}
            log(f"  {method.name}: {problem}")
            continue
        results[method.name] = {"status": result.status.value, "objective": result.objective,
                                "lower_bound": result.lower_bound}
        if result.schedule is not None and result.schedule.resumes_progress:
            results[method.name]["note"] = "preemptive (resumes evicted requests): not a best-known candidate"
            continue
        if result.objective is not None and (best is None or result.objective < best[0]):
            best = (result.objective, method.name, result.schedule)
        if result.lower_bound is not None and (bound is None or result.lower_bound > bound[0]):
            bound = (result.lower_bound, _credit(method.name, dict(result.info)))
    for name, schedule in witnesses(instance).items():
        report = verify(instance, schedule)
        key = f"witness:{name}"
        results[key] = {"status": "feasible" if report.feasible else "infeasible", "objective": report.objective}
        if report.feasible and (best is None or report.objective < best[0]):
            best = (report.objective, key, schedule)
    if best is not None:
        fields.update(best_known=best[0], best_known_method=best[1],
                      schedule=f"{SCHEDULES}/{instance.name}.json")
    if bound is not None:  # objectives are integers: an LP's 87.0000000000001 is stored as 87
        fields.update(lower_bound=integer_bound(bound[0]), lower_bound_method=bound[1])
    if best is not None and bound is not None and proves_optimal(bound[0], best[0]):
        fields["status"] = Status.OPTIMAL.value
    fields["methods"] = results
    return fields, (best[2] if best else None)


def build_set(root: Path, spec: BundledSet, time_limit: float | None = None,
              log: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> dict[str, Any]:
    """(Re)generate one set under root/spec.name and fill its manifest's best-known values."""
    directory = root / spec.name
    generated = [(command, generate(family, **params))
                 for command, (family, params) in zip(spec.commands, spec.contents)]
    (directory / MANIFEST).unlink(missing_ok=True)
    for command, instances in generated:
        write_set(directory, instances, "kvopt generate " + shlex.join(command))
    by_name = {instance.name: instance for _, instances in generated for instance in instances}
    if len(by_name) != sum(len(instances) for _, instances in generated):
        raise ValueError(f"set {spec.name!r}: two commands generate instances with the same name")
    manifest = read_manifest(directory)
    manifest = {"format": manifest["format"], "description": spec.description,
                **({"note": spec.note} if spec.note else {}),
                "built_with": {"kinds": list(spec.kinds),
                               "time_limit_s": (time_limit or spec.time_limit) if spec.kinds else None,
                               "methods": [m.name for m in all_methods() if m.kind in spec.kinds]},
                "commands": manifest["commands"], "instances": manifest["instances"]}
    if spec.kinds:
        (directory / SCHEDULES).mkdir(exist_ok=True)
    for entry in manifest["instances"]:
        log(f"{spec.name}/{entry['file']}")
        fields, schedule = best_known(by_name[entry["name"]], spec.kinds, time_limit or spec.time_limit, log)
        entry.update(fields)
        if not spec.kinds:
            continue
        if schedule is not None:
            write_schedule(directory / fields["schedule"],
                           Schedule(schedule.starts, schedule.runs,
                                    {"instance": entry["name"], "method": fields["best_known_method"],
                                     "objective": fields["best_known"]}))
        log(f"  best {fields['best_known']} ({fields['best_known_method']}), bound {fields['lower_bound']} "
            f"({fields['lower_bound_method']}): {fields['status']}")
    write_json(directory / MANIFEST, manifest)
    listed = {e["file"] for e in manifest["instances"]} | {MANIFEST}
    listed_schedules = {Path(e["schedule"]).name for e in manifest["instances"] if e["schedule"]}
    stale = sorted(p.name for p in directory.glob("*.json") if p.name not in listed)
    stale += sorted(f"{SCHEDULES}/{p.name}" for p in directory.glob(f"{SCHEDULES}/*.json")
                    if p.name not in listed_schedules)
    if stale:
        log(f"warning: {directory} holds files the manifest does not list (remove them): {', '.join(stale)}")
    return manifest
