"""Adversarial arrivals: the competitive ratio of every deterministic policy grows with the family
parameter (kvopt's construction for Theorem 4.1 of arXiv 2502.07115 v5; docs/online_results.md; notebooks/03_counterexamples_and_adversaries.ipynb).

    PYTHONPATH=. python benchmarks/online_adversary.py
    PYTHONPATH=. python benchmarks/online_adversary.py --reference ip      # once the ip method exists

For x in --xs, an adaptive adversary (kvopt.sim.adversary) releases one long request at round 0 and x
short ones one round after the policy starts the long one; M = x(x+1), n = x + 1 requests. Each policy
runs against it online; its total latency is divided by the hindsight reference on the realised instance:
`--reference schedules` (default) uses the best of two explicit offline schedules, each verified (short
requests first, or the long one first), an upper bound on OPT -- so the printed ratio is a LOWER bound on
the policy's competitive ratio; `--reference ip` uses the optimum proven by the IP.
The experiment itself is kvopt.experiments.structured.adversary_growth.
"""

from __future__ import annotations

import argparse

from kvopt.experiments.structured import adversary_growth
from kvopt.policies import all_policies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--xs", type=int, nargs="+", default=[2, 3, 4, 6, 8, 12, 16, 24, 32])
    parser.add_argument("--reference", choices=["schedules", "ip"], default="schedules")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    names = [spec.name for spec in all_policies()]
    print(f"reference: {args.reference} ("
          + ("the best verified offline schedule, an upper bound on OPT: ratios are lower bounds)"
             if args.reference == "schedules" else "the hindsight optimum)"))
    print("| x | n = x+1 | M | x/2 | " + " | ".join(names) + " |")
    print("|---:|---:|---:|---:|" + "---:|" * len(names))
    reference, methods = ("optimum", ["ip"]) if args.reference == "ip" else ("schedules", [])
    for x in args.xs:
        [line] = adversary_growth([x], names, reference, args.time_limit, methods)
        cells = [f"{line[name]:.2f}" for name in names]
        print(f"| {x} | {x + 1} | {x * (x + 1)} | {x / 2:g} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
