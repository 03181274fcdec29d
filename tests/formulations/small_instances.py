"""Random small instances for the cross-checks: n <= 8, all at 0 or with arrivals, identical or
heterogeneous prompts (and some identical requests, so the symmetry handling is exercised)."""

from __future__ import annotations

import random

from kvopt import Instance, Request


def random_small_instance(rng: random.Random, max_requests: int = 8, max_output: int = 5) -> Instance:
    memory = rng.randint(4, 14)
    n = rng.randint(1, max_requests)
    with_arrivals = rng.random() < 0.5
    same_prompt = rng.random() < 0.4
    prompt = rng.randint(1, 3)
    requests = []
    for k in range(n):
        if requests and rng.random() < 0.2:  # a copy of an earlier request
            twin = rng.choice(requests)
            requests.append(Request(f"q{k}", twin.arrival, twin.prompt, twin.output))
            continue
        s = prompt if same_prompt else rng.randint(1, 3)
        o = rng.randint(1, min(max_output, memory - s))
        requests.append(Request(f"q{k}", rng.randint(0, 6) if with_arrivals else 0, s, o))
    return Instance(memory, tuple(requests), name=f"random-{n}")
