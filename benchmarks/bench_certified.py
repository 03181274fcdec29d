"""Certified optima and gaps with the `pattern` bound in certify's portfolio (issue 11).

Two sets, each instance certified once with `certify(instance, budget_s=B)` (the default portfolio):
- prefixes: the first n requests (n = 12, 16, 20) of paper-synthetic instances of both arrival models
  drawn with seed 1 (`kvopt generate paper-synthetic --seed 1`; the bundled sets use seed 0), 4 per (model, n);
- sample: the bundled paper sample (instances/paper-sample, n 10-64).
Per instance: proven or not, the objective, the certified bound and who proved it, the best bound of the
methods other than `pattern` (what certify reached before this bound existed: the same run, the same
budget), the time of the proof, and pattern's own figures (LP value, L at the LP's prices, final L).

    PYTHONPATH=. python benchmarks/bench_certified.py --set prefixes --budget 60 --out benchmarks/results/certified-prefixes.jsonl
    PYTHONPATH=. python benchmarks/bench_certified.py --set sample --budget 60 --out benchmarks/results/certified-sample.jsonl
    python benchmarks/bench_certified.py --summary benchmarks/results/certified-prefixes.jsonl
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from kvopt import read_instance
from kvopt.certify import certify
from kvopt.generate.paper import paper_synthetic
from kvopt.result import gap, integer_bound

ROOT = Path(__file__).resolve().parent.parent


def prefixes():
    for model in (1, 2):
        for n in (12, 16, 20):
            for index in range(4):
                full = paper_synthetic(model, 1, index)
                yield full.replace_requests(full.requests[:n], name=f"{full.name}-n{n}")


def sample():
    for path in sorted((ROOT / "instances" / "paper-sample").glob("paper-*.json")):
        yield read_instance(path)


def row(instance, budget: float) -> dict:
    certificate = certify(instance, budget_s=budget)
    attempts = certificate.attempts
    others = max((integer_bound(a.lower_bound) for a in attempts
                  if a.lower_bound is not None and a.method != "pattern"), default=0)
    pattern = next((a for a in attempts if a.method == "pattern"), None)
    proof_s = None
    if certificate.optimal:
        elapsed = 0.0
        for attempt in attempts:
            elapsed += attempt.runtime_s
            if attempt.lower_bound is not None and integer_bound(attempt.lower_bound) >= certificate.objective:
                proof_s = round(elapsed, 1)
                break
    return {"instance": instance.name, "n": len(instance), "memory": instance.memory,
            "objective": certificate.objective, "objective_method": certificate.best.method,
            "lower_bound": integer_bound(certificate.lower_bound), "bound_method": certificate.bound_method,
            "optimal": certificate.optimal, "gap": certificate.gap, "proof_s": proof_s,
            "bound_without_pattern": others, "gap_without_pattern": gap(certificate.objective, others),
            "pattern": None if pattern is None else {"status": pattern.status.value, "bound": pattern.lower_bound,
                                                     "runtime_s": pattern.runtime_s, "note": pattern.note},
            "runtime_s": round(certificate.runtime_s, 1)}


def summary(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    groups: dict = {}
    for r in rows:
        groups.setdefault((r["instance"].split("-")[1], r["n"] if "-n" in r["instance"] else "all"), []).append(r)
    print("| set | instances | proven | proven without pattern | gap median / max | gap without pattern median / max |")
    print("|---|---|---|---|---|---|")
    for key in sorted(groups, key=str):
        g = groups[key]
        gaps = [r["gap"] for r in g]
        before = [r["gap_without_pattern"] for r in g]
        print(f"| {key[0]} n={key[1]} | {len(g)} | {sum(r['optimal'] for r in g)} | "
              f"{sum(b == 0 for b in before)} | {100 * statistics.median(gaps):.1f}% / {100 * max(gaps):.1f}% | "
              f"{100 * statistics.median(before):.1f}% / {100 * max(before):.1f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("prefixes", "sample"))
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--summary", type=Path)
    args = parser.parse_args()
    if args.summary:
        summary(args.summary)
        return
    instances = prefixes() if args.set == "prefixes" else sample()
    with args.out.open("a") as out:
        for instance in instances:
            result = row(instance, args.budget)
            print(json.dumps(result), file=out, flush=True)
            print(result["instance"], result["objective"], result["lower_bound"], result["bound_method"],
                  f"gap {result['gap']:.4f} (without pattern {result['gap_without_pattern']:.4f})", flush=True)


if __name__ == "__main__":
    main()
