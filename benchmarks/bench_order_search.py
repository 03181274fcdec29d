"""Candidate orders per second of `order-search` (benchmarks/README.md, "Order search: the decoder"):
a fixed number of iterations from MC-SF's schedule on bundled instances, one seed, printing the objective
(equal across versions: the search's trajectory does not depend on the decoder's speed) and seconds.

    PYTHONPATH=. python benchmarks/bench_order_search.py --iterations 2000 instances/paper-sample/paper-m2-s0-005.json

--module PATH runs another version of kvopt/methods/order_search.py instead (e.g. one written by
`git show COMMIT:kvopt/methods/order_search.py > /tmp/old.py`), registered as "order-search-version"; with
farm-bench's --vs the two versions' times give the speed ratio in one run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kvopt import solve  # noqa: E402
from kvopt.io import read_instance  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="+")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--module", help="another version of kvopt/methods/order_search.py")
    args = parser.parse_args()
    method = "order-search"
    if args.module:
        with open(args.module) as source:
            text = source.read().replace('@register("order-search"', '@register("order-search-version"')
        exec(compile(text, args.module, "exec"), {"__name__": "order_search_version"})
        method = "order-search-version"
    for path in args.instances:
        instance = read_instance(path)
        mcsf = solve(instance, "mcsf")
        began = time.perf_counter()
        found = solve(instance, method, initial_schedule=mcsf.schedule, iterations=args.iterations,
                      seed=args.seed)
        print(f"{os.path.basename(path)} n={len(instance)} MC-SF {mcsf.objective} order-search "
              f"{found.objective} {time.perf_counter() - began:.2f} s", flush=True)


if __name__ == "__main__":
    main()
