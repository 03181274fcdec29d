"""Prompt and output length distributions for generated traces.

`LogNormalLengths` is a discretised, truncated log-normal: L = max(1, round(Y)) with log Y ~ N(mu, sigma^2),
conditioned on L <= max_length. `lmsys_lengths()` gives the prompt and output distributions calibrated
to the MC-SF paper's LMSYS-Chat-1M statistics (arXiv 2502.07115 v5; parameters in kvopt/generate/lmsys_fit.py,
fitted by calibration/fit_lmsys_lengths.py, whose report says how they were chosen and how well they fit).
`trace_lengths()` draws (prompt, output) pairs from a user's CSV trace instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kvopt.errors import InputError


@dataclass(frozen=True)
class LogNormalLengths:
    mu: float
    sigma: float
    max_length: int

    def __post_init__(self) -> None:
        if not self.sigma > 0 or self.max_length < 1:
            raise InputError(f"a log-normal length needs sigma > 0 and max_length >= 1, got {self}")

    def pmf(self) -> tuple[np.ndarray, np.ndarray]:
        """Lengths 1..max_length and their exact probabilities."""
        lengths = np.arange(1, self.max_length + 1)
        upper = (np.log(lengths + 0.5) - self.mu) / (self.sigma * math.sqrt(2))
        cdf = 0.5 * (1 + np.vectorize(math.erf)(upper))  # P(Y < k + 1/2)
        probabilities = np.diff(np.concatenate([[0.0], cdf]))
        return lengths, probabilities / cdf[-1]

    def mean(self) -> float:
        lengths, pmf = self.pmf()
        return float(lengths @ pmf)

    def std(self) -> float:
        lengths, pmf = self.pmf()
        return float(np.sqrt(lengths ** 2 @ pmf - (lengths @ pmf) ** 2))

    def median(self) -> int:
        lengths, pmf = self.pmf()
        return int(lengths[np.searchsorted(np.cumsum(pmf), 0.5)])

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """`size` independent lengths (lengths above max_length are redrawn)."""
        out = np.empty(size, np.int64)
        todo = np.arange(size)
        while todo.size:
            draws = np.maximum(1, np.floor(rng.lognormal(self.mu, self.sigma, todo.size) + 0.5))
            fits = draws <= self.max_length
            out[todo[fits]] = draws[fits]
            todo = todo[~fits]
        return out


def lmsys_lengths() -> tuple[LogNormalLengths, LogNormalLengths]:
    """(prompt, output) distributions calibrated to the paper's LMSYS-Chat-1M subset statistics."""
    from kvopt.generate import lmsys_fit
    return (LogNormalLengths(*lmsys_fit.PROMPT, lmsys_fit.MAX_LENGTH),
            LogNormalLengths(*lmsys_fit.OUTPUT, lmsys_fit.MAX_LENGTH))


def trace_lengths(path: str | Path, memory: int, count: int, rng: np.random.Generator
                  ) -> tuple[np.ndarray, np.ndarray, dict]:
    """`count` (prompt, output) pairs drawn without replacement from the rows of a CSV trace (LMSYS or
    Vidur/Azure columns; arrival times in the trace are not used). Rows with a zero length or that can
    never fit in `memory` are dropped and counted in the returned metadata."""
    from kvopt.io import read_trace
    trace = read_trace(path, memory, rounds_per_second=1.0, drop_invalid=True)
    if count > len(trace):
        raise InputError(f"asked for {count} requests but the trace has only {len(trace)} usable rows", str(path))
    rows = np.sort(rng.choice(len(trace), size=count, replace=False))
    metadata = {"trace": Path(path).name, "trace_rows_used": len(trace),
                "trace_rows_dropped": dict(trace.metadata.get("rows_dropped", {}))}
    return trace.prompts[rows].copy(), trace.outputs[rows].copy(), metadata
