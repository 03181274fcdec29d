"""The paper's real-data experiment on A100-derived traces (arXiv 2502.07115 v5,
real-data experiments, with MC-Benchmark and the α/β baselines; notebook 02).

Traces: kvopt.generate.a100_trace (LMSYS-Chat-1M length statistics, words as tokens; Poisson arrivals at
10 and 50 requests per second; M = 16,492; the same requests at both rates), simulated in clock mode with
the A100 batch-time model for Llama-2-70B ("a100-llama2-70b"), so latencies are in seconds.

Contenders: MC-SF, MC-Benchmark (arrival order with MC-SF's check) and the six α-protection
configurations of the paper [INF mechanics, kvopt/policies/watermark.py]: greedy with α ∈ {0.3, 0.25},
β-clearing with α ∈ {0.2, 0.1} × β ∈ {0.2, 0.1}. Also: the smallest α on a grid for which α-protection
greedy never overflows, and the prediction-error study (point predictions with error ε, kvopt.predictions,
and a 10% memory reserve).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kvopt.experiments.paper import REAL_TRACE
from kvopt.instance import Instance
from kvopt.policies import make_policy
from kvopt.predictions import point_predictions
from kvopt.sim import MemoryOverflow, Simulation, simulate
from kvopt.sim.metrics import throughput

MCSF, BENCHMARK = "MC-SF", "MC-Benchmark"


@dataclass(frozen=True)
class Contender:
    """A labelled policy configuration."""

    label: str
    policy: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def run(self, instance: Instance, **simulate_options: Any) -> Simulation:
        return simulate(instance, make_policy(self.policy, dict(self.options)), **simulate_options)


def paper_contenders(alphas: Sequence[float] = REAL_TRACE["alphas"],
                     betas: Sequence[float] = REAL_TRACE["betas"]) -> list[Contender]:
    """MC-SF, MC-Benchmark (both with exact lengths) and the α-protection baselines: greedy for the two
    largest α, β-clearing for the others (our reading of the six configurations)."""
    greedy, clearing = sorted(alphas, reverse=True)[:2], sorted(alphas, reverse=True)[2:]
    contenders = [Contender(MCSF, "mcsf", {"lengths": "exact"}),
                  Contender(BENCHMARK, "mc-benchmark", {"lengths": "exact"})]
    contenders += [Contender(f"α-greedy α={a:g}", "alpha-greedy", {"alpha": a}) for a in greedy]
    contenders += [Contender(f"α-clearing α={a:g} β={b:g}", "alpha-clearing", {"alpha": a, "beta": b})
                   for a in clearing for b in sorted(betas, reverse=True)]
    return contenders


def run_all(instance: Instance, contenders: Iterable[Contender]) -> dict[str, Simulation]:
    """Simulate every contender on `instance` (each schedule verified by the simulator)."""
    return {contender.label: contender.run(instance) for contender in contenders}


def latency_table(simulations: Mapping[str, Simulation]) -> list[dict[str, Any]]:
    """Per contender: mean and percentile latency (s), time to first token, evictions, makespan, the
    latency slope over arrival time and the throughput in tokens per second."""
    lines = []
    for label, simulation in simulations.items():
        m = simulation.metrics
        latency = m["latency_seconds"]
        tokens = int(simulation.requests["prompt"].sum() + simulation.requests["output"].sum())
        lines.append({"policy": label, "mean_s": latency["mean"], "p50_s": latency["p50"],
                      "p90_s": latency["p90"], "p99_s": latency["p99"], "ttft_mean_s": m["ttft_seconds"]["mean"],
                      "evictions": m["evictions"], "tokens_lost": m["tokens_lost"],
                      "makespan_s": m["makespan_seconds"], "latency_slope": m["latency_slope_per_second"],
                      "tokens_per_s": tokens / m["makespan_seconds"]})
    return lines


def reduction(simulations: Mapping[str, Simulation], policy: str = MCSF, reference: str = BENCHMARK) -> float:
    """1 - mean latency of `policy` / mean latency of `reference` (the paper: about 0.31)."""
    mean = {label: simulations[label].metrics["latency_seconds"]["mean"] for label in (policy, reference)}
    return 1.0 - mean[policy] / mean[reference]


def latency_over_time(simulation: Simulation, windows: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """(window centres in seconds of arrival, mean latency in seconds of the requests arriving in each
    window; NaN for an empty window)."""
    arrival = simulation.requests["arrival_s"]
    latency = simulation.requests["completion_s"] - arrival
    edges = np.linspace(0.0, float(arrival.max()) + 1e-9, windows + 1)
    which = np.clip(np.searchsorted(edges, arrival, side="right") - 1, 0, windows - 1)
    sums = np.bincount(which, weights=latency, minlength=windows)
    counts = np.bincount(which, minlength=windows)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return (edges[:-1] + edges[1:]) / 2, means


def throughput_over_time(simulation: Simulation, windows: int = 40, end: float | None = None
                         ) -> dict[str, np.ndarray]:
    """Tokens per second processed and arriving in equal windows of the simulated clock from 0 to `end`
    seconds (default: the simulation's makespan; kvopt.sim.metrics.throughput)."""
    rows = throughput(simulation, windows, seconds=True, end=end)
    return {"centre_s": np.array([(r["from"] + r["to"]) / 2 for r in rows]),
            "processed": np.array([r["processed_per_unit"] for r in rows]),
            "arriving": np.array([r["arriving_per_unit"] for r in rows])}


def throughput_lead(first: Simulation, second: Simulation, windows: int = 40) -> tuple[int, int, int]:
    """(windows in which `first` processed more tokens per second than `second`, windows in which it
    processed fewer, windows in which either processed anything), over equal windows of a common clock up
    to the later makespan."""
    end = max(first.metrics["makespan_seconds"], second.metrics["makespan_seconds"])
    a, b = throughput_over_time(first, windows, end), throughput_over_time(second, windows, end)
    active = (a["processed"] > 0) | (b["processed"] > 0)
    return (int(np.sum(a["processed"] > b["processed"])), int(np.sum(a["processed"] < b["processed"])),
            int(np.sum(active)))


def overflows(instance: Instance, alpha: float) -> bool:
    """Whether α-protection greedy overflows M on `instance` (run with the overflow rule `none`)."""
    try:
        simulate(instance, make_policy("alpha-greedy", {"alpha": alpha}), eviction="none")
    except MemoryOverflow:
        return True
    return False


def alpha_scan(instance: Instance, alphas: Iterable[float]) -> dict[float, bool]:
    """α -> overflowed, for every α of the grid."""
    return {round(float(a), 6): overflows(instance, float(a)) for a in alphas}


def smallest_overflow_free(scan: Mapping[float, bool]) -> float | None:
    """The smallest α of the grid such that it and every larger α of the grid never overflow (None when the
    largest α already overflows)."""
    found = None
    for alpha in sorted(scan, reverse=True):
        if scan[alpha]:
            break
        found = alpha
    return found


def prediction_study(instance: Instance, errors: Sequence[float] = REAL_TRACE["prediction_errors"],
                     reserve: float = REAL_TRACE["prediction_reserve"], seed: int = 0
                     ) -> list[dict[str, Any]]:
    """MC-SF and MC-Benchmark on point predictions õ = round(o(1+u)), u ~ U[-ε, ε], checking against
    (1 - reserve) M; an overflow (under-estimates) evicts the most recently started run, which restarts.
    One line per (ε, policy): mean latency (s), evictions and tokens lost."""
    lines = []
    for error in errors:
        predicted = point_predictions(instance, error, seed)
        for contender in (Contender(MCSF, "mcsf", {"lengths": "predicted", "reserve": reserve}),
                          Contender(BENCHMARK, "mc-benchmark", {"lengths": "predicted", "reserve": reserve})):
            m = contender.run(predicted).metrics
            lines.append({"error": error, "policy": contender.label, "reserve": reserve,
                          "mean_s": m["latency_seconds"]["mean"], "p99_s": m["latency_seconds"]["p99"],
                          "evictions": m["evictions"], "tokens_lost": m["tokens_lost"]})
    return lines
