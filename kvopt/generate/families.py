"""Structured and small instance families.

Every function returns a validated Instance whose metadata names the family and its parameters. The
structured families also come with witness schedules (`witnesses(instance)`): explicit schedules whose
objectives are the values the research notes quote, so a test can check them with the verifier and an
exact method can later confirm which one is optimal.

* `homogeneous(M, s, o, n)`: n identical requests at round 0.
* `staggering(o, n, s, M)`: homogeneous with M defaulting to s*o + o(o+1)/2, the memory of one start per
  round in steady state: the staggered schedule (starts 0, 1, ..., n-1) is feasible and costs
  n*o + n(n-1)/2, while the greedy that starts as many requests as fit (FCFS, MC-SF with exact lengths)
  packs them and loses more as n grows (formulations/exact-and-special-cases.md). `STAGGERING_KNOWN` lists
  five tuples with their optimum and greedy values (exact values of a DP), two with optimal starts.
* `adversary(x, tau)`: a deterministic-adversary construction for Theorem 4.1 of arXiv 2502.07115 v5 as a
  static instance [INF, kvopt's construction, not the paper's]: M = x(x+1); a long request A
  (s = M - x, o = x) at round 0 and x short ones B (s = x, o = 1) released at round tau + 1. A and any B
  never fit together, and all B fit in one round, so OPT = min(A first, all B first) (witnesses "a-first",
  "b-first"). An online policy that starts A at tau faces exactly this instance; the adaptive adversary,
  which watches a policy and chooses tau, needs the online simulator and is built with the policies.
* `fat_thin(M)`: [INF construction consistent with Wang-Ye-Zhou, arXiv 2508.06133]: k = floor(sqrt M)
  "fat" requests (s = M - 1, o = 1) and m = floor(M/3) "thin" ones (s = 1, o = 2), all at round 0.
  Shortest-first runs the fat ones first: k(k+1)/2 + m(k+2); thin first costs 2m + k(k+5)/2
  (M = 12: 26 vs 20, M = 16: 40 vs 28, the optima of an exact DP).
* `random_small(seed, index, ...)`: small random instances for exact solvers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance, Request
from kvopt.schedule import Schedule

#: (M, s, o, n) -> (optimum, greedy) for n identical requests at round 0 (an exact DP; kvopt's exact methods agree).
STAGGERING_KNOWN = {(9, 1, 3, 5): (25, 27), (9, 1, 3, 6): (33, 36), (11, 1, 4, 5): (34, 36),
                    (11, 1, 4, 6): (45, 48), (12, 1, 4, 6): (42, 43)}
#: Optimal starts of two of them.
STAGGERING_OPTIMAL_STARTS = {(9, 1, 3, 5): (0, 1, 2, 3, 4), (11, 1, 4, 5): (0, 1, 3, 4, 6)}
RANDOM_SMALL_STREAM = 5  # keeps random-small draws apart from paper-synthetic's (seed, model, index)


def _positive(**values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InputError(f"{name} must be a positive integer, got {value!r}", "generate")


def homogeneous(memory: int, prompt: int, output: int, requests: int) -> Instance:
    """`requests` identical requests (s = prompt, o = output) at round 0, capacity `memory`."""
    _positive(memory=memory, prompt=prompt, output=output, requests=requests)
    known = STAGGERING_KNOWN.get((memory, prompt, output, requests))
    metadata: dict[str, Any] = {"family": "homogeneous", "memory": memory, "prompt": prompt, "output": output,
                                "requests": requests}
    if known:
        metadata["known"] = {"optimum": known[0], "greedy": known[1], "source": "exact DP"}
    return Instance(memory, tuple(Request(f"r{k}", 0, prompt, output) for k in range(requests)),
                    name=f"homogeneous_m{memory}_s{prompt}_o{output}_n{requests}",
                    source="kvopt generate homogeneous", metadata=metadata)


def pipeline_memory(prompt: int, output: int) -> int:
    """Memory held in steady state when one request starts every round: sum of s + j, j = 1..o."""
    return prompt * output + output * (output + 1) // 2


def staggering(output: int, requests: int, prompt: int = 1, memory: int | None = None) -> Instance:
    """Homogeneous instance of the staggering family (memory defaults to `pipeline_memory`)."""
    memory = pipeline_memory(prompt, output) if memory is None else memory
    instance = homogeneous(memory, prompt, output, requests)
    metadata = {**instance.metadata, "family": "staggering", "pipeline_memory": pipeline_memory(prompt, output)}
    return instance.replace_requests(instance.requests, name=f"staggering_m{memory}_s{prompt}_o{output}_n{requests}",
                                     source="kvopt generate staggering", metadata=metadata)


def adversary(x: int, tau: int = 0) -> Instance:
    """The adversary's static instance: A (s = M - x, o = x) at 0, x requests B (s = x, o = 1) at tau + 1."""
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 2:
        raise InputError(f"x must be an integer >= 2, got {x!r}", "generate")
    if isinstance(tau, bool) or not isinstance(tau, (int, np.integer)) or tau < 0:
        raise InputError(f"tau must be a non-negative integer, got {tau!r}", "generate")
    memory = x * (x + 1)
    requests = (Request("A", 0, memory - x, x),) + tuple(Request(f"B{k}", tau + 1, x, 1) for k in range(x))
    return Instance(memory, requests, name=f"adversary_x{x}_tau{tau}", source="kvopt generate adversary",
                    metadata={"family": "adversary", "x": x, "tau": tau})


def fat_thin(memory: int) -> Instance:
    """floor(sqrt M) fat requests (s = M - 1, o = 1), then floor(M/3) thin ones (s = 1, o = 2)."""
    if isinstance(memory, bool) or not isinstance(memory, (int, np.integer)) or memory < 3:
        raise InputError(f"memory must be an integer >= 3, got {memory!r}", "generate")
    fat, thin = math.isqrt(memory), memory // 3
    requests = (tuple(Request(f"fat{k}", 0, memory - 1, 1) for k in range(fat))
                + tuple(Request(f"thin{k}", 0, 1, 2) for k in range(thin)))
    return Instance(memory, requests, name=f"fat_thin_m{memory}", source="kvopt generate fat-thin",
                    metadata={"family": "fat-thin", "fat": fat, "thin": thin})


def witnesses(instance: Instance) -> dict[str, Schedule]:
    """Named reference schedules of a structured family's instance (empty for other instances)."""
    family = instance.metadata.get("family")
    if family == "adversary":
        x, tau = instance.metadata["x"], instance.metadata["tau"]
        b_ids = [r.id for r in instance.requests if r.id != "A"]
        return {"a-first": Schedule({"A": 0, **{b: max(tau + 1, x) for b in b_ids}}),
                "b-first": Schedule({"A": tau + 2, **{b: tau + 1 for b in b_ids}})}
    if family == "fat-thin":
        fat = [r.id for r in instance.requests if r.id.startswith("fat")]
        thin = [r.id for r in instance.requests if r.id.startswith("thin")]
        return {"shortest-first": Schedule({**{f: k for k, f in enumerate(fat)}, **{t: len(fat) for t in thin}}),
                "thin-first": Schedule({**{t: 0 for t in thin}, **{f: 2 + k for k, f in enumerate(fat)}})}
    found = {}
    if family in ("homogeneous", "staggering"):
        meta = instance.metadata
        if instance.memory >= pipeline_memory(meta["prompt"], meta["output"]):
            found["staggered"] = Schedule({r.id: k for k, r in enumerate(instance.requests)})
        starts = STAGGERING_OPTIMAL_STARTS.get((instance.memory, meta["prompt"], meta["output"], meta["requests"]))
        if starts:
            found["known-optimum"] = Schedule(dict(zip(instance.ids, starts)))
    return found


def random_small(seed: int = 0, index: int = 0, *, requests: tuple[int, int] = (3, 8),
                 memory: tuple[int, int] = (6, 16), max_prompt: int = 3, max_output: int = 6,
                 arrivals: str = "zero", prompts: str = "heterogeneous") -> Instance:
    """A small random instance for exact solvers.

    n ~ U{requests}, M ~ U{memory}; prompts identical (one s ~ U{1..max_prompt}) or heterogeneous (each
    s_i ~ U{1..max_prompt}); o_i ~ U{1..min(max_output, M - s_i)}; arrivals all at 0 ("zero") or each
    uniform on rounds 0..n-1 ("spread"). Drawn from numpy's generator seeded by (seed, 5, index).
    """
    if arrivals not in ("zero", "spread") or prompts not in ("identical", "heterogeneous"):
        raise InputError(f"arrivals must be zero|spread and prompts identical|heterogeneous, got "
                         f"{arrivals!r}, {prompts!r}", "generate")
    _positive(max_prompt=max_prompt, max_output=max_output)
    (n_low, n_high), (m_low, m_high) = requests, memory
    if not 1 <= n_low <= n_high or not max_prompt + 1 <= m_low <= m_high:
        raise InputError(f"need 1 <= requests min <= max and {max_prompt + 1} <= memory min <= max, got "
                         f"requests {requests}, memory {memory}", "generate")
    rng = np.random.default_rng([seed, RANDOM_SMALL_STREAM, index])
    n = int(rng.integers(n_low, n_high + 1))
    capacity = int(rng.integers(m_low, m_high + 1))
    common_prompt = int(rng.integers(1, max_prompt + 1))
    items = []
    for k in range(n):
        prompt = common_prompt if prompts == "identical" else int(rng.integers(1, max_prompt + 1))
        output = int(rng.integers(1, min(max_output, capacity - prompt) + 1))
        arrival = 0 if arrivals == "zero" else int(rng.integers(0, n))
        items.append(Request(f"r{k}", arrival, prompt, output))
    return Instance(capacity, tuple(items), name=f"small-{arrivals}-{prompts}-s{seed}-{index:03d}",
                    source="kvopt generate random-small",
                    metadata={"family": "random-small", "seed": seed, "index": index, "arrivals": arrivals,
                              "prompts": prompts})
