"""Metrics of a simulation (what the MC-SF paper, arXiv 2502.07115, and Vidur report).

Latency: total and mean, p50/p90/p99, in rounds (completion - arrival) and in seconds under the batch-time
model. Time to first token: the end of the first round of a request's first run, minus its arrival.
Throughput over time: tokens processed per window (prompt tokens prefilled, recomputed tokens included,
plus output tokens produced) against tokens arriving (prompt + output of the requests arriving in the
window), per round and per second. Memory utilisation per executed round (memory / M; idle rounds, which
hold nothing, are counted separately). Evictions and tokens lost
(restart) or recomputed (recompute). Stability diagnostics: the least-squares slope of the queue length
over time while requests arrive (rounds up to the last arrival; the drain afterwards is excluded) and of
latency over arrival time -- a stable system shows slopes near 0, an overloaded one positive slopes
(as in the stability analysis of Li, Dai, Peng, arXiv 2504.07347; the MC-SF paper's "latency slope").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from kvopt.instance import Instance
from kvopt.verify import Report


class Simulation(Protocol):
    """What the metrics read of a kvopt.sim.Simulation."""

    instance: Instance
    report: Report
    requests: Mapping[str, np.ndarray]
    round_table: Mapping[str, np.ndarray]
    idle: Sequence[tuple[int, int, int]]
    batch_time: Mapping[str, Any]
    clock_mode: bool

    @property
    def objective(self) -> int: ...

PERCENTILES = (50, 90, 99)


def _distribution(values: np.ndarray) -> dict[str, float]:
    if values.size == 0:
        return {}
    out = {"total": float(values.sum()), "mean": float(values.mean())}
    for q, v in zip(PERCENTILES, np.percentile(values, PERCENTILES)):
        out[f"p{q}"] = float(v)
    out["max"] = float(values.max())
    return out


def _slope(x: np.ndarray, y: np.ndarray) -> float | None:
    if x.size < 2 or np.ptp(x) == 0:
        return None
    return float(np.polyfit(x.astype(float), y.astype(float), 1)[0])


def round_arrays(simulation: Simulation) -> dict[str, np.ndarray]:
    """Per-round arrays over executed rounds: period, requests, prefill_tokens, memory, waiting, seconds,
    clock (end of the round)."""
    return dict(simulation.round_table)


def throughput(simulation: Simulation, windows: int = 20, seconds: bool = False,
               end: float | None = None) -> list[dict[str, Any]]:
    """Tokens processed vs arriving in `windows` equal windows of rounds (or of seconds) from 0 to `end`
    (default: the end of the simulation; give a common end to compare several simulations)."""
    rounds = round_arrays(simulation)
    req = simulation.requests
    if rounds["period"].size == 0:
        return []
    if seconds:
        processed_at = rounds["clock"] - rounds["seconds"]
        arriving_at = req["arrival_s"]
        end = float(rounds["clock"][-1]) if end is None else end
    else:
        processed_at = rounds["period"].astype(float)
        arriving_at = req["arrival"].astype(float)
        end = float(rounds["period"][-1] + 1) if end is None else end
    edges = np.linspace(0.0, end, windows + 1)
    processed = np.histogram(processed_at, edges, weights=rounds["requests"] + rounds["prefill_tokens"])[0]
    arriving = np.histogram(arriving_at, edges, weights=req["prompt"] + req["output"])[0]
    width = edges[1] - edges[0]
    return [{"from": float(edges[k]), "to": float(edges[k + 1]),
             "processed_per_unit": float(processed[k] / width), "arriving_per_unit": float(arriving[k] / width)}
            for k in range(windows)]


def summarize(simulation: Simulation, windows: int = 20) -> dict[str, Any]:
    """All metrics as a JSON-able dict."""
    req = simulation.requests
    rounds = round_arrays(simulation)
    latency = req["completion"] - req["arrival"]
    ttft = req["first_start"] + 1 - req["arrival"]
    memory = simulation.instance.memory
    utilisation = rounds["memory"] / memory
    n_rounds = int(rounds["period"].size)
    makespan = int(req["completion"].max())
    arriving = rounds["period"] <= req["arrival"].max()  # rounds while requests still arrive
    out: dict[str, Any] = {
        "requests": int(latency.size),
        "objective": simulation.objective,
        "latency_rounds": _distribution(latency),
        "ttft_rounds": _distribution(ttft),
        "makespan_rounds": makespan,
        "executed_rounds": n_rounds,
        "idle_rounds": int(sum(stop - begin for begin, stop, _ in simulation.idle)),
        "memory_utilisation": {"mean": float(utilisation.mean()) if n_rounds else 0.0,
                               "p50": float(np.median(utilisation)) if n_rounds else 0.0,
                               "max": float(utilisation.max()) if n_rounds else 0.0},
        "peak_memory": simulation.report.peak_memory,
        "evictions": int(req["evictions"].sum()),
        "evicted_requests": int((req["evictions"] > 0).sum()),
        "tokens_lost": int(req["tokens_lost"].sum()),
        "tokens_recomputed": int(req["tokens_recomputed"].sum()),
        "throughput_tokens_per_round": float((rounds["requests"].sum() + rounds["prefill_tokens"].sum())
                                             / max(1, makespan)),
        "queue": {"mean": float(rounds["waiting"].mean()) if n_rounds else 0.0,
                  "max": int(rounds["waiting"].max()) if n_rounds else 0,
                  "slope_per_round": _slope(rounds["period"][arriving], rounds["waiting"][arriving])},
        "latency_slope_per_round": _slope(req["arrival"], latency),
        "throughput_windows_rounds": throughput(simulation, windows),
    }
    timed = not (simulation.batch_time.get("model") == "unit" and not simulation.clock_mode)
    if timed:
        latency_s = req["completion_s"] - req["arrival_s"]
        out["latency_seconds"] = _distribution(latency_s)
        out["ttft_seconds"] = _distribution(req["first_token_s"] - req["arrival_s"])
        out["makespan_seconds"] = float(rounds["clock"][-1]) if n_rounds else 0.0
        out["queue"]["slope_per_second"] = _slope(rounds["clock"][arriving], rounds["waiting"][arriving])
        out["latency_slope_per_second"] = _slope(req["arrival_s"], latency_s)
        out["throughput_windows_seconds"] = throughput(simulation, windows, seconds=True)
    return out
