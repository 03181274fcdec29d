"""Clock-time schedules: when each batch ran, and so which batch each request could first join.

An instance whose `batch_time` has `arrival_unit_s` u gives arrivals as clock times a_i * u seconds (the
A100 traces). Its schedules count periods in batches, as `kvopt simulate` runs them: the batch of period
p starts at clock c_p and lasts the batch-time model's duration of what it holds (requests, prefill
tokens, decode requests, KV tokens at its end). c_0 = 0, and c_p is the end of the previous batch unless
the worker waited: then the schedule's clock record names the later time. A period in which nothing
runs is an empty batch. A request can first start in the first period p with a_i * u <= c_p: that is its
arrival *as experienced*, against which the schedule is verified in rounds.

The record, under the schedule's "clock" key (`kvopt simulate --out` writes it):
    {"arrival_unit_s": 0.001, "batch_time": {"model": "a100-llama2-70b", ...}, "waits": [[p, c_p], ...]}
The verifier recomputes every batch's duration with the same model and the same floating-point sums as
the simulator, so the experienced arrivals it derives are exactly the simulator's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kvopt import timing
from kvopt.errors import InputError
from kvopt.instance import Instance, Request, shown

CLOCK_KEY = "clock"
MAX_BATCHES = 10**8  # a longer clock-time schedule would take hours to re-time


@dataclass(frozen=True)
class ClockRecord:
    arrival_unit_s: float
    batch_time: Mapping[str, Any]  # a kvopt.timing spec without arrival_unit_s
    waits: tuple[tuple[int, float], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"arrival_unit_s": self.arrival_unit_s, "batch_time": dict(self.batch_time),
                "waits": [[p, c] for p, c in self.waits]}

    def describe(self) -> str:
        return f"arrivals x {self.arrival_unit_s:g} s, batches timed by {self.batch_time['model']!r}"


def record_of(metadata: Mapping[str, Any]) -> ClockRecord | None:
    """The validated clock record of a schedule's metadata (None without one)."""
    data = metadata.get(CLOCK_KEY)
    if data is None:
        return None
    where = "clock"
    if not isinstance(data, Mapping) or not {"arrival_unit_s", "batch_time"} <= set(data) \
            or set(data) - {"arrival_unit_s", "batch_time", "waits"}:
        raise InputError("must be an object with arrival_unit_s, batch_time and optional waits", where)
    unit = timing.arrival_unit({"arrival_unit_s": data["arrival_unit_s"]})
    if unit is None:
        raise InputError("arrival_unit_s must be a positive number of seconds", where)
    if not isinstance(data["batch_time"], Mapping) or "arrival_unit_s" in data["batch_time"]:
        raise InputError("batch_time must be a batch-time spec without arrival_unit_s", where)
    spec = timing.check_spec(data["batch_time"])
    waits = []
    for k, item in enumerate(data.get("waits") or []):
        if not (isinstance(item, list) and len(item) == 2 and type(item[0]) is int
                and isinstance(item[1], (int, float)) and not isinstance(item[1], bool)
                and math.isfinite(item[1]) and 0 <= item[0] <= MAX_BATCHES and 0 <= item[1] <= 1e15):
            raise InputError(f"waits[{k}] must be [period, seconds], got {shown(item)}", where)
        if waits and item[0] <= waits[-1][0]:
            raise InputError(f"waits[{k}]: periods must increase", where)
        waits.append((item[0], float(item[1])))
    return ClockRecord(unit, spec, tuple(waits))


def clock_of(instance: Instance, metadata: Mapping[str, Any]) -> tuple[ClockRecord | None, tuple[str, ...]]:
    """The clock a schedule is verified on: its record (None for round schedules of round instances), and
    notes where the record departs from the instance. A clock-time instance needs a record."""
    record = record_of(metadata)
    unit = instance.arrival_unit_s
    if record is None:
        if unit is not None:
            raise InputError(f"the instance's arrivals are clock times ({unit:g} s units) but the schedule has "
                             f"no clock record of when its batches ran (`kvopt simulate --out` writes one)",
                             "schedule")
        return None, ()
    notes = []
    if unit is None:
        notes.append(f"the instance's arrivals count rounds; the schedule's clock record reads them as clock "
                     f"times ({record.describe()})")
    elif unit != record.arrival_unit_s:
        notes.append(f"the schedule's clock record reads arrivals in units of {record.arrival_unit_s:g} s, the "
                     f"instance in units of {unit:g} s")
    own = {k: v for k, v in (instance.batch_time or {}).items() if k != "arrival_unit_s"}
    if unit is not None and own and timing.check_spec(own) != dict(record.batch_time):
        notes.append(f"the schedule was simulated with batch-time model {dict(record.batch_time)}, not the "
                     f"instance's {own}")
    return record, tuple(notes)


def batch_starts(record: ClockRecord, last_round: int, active: np.ndarray, memory: np.ndarray,
                 started: np.ndarray, prefill: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clock at the start of the batch of each period 0..last_round-1, and at the end of each round
    0..last_round (round t is the batch of period t-1). Per period p the arrays give the batch of round
    p+1: running requests, memory, requests started at p and their prefill tokens."""
    if last_round > MAX_BATCHES:
        raise InputError(f"a clock-time schedule of {last_round:,} batches (at most {MAX_BATCHES:,} are "
                         f"re-timed)", "schedule")
    model = timing.make(record.batch_time)
    unit_rounds = isinstance(model, timing.UnitRounds)
    waits = dict(record.waits)
    begin = np.empty(last_round)
    end = np.zeros(last_round + 1)
    clock = 0.0
    for p in range(last_round):
        clock = max(clock, waits.get(p, clock))
        begin[p] = clock
        t = p + 1
        clock += 1.0 if unit_rounds else model.seconds(timing.BatchStats(
            requests=int(active[t]), prefill_tokens=int(prefill[p]), decode_requests=int(active[t] - started[p]),
            kv_tokens=int(memory[t])))
        end[t] = clock
    return begin, end


def experienced_arrivals(arrivals: np.ndarray, unit: float, begin: np.ndarray) -> np.ndarray:
    """The first period whose batch starts no earlier than each arrival time (len(begin) if none)."""
    times = arrivals.astype(float) * unit  # the simulator's own product, request.arrival * unit
    return np.searchsorted(begin, times, side="left").astype(np.int64)


def in_rounds(instance: Instance, rounds_per_second: float) -> Instance:
    """A clock-time instance with its arrivals in rounds of 1/R seconds: round = floor(a_i * u * R), in
    exact decimal arithmetic (3 ms at R = 1000 is round 3, not 2.9999...). The batch-time model is kept
    for reporting seconds; the arrival unit is dropped."""
    from fractions import Fraction

    unit = instance.arrival_unit_s
    if unit is None:
        raise InputError("--rounds-per-second converts clock-time arrivals (arrival_unit_s), but this "
                         "instance's arrivals already count rounds", instance.name)
    if not (math.isfinite(rounds_per_second) and rounds_per_second > 0):
        raise InputError(f"--rounds-per-second must be positive, got {rounds_per_second}", instance.name)
    scale = Fraction(repr(unit)) * Fraction(repr(float(rounds_per_second)))
    requests = [Request(r.id, math.floor(r.arrival * scale), r.prompt, r.output, r.predicted_output,
                        r.output_interval, r.metadata) for r in instance.requests]
    batch_time = {k: v for k, v in instance.batch_time.items() if k != "arrival_unit_s"}
    conversion = f"round = floor(arrival x {unit:g} s x {rounds_per_second:g} rounds/s)"
    return instance.replace_requests(requests, batch_time=batch_time,
                                     metadata={**instance.metadata, "arrivals_converted": conversion})
