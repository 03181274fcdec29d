"""The exact solver's speed and anytime gaps (issue 5 targets).

Run from the repository root:
  PYTHONPATH=. python benchmarks/bench_exact.py small [--time-limit 10] [--per-cell 5]
      random instances of the paper-synthetic kind (M ~ U{30..50}, s ~ U{1..5}, o ~ U{1..M-s}) with
      n in {4, 6, 8, 10, 12}, all at round 0 and with Poisson(1) arrivals, plus homogeneous ones
      (one (s, o) per instance); reports proven counts and the runtime / node distributions.
  PYTHONPATH=. python benchmarks/bench_exact.py paper-sample [--time-limit 60]
  --method ip|cpsat measures another exact method on the same instances (default exact).
      the fixed 20-instance sample instances/paper-sample/: status, incumbent, bound and gap.
Each instance prints one JSON line (--out FILE also writes them there), then a summary table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

from kvopt import Instance, Request, read_instance, solve

ROOT = Path(__file__).resolve().parent.parent


def small_instance(rng: np.random.Generator, n: int, arrivals: bool, homogeneous: bool) -> Instance:
    memory = int(rng.integers(30, 51))
    prompt = int(rng.integers(1, 6))
    output = int(rng.integers(1, memory - prompt + 1))
    time, requests = 0, []
    for k in range(n):
        if not homogeneous:
            prompt = int(rng.integers(1, 6))
            output = int(rng.integers(1, memory - prompt + 1))
        requests.append(Request(f"r{k}", time if arrivals else 0, prompt, output))
        if arrivals:
            time += int(rng.poisson(1.0))
    return Instance(memory, tuple(requests))


def small_suite(per_cell: int):
    rng = np.random.default_rng(20260501)
    for kind in ("heterogeneous", "homogeneous"):
        for arrivals in (False, True):
            for n in (4, 6, 8, 10, 12):
                for index in range(per_cell):
                    instance = small_instance(rng, n, arrivals, kind == "homogeneous")
                    yield {"kind": kind, "arrivals": arrivals, "n": n, "index": index}, instance


def paper_suite():
    for path in sorted((ROOT / "instances" / "paper-sample").glob("paper-*.json")):
        yield {"instance": path.stem}, read_instance(path)


def summarise_small(rows: list[dict]) -> None:
    print("\n| kind | arrivals | n | proven | < 1 s | runtime median / max (s) | nodes median / max |")
    print("|---|---|---|---|---|---|---|")
    cells: dict[tuple, list[dict]] = {}
    for row in rows:
        cells.setdefault((row["kind"], row["arrivals"], row["n"]), []).append(row)
    for (kind, arrivals, n), group in cells.items():
        times = [r["runtime_s"] for r in group]
        nodes = [r["nodes"] for r in group if r["nodes"] is not None]
        proven = sum(r["status"] == "optimal" for r in group)
        fast = sum(r["status"] == "optimal" and r["runtime_s"] < 1 for r in group)
        print(f"| {kind} | {'Poisson' if arrivals else 'all at 0'} | {n} | {proven}/{len(group)} | "
              f"{fast}/{len(group)} | {statistics.median(times):.3f} / {max(times):.3f} | "
              + (f"{statistics.median(nodes):.0f} / {max(nodes)} |" if nodes else "- |"))


def summarise_paper(rows: list[dict]) -> None:
    print("\n| instance | n | status | incumbent | bound | gap % | nodes |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['instance']} | {r['requests']} | {r['status']} | {r['objective']} | {r['lower_bound']} | "
              f"{100 * r['gap']:.2f} | {r['nodes']} |")
    gaps = [100 * r["gap"] for r in rows]
    print(f"\nproven optimal: {sum(r['status'] == 'optimal' for r in rows)}/{len(rows)}; gap median "
          f"{statistics.median(gaps):.2f}%, max {max(gaps):.2f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suite", choices=("small", "paper-sample"))
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--per-cell", type=int, default=5)
    parser.add_argument("--method", default="exact", help="exact method to measure (default exact; ip, cpsat)")
    parser.add_argument("--out", help="also write the JSON lines to this file")
    args = parser.parse_args()
    limit = args.time_limit or (10.0 if args.suite == "small" else 60.0)
    suite = small_suite(args.per_cell) if args.suite == "small" else paper_suite()
    rows = []
    out = open(args.out, "w") if args.out else None
    for labels, instance in suite:
        result = solve(instance, args.method, time_limit=limit)
        row = {**labels, "requests": len(instance.requests), "memory": instance.memory,
               "status": result.status.value, "objective": result.objective,
               "lower_bound": result.lower_bound, "gap": result.gap or 0.0,
               "runtime_s": round(result.runtime_s, 4), "nodes": result.info.get("nodes"),
               "incumbent_source": result.info.get("incumbent_source")}
        rows.append(row)
        line = json.dumps(row)
        print(line, flush=True)
        if out:
            out.write(line + "\n")
            out.flush()
    (summarise_small if args.suite == "small" else summarise_paper)(rows)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
