"""Greedy counterexamples, the fat/thin family and the adaptive adversary (notebook 03).

* `greedy_counterexamples`: the five homogeneous greedy counterexamples (STAGGERING_KNOWN); the greedy
  (MC-SF with exact lengths, which on identical requests is FCFS) against the best schedule and the best
  bound kvopt can certify.
* `fat_thin_growth`: the fat/thin family [INF construction]: MC-SF against the thin-first witness (an
  upper bound on OPT) and the certified bound, as M grows; the ratio grows like sqrt(M).
* `adversary_growth`: the adversary for Theorem 4.1 of arXiv 2502.07115 v5 [INF construction]: every online
  policy against the adaptive adversary of kvopt.sim.adversary; the reference is the best verified offline
  schedule (an upper bound on OPT, so the ratios are lower bounds on the competitive ratios) or, with
  `reference="optimum"`, a certified optimum.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from kvopt.certify import Certificate, certify
from kvopt.generate.families import STAGGERING_KNOWN, fat_thin, homogeneous, witnesses
from kvopt.instance import Instance
from kvopt.policies import all_policies, make_policy
from kvopt.result import proves_optimal
from kvopt.sim import simulate
from kvopt.sim.adversary import DelayedShortAdversary, hindsight_schedules
from kvopt.solve import solve
from kvopt.verify import verify


def best_witness(instance: Instance) -> tuple[str | None, int | None]:
    """(name, objective) of the family's best feasible witness schedule (kvopt.generate.families)."""
    reports = {name: verify(instance, schedule) for name, schedule in witnesses(instance).items()}
    found = [(report.objective, name) for name, report in reports.items() if report.feasible]
    if not found:
        return None, None
    objective, name = min(found)
    return name, objective


def certified(instance: Instance, methods: Sequence[str], budget_s: float) -> Certificate | None:
    """kvopt.certify over `methods` (None when no method is given)."""
    return certify(instance, budget_s, methods=list(methods)) if methods else None


def _certified_columns(instance: Instance, policy_objective: int, methods: Sequence[str],
                       budget_s: float) -> dict[str, Any]:
    """Best known objective (policy, witnesses, certified methods) and best bound, with their sources."""
    witness, witness_objective = best_witness(instance)
    certificate = certified(instance, methods, budget_s)
    candidates = [(policy_objective, "mcsf")]
    if witness_objective is not None:
        candidates.append((witness_objective, f"witness:{witness}"))
    if certificate is not None and certificate.objective is not None:
        candidates.append((certificate.objective, certificate.best.method))
    best, best_by = min(candidates)
    bound = certificate.lower_bound if certificate is not None else float(sum(instance.outputs))
    bound_by = certificate.bound_method if certificate is not None else "trivial"
    return {"best": best, "best_by": best_by, "bound": bound, "bound_by": bound_by,
            "proven": proves_optimal(bound, best)}


def greedy_counterexamples(methods: Sequence[str] = (), budget_s: float = 10.0) -> list[dict[str, Any]]:
    """The greedy counterexamples: per (M, s, o, n), the known optimum and greedy values, kvopt's greedy (MC-SF with
    exact lengths), the best known schedule, the best bound and whether the optimum is proven."""
    lines = []
    for (memory, prompt, output, n), (paper_optimum, paper_greedy) in STAGGERING_KNOWN.items():
        instance = homogeneous(memory, prompt, output, n)
        greedy = solve(instance, "mcsf").objective
        lines.append({"M": memory, "s": prompt, "o": output, "n": n, "paper_optimum": paper_optimum,
                      "paper_greedy": paper_greedy, "greedy": greedy,
                      **_certified_columns(instance, greedy, methods, budget_s)})
    return lines


def fat_thin_growth(memories: Iterable[int], methods: Sequence[str] = (), budget_s: float = 5.0,
                    certify_up_to: int = 0) -> list[dict[str, Any]]:
    """Per M: k fat and m thin requests, MC-SF's objective, the best known schedule (witnesses; certified
    methods for M <= certify_up_to) and the best bound; ratio_to_best is a lower bound on MC-SF / OPT."""
    lines = []
    for memory in memories:
        instance = fat_thin(memory)
        mcsf = solve(instance, "mcsf").objective
        columns = _certified_columns(instance, mcsf, methods if memory <= certify_up_to else (), budget_s)
        lines.append({"M": memory, "sqrt_M": math.sqrt(memory), "fat": instance.metadata["fat"],
                      "thin": instance.metadata["thin"], "mcsf": mcsf, **columns,
                      "ratio_to_best": mcsf / columns["best"], "ratio_to_bound": mcsf / columns["bound"]})
    return lines


# ---- the adaptive adversary (for Theorem 4.1 of arXiv 2502.07115 v5) -----------------------------------

def adversary_options(policy: str, x: int, types_file: str) -> dict[str, Any]:
    """What each policy needs to run against an adversary whose workload is unknown in advance: the
    reservation policies a per-request token budget, the WAIT policies the two request types and rates
    (written to `types_file`)."""
    memory = x * (x + 1)
    if policy in ("orca", "faster-transformer"):
        return {"max_tokens": memory}
    if policy in ("wait", "nested-wait"):
        with open(types_file, "w") as out:
            json.dump([{"output": 1, "prompt": x, "rate": x}, {"output": x, "prompt": memory - x, "rate": 1}], out)
        return {"types": types_file}
    return {}


def adversary_reference(instance: Instance, kind: str = "schedules", time_limit: float = 60.0,
                        methods: Sequence[str] = ()) -> int:
    """The hindsight reference on a realised adversary instance: `schedules`, the best verified offline
    schedule (an upper bound on OPT); `optimum`, an optimum certified by `methods` (ValueError when they
    do not prove it)."""
    if kind == "optimum":
        certificate = certify(instance, time_limit, methods=list(methods))
        if not certificate.optimal:
            raise ValueError(f"{', '.join(methods)} did not prove the optimum of {instance.name or 'the instance'}"
                             f" within {time_limit} s (gap {certificate.gap})")
        return certificate.objective
    return min(report.objective for report in (verify(instance, s) for s in hindsight_schedules(instance).values())
               if report.feasible)


def adversary_growth(xs: Iterable[int], policies: Sequence[str] | None = None, reference: str = "schedules",
                     time_limit: float = 60.0, methods: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Per x: every policy's total latency against the adaptive adversary over the reference (one dict per
    x: "x", "n", "M", then policy -> ratio)."""
    names = list(policies) if policies is not None else [spec.name for spec in all_policies()]
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        types_file = os.path.join(folder, "types.json")
        for x in xs:
            line: dict[str, Any] = {"x": x, "n": x + 1, "M": x * (x + 1)}
            for name in names:  # the realised instance depends on when the policy starts the long request
                simulation = simulate(None, make_policy(name, adversary_options(name, x, types_file)),
                                      arrivals=DelayedShortAdversary(x))
                line[name] = simulation.objective / adversary_reference(simulation.instance, reference,
                                                                        time_limit, methods)
            lines.append(line)
    return lines
