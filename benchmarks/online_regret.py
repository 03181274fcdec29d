"""Regret of online policies under stochastic arrivals as the horizon grows (docs/online_results.md).

    PYTHONPATH=. python benchmarks/online_regret.py --workload lmsys --load 0.8
    PYTHONPATH=. python benchmarks/online_regret.py --workload paper --load 0.8
    PYTHONPATH=. python benchmarks/online_regret.py --reference ip --workload paper --horizons 20 40 80
    PYTHONPATH=. python benchmarks/online_regret.py --burst-grid

Stochastic model: for a horizon of T rounds, requests arrive as a Poisson process of rate lambda per round
(round t receives Poisson(lambda) requests, t = 0..T-1) with i.i.d. sizes; all requests are then served
to completion. Workloads: `lmsys` (LMSYS-Chat-1M word counts, M = 16,492, the paper's real-trace setting)
and `paper` (the paper's synthetic sizes at M = 40: s ~ U{1..5}, o ~ U{1..M-s}). lambda = load x the
fluid capacity M / E[s o + o(o+1)/2] (requests per round that memory sustains).

Regret(T) = E[TEL(policy)] - E[OPT(T)], OPT the hindsight optimum. `--reference bounds` replaces OPT by
the best lower bound of every registered bound method (today the trivial bound sum o_i; the volume and LP
bounds count as soon as they are registered), so the figure printed is an UPPER bound on the regret;
`--reference ip` solves the hindsight IP (when the `ip` method exists) and uses its optimum, or its dual
bound when the time limit stops it. Each cell is a mean over --seeds seeds with its standard error; a
least-squares fit regret = a + b T follows (a flat regret has b ~ 0). A second table gives each policy's
excess over the best of the policies on the same instance (not a regret: the best policy is no optimum).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from workloads import PAPER_MEMORY, lmsys_lengths, source_name  # noqa: E402

from kvopt import Instance, Request, solve  # noqa: E402
from kvopt.catalogue import all_methods, get_method  # noqa: E402
from kvopt.policies import make_policy  # noqa: E402
from kvopt.sim import simulate  # noqa: E402


def sizes(workload: str, count: int, rng: np.random.Generator, memory: int) -> tuple[np.ndarray, np.ndarray]:
    if workload == "lmsys":
        return lmsys_lengths(count, rng)
    prompts = rng.integers(1, 6, count)
    return prompts, rng.integers(1, memory - prompts + 1)


def capacity(workload: str, memory: int) -> float:
    prompts, outputs = sizes(workload, 200_000, np.random.default_rng(12345), memory)
    return memory / float((prompts * outputs + outputs * (outputs + 1) / 2).mean())


def stochastic_instance(workload: str, horizon: int, rate: float, memory: int, seed: int) -> Instance:
    rng = np.random.default_rng([seed, horizon])
    arrivals = np.repeat(np.arange(horizon), rng.poisson(rate, horizon))
    if arrivals.size == 0:
        arrivals = np.zeros(1, int)
    prompts, outputs = sizes(workload, arrivals.size, rng, memory)
    return Instance(memory, tuple(Request(f"r{k}", int(a), int(p), int(o))
                                  for k, (a, p, o) in enumerate(zip(arrivals, prompts, outputs))),
                    name=f"{workload}-T{horizon}-seed{seed}")


def reference(instance: Instance, kind: str, time_limit: float) -> tuple[float, str]:
    if kind == "ip":
        result = solve(instance, "ip", time_limit=time_limit)
        if result.status.value == "optimal":
            return float(result.objective), "optimum"
        return float(result.lower_bound), "ip bound"
    best = max(solve(instance, spec.name).lower_bound for spec in all_methods("bound"))
    return float(best), "bound"


def burst_grid() -> None:
    import glob

    from kvopt.io import read_instance
    homogeneous = [(9, 1, 3, 5), (9, 1, 3, 6), (11, 1, 4, 5), (11, 1, 4, 6), (12, 1, 4, 6)]
    sample = [read_instance(path) for path in sorted(glob.glob("instances/paper-sample/*.json"))]
    print("| policy | M=9,s=1,o=3,n=5 | n=6 | M=11,o=4,n=5 | n=6 | M=12,o=4,n=6 | paper sample (sum of 20) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = [("mcsf", {})] + [("fluid", {"burst": b}) for b in (1.0, 1.5, 2.0, 3.0, 5.0)]
    for name, options in rows:
        small = [simulate(Instance(m, tuple(Request(f"r{k}", 0, s, o) for k in range(n))),
                          make_policy(name, options)).objective for m, s, o, n in homogeneous]
        total = sum(simulate(instance, make_policy(name, options)).objective for instance in sample)
        label = name + (f" burst={options['burst']:g}" if options else "")
        print(f"| {label} | " + " | ".join(map(str, small)) + f" | {total:,} |")
    print("| optimum (exact) | 25 | 33 | 34 | 45 | 42 | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=["lmsys", "paper"], default="lmsys")
    parser.add_argument("--horizons", type=int, nargs="+", default=[250, 500, 1000, 2000, 4000])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--load", type=float, default=0.8)
    parser.add_argument("--memory", type=int, help="default 16,492 (lmsys) or 40 (paper)")
    parser.add_argument("--policies", default="fluid,mcsf,mc-benchmark,vllm,wait")
    parser.add_argument("--reference", choices=["bounds", "ip"], default="bounds")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per IP solve")
    parser.add_argument("--burst-grid", action="store_true", help="print the grid that chose fluid's burst")
    args = parser.parse_args()
    if args.burst_grid:
        burst_grid()
        return
    if args.reference == "ip":
        get_method("ip")  # a clear error until the IP method is registered
    memory = args.memory or (PAPER_MEMORY if args.workload == "lmsys" else 40)
    rate = args.load * capacity(args.workload, memory)
    policies = args.policies.split(",")
    print(f"workload {args.workload} ({source_name() if args.workload == 'lmsys' else 'uniform sizes'}), "
          f"M = {memory}, load {args.load} -> Poisson {rate:.4f} requests/round; reference: {args.reference}; "
          f"{args.seeds} seeds; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    regrets = {name: [] for name in policies}
    excess_rows = []
    print("| T | requests (mean) | reference TEL (mean) | " + " | ".join(f"{p} regret" for p in policies) + " |")
    print("|---:|---:|---:|" + "---:|" * len(policies))
    for horizon in args.horizons:
        cells = {name: [] for name in policies}
        references, counts, kinds = [], [], set()
        for seed in range(args.seeds):
            instance = stochastic_instance(args.workload, horizon, rate, memory, seed)
            value, kind = reference(instance, args.reference, args.time_limit)
            references.append(value)
            counts.append(len(instance))
            kinds.add(kind)
            for name in policies:
                cells[name].append(simulate(instance, make_policy(name)).objective - value)
        best = np.min([cells[name] for name in policies], axis=0)
        excess_rows.append((horizon, {name: np.array(cells[name]) - best for name in policies}))
        line = f"| {horizon} | {np.mean(counts):.0f} | {np.mean(references):,.0f} ({'/'.join(sorted(kinds))}) |"
        for name in policies:
            values = np.array(cells[name], float)
            error = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0.0
            regrets[name].append(values.mean())
            line += f" {values.mean():,.1f} ± {error:,.1f} |"
        print(line, flush=True)
    print("\nleast-squares fit regret = a + b T (b: regret growth per round of horizon):")
    for name in policies:
        slope, intercept = np.polyfit(np.array(args.horizons, float), np.array(regrets[name]), 1)
        print(f"  {name}: b = {slope:.3f}, a = {intercept:.1f}")
    print("\nexcess over the best policy on the same instance (mean over seeds):")
    print("| T | " + " | ".join(policies) + " |")
    print("|---:|" + "---:|" * len(policies))
    for horizon, excess in excess_rows:
        print(f"| {horizon} | " + " | ".join(f"{excess[name].mean():,.1f}" for name in policies) + " |")


if __name__ == "__main__":
    main()
