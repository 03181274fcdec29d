"""Random small instances for the cross-checks against the brute force (and a hypothesis strategy that
draws them): n requests on M in a range, prompts up to max_prompt (one shared prompt if same_prompt),
outputs up to max_output (default M - s, the paper's proportions), all at round 0 or arriving in
0..max_arrival, and with probability `twins` a copy of an earlier request (symmetry handling).
`arrivals` or `same_prompt` None: drawn per instance (a fair coin)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from kvopt import Instance, Request


def random_instance(seed: int | np.random.Generator, n: int | tuple[int, int], *,
                    memory: tuple[int, int] = (4, 14), max_prompt: int = 3, max_output: int | None = None,
                    arrivals: bool | None = False, max_arrival: int = 4, same_prompt: bool | None = False,
                    twins: float = 0.0) -> Instance:
    """One instance; `seed` a number or a numpy Generator (drawn from in place); `n` a count or a
    (min, max) range."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    count = n if isinstance(n, int) else int(rng.integers(n[0], n[1] + 1))
    arrivals = bool(rng.integers(0, 2)) if arrivals is None else arrivals
    same_prompt = bool(rng.integers(0, 2)) if same_prompt is None else same_prompt
    capacity = int(rng.integers(memory[0], memory[1] + 1))
    shared = int(rng.integers(1, max_prompt + 1))
    requests: list[Request] = []
    for k in range(count):
        if requests and twins and rng.random() < twins:
            twin = requests[int(rng.integers(0, len(requests)))]
            requests.append(Request(f"r{k}", twin.arrival, twin.prompt, twin.output))
            continue
        prompt = min(shared if same_prompt else int(rng.integers(1, max_prompt + 1)), capacity - 1)
        top = capacity - prompt if max_output is None else min(max_output, capacity - prompt)
        output = int(rng.integers(1, top + 1))
        arrival = int(rng.integers(0, max_arrival + 1)) if arrivals else 0
        requests.append(Request(f"r{k}", arrival, prompt, output))
    return Instance(capacity, tuple(requests), name=f"random-{count}")


@st.composite
def small_instances(draw, max_requests: int = 5, max_memory: int = 12, arrivals: bool = True) -> Instance:
    """A hypothesis strategy: random_instance with a drawn seed and size, M in 3..max_memory."""
    return random_instance(draw(st.integers(0, 2**32 - 1)), draw(st.integers(1, max_requests)),
                           memory=(3, max_memory), arrivals=arrivals)
