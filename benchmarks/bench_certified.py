"""Certified optima and gaps with the `pattern` bound in certify's portfolio (issue 11).

Two sets, each instance certified once with `certify(instance, budget_s=B)` (the default portfolio):
- prefixes: the first n requests (n = 10, 15, 20) of paper-synthetic instances of both arrival models
  drawn with seed 1 (`kvopt generate paper-synthetic --seed 1`; the bundled sets use seed 0), 7 per (model, n):
  42 instances;
- sample: the bundled paper sample (instances/paper-sample, n 10-64).
Per instance: proven or not, the objective, the certified bound and who proved it, the best bound of the
methods other than `pattern` (what certify reached before this bound existed: the same run, the same
budget), the time of the proof, pattern's attempt, and MC-SF's objective (its ratio to the certified bound
is an upper bound on MC-SF/OPT).

    PYTHONPATH=. python benchmarks/bench_certified.py --set prefixes --budget 60 --out benchmarks/results/certified-prefixes.jsonl
    PYTHONPATH=. python benchmarks/bench_certified.py --set sample --budget 60 --out benchmarks/results/certified-sample.jsonl
    python benchmarks/bench_certified.py --summary benchmarks/results/certified-prefixes.jsonl
    python benchmarks/bench_certified.py --summary benchmarks/results/certified-sample.jsonl --per-instance
    PYTHONPATH=. python benchmarks/bench_certified.py --bound-quality benchmarks/results/certified-prefixes.jsonl --budget 60
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from kvopt import read_instance
from kvopt.certify import certify
from kvopt.experiments.proven import prefix_instances
from kvopt.result import gap, integer_bound

ROOT = Path(__file__).resolve().parent.parent
PATTERN_METHODS = ("pattern", "pattern-fix")
SIZES = (10, 15, 20)


def prefixes(sizes=SIZES):
    for model in (1, 2):
        for n in sizes:
            yield from prefix_instances(model, n, 7, seed=1)


def sample():
    for path in sorted((ROOT / "instances" / "paper-sample").glob("paper-*.json")):
        yield read_instance(path)


def row(instance, budget: float, threads: int = 1, jobs: int = 1) -> dict:
    certificate = certify(instance, budget_s=budget, threads=threads, jobs=jobs)
    attempts = certificate.attempts
    others = max((integer_bound(a.lower_bound) for a in attempts
                  if a.lower_bound is not None and a.method not in PATTERN_METHODS), default=0)
    pattern = next((a for a in attempts if a.method in PATTERN_METHODS), None)
    mcsf = next((a.objective for a in attempts if a.method == "mcsf"), None)
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
            "mcsf": mcsf, "threads": threads, "jobs": certificate.jobs, "runtime_s": round(certificate.runtime_s, 1)}


def _rows(paths: list[Path]) -> list[dict]:
    """The rows of the results files, a later file's row replacing an earlier one of the same instance."""
    rows: dict[str, dict] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["instance"]] = row
    return list(rows.values())


def summary(paths: list[Path]) -> None:
    rows = _rows(paths)
    groups: dict = {}
    for r in rows:
        key = (r["instance"].split("-")[1], r["n"] if "-n" in r["instance"] else "10-64")
        groups.setdefault(key, []).append(r)
    print("| set | instances | proven | proven without pattern | gap median / max | gap without pattern "
          "median / max | MC-SF / best: mean | MC-SF / bound: mean (max) |")
    print("|---|---|---|---|---|---|---|---|")
    for key in sorted(groups, key=str):
        g = groups[key]
        gaps = [r["gap"] for r in g]
        before = [r["gap_without_pattern"] for r in g]
        to_best = [r["mcsf"] / r["objective"] for r in g]
        to_bound = [r["mcsf"] / r["lower_bound"] for r in g]
        print(f"| {key[0]} n={key[1]} | {len(g)} | {sum(r['optimal'] for r in g)} | "
              f"{sum(b == 0 for b in before)} | {100 * statistics.median(gaps):.1f}% / {100 * max(gaps):.1f}% | "
              f"{100 * statistics.median(before):.1f}% / {100 * max(before):.1f}% | "
              f"{statistics.mean(to_best):.4f} | {statistics.mean(to_bound):.4f} ({max(to_bound):.4f}) |")


def instance_table(paths: list[Path]) -> None:
    rows = _rows(paths)
    print("| instance | n | objective (method) | bound (method) | gap % | bound without pattern | MC-SF | proof (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['instance']} | {r['n']} | {r['objective']} ({r['objective_method']}) | {r['lower_bound']} "
              f"({r['bound_method']}) | {100 * r['gap']:.2f} | {r['bound_without_pattern']} | {r['mcsf']} | "
              f"{'-' if r['proof_s'] is None else r['proof_s']} |")
    proofs = sorted(r["proof_s"] for r in rows if r["proof_s"] is not None)
    if proofs:
        print(f"\nproof times (s), {len(proofs)} proven: median {statistics.median(proofs)}, max {proofs[-1]}, "
              f"<= 10 s: {sum(p <= 10 for p in proofs)}")


def bound_quality(path: Path, budget: float) -> None:
    """`lp` and `pattern` alone (budget each) against the optima that certify proved in `path`."""
    from kvopt import solve
    rows = {r["instance"]: r for r in map(json.loads, path.read_text().splitlines()) if r["optimal"]}
    print("| instance | optimum | lp / optimum | pattern / optimum | pattern (s) |")
    print("|---|---|---|---|---|")
    ratios: dict = {"lp": [], "pattern": []}
    for instance in prefixes():
        row = rows.get(instance.name)
        if row is None:
            continue
        optimum = row["objective"]
        lp = solve(instance, "lp", time_limit=budget).lower_bound
        pattern = solve(instance, "pattern", time_limit=budget)
        ratios["lp"].append(integer_bound(lp) / optimum)
        ratios["pattern"].append(pattern.lower_bound / optimum)
        print(f"| {instance.name} | {optimum} | {ratios['lp'][-1]:.4f} | {ratios['pattern'][-1]:.4f} | "
              f"{pattern.runtime_s:.1f} |", flush=True)
    for name, values in ratios.items():
        print(f"\n{name} / optimum over {len(values)}: mean {statistics.mean(values):.4f}, min {min(values):.4f}, "
              f"equal {sum(v == 1 for v in values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("prefixes", "sample"))
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--threads", type=int, default=1, help="solver threads certify passes on (default 1)")
    parser.add_argument("--jobs", type=int, default=1, help="processes certify may use (default 1; "
                        "2 runs the schedule searches beside the bounds above 20 requests)")
    parser.add_argument("--large-shares", help="NAME=SHARE,... in place of certify.LARGE_SHARES (above 20 "
                        "requests; an experiment, not a setting of certify)")
    parser.add_argument("--min-n", type=int, default=0, help="only the instances with more requests")
    parser.add_argument("--instances", help="comma-separated instance names: only these")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="prefix sizes (--set prefixes)")
    parser.add_argument("--summary", type=Path, nargs="+", help="results files; a later file's row of an "
                        "instance replaces an earlier one's")
    parser.add_argument("--per-instance", action="store_true", help="with --summary: one row per instance")
    parser.add_argument("--bound-quality", type=Path, help="lp and pattern alone against the optima proved in "
                        "this prefixes results file")
    args = parser.parse_args()
    if args.bound_quality:
        bound_quality(args.bound_quality, args.budget)
        return
    if args.summary:
        (instance_table if args.per_instance else summary)(args.summary)
        return
    if args.large_shares:
        import kvopt.certify
        kvopt.certify.LARGE_SHARES = {name: float(share) for name, share in
                                      (item.split("=") for item in args.large_shares.split(","))}
    instances = prefixes(args.sizes) if args.set == "prefixes" else sample()
    with args.out.open("a") as out:
        wanted = set(args.instances.split(",")) if args.instances else None
        for instance in (i for i in instances if len(i.requests) > args.min_n and (not wanted or i.name in wanted)):
            result = row(instance, args.budget, args.threads, args.jobs)
            print(json.dumps(result), file=out, flush=True)
            print(result["instance"], result["objective"], result["lower_bound"], result["bound_method"],
                  f"gap {result['gap']:.4f} (without pattern {result['gap_without_pattern']:.4f})", flush=True)


if __name__ == "__main__":
    main()
