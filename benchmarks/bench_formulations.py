"""Exact formulations on the fixed 20-instance paper sample, and model build times.

Sweep (one JSON line per instance and method variant, appended to --out; re-running skips finished pairs):
    python benchmarks/bench_formulations.py sweep --method ip --method "ip:cuts=none" --method lp \\
        --time-limit 60 --threads 1 --out benchmarks/results/formulations.jsonl
Summary table (Markdown) of a results file; "best known" is the best objective any run in the file found:
    python benchmarks/bench_formulations.py summary benchmarks/results/formulations.jsonl
Build time of the time-indexed model for 50 requests and a 1,000-round horizon (highspy vs Pyomo):
    python benchmarks/bench_formulations.py build --requests 50 --horizon 1000 --repeat 3
Root bounds of strengthening variants (kept and rejected ones) on mid-sized random instances:
    python benchmarks/bench_formulations.py root --count 8
Symmetry handling for identical requests (aggregate / order / none) on homogeneous instances:
    python benchmarks/bench_formulations.py symmetry --time-limit 30
Root bound within a time budget for different cut batch sizes (cuts added per separation round):
    python benchmarks/bench_formulations.py batch --seconds 60 --batch 100 --batch 250 --batch 100000 \
        instances/paper-sample/paper-m1-s0-006.json instances/paper-sample/paper-m1-s0-007.json

A method variant is NAME or NAME:KEY=VALUE,KEY=VALUE (method options, as `kvopt solve -o`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sorted(str(p) for p in (ROOT / "instances" / "paper-sample").glob("paper-*.json"))


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
            info = dict(result.info)
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
    from kvopt import read_instance

    records = []
    for path in args.files:
        for line in Path(path).read_text().splitlines():
            record = json.loads(line)
            if not any(r["instance"] == record["instance"] and r["variant"] == record["variant"] for r in records):
                records.append(record)  # the first run of a pair counts
    outputs = {}
    for path in SAMPLE:
        instance = read_instance(path)
        outputs[instance.name] = int(instance.outputs.sum())
    best: dict[str, int] = {}
    for r in records:
        if r["objective"] is not None:
            best[r["instance"]] = min(best.get(r["instance"], r["objective"]), r["objective"])
    variants = list(dict.fromkeys(r["variant"] for r in records))
    print("| method | runs | proven optimal | median gap | max gap | median bound gap to best known | "
          "max bound gap | median LP relaxation gap | median root bound gap | median bound / sum o | "
          "better than incumbent (median gain) | median wall s | max wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
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
        trivial = [r["lower_bound"] / outputs[r["instance"]] for r in rows if r["lower_bound"] is not None]
        incumbent = [(r["info"]["incumbent_objective"] - r["objective"]) / r["info"]["incumbent_objective"]
                     for r in rows if r["objective"] is not None and r["info"].get("incumbent_objective")]
        improved = sum(gain > 0 for gain in incumbent)
        walls = [r["wall_s"] for r in rows]
        print(f"| `{variant}` | {len(rows)} | {optimal} | {_median(gaps)} | {_max(gaps)} | {_median(to_best)} "
              f"| {_max(to_best)} | {_median(lp)} | {_median(root)} | "
              f"{statistics.median(trivial):.3f} | "
              + (f"{improved} ({_median(incumbent)})" if incumbent else "-")
              + f" | {statistics.median(walls):.1f} | {max(walls):.1f} |")
    if args.per_instance:
        print("\n| instance | sum o | best known | " + " | ".join(f"`{v}` bound" for v in variants) + " |")
        print("|---|---|---|" + "---|" * len(variants))
        for name in sorted(best):
            cells = []
            for variant in variants:
                match = [r for r in records if r["variant"] == variant and r["instance"] == name]
                bound = match[0]["lower_bound"] if match else None
                cells.append("-" if bound is None else f"{bound:.1f}" if isinstance(bound, float) else str(bound))
            print(f"| {name} | {outputs[name]} | {best[name]} | " + " | ".join(cells) + " |")


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


def mid_instance(seed: int):
    """Paper-like but smaller: M ~ U{20..30}, n ~ U{10..13}, s ~ U{1..5}, o ~ U{1..M-s}; odd seeds have
    arrivals ~ U{0..n-1}."""
    from kvopt import Instance, Request

    rng = np.random.default_rng([seed, 3])
    memory = int(rng.integers(20, 31))
    n = int(rng.integers(10, 14))
    requests = []
    for k in range(n):
        prompt = int(rng.integers(1, 6))
        arrival = int(rng.integers(0, n)) if seed % 2 else 0
        requests.append(Request(f"r{k}", arrival, prompt, int(rng.integers(1, memory - prompt + 1))))
    return Instance(memory, tuple(requests), name=f"mid-{seed}")


def _static_rows(model, rows):
    """All rows of a cut family given as (coefficient array over states, upper bound, round) lists."""
    from scipy import sparse
    states = model.states
    data, row_index, column, upper = [], [], [], []
    for k, (coefficients, bound) in enumerate(rows):
        used = coefficients > 0
        data.append(coefficients[used].astype(float))
        column.append(states.column[used])
        row_index.append(np.full(int(used.sum()), k))
        upper.append(bound)
    matrix = sparse.csr_matrix((np.concatenate(data), (np.concatenate(row_index), np.concatenate(column))),
                               shape=(len(rows), model.columns))
    return matrix, np.array(upper, dtype=float)


def family_rows(model, family: str):
    """Rejected and kept cut families, every row (one per round and parameter), built from the states.
    peak-q: at most q requests with memory >= mu whose memory + (q + 1) * remaining >= M - q mu + 1
    (the kept family, kvopt.formulations.cuts); nogrowth-q: the same without the remaining-rounds term
    (at most q requests with memory >= mu and peak >= M - q mu + 1); cg: Chvatal-Gomory rounding of the
    memory row, sum floor(m / theta) x <= floor(M / theta) for theta = M//2+1, M//3+1, M//4+1."""
    states = model.states
    capacity = model.instance.memory
    peak = states.memory + states.remaining
    rows = []
    rounds = np.unique(states.round)
    for r in rounds:
        at = states.round == r
        if family.startswith(("peak", "nogrowth")):
            levels = range(1, int(family.split("-")[1]) + 1)
            for q in levels:
                reach = states.memory + (q + 1) * states.remaining if family.startswith("peak") else peak
                for mu in range(1, capacity + 1):
                    coefficients = (at & (states.memory >= mu) & (reach >= capacity - q * mu + 1)).astype(float)
                    if coefficients.sum() > q:
                        rows.append((coefficients, q))
        elif family == "cg":
            for theta in sorted({capacity // 2 + 1, capacity // 3 + 1, capacity // 4 + 1}):
                coefficients = np.where(at, states.memory // theta, 0).astype(float)
                if coefficients.sum() > capacity // theta:
                    rows.append((coefficients, capacity // theta))
    return _static_rows(model, rows)


def step_form(model):
    """The same LP in cumulative variables y[g, t] = sum_{k <= t} x[g, k] (x = D y): equal bound."""
    from scipy import sparse
    columns = model.columns
    same = np.zeros(columns, dtype=bool)
    same[1:] = (model.col_group[1:] == model.col_group[:-1]) & (model.col_start[1:] == model.col_start[:-1] + 1)
    previous = np.flatnonzero(same)
    difference = sparse.csr_matrix((np.r_[np.ones(columns), -np.ones(previous.size)],
                                    (np.r_[np.arange(columns), previous], np.r_[np.arange(columns), previous - 1])),
                                   shape=(columns, columns))
    matrix = sparse.vstack([model.matrix @ difference, difference]).tocsr()
    lower = np.r_[model.row_lower, np.zeros(columns)]
    upper = np.r_[model.row_upper, np.full(columns, np.inf)]
    return matrix, difference.T @ model.col_cost, lower, upper


def _lp_value(matrix, cost, lower, upper, column_upper):
    from kvopt.formulations.highs_solver import new_highs
    import highspy
    matrix = matrix.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, np.zeros(matrix.shape[1]), column_upper
    lp.row_lower_ = np.where(np.isfinite(lower), lower, -highspy.kHighsInf)
    lp.row_upper_ = np.where(np.isfinite(upper), upper, highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    highs = new_highs()
    highs.setOptionValue("threads", 1)
    highs.passModel(lp)
    clock = time.perf_counter()
    highs.run()
    return highs.getInfo().objective_function_value, time.perf_counter() - clock


def best_heuristic(instance):
    """The best schedule of the registered heuristics, run once each: the incumbent the figures of
    `root` and `batch` were measured with (what ip started from before it was handed its schedules)."""
    from kvopt import solve
    from kvopt.catalogue import all_methods
    from kvopt.heuristics import Incumbent

    best = None
    for spec in all_methods("heuristic"):
        result = solve(instance, spec.name)
        if result.schedule.runs or (best is not None and result.objective >= best.objective):
            continue
        best = Incumbent(dict(result.schedule.starts), result.objective, spec.name)
    return best


def root(args: argparse.Namespace) -> None:
    from scipy import sparse

    from kvopt import solve
    from kvopt.formulations.timeindexed import build_time_indexed

    from kvopt.formulations.highs_solver import root_bound, to_highs

    families = ["nogrowth-1", "peak-1", "peak-2", "peak-3", "cg"]
    print("| instance | n | M | best known (ip, status) | plain LP | step-form LP | "
          + " | ".join(families) + " | separated peak-2 (rounds) | columns fixable by reduced cost |")
    print("|---|---|---|---|---|---|" + "---|" * len(families) + "---|---|")
    for seed in range(args.count):
        instance = mid_instance(seed)
        incumbent = best_heuristic(instance)
        model = build_time_indexed(instance, incumbent.makespan(instance), upper_bound=incumbent.objective)
        reference = solve(instance, "ip", time_limit=args.time_limit)
        plain, plain_s = _lp_value(model.matrix, model.col_cost, model.row_lower, model.row_upper, model.col_upper)
        step, step_s = _lp_value(*step_form(model), np.ones(model.columns) * model.col_upper.max())
        cells = []
        for family in families:
            rows, upper = family_rows(model, family)
            value, seconds = _lp_value(sparse.vstack([model.matrix, rows]), model.col_cost,
                                       np.r_[model.row_lower, np.full(rows.shape[0], -np.inf)],
                                       np.r_[model.row_upper, upper], model.col_upper)
            cells.append(f"{value:.1f} ({rows.shape[0]} rows, {seconds:.1f} s)")
        highs = to_highs(model, integer=False)
        separated = root_bound(model, highs, cut_rounds=50, deadline=None)
        reduced_costs = np.array(highs.getSolution().col_dual)
        fixable = int((separated.strengthened + reduced_costs > reference.objective + 1e-6).sum())
        print(f"| {instance.name} | {len(instance)} | {instance.memory} | {reference.objective} "
              f"({reference.status}) | {plain:.1f} ({plain_s:.2f} s) | {step:.1f} ({step_s:.2f} s) | "
              + " | ".join(cells) + f" | {separated.strengthened:.1f} ({separated.rounds}, {separated.cuts} cuts) | "
              f"{fixable} of {model.columns} |", flush=True)


def symmetry_instances():
    """Homogeneous instances (all at 0) and instances made of 3 classes of 4 identical requests."""
    from kvopt import Instance, Request

    for memory, output, n in [(9, 3, 8), (11, 4, 8), (12, 4, 10), (15, 5, 10), (12, 3, 12), (20, 6, 12)]:
        yield Instance(memory, tuple(Request(f"r{k}", 0, 1, output) for k in range(n)),
                       name=f"homogeneous M={memory} s=1 o={output} n={n}")
    for seed in range(4):
        rng = np.random.default_rng([seed, 4])
        memory = int(rng.integers(15, 26))
        kinds = [(int(rng.integers(0, 4)) * (seed % 2), int(rng.integers(1, 4)), int(rng.integers(2, 8)))
                 for _ in range(3)]
        requests = [Request(f"c{c}-{k}", a, s, o) for c, (a, s, o) in enumerate(kinds) for k in range(4)]
        yield Instance(memory, tuple(requests), name=f"3x4 classes seed {seed} M={memory}")


def symmetry(args: argparse.Namespace) -> None:
    from kvopt import solve

    variants = ["aggregate", "order", "none"]
    print("| instance | " + " | ".join(f"{v}: status, bound/objective, nodes, s" for v in variants) + " |")
    print("|---|" + "---|" * len(variants))
    for instance in symmetry_instances():
        cells = []
        for variant in variants:
            clock = time.perf_counter()
            result = solve(instance, "ip", time_limit=args.time_limit, symmetry=variant)
            cells.append(f"{result.status}, {result.lower_bound}/{result.objective}, "
                         f"{result.info.get('nodes', '-')}, {time.perf_counter() - clock:.1f}")
        print(f"| {instance.name} | " + " | ".join(cells) + " |", flush=True)


def batch(args: argparse.Namespace) -> None:
    from kvopt import read_instance
    from kvopt.formulations.highs_solver import root_bound, to_highs
    from kvopt.formulations.timeindexed import build_time_indexed

    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| instance | cuts per round | root bound | rounds | cuts | stopped |\n|---|---|---|---|---|---|")
    for path in args.instances:
        instance = read_instance(path)
        incumbent = best_heuristic(instance)
        for size in args.batch:
            model = build_time_indexed(instance, incumbent.makespan(instance), upper_bound=incumbent.objective)
            result = root_bound(model, to_highs(model, integer=False), cut_rounds=1000,
                                deadline=time.monotonic() + args.seconds, max_cuts=size)
            print(f"| {instance.name} | {size} | {result.strengthened:.1f} | {result.rounds} | {result.cuts} | "
                  f"{result.stopped} |", flush=True)


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
    bounds = commands.add_parser("root")
    bounds.add_argument("--count", type=int, default=8)
    bounds.add_argument("--time-limit", type=float, default=60.0, help="for the reference ip run")
    bounds.set_defaults(func=root)
    symmetric = commands.add_parser("symmetry")
    symmetric.add_argument("--time-limit", type=float, default=30.0)
    symmetric.set_defaults(func=symmetry)
    batches = commands.add_parser("batch")
    batches.add_argument("instances", nargs="+")
    batches.add_argument("--seconds", type=float, default=60.0)
    batches.add_argument("--batch", type=int, action="append", required=True)
    batches.set_defaults(func=batch)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
