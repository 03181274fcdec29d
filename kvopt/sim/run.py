"""`simulate`: run a policy in the engine (kvopt/sim/engine.py), verify its schedule, return the results.
Where it applies (the policies of kvopt/sim/compiled.py, in unit rounds without observers) the compiled
round loop runs instead, with the same results.

The Simulation holds per-request arrays in instance order (`requests`) and per-round arrays over the
executed batches (`round_table`; `rounds` gives them as RoundRecord objects, built on first use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np

from kvopt import timing
from kvopt.clock import CLOCK_KEY, ClockRecord
from kvopt.errors import InputError, SolveError
from kvopt.instance import Instance, Request
from kvopt.schedule import Run, RunTable, Schedule, StartTable
from kvopt.sim.arrivals import ArrivalSource, InstanceArrivals
from kvopt.sim.engine import ROUND_COLUMNS, Engine
from kvopt.sim.metrics import summarize
from kvopt.sim.observers import Observer, RoundRecord
from kvopt.sim.policy import Policy, resolve_lengths
from kvopt.sim.rules import check_eviction_rule, check_victim_rule
from kvopt.verify import Report, verify


@dataclass(frozen=True)
class Simulation:
    """What `simulate` returns.

    instance: the round-level instance as experienced (equal to the input when arrivals count rounds);
    schedule: starts and executed runs, verified (`report`) against the input instance with the clock
    record `clock` (clock mode; `timed(schedule, clock)` is what `simulate --out` writes) and against
    `instance` as it is; requests: per-request arrays in instance order; round_table: per-round arrays
    (ROUND_COLUMNS) over executed batches, `rounds` the same as RoundRecords; idle: (first period,
    last period + 1, queue length) of idle stretches in round mode.
    """

    policy: dict[str, Any]
    lengths: str
    eviction: str
    victim: str
    batch_time: dict[str, Any]
    clock_mode: bool
    instance: Instance
    schedule: Schedule
    report: Report
    requests: Mapping[str, np.ndarray]
    round_table: Mapping[str, np.ndarray]
    idle: tuple[tuple[int, int, int], ...] = field(default=())
    clock: ClockRecord | None = None

    @property
    def objective(self) -> int:
        """Total latency in rounds (the verifier's figure)."""
        return self.report.objective

    @cached_property
    def rounds(self) -> tuple[RoundRecord, ...]:
        columns = [self.round_table[name].tolist() for name in ROUND_COLUMNS]
        return tuple(RoundRecord(*values) for values in zip(*columns))

    @cached_property
    def metrics(self) -> dict[str, Any]:
        return summarize(self)


def simulate(instance: Instance | None, policy: Policy, *, eviction: str | None = None,
             victim: str | None = None, batch_time: Mapping[str, Any] | None = None,
             observers: Iterable[Observer] = (), arrivals: ArrivalSource | None = None,
             progress: Callable[[Engine], None] | None = None) -> Simulation:
    """Run `policy` online on `instance` and return the verified Simulation.

    eviction / victim: overflow and victim rules (kvopt.sim.rules); default: the policy's own.
    batch_time: a kvopt.timing spec; default the instance's `batch_time`, else unit rounds.
    arrivals: an adaptive arrival source instead of the instance (then `instance` is None).
    progress: called with the engine every 16,384 executed rounds (kvopt simulate's stderr line).
    A policy built with fidelity=vidur is replayed by kvopt.policies.vidur_replica.replay_policy instead.
    """
    if getattr(policy, "fidelity", "native") != "native":
        raise InputError(f"fidelity={policy.fidelity} is Vidur's scheduler with Vidur's block accounting, "
                         "which kvopt's verifier does not model: replay it with "
                         "kvopt.policies.vidur_replica.replay_policy or kvopt simulate (unit rounds)", f"policy {policy.name!r}")
    if batch_time is None and instance is not None:
        batch_time = instance.batch_time
    elif batch_time is not None and instance is not None and instance.arrival_unit_s is not None \
            and "arrival_unit_s" not in batch_time:
        batch_time = {**batch_time, "arrival_unit_s": instance.arrival_unit_s}
    spec = dict(timing.check_spec(batch_time)) if batch_time is not None else {"model": "unit"}
    model = timing.make(spec)
    unit = timing.arrival_unit(spec)
    if arrivals is None:
        if instance is None:
            raise InputError("simulate needs an instance or an arrival source")
        arrivals = InstanceArrivals(instance, unit)
    elif unit is not None:
        raise InputError("arrival_unit_s applies to instance arrivals only", "batch_time")
    lengths = resolve_lengths(policy, arrivals.workload())
    default_eviction, default_victim = policy.default_rules(lengths)
    eviction = check_eviction_rule(eviction or default_eviction)
    victim = check_victim_rule(victim or default_victim)
    observers = list(observers)
    if isinstance(arrivals, Observer):
        observers.insert(0, arrivals)
    from kvopt.sim.compiled import run_compiled  # imports the policies, which import kvopt.sim

    engine = run_compiled(arrivals, policy, lengths, eviction, victim, model, unit is not None, observers, progress)
    if engine is None:
        engine = Engine(arrivals, policy, lengths, eviction, victim, model, unit is not None, observers, progress)
        engine.run()
    experienced = _experienced_instance(engine, instance, arrivals)
    schedule = _schedule(engine, experienced.ids)
    clock = None if unit is None else ClockRecord(unit, {k: v for k, v in spec.items() if k != "arrival_unit_s"},
                                                  tuple(sorted(engine.waits.items())))
    report = verify(experienced if instance is None else instance, timed(schedule, clock))
    if not report.feasible:
        raise SolveError(f"internal error: policy {policy.name!r} produced a schedule the verifier "
                         f"rejects: {report.first_problem()}")
    if not np.array_equal(report.instance.column("arrival"), experienced.column("arrival")):
        raise SolveError("internal error: the verifier's arrivals as experienced differ from the simulation's")
    rounds = _round_table(engine)
    arrays = _request_arrays(engine, experienced, instance, rounds)
    own = int((arrays["completion"] - arrays["arrival"]).sum())
    if own != report.objective or int(arrays["tokens_lost"].sum()) != report.tokens_lost:
        raise SolveError(f"internal error: simulated total latency {own} and "
                         f"{int(arrays['tokens_lost'].sum())} lost tokens, the verifier computes "
                         f"{report.objective} and {report.tokens_lost}")
    return Simulation(policy=policy.describe(), lengths=lengths, eviction=eviction, victim=victim, batch_time=spec,
                      clock_mode=unit is not None, instance=experienced, schedule=schedule, report=report,
                      requests=arrays, round_table=rounds, idle=tuple(engine.idle), clock=clock)


def timed(schedule: Schedule, clock: ClockRecord | None) -> Schedule:
    """The schedule with its clock record (kvopt.clock), as a clock-time instance's schedule file holds it."""
    if clock is None:
        return schedule
    return Schedule(schedule.starts, schedule.runs, {**schedule.metadata, CLOCK_KEY: clock.as_dict()})


def _experienced_instance(engine: Engine, original: Instance | None, source: ArrivalSource) -> Instance:
    """The instance with the arrivals as experienced: `original` itself when they are its own (its Request
    objects are not built: an instance made by from_columns stays in columns)."""
    arrivals = engine.arrival
    if original is not None and np.array_equal(_array(arrivals, len(original)), original.column("arrival")):
        return original
    released = source.requests()
    requests = tuple(r if arrivals[k] == r.arrival else
                     Request(r.id, arrivals[k], r.prompt, r.output, r.predicted_output, r.output_interval,
                             r.metadata)
                     for k, r in enumerate(released))
    batch_time = None
    if original is not None and original.batch_time is not None:
        batch_time = {k: v for k, v in original.batch_time.items() if k != "arrival_unit_s"}
    metadata = dict(original.metadata) if original is not None else {}
    if engine.clock_mode:
        metadata["arrivals"] = ("as experienced by the simulation: index of the first batch that "
                                "could include the request")
    return Instance(engine.memory, requests, name=original.name if original else None,
                    source=original.source if original else "kvopt simulate (adaptive arrivals)",
                    batch_time=batch_time, metadata=metadata)


def _schedule(engine: Engine, ids: tuple[str, ...]) -> Schedule:
    """The schedule as Schedule's constructor would keep it, not checked again (it is verified next)."""
    starts = _starts(engine, len(ids))
    if hasattr(engine, "run_columns"):  # the compiled loop's runs, in columns
        runs = RunTable([ids[k] for k in engine.evicted.tolist()], engine.run_counts, *engine.run_columns)
    else:
        runs = MappingProxyType({ids[k]: tuple(engine.runs[k]) for k in sorted(engine.runs)})
    return _unchecked_schedule(StartTable(ids, starts), runs, {"policy": engine.policy.name})


def _unchecked_schedule(starts: StartTable, runs: Mapping[str, tuple[Run, ...]],
                        metadata: Mapping[str, Any]) -> Schedule:
    """The Schedule of the starts of the instance's requests and of runs as its constructor would keep them
    (each evicted request's runs a non-empty tuple of Run, or a RunTable, the last run starting at the
    request's start), without the constructor's copies into dicts: a million starts, and the schedule is
    verified next."""
    schedule = object.__new__(Schedule)
    for name, value in (("starts", starts), ("runs", runs),
                        ("metadata", MappingProxyType(dict(metadata)))):
        object.__setattr__(schedule, name, value)
    return schedule


def _starts(engine: Engine, n: int) -> np.ndarray:
    """Each request's start: that of its first run, or of its last if it was evicted."""
    starts = _array(engine.first_start, n).copy()
    if hasattr(engine, "run_columns"):
        start = engine.run_columns[0]
        starts[engine.evicted] = start[np.cumsum(engine.run_counts) - 1]
    else:
        for k, executed in engine.runs.items():
            starts[k] = executed[-1].start
    return starts


def _round_table(engine: Engine) -> dict[str, np.ndarray]:
    return {name: _array(column) for name, column in zip(ROUND_COLUMNS, engine.columns)}


def _array(values, n: int | None = None) -> np.ndarray:
    """A numpy copy of a typed array (kvopt.sim.engine keeps its figures in array.array) or of a numpy
    array (kvopt.sim.compiled: its own, not copied), first n entries."""
    if isinstance(values, np.ndarray):
        return values if n is None or n == len(values) else values[:n].copy()
    out = np.frombuffer(values, dtype=np.int64 if values.typecode == "q" else float) if len(values) else \
        np.zeros(0, np.int64 if values.typecode == "q" else float)
    return out[:n].copy()


def _request_arrays(engine: Engine, experienced: Instance, original: Instance | None,
                    rounds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-request arrays; the sizes from the instance's columns (no Request objects)."""
    n = len(experienced)
    arrival, first_start = _array(engine.arrival, n), _array(engine.first_start, n)
    if engine.clock_mode:  # the instance's arrivals on the clock (only an instance has clock-time arrivals)
        arrival_s = original.column("arrival") * engine.source.unit
    else:
        arrival_s = _round_start_clock(engine, rounds, arrival)
    return {
        "arrival": arrival,
        "arrival_s": arrival_s,
        "first_start": first_start,
        "start": _starts(engine, n),
        "completion": _array(engine.completion_at, n),
        "completion_s": _array(engine.completion_s, n),
        "first_token_s": _array(engine.first_token_s, n),
        "evictions": _array(engine.evictions, n),
        "tokens_lost": _array(engine.tokens_lost, n),
        "tokens_recomputed": _array(engine.recomputed, n),
        "prompt": np.array(experienced.column("prompt")),
        "output": np.array(experienced.column("output")),
    }


def _round_start_clock(engine: Engine, rounds: Mapping[str, np.ndarray], periods: np.ndarray) -> np.ndarray:
    """Seconds at the start of each period in round mode (an idle round lasts an empty batch)."""
    executed, ends = rounds["period"], rounds["clock"]
    if not executed.size:
        return periods * engine.idle_seconds
    before = np.searchsorted(executed, periods, side="left")  # executed rounds that ended by then
    last = np.maximum(before - 1, 0)
    last_end = np.where(before > 0, ends[last], 0.0)
    next_period = np.where(before > 0, executed[last] + 1, 0)
    return last_end + (periods - next_period) * engine.idle_seconds
