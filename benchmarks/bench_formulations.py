"""Exact formulations on the fixed 20-instance paper sample, and model build times.

Sweep (one JSON line per instance and method variant, appended to --out; re-running skips finished pairs):
    python benchmarks/bench_formulations.py sweep --method ip --method "ip:cuts=none" --method lp \\
        --time-limit 60 --threads 1 --out benchmarks/results/formulations.jsonl
Summary table (Markdown) of a results file; "best known" is the best objective any run in the file found:
    python benchmarks/bench_formulations.py summary benchmarks/results/formulations.jsonl
Build time of the time-indexed model for 50 requests and a 1,000-round horizon (highspy vs Pyomo):
    python benchmarks/bench_formulations.py build --requests 50 --horizon 1000 --repeat 3

A method variant is NAME or NAME:KEY=VALUE,KEY=VALUE (method options, as `kvopt solve -o`).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sorted(glob.glob(str(ROOT / "instances" / "paper-sample" / "*.json")))


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, rest = text.partition(":")
    options = dict(pair.split("=", 1) for pair in rest.split(",") if pair)
    return name, options


def sweep(args: argparse.Namespace) -> None:
    from kvopt import read_instance, solve

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        for line in out.read_text().splitlines():
            record = json.loads(line)
            done.add((record["instance"], record["variant"]))
    instances = args.instances or SAMPLE
    for variant in args.method:
        name, options = parse_variant(variant)
        for path in instances:
            instance = read_instance(path)
            if (instance.name, variant) in done:
                continue
            load = os.getloadavg()[0]
            clock = time.perf_counter()
            result = solve(instance, name, time_limit=args.time_limit, threads=args.threads, **options)
            wall = time.perf_counter() - clock
            info = {k: v for k, v in result.info.items() if k != "heuristics_tried"}
            record = {"instance": instance.name, "variant": variant, "method": name, "options": options,
                      "status": result.status.value, "objective": result.objective,
                      "lower_bound": result.lower_bound, "gap": result.gap, "wall_s": round(wall, 2),
                      "time_limit": args.time_limit, "threads": args.threads, "load_avg_1min": round(load, 2),
                      "info": info}
            with out.open("a") as handle:
                handle.write(json.dumps(record, default=str) + "\n")
            print(f"{instance.name} {variant}: {result.status} objective {result.objective} bound "
                  f"{result.lower_bound} wall {wall:.1f} s", flush=True)


def _median(values: list[float]) -> str:
    return f"{100 * statistics.median(values):.1f}%" if values else "-"


def _max(values: list[float]) -> str:
    return f"{100 * max(values):.1f}%" if values else "-"


def summary(args: argparse.Namespace) -> None:
    records = [json.loads(line) for path in args.files for line in Path(path).read_text().splitlines()]
    best: dict[str, int] = {}
    for r in records:
        if r["objective"] is not None:
            best[r["instance"]] = min(best.get(r["instance"], r["objective"]), r["objective"])
    variants = list(dict.fromkeys(r["variant"] for r in records))
    print("| method | runs | proven optimal | median gap | max gap | median bound gap to best known | "
          "max bound gap | median LP relaxation gap | median root bound gap | median wall s | max wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for variant in variants:
        rows = [r for r in records if r["variant"] == variant]
        optimal = sum(r["status"] == "optimal" for r in rows)
        gaps = [r["gap"] for r in rows if r["gap"] is not None and r["objective"] is not None]
        to_best = [(best[r["instance"]] - r["lower_bound"]) / best[r["instance"]] for r in rows
                   if r["lower_bound"] is not None and r["instance"] in best]
        lp = [(best[r["instance"]] - r["info"]["lp_relaxation"]) / best[r["instance"]] for r in rows
              if r["info"].get("lp_relaxation") is not None and r["instance"] in best]
        root = [(best[r["instance"]] - r["info"]["root_bound"]) / best[r["instance"]] for r in rows
                if r["info"].get("root_bound") is not None and r["instance"] in best]
        walls = [r["wall_s"] for r in rows]
        print(f"| `{variant}` | {len(rows)} | {optimal} | {_median(gaps)} | {_max(gaps)} | {_median(to_best)} "
              f"| {_max(to_best)} | {_median(lp)} | {_median(root)} | {statistics.median(walls):.1f} | "
              f"{max(walls):.1f} |")
    if args.per_instance:
        print("\n| instance | best known | " + " | ".join(f"`{v}` bound" for v in variants) + " |")
        print("|---|---|" + "---|" * len(variants))
        for name in sorted(best):
            cells = []
            for variant in variants:
                match = [r for r in records if r["variant"] == variant and r["instance"] == name]
                cells.append(str(match[0]["lower_bound"]) if match else "-")
            print(f"| {name} | {best[name]} | " + " | ".join(cells) + " |")


def build(args: argparse.Namespace) -> None:
    from kvopt import Instance, Request
    from kvopt.formulations.highs_solver import to_highs
    from kvopt.formulations.pyomo_model import build_pyomo
    from kvopt.formulations.timeindexed import build_time_indexed

    rng = np.random.default_rng(0)
    memory = 40
    requests = []
    for k in range(args.requests):  # paper model 1 sizes: s ~ U{1..5}, o ~ U{1..M-s}, all at 0
        prompt = int(rng.integers(1, 6))
        requests.append(Request(f"r{k}", 0, prompt, int(rng.integers(1, memory - prompt + 1))))
    instance = Instance(memory, tuple(requests), name="build-bench")
    timings: dict[str, list[float]] = {"arrays (build_time_indexed)": [], "arrays + pass to highspy": [],
                                       "Pyomo model (build_pyomo)": []}
    for _ in range(args.repeat):
        clock = time.perf_counter()
        model = build_time_indexed(instance, args.horizon, symmetry="none", reductions=False)
        arrays = time.perf_counter() - clock
        timings["arrays (build_time_indexed)"].append(arrays)
        clock = time.perf_counter()
        to_highs(model, integer=True)
        timings["arrays + pass to highspy"].append(arrays + time.perf_counter() - clock)
        if not args.skip_pyomo:
            clock = time.perf_counter()
            build_pyomo(model)
            timings["Pyomo model (build_pyomo)"].append(arrays + time.perf_counter() - clock)
    sizes = model.sizes()
    print(f"{args.requests} requests, horizon {args.horizon}: {sizes['variables']} variables, {sizes['rows']} rows, "
          f"{sizes['nonzeros']} nonzeros; load average {os.getloadavg()[0]:.2f}")
    print("| builder | median s | max s |\n|---|---|---|")
    for label, values in timings.items():
        if values:
            print(f"| {label} | {statistics.median(values):.3f} | {max(values):.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("sweep")
    run.add_argument("--method", action="append", required=True, help="NAME[:KEY=VALUE,...], repeatable")
    run.add_argument("--time-limit", type=float, default=60.0)
    run.add_argument("--threads", type=int, default=1)
    run.add_argument("--out", required=True)
    run.add_argument("--instances", nargs="*", help="instance files (default: instances/paper-sample)")
    run.set_defaults(func=sweep)
    table = commands.add_parser("summary")
    table.add_argument("files", nargs="+")
    table.add_argument("--per-instance", action="store_true")
    table.set_defaults(func=summary)
    timing = commands.add_parser("build")
    timing.add_argument("--requests", type=int, default=50)
    timing.add_argument("--horizon", type=int, default=1000)
    timing.add_argument("--repeat", type=int, default=3)
    timing.add_argument("--skip-pyomo", action="store_true")
    timing.set_defaults(func=build)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
