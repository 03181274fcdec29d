"""Tiny random instances for the bound tests (hypothesis strategy and a seeded generator)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from kvopt import Instance, Request


@st.composite
def tiny_instances(draw, max_requests: int = 5, max_memory: int = 12, arrivals: bool = True) -> Instance:
    memory = draw(st.integers(3, max_memory))
    n = draw(st.integers(1, max_requests))
    requests = []
    for k in range(n):
        prompt = draw(st.integers(1, min(3, memory - 1)))
        output = draw(st.integers(1, memory - prompt))
        arrival = draw(st.integers(0, 4)) if arrivals else 0
        requests.append(Request(f"r{k}", arrival, prompt, output))
    return Instance(memory, tuple(requests))


def random_tiny(seed: int, n: int = 5, arrivals: bool = False, same_prompt: bool = False) -> Instance:
    """Paper-like proportions (o up to M - s) at a brute-forceable size."""
    rng = np.random.default_rng(seed)
    memory = int(rng.integers(6, 15))
    shared_prompt = int(rng.integers(1, 4))
    requests = []
    for k in range(n):
        prompt = shared_prompt if same_prompt else int(rng.integers(1, 4))
        output = int(rng.integers(1, memory - prompt + 1))
        arrival = int(rng.integers(0, 5)) if arrivals else 0
        requests.append(Request(f"r{k}", arrival, prompt, output))
    return Instance(memory, tuple(requests))
