"""The pattern bound's pricing program: the C extension against its Python twin (kvopt/patterns/reference.py)
on the same inputs, in one run (ratios), and the C program alone on larger ones.

Inputs: prefixes of paper-synthetic instances (seed 1), prices = the peak-cut LP's assignment duals (the
first prices `pattern` tries), starts limited by the best heuristic schedule, as in the method.

    PYTHONPATH=. python benchmarks/bench_pricing.py
"""

from __future__ import annotations

import statistics
import time
from types import MappingProxyType

import numpy as np

from kvopt.formulations.pipeline import MODEL_OPTIONS, build_model, prepare, strengthened_root
from kvopt.generate.paper import paper_synthetic
from kvopt.method import Settings
from kvopt.patterns.bound import dyadic
from kvopt.patterns.pricing import Classes, price


def lp_prices(instance):
    settings = Settings(options=MappingProxyType({o.name: o.default for o in MODEL_OPTIONS}))
    prepared = prepare(instance, settings, "bench")
    model = build_model(instance, settings, prepared, prepared.horizon)
    lp, _ = strengthened_root(instance, settings, prepared, model)
    classes = Classes.of(instance, prepared.upper_bound)
    return classes, dyadic(lp.row_duals()[:len(classes)])


def timed(call, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        clock = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - clock)
    return statistics.median(times), result


def main() -> None:
    print("| instance | states | C (s) | Python (s) | Python / C |")
    print("|---|---|---|---|---|")
    for model, n, index in ((1, 8, 0), (1, 9, 1), (2, 10, 0), (2, 10, 2), (1, 10, 3)):
        full = paper_synthetic(model, 1, index)
        instance = full.replace_requests(full.requests[:n])
        classes, prices = lp_prices(instance)
        fast_s, fast = timed(lambda: price(classes, instance.memory, prices), 5)
        slow_s, slow = timed(lambda: price(classes, instance.memory, prices, compiled=False), 1)
        assert fast.value == slow.value
        print(f"| paper-m{model}-s1-{index:03d}, first {n} | {fast.states:,} | {fast_s:.4f} | {slow_s:.3f} | "
              f"{slow_s / fast_s:.0f} |")


if __name__ == "__main__":
    main()
