"""A100-derived instances: the MC-SF paper's real-data set-up (arXiv 2502.07115 v5).

Llama-2-70B on two A100-80GB GPUs with KV capacity M = 16,492 tokens (the paper's figure, kept as given:
see kvopt.hardware.memory), prompt and output lengths from the LMSYS-Chat-1M statistics (words as tokens,
through the calibrated log-normals of kvopt.generate.lengths) or from a user's CSV trace, and Poisson
arrivals at `rate` requests per second (the paper used 10 and 50).

Arrivals are clock times: integers in units of `arrival_unit_s` seconds (default 1 ms), recorded in the
instance's batch-time spec with the A100 batch-time model ("a100-llama2-70b"), so a time-based simulator
reveals request i at a_i * arrival_unit_s seconds (kvopt/timing.py). The first request arrives at 0.

Common random numbers: for one (seed, index), the request lengths and the standard exponential
inter-arrival gaps do not depend on the rate, so the traces at 10 and 50 requests/s hold the same
requests and differ only in their time scale — as in the paper, which ran one 10,000-conversation subset
at both rates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kvopt.errors import InputError
from kvopt.generate.lengths import lmsys_lengths, trace_lengths
from kvopt.hardware.memory import PAPER_A100_KV_CAPACITY
from kvopt.instance import Instance, Request

LENGTH_STREAM, ARRIVAL_STREAM = 11, 12  # random streams: (seed, stream, index)
PAPER_RATES = (10.0, 50.0)


def a100_trace(rate: float, requests: int = 1000, seed: int = 0, index: int = 0, *,
               memory: int = PAPER_A100_KV_CAPACITY, tensor_parallel: int = 2, arrival_unit_s: float = 0.001,
               trace: str | Path | None = None) -> Instance:
    """One A100-derived instance with `requests` Poisson arrivals at `rate` per second."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
        raise InputError(f"the arrival rate must be a positive number of requests per second, got {rate!r}",
                         "generate a100")
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
        raise InputError(f"requests must be a positive integer, got {requests!r}", "generate a100")
    if not arrival_unit_s > 0:
        raise InputError(f"arrival_unit_s must be positive, got {arrival_unit_s!r}", "generate a100")
    length_rng = np.random.default_rng([seed, LENGTH_STREAM, index])
    if trace is None:
        prompt_lengths, output_lengths = lmsys_lengths()
        if memory < prompt_lengths.max_length + output_lengths.max_length:
            raise InputError(f"memory {memory} is below {prompt_lengths.max_length + output_lengths.max_length},"
                             f" the largest prompt + output of the LMSYS length distributions", "generate a100")
        prompts = prompt_lengths.sample(length_rng, requests)
        outputs = output_lengths.sample(length_rng, requests)
        lengths = {"lengths": "lmsys (log-normals calibrated to arXiv 2502.07115 v5, kvopt/generate/lmsys_fit.py)"}
        label = "lmsys"
    else:
        prompts, outputs, lengths = trace_lengths(trace, memory, requests, length_rng)
        label = Path(trace).stem
    gaps = np.random.default_rng([seed, ARRIVAL_STREAM, index]).standard_exponential(requests)
    seconds = np.cumsum(gaps) - gaps[0]
    arrivals = np.floor(seconds / rate / arrival_unit_s).astype(np.int64)
    items = tuple(Request(f"r{k}", int(a), int(p), int(o))
                  for k, (a, p, o) in enumerate(zip(arrivals, prompts, outputs)))
    memory_source = ("arXiv 2502.07115 v5, real-data experiments: Llama-2-70B on two A100-80GB"
                     if memory == PAPER_A100_KV_CAPACITY else "given by the user")
    return Instance(memory, items, name=f"a100-{label}-r{rate:g}-n{requests}-s{seed}-{index:03d}",
                    source="kvopt generate a100",
                    batch_time={"model": "a100-llama2-70b", "tensor_parallel": tensor_parallel,
                                "arrival_unit_s": arrival_unit_s},
                    metadata={"family": "a100", "rate_per_s": rate, "requests": requests, "seed": seed,
                              "index": index, "memory_source": memory_source, **lengths})
