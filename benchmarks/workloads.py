"""LMSYS-like workloads for the benchmarks (not part of the package; issue 6 builds the real generators).

`lmsys_like(n, ...)`: the first n usable rows of ../shared/data/lmsys_chat_1m_word_lengths_lt257.csv
(LMSYS-Chat-1M word counts, words as tokens as in the MC-SF paper; beyond its 662,534 usable rows the rows
repeat in file order with fresh Poisson arrivals) when that file exists, otherwise n
draws from kvopt's log-normal length model calibrated to the paper's published statistics of its 10k
subset (kvopt.generate.lengths.lmsys_lengths; arXiv 2502.07115 v5).
Arrivals are Poisson with `rate` requests per round; M = 16,492 tokens (the paper's KV capacity).
The instance is held in columns (Instance.from_columns, as `kvopt simulate FILE` reads a file of plain
requests): its Request objects are built only if something reads `instance.requests`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kvopt import Instance, Request
from kvopt.generate.lengths import lmsys_lengths as lmsys_length_model
from kvopt.io import read_trace

def _shared(name: str) -> Path:
    """../shared/data/NAME next to the checkout (or next to an enclosing folder, for git worktrees)."""
    for folder in Path(__file__).resolve().parents[1:]:
        if (folder / "shared" / "data" / name).exists():
            return folder / "shared" / "data" / name
    return Path(__file__).resolve().parents[2] / "shared" / "data" / name


LMSYS_CSV = _shared("lmsys_chat_1m_word_lengths_lt257.csv")
PAPER_MEMORY = 16_492


def _generated(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    prompt, output = lmsys_length_model()
    return prompt.sample(rng, size), output.sample(rng, size)


def lmsys_like(n: int, memory: int = PAPER_MEMORY, rate: float = 1.3, seed: int = 0,
               source: str = "auto") -> Instance:
    """An instance of n LMSYS-like requests; source: auto | file | generator."""
    if source == "file" or (source == "auto" and LMSYS_CSV.exists()):
        instance = read_trace(LMSYS_CSV, memory, arrival_rate=rate, seed=seed, max_requests=n,
                              drop_invalid=True)
        if len(instance) >= n:
            return _in_columns(memory, list(instance.ids), instance.arrivals, instance.prompts, instance.outputs,
                               name=f"lmsys-{n}-rate{rate}-seed{seed}", source=instance.source,
                               batch_time=instance.batch_time, metadata=instance.metadata)
        # More requests than usable rows (662,534): the rows again in file order, Poisson arrivals anew.
        rng = np.random.default_rng(seed)
        rows = np.arange(n) % len(instance)
        prompts, outputs = instance.prompts[rows], instance.outputs[rows]
        name = f"lmsys-cycled-{n}-rate{rate}-seed{seed}"
    else:
        rng = np.random.default_rng(seed)
        prompts, outputs = _generated(rng, n)
        name = f"lmsys-generated-{n}-rate{rate}-seed{seed}"
    gaps = rng.exponential(1.0 / rate, n)
    arrivals = np.floor(np.cumsum(gaps) - gaps[0]).astype(np.int64)
    return _in_columns(memory, [f"r{k}" for k in range(n)], arrivals, np.asarray(prompts, np.int64),
                       np.asarray(outputs, np.int64), name=name, source="benchmarks/workloads.py")


def _in_columns(memory: int, ids: list[str], *columns: np.ndarray, **fields) -> Instance:
    """Instance.from_columns, or (when a request fails a check) the constructor, which raises the error."""
    instance = Instance.from_columns(memory, ids, *columns, **fields)
    if instance is None:
        instance = Instance(memory, tuple(map(Request, ids, *(column.tolist() for column in columns))), **fields)
    return instance


def source_name(source: str = "auto") -> str:
    return "file" if source == "file" or (source == "auto" and LMSYS_CSV.exists()) else "generator"


_ROWS: np.ndarray | None = None


def lmsys_lengths(count: int, rng: np.random.Generator, source: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """(prompts, outputs) of `count` requests drawn i.i.d.: rows of the LMSYS file (sizes >= 1), or the
    log-normal fit of the paper's statistics."""
    global _ROWS
    if source == "file" or (source == "auto" and LMSYS_CSV.exists()):
        if _ROWS is None:
            rows = np.loadtxt(LMSYS_CSV, delimiter=",", skiprows=1, dtype=np.int64)
            _ROWS = rows[(rows[:, 0] > 0) & (rows[:, 1] > 0)]
        picked = _ROWS[rng.integers(0, len(_ROWS), count)]
        return picked[:, 0], picked[:, 1]
    return _generated(rng, count)
