"""Where certify's budget goes on the paper sample (issue 12): inside its methods, re-running heuristics
inside exact methods and bounds, and outside any method.

For each instance of instances/paper-sample, one at a time, `certify(instance, budget_s=B)` with the
default portfolio:
- methods_s: the sum of the attempts' run times (each method's own clock, as `solve` measures it);
- outside_s: certify's wall-clock time minus methods_s (verifying schedules, bookkeeping);
- rerun_s: time the exact methods and bounds spent building their own starting schedule (the
  `incumbent_s` that ip, lp, cpsat and exact record). Before issue 12 that was running every registered
  heuristic again inside ip, lp and cpsat, and fcfs and mcsf inside exact (which did not record it: its
  `_heuristic_incumbents` step is timed directly when present).

After (this tree), and before (the same script on the commit before issue 12, 1a59110):
    PYTHONPATH=. python benchmarks/bench_certify_overhead.py --budget 20 --out benchmarks/results/certify-overhead.jsonl
    git worktree add /tmp/kvopt-1a59110 1a59110
    PYTHONPATH=/tmp/kvopt-1a59110 python benchmarks/bench_certify_overhead.py --budget 20 \
        --out benchmarks/results/certify-overhead-before.jsonl
    python benchmarks/bench_certify_overhead.py --summary benchmarks/results/certify-overhead.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import kvopt.certify as certify_module
from kvopt import read_instance

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "instances" / "paper-sample"


class Recorder:
    """Wraps the `solve` that certify calls (to read each result's incumbent_s) and, in kvopt before
    issue 12, the exact method's heuristic step."""

    def __init__(self) -> None:
        self.rerun_s = 0.0
        self.per_method: dict[str, float] = {}
        solve = certify_module.solve

        def recorded_solve(instance, method, **kwargs):
            result = solve(instance, method, **kwargs)
            seconds = float(result.info.get("incumbent_s", 0.0) or 0.0)
            self.add(method, seconds)
            return result
        certify_module.solve = recorded_solve
        try:
            import kvopt.exact.method as exact_method
        except ImportError:
            return
        heuristics = getattr(exact_method, "_heuristic_incumbents", None)
        if heuristics is not None:
            def timed(*args, **kwargs):
                clock = time.perf_counter()
                try:
                    return heuristics(*args, **kwargs)
                finally:
                    self.add("exact", time.perf_counter() - clock)
            exact_method._heuristic_incumbents = timed

    def add(self, method: str, seconds: float) -> None:
        self.rerun_s += seconds
        if seconds:
            self.per_method[method] = self.per_method.get(method, 0.0) + seconds

    def reset(self) -> None:
        self.rerun_s = 0.0
        self.per_method = {}


def measure(args) -> None:
    out = Path(args.out)
    done = set()
    if out.exists():
        done = {json.loads(line)["instance"] for line in out.read_text().splitlines() if line.strip()}
    recorder = Recorder()
    for path in sorted(SAMPLE.glob("paper-*.json")):
        if path.stem in done:
            continue
        instance = read_instance(path)
        recorder.reset()
        load = os.getloadavg()[0]
        certificate = certify_module.certify(instance, budget_s=args.budget)
        methods_s = sum(a.runtime_s for a in certificate.attempts)
        row = {"instance": path.stem, "n": len(instance), "budget_s": args.budget,
               "runtime_s": round(certificate.runtime_s, 3), "methods_s": round(methods_s, 3),
               "outside_s": round(certificate.runtime_s - methods_s, 3),
               "rerun_s": round(recorder.rerun_s, 3),
               "rerun_by_method": {k: round(v, 3) for k, v in recorder.per_method.items()},
               "objective": certificate.objective, "lower_bound": certificate.lower_bound,
               "load_before": load, "load_after": os.getloadavg()[0]}
        with out.open("a") as handle:
            handle.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)


def summary(path: str) -> None:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    budget = rows[0]["budget_s"]
    for key in ("rerun_s", "outside_s"):
        shares = [100 * row[key] / row["budget_s"] for row in rows]
        print(f"{key}: mean {statistics.mean(r[key] for r in rows):.3f} s, max {max(r[key] for r in rows):.3f} s; "
              f"share of the {budget:g} s budget: median {statistics.median(shares):.2f}%, "
              f"max {max(shares):.2f}%")
    per_method: dict[str, float] = {}
    for row in rows:
        for method, seconds in row["rerun_by_method"].items():
            per_method[method] = per_method.get(method, 0.0) + seconds
    print("rerun_s per method, mean over instances: "
          + (", ".join(f"{m} {s / len(rows):.3f} s" for m, s in sorted(per_method.items())) or "none"))
    print(f"{len(rows)} instances; load average {min(r['load_before'] for r in rows):.2f}-"
          f"{max(r['load_after'] for r in rows):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--out", default="benchmarks/results/certify-overhead.jsonl")
    parser.add_argument("--summary", metavar="FILE")
    args = parser.parse_args()
    if args.summary:
        summary(args.summary)
    else:
        measure(args)


if __name__ == "__main__":
    main()
