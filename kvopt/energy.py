"""Energy of a schedule: every batch's power (kvopt.hardware.energy) times its duration, idle time at idle
power, and each request's share.

A schedule runs one batch per period p (the batch of round p+1): the running requests, the prompt (and
recomputed) tokens of the runs starting at p, and the KV tokens held at its end. Its duration comes from
the batch-time model, as in the simulator and the verifier (kvopt.clock re-times clock-time schedules
from their clock record); the worker is idle between batches (waiting for an arrival on the clock) and in
periods in which nothing runs. With unit rounds (no seconds) each period is charged
`EnergyModel.round_power_w` for one round: the measure offline methods, certify and sweeps report, in
W x rounds.

Attribution: a batch's energy is shared among its running requests in proportion to the KV tokens each
holds at the batch's end (its prompt, kept tokens and the tokens generated so far: what the batch
prefills or reads for it). Idle energy is nobody's: `idle` + the requests' shares = `total`, exactly up to
rounding. An evicted request is charged for every run, including the work the eviction threw away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kvopt import timing
from kvopt.clock import batch_starts, clock_of
from kvopt.hardware.energy import EnergyModel
from kvopt.instance import Instance
from kvopt.schedule import Schedule, flat_runs, start_column
from kvopt.verify import Segments

JOULES_PER_KWH = 3.6e6
PERCENTILES = (50, 90, 99)


@dataclass(frozen=True)
class Runs:
    """Every executed run: start period, memory held before its first token, tokens, owner (instance
    position)."""

    start: np.ndarray
    held: np.ndarray
    tokens: np.ndarray
    owner: np.ndarray

    @classmethod
    def of(cls, instance: Instance, schedule: Schedule) -> Runs:
        """Request by request (instance order), its runs in order if it was evicted, else its one run; built
        on arrays (no list of a million Python ints per column)."""
        ids, runs_of, n = instance.ids, schedule.runs, len(instance)
        start = start_column(schedule.starts, ids)
        held, tokens = np.array(instance.column("prompt")), np.array(instance.column("output"))
        evicted = np.flatnonzero(np.fromiter(map(runs_of.__contains__, ids), bool, n)) if runs_of else \
            np.zeros(0, np.int64)
        counts = np.ones(n, np.int64)
        attempts, run_start, run_tokens, run_kept = flat_runs(runs_of, [ids[k] for k in evicted.tolist()])
        counts[evicted] = attempts
        owner = np.repeat(np.arange(n), counts)
        start, held, tokens = (np.repeat(column, counts) for column in (start, held, tokens))
        if evicted.size:
            first = np.cumsum(counts) - counts  # each request's first row
            rows = np.repeat(first[evicted], attempts) + np.arange(len(run_start)) - \
                np.repeat(np.cumsum(attempts) - attempts, attempts)
            start[rows] = run_start
            held[rows] += run_kept
            tokens[rows] = run_tokens
        return cls(start, held, tokens, owner)


@dataclass(frozen=True)
class Batches:
    """The timeline in entries: each a period's batch (period p runs the batch of round p+1), or a stretch
    of periods in which nothing runs (one entry, so a late arrival costs no memory; `period` is its first);
    when it begins, how long it lasts, what it holds; `unit` "s" or "round"."""

    period: np.ndarray
    begin: np.ndarray
    duration: np.ndarray
    active: np.ndarray
    prefill: np.ndarray
    started: np.ndarray
    kv: np.ndarray
    unit: str


def timeline(segments: Segments) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries over periods 0..last_round-1: every period with a running request, and one per stretch of
    periods with none. Returns (first period, span, running requests, memory held at the batch's end)."""
    points, last = segments.points, segments.last_round
    lo = np.clip(points[:-1], 1, last + 1)  # rounds 1..last: round r is the batch of period r-1
    hi = np.clip(points[1:], 1, last + 1)
    length = hi - lo
    keep = length > 0
    lo, length, active, base = lo[keep], length[keep], segments.active[:-1][keep], segments.base[:-1][keep]
    count = np.where(active > 0, length, 1)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    segment = np.repeat(np.arange(count.size), count)
    offset = np.arange(int(count.sum())) - first[segment]
    rounds = lo[segment] + offset
    span = np.where(active[segment] > 0, 1, length[segment])
    return rounds - 1, span, active[segment], base[segment] + rounds * active[segment]


def batches(instance: Instance, schedule: Schedule, runs: Runs, batch_time: Mapping[str, Any] | None) -> Batches:
    """The batches of a schedule, timed as the simulator times them."""
    segments = Segments.of_runs(runs.start, runs.held, runs.tokens)
    last = segments.last_round
    record, _ = clock_of(instance, schedule.metadata)
    if record is not None:  # re-timed period by period (at most kvopt.clock.MAX_BATCHES)
        memory = segments.dense()
        active = segments.active[np.searchsorted(segments.points, np.arange(last + 1), side="right") - 1]
        started = np.bincount(runs.start, minlength=last + 1)[:last]
        prefill = np.bincount(runs.start, weights=runs.held, minlength=last + 1)[:last].astype(np.int64)
        begin, end = batch_starts(record, last, active, memory, started, prefill)
        return Batches(np.arange(last), begin, end[1:] - begin, active[1:], prefill, started, memory[1:], "s")
    period, span, active, kv = timeline(segments)
    at = np.searchsorted(period, runs.start)  # a run starts in a period with a running request
    started = np.bincount(at, minlength=period.size)[:period.size]
    prefill = np.bincount(at, weights=runs.held, minlength=period.size)[:period.size].astype(np.int64)
    spec = dict(batch_time or instance.batch_time or {"model": "unit"})
    spec.pop("arrival_unit_s", None)
    model = timing.make(spec)
    if isinstance(model, timing.UnitRounds):
        duration = span.astype(float)
    else:
        empty = model.seconds(timing.BatchStats(0, 0, 0, 0))
        duration = np.array([model.seconds(timing.BatchStats(int(a), int(f), int(a - s), int(m))) if a
                             else empty * n for a, f, s, m, n in zip(active, prefill, started, kv, span)], float)
    begin = np.concatenate([[0.0], np.cumsum(duration)[:-1]]) if period.size else np.zeros(0)
    return Batches(period, begin, duration, active, prefill, started, kv,
                   "round" if isinstance(model, timing.UnitRounds) else "s")


def batch_energy(model: EnergyModel, batch: Batches, memory: int, gpus: int) -> np.ndarray:
    """Energy of each period's batch (J, or W x rounds with unit rounds); an empty period draws idle power."""
    if batch.unit == "round":
        return model.round_power_w(batch.active, batch.kv, memory, gpus) * batch.duration
    tokens = batch.prefill + batch.active - batch.started
    return gpus * model.gpu_power_w(tokens, batch.kv, batch.duration, gpus) * batch.duration


def attribute(energy: np.ndarray, batch: Batches, runs: Runs, n: int) -> np.ndarray:
    """Each request's share: sum over its runs and their periods p of energy[p] * held / kv[p] (a run's
    periods are consecutive entries: each has a running request)."""
    a = np.where(batch.kv > 0, energy / np.maximum(batch.kv, 1), 0.0)
    first = np.concatenate([[0.0], np.cumsum(a)])
    second = np.concatenate([[0.0], np.cumsum(a * batch.period)])
    lo = np.searchsorted(batch.period, runs.start)
    hi = lo + runs.tokens  # periods start .. start+tokens-1
    # in period p a run holds held + (p + 1 - start)
    share = (runs.held + 1 - runs.start) * (first[hi] - first[lo]) + (second[hi] - second[lo])
    return np.bincount(runs.owner, weights=share, minlength=n)


def _distribution(values: np.ndarray) -> dict[str, float]:
    if values.size == 0:
        return {}
    out = {"total": float(values.sum()), "mean": float(values.mean())}
    out.update({f"p{q}": float(v) for q, v in zip(PERCENTILES, np.percentile(values, PERCENTILES))})
    out["max"] = float(values.max())
    return out


@dataclass(frozen=True)
class Energy:
    """The energy account of one schedule."""

    model: str
    gpus: int
    batches: Batches
    energy: np.ndarray       # per entry of the timeline (a period's batch, or a stretch with none running)
    idle_gaps: np.ndarray    # idle time before each entry (clock waits)
    per_request: np.ndarray  # instance order
    output_tokens: int
    idle_power_w: float      # all GPUs

    @property
    def unit(self) -> str:
        return "J" if self.batches.unit == "s" else "W-round"

    @property
    def busy(self) -> float:
        return float(self.energy[self.batches.active > 0].sum())

    @property
    def idle(self) -> float:
        return self.total - self.busy

    @property
    def total(self) -> float:
        return float(self.energy.sum() + self.gaps_energy)

    @property
    def gaps_energy(self) -> float:
        return float(self.idle_gaps.sum() * self.idle_power_w)

    @property
    def duration(self) -> float:
        b = self.batches
        return float(b.begin[-1] + b.duration[-1]) if b.begin.size else 0.0

    def power(self) -> np.ndarray:
        """Average power (W, all GPUs) of each entry of the timeline."""
        d = self.batches.duration
        return np.where(d > 0, self.energy / np.where(d > 0, d, 1), 0.0)

    def table(self) -> dict[str, list[float]]:
        """Per entry of the timeline (a period's batch, or a stretch of periods with nothing running): begin,
        duration, idle time before it, power (W, all GPUs), energy."""
        b = self.batches
        return {"begin": b.begin.tolist(), "duration": b.duration.tolist(), "idle_before": self.idle_gaps.tolist(),
                "power_w": self.power().tolist(), "energy": self.energy.tolist()}

    def windows(self, count: int = 20, end: float | None = None) -> list[dict[str, float]]:
        """Energy and average power in `count` equal windows of time from 0 to `end` (default the end)."""
        end = self.duration if end is None else end
        if end <= 0:
            return []
        edges = np.linspace(0.0, end, count + 1)
        b = self.batches
        # energy accrues uniformly over each batch and each idle gap
        starts = np.concatenate([b.begin, b.begin - self.idle_gaps])
        stops = np.concatenate([b.begin + b.duration, b.begin])
        amounts = np.concatenate([self.energy, self.idle_gaps * self.idle_power_w])
        joules = np.zeros(count)
        for k in range(count):
            overlap = np.clip(np.minimum(stops, edges[k + 1]) - np.maximum(starts, edges[k]), 0, None)
            span = stops - starts
            joules[k] = float((amounts * np.where(span > 0, overlap / np.where(span > 0, span, 1), 0)).sum())
        width = edges[1] - edges[0]
        return [{"from": float(edges[k]), "to": float(edges[k + 1]), "energy": float(joules[k]),
                 "average_power_w": float(joules[k] / width)} for k in range(count)]

    def summary(self, windows: int = 20) -> dict[str, Any]:
        """Every figure as a JSON-able dict: energies in `unit` (J, or W-rounds), times in `time_unit`
        (s, or rounds); per_output_token divides by the instance's output tokens."""
        duration = self.duration  # the idle gaps lie between the batches' begin times
        power = self.power()
        out: dict[str, Any] = {
            "model": self.model, "gpus": self.gpus, "unit": self.unit,
            "time_unit": self.batches.unit, "total": self.total, "busy": self.busy, "idle": self.idle,
            "per_output_token": self.total / max(1, self.output_tokens),
            "average_power_w": self.total / duration if duration > 0 else 0.0,
            "peak_power_w": float(power.max()) if power.size else 0.0,
            "busy_time": float(self.batches.duration[self.batches.active > 0].sum()),
            "idle_time": duration - float(self.batches.duration[self.batches.active > 0].sum()),
            "per_request": _distribution(self.per_request),
            "windows": self.windows(windows),
        }
        if self.unit == "J":
            out["total_kwh"] = self.total / JOULES_PER_KWH
        return out


def account(instance: Instance, schedule: Schedule, model: EnergyModel,
            batch_time: Mapping[str, Any] | None = None) -> Energy:
    """The energy account of a schedule of `instance` (batch_time: the model that timed it; default the
    instance's; a clock-time schedule is timed by its clock record)."""
    runs = Runs.of(instance, schedule)
    record, _ = clock_of(instance, schedule.metadata)
    spec = dict(record.batch_time) if record is not None else dict(batch_time or instance.batch_time or {})
    gpus = model.gpu_count(spec)
    batch = batches(instance, schedule, runs, batch_time)
    energy = batch_energy(model, batch, instance.memory, gpus)
    ends = batch.begin + batch.duration
    gaps = batch.begin - np.concatenate([[0.0], ends[:-1]]) if batch.begin.size else np.zeros(0)
    per_request = attribute(np.where(batch.active > 0, energy, 0.0), batch, runs, len(instance))
    return Energy(model.name, gpus, batch, energy, np.maximum(gaps, 0.0), per_request,
                  sum(instance.column("output").tolist()), gpus * model.idle_w)


def of_simulation(instance: Instance, simulation: Any, model: EnergyModel) -> Energy:
    """The energy account of a kvopt.sim Simulation of `instance` (its schedule with its clock record, timed
    by the batch-time model it ran with)."""
    schedule = simulation.schedule
    if simulation.clock is not None:
        schedule = Schedule(schedule.starts, schedule.runs, {**schedule.metadata, "clock": simulation.clock.as_dict()})
    return account(instance, schedule, model, simulation.batch_time)


def pareto_front(points: Sequence[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """The (label, latency, energy) points no other point beats on both (ties on both: the first kept),
    by increasing latency."""
    front: list[tuple[str, float, float]] = []
    for label, latency, energy in sorted(points, key=lambda p: (p[1], p[2])):
        if not front or energy < front[-1][2]:
            front.append((label, latency, energy))
    return front
