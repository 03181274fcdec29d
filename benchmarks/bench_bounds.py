"""Lower bounds and certified gaps on the fixed 20-instance paper sample (issue 5; formulations/lower-bounds.md).

The runs append one JSON line per instance to --out and skip the instances already in it, so an
interrupted run resumes where it stopped and a partial file still gives figures. Run one process at a time.

Certified gap of `kvopt certify` (default portfolio) with a 60 s budget:
    PYTHONPATH=. python benchmarks/bench_bounds.py certify --budget 60 --out benchmarks/results/certify.jsonl
Every registered bound per instance (`lp` with a 60 s limit, the others take milliseconds):
    PYTHONPATH=. python benchmarks/bench_bounds.py bounds --time-limit 60 --out benchmarks/results/bounds.jsonl
Every bound against proven optima on random n = 8-12 instances (bench_exact.py's generator; `exact` proves):
    PYTHONPATH=. python benchmarks/bench_bounds.py small --per-cell 3 --out benchmarks/results/bounds-small.jsonl
Tables (Markdown): best known = the best objective of the certify runs and of the sample's manifest:
    PYTHONPATH=. python benchmarks/bench_bounds.py summary --small benchmarks/results/bounds-small.jsonl \\
        --certify benchmarks/results/certify.jsonl \\
        --bounds benchmarks/results/bounds.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from kvopt import InputError, read_instance, solve
from kvopt.catalogue import all_methods
from kvopt.certify import certify

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))  # bench_exact's small-instance generator
SAMPLE = ROOT / "instances" / "paper-sample"


def sample_paths(names: list[str] | None) -> list[Path]:
    paths = sorted(SAMPLE.glob("paper-*.json"))
    return [p for p in paths if not names or p.stem in names]


def finished(out: Path) -> set[str]:
    if not out.exists():
        return set()
    return {json.loads(line)["instance"] for line in out.read_text().splitlines() if line.strip()}


def append(out: Path, row: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a") as handle:
        handle.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)


def pending(args):
    """(output file, sample path, instance) for every selected instance not yet in the output file."""
    out = Path(args.out)
    done = finished(out)
    for path in sample_paths(args.instance):
        if path.stem not in done:
            yield out, path, read_instance(path)


def run_certify(args) -> None:
    for out, path, instance in pending(args):
        load_before = os.getloadavg()[0]
        certificate = certify(instance, budget_s=args.budget)
        append(out, {"instance": path.stem, "n": len(instance), "budget_s": args.budget,
                     "objective": certificate.objective,
                     "objective_method": certificate.best.method if certificate.best else None,
                     "lower_bound": certificate.lower_bound, "bound_method": certificate.bound_method,
                     "gap": certificate.gap, "optimal": certificate.optimal,
                     "runtime_s": round(certificate.runtime_s, 2),
                     "load_before": load_before, "load_after": os.getloadavg()[0],
                     "attempts": [a.as_dict() for a in certificate.attempts]})


def bound_methods() -> list[str]:
    return sorted(spec.name for spec in all_methods() if spec.kind == "bound")


def run_bounds(args) -> None:
    for out, path, instance in pending(args):
        row: dict = {"instance": path.stem, "n": len(instance), "time_limit_s": args.time_limit,
                     "load_before": os.getloadavg()[0], "bounds": {}, "runtime_s": {}}
        for name in bound_methods():
            clock = time.perf_counter()
            try:
                result = solve(instance, name, time_limit=args.time_limit)
            except InputError as problem:  # a bound outside its assumptions
                row["bounds"][name] = None
                row.setdefault("skipped", {})[name] = problem.message
                continue
            row["bounds"][name] = result.lower_bound
            row["runtime_s"][name] = round(time.perf_counter() - clock, 3)
        row["load_after"] = os.getloadavg()[0]
        append(out, row)


def run_small(args) -> None:
    import numpy as np

    from bench_exact import small_instance
    out = Path(args.out)
    done = finished(out)
    rng = np.random.default_rng(20261126)
    for arrivals in (False, True):
        for n in (8, 10, 12):
            for index in range(args.per_cell):
                instance = small_instance(rng, n, arrivals, homogeneous=False)
                name = f"n{n}-{'poisson' if arrivals else 'zero'}-{index}"
                if name in done:
                    continue
                optimum = solve(instance, "exact", time_limit=args.time_limit)
                row = {"instance": name, "n": n, "arrivals": arrivals, "status": optimum.status.value,
                       "optimum": optimum.objective, "bounds": {}}
                for method in bound_methods():
                    try:
                        row["bounds"][method] = solve(instance, method, time_limit=args.time_limit).lower_bound
                    except InputError:
                        row["bounds"][method] = None
                append(out, row)


def summarise_small(rows: dict[str, dict]) -> None:
    proven = [row for row in rows.values() if row["status"] == "optimal"]
    methods = sorted({m for row in proven for m, v in row["bounds"].items() if v is not None})
    print(f"{len(proven)} of {len(rows)} instances proven optimal by `exact`; bound / optimum over those:\n")
    print("| bound | mean | min | max | equal to the optimum |")
    print("|---|---|---|---|---|")
    for m in methods:
        ratios = [row["bounds"][m] / row["optimum"] for row in proven if row["bounds"][m] is not None]
        if ratios:
            exact = sum(r >= 1 - 1e-9 for r in ratios)
            print(f"| `{m}` | {statistics.mean(ratios):.3f} | {min(ratios):.3f} | {max(ratios):.3f} | "
                  f"{exact}/{len(ratios)} |")
    print()


def read_lines(path: str | None) -> dict[str, dict]:
    if not path or not Path(path).exists():
        return {}
    return {row["instance"]: row for row in map(json.loads, Path(path).read_text().splitlines()) if row}


def best_known() -> dict[str, int]:
    manifest = json.loads((SAMPLE / "manifest.json").read_text())
    return {entry["name"]: entry["best_known"] for entry in manifest["instances"]}


def summary(args) -> None:
    certified = read_lines(args.certify)
    bounds = read_lines(args.bounds)
    if args.small:
        summarise_small(read_lines(args.small))
    best = best_known()
    for name, row in certified.items():
        if row["objective"] is not None:
            best[name] = min(best[name], row["objective"])
    if bounds:
        methods = sorted({m for row in bounds.values() for m, v in row["bounds"].items() if v is not None})
        print("| instance | n | best known | " + " | ".join(f"`{m}`" for m in methods) + " |")
        print("|---|---|---|" + "---|" * len(methods))
        ratios: dict[str, list[float]] = {m: [] for m in methods}
        for name, row in sorted(bounds.items()):
            cells = []
            for m in methods:
                value = row["bounds"].get(m)
                if value is None:
                    cells.append("—")
                    continue
                ratios[m].append(value / best[name])
                cells.append(f"{value / best[name]:.3f}")
            print(f"| {name} | {row['n']} | {best[name]} | " + " | ".join(cells) + " |")
        print("| **mean** | | | " + " | ".join(f"**{statistics.mean(r):.3f}**" if r else "—"
                                              for r in ratios.values()) + " |")
        lp_times = [row["runtime_s"]["lp"] for row in bounds.values() if "lp" in row["runtime_s"]]
        if lp_times:
            print(f"\n`lp` runtime median {statistics.median(lp_times):.1f} s, max {max(lp_times):.1f} s; "
                  f"other bounds max {max(t for row in bounds.values() for m, t in row['runtime_s'].items() if m != 'lp'):.3f} s")
        loads = [row[k] for row in bounds.values() for k in ("load_before", "load_after")]
        print(f"load average (1 min) during the bounds run: {min(loads):.2f}–{max(loads):.2f}\n")
    if certified:
        print("| instance | n | objective (method) | bound (method) | gap % | proven optimal |")
        print("|---|---|---|---|---|---|")
        gaps = []
        for name, row in sorted(certified.items()):
            gaps.append(100 * row["gap"])
            print(f"| {name} | {row['n']} | {row['objective']} ({row['objective_method']}) | "
                  f"{row['lower_bound']:g} ({row['bound_method']}) | {100 * row['gap']:.2f} | "
                  f"{'yes' if row['optimal'] else 'no'} |")
        proven = sum(row["optimal"] for row in certified.values())
        loads = [row[k] for row in certified.values() for k in ("load_before", "load_after")]
        print(f"\n{len(certified)} instances, budget {next(iter(certified.values()))['budget_s']:g} s: "
              f"certified gap median {statistics.median(gaps):.2f}%, max {max(gaps):.2f}%, "
              f"proven optimal {proven}/{len(certified)}; load average (1 min) {min(loads):.2f}–{max(loads):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)
    one = verbs.add_parser("certify", help="kvopt certify per instance")
    one.add_argument("--budget", type=float, default=60.0)
    two = verbs.add_parser("bounds", help="every registered bound per instance")
    two.add_argument("--time-limit", type=float, default=60.0)
    for sub in (one, two):
        sub.add_argument("--out", required=True, help="JSON lines file (appended; finished instances skipped)")
        sub.add_argument("--instance", action="append", help="only these sample instances (stem), repeatable")
    small = verbs.add_parser("small", help="every bound against proven optima on small random instances")
    small.add_argument("--per-cell", type=int, default=3)
    small.add_argument("--time-limit", type=float, default=20.0)
    small.add_argument("--out", required=True)
    three = verbs.add_parser("summary", help="Markdown tables of result files")
    three.add_argument("--small")
    three.add_argument("--certify")
    three.add_argument("--bounds")
    args = parser.parse_args()
    {"certify": run_certify, "bounds": run_bounds, "small": run_small, "summary": summary}[args.verb](args)


if __name__ == "__main__":
    main()
