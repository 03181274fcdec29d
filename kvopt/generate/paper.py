"""The MC-SF paper's synthetic study (arXiv 2502.07115 v5; sampling details are the documented reading [INF]).

M ~ U{30..50}; each request s ~ U{1..5}, o ~ U{1..M - s}.
Model 1: n ~ U{40..60} requests, all at round 0.
Model 2: T ~ U{40..60} periods and a rate lambda ~ U[0.5, 1.5]; in each period t = 0..T-1 a
Poisson(lambda) number of requests arrives.
Instance k of a set with seed `seed` is drawn from numpy's generator seeded by (seed, model, k), so each
instance is reproducible on its own.
"""

from __future__ import annotations

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance, Request


def paper_synthetic(model: int, seed: int = 0, index: int = 0) -> Instance:
    if model not in (1, 2):
        raise InputError(f"the paper's arrival model is 1 (all at 0) or 2 (Poisson), got {model}")
    rng = np.random.default_rng([seed, model, index])
    memory = int(rng.integers(30, 51))
    if model == 1:
        arrivals = [0] * int(rng.integers(40, 61))
        details = {}
    else:
        periods = int(rng.integers(40, 61))
        rate = float(rng.uniform(0.5, 1.5))
        arrivals = [t for t in range(periods) for _ in range(int(rng.poisson(rate)))]
        if not arrivals:
            arrivals = [0]
        details = {"periods": periods, "rate": round(rate, 6)}
    requests = []
    for k, arrival in enumerate(arrivals):
        prompt = int(rng.integers(1, 6))
        output = int(rng.integers(1, memory - prompt + 1))
        requests.append(Request(f"r{k}", arrival, prompt, output))
    return Instance(memory, tuple(requests), name=f"paper-m{model}-s{seed}-{index:03d}",
                    source="kvopt generate paper-synthetic (our reading of the synthetic study of arXiv 2502.07115 v5)",
                    metadata={"family": "paper-synthetic", "model": model, "seed": seed, "index": index,
                              **details})


def paper_synthetic_set(model: int, count: int = 200, seed: int = 0) -> list[Instance]:
    return [paper_synthetic(model, seed, k) for k in range(count)]
