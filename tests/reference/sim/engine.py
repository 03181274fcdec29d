"""The round-based simulator for online policies.

Each period t (the conventions of arXiv 2502.07115):
  1. requests due by now are revealed to the policy (`arrived`);
  2. the engine checks the coming round: if the running requests, each growing by one token, would need
     more than M, the overflow rule applies (`none`: MemoryOverflow error; `restart` / `recompute`:
     evict victims in the victim rule's order down to the policy's clear target, always keeping one
     request running so that progress is guaranteed);
  3. the policy's `admit(state)` names waiting requests to start at t; if they make the coming round
     exceed M, the overflow rule applies to the admissions: `none` is an error, otherwise the engine undoes
     the latest of this period's starts (no progress is lost) until the round fits;
  4. if nothing runs and nothing starts, time jumps to the next arrival (in rounds: the period jumps; on
     the clock: seconds jump and the batch index stays); with no arrival to come the policy's `flush` is
     asked, and a policy that still starts nothing would wait forever: an error;
  5. the batch of round t+1 runs: every running request produces one token, requests that reach their
     true output length complete and free their memory.

Time: without `arrival_unit_s` in the batch-time spec, arrivals and periods are rounds and the batch-time
model only converts them to seconds (an idle round lasts as long as an empty batch). With it, arrivals
are clock times and periods count batches: the schedule carries a clock record (the batch-time model and
the periods at which the worker waited for an arrival, kvopt.clock), from which the verifier re-times
every batch and derives the instance "as experienced" (each request's arrival = the index of the first
batch that could include it). The arrival unit belongs to the instance: a `batch_time` given to
`simulate` replaces the instance's batch-time model, not its arrival unit, unless it names one.

The result's schedule lists every executed run of an evicted request (Run(start, tokens, kept)) and goes
through kvopt.verify before it is returned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from kvopt import timing
from kvopt.clock import CLOCK_KEY, ClockRecord
from kvopt.errors import InputError, SolveError
from kvopt.instance import Instance, Request
from kvopt.schedule import Run, Schedule
from tests.reference.sim.arrivals import ArrivalSource, InstanceArrivals
from tests.reference.sim.metrics import summarize
from tests.reference.sim.observers import Observer, RoundRecord
from tests.reference.sim.policy import Policy, SimContext, resolve_lengths
from tests.reference.sim.rules import VICTIM_RULES, MemoryOverflow, check_eviction_rule, check_victim_rule
from tests.reference.sim.state import RequestView, SimState
from kvopt.verify import Report, verify

EMPTY_BATCH = timing.BatchStats(requests=0, prefill_tokens=0, decode_requests=0, kv_tokens=0)


@dataclass(frozen=True)
class Simulation:
    """What `simulate` returns.

    instance: the round-level instance as experienced (equal to the input when arrivals count rounds);
    schedule: starts and executed runs, verified (`report`) against the input instance with the clock
    record `clock` (clock mode; `timed(schedule, clock)` is what `simulate --out` writes) and against
    `instance` as it is; requests: per-request arrays in instance
    order (see `request_table`); rounds: one RoundRecord per executed batch; idle: (first period, last
    period + 1, queue length) of idle stretches in round mode.
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
    rounds: tuple[RoundRecord, ...]
    idle: tuple[tuple[int, int, int], ...] = field(default=())
    clock: ClockRecord | None = None

    @property
    def objective(self) -> int:
        """Total latency in rounds (the verifier's figure)."""
        return self.report.objective

    @cached_property
    def metrics(self) -> dict[str, Any]:
        return summarize(self)


class _Record:
    """The engine's bookkeeping for one request (the policy sees only `view`)."""

    __slots__ = ("view", "request", "runs", "completion", "completion_s", "first_token_s", "tokens_lost",
                 "recomputed")

    def __init__(self, view: RequestView, request: Request):
        self.view = view
        self.request = request
        self.runs: list[Run] = []
        self.completion = -1
        self.completion_s = np.nan
        self.first_token_s = np.nan
        self.tokens_lost = 0
        self.recomputed = 0


class _Engine:
    def __init__(self, source: ArrivalSource, policy: Policy, lengths: str, eviction: str, victim: str,
                 model: timing.BatchTimeModel, clock_mode: bool, observers: list[Observer]):
        self.source = source
        self.policy = policy
        self.eviction = eviction
        self.victim_key = VICTIM_RULES[victim]
        self.model = model
        self.unit_model = isinstance(model, timing.UnitRounds)
        self.idle_seconds = 1.0 if self.unit_model else model.seconds(EMPTY_BATCH)
        self.clock_mode = clock_mode
        self.observers = observers
        self.memory = source.memory
        self.lengths = lengths
        self.state = SimState(self.memory, self.lengths, observers)
        self.records: dict[int, _Record] = {}
        self.completion: dict[int, list[tuple[_Record, int]]] = defaultdict(list)
        self.rounds: list[RoundRecord] = []
        self.idle: list[tuple[int, int, int]] = []
        self.tokens_needed = 0
        self.unfinished = 0
        self.waits: dict[int, float] = {}  # clock mode: period -> clock after waiting for an arrival

    # ---- events ----------------------------------------------------------------------------------
    def _reveal(self) -> None:
        state = self.state
        for index, request in self.source.due(state.period, state.clock):
            if self.lengths == "predicted" and request.predicted_output is None:
                raise InputError("lengths=predicted but the request has no predicted_output",
                                 f"request {request.id!r}")
            view = RequestView(
                request.id, index, state.period,
                request.arrival * self.source.unit if self.clock_mode else None,
                request.prompt, request.output if self.lengths == "exact" else None,
                request.predicted_output, request.output_interval)
            self.records[index] = _Record(view, request)
            self.tokens_needed += request.output
            self.unfinished += 1
            state.waiting[view.id] = view
            self.policy.arrived(view, state)

    def _start(self, view: RequestView) -> None:
        state = self.state
        del state.waiting[view.id]
        view.run_start = state.period
        if view.first_start is None:
            view.first_start = state.period
        state.running[view.id] = view
        state.held += view.held0
        record = self.records[view.index]
        self.completion[state.period + record.request.output - view.kept].append((record, state.period))

    def _unstart(self, view: RequestView, reason: str) -> None:
        state = self.state
        del state.running[view.id]
        state.held -= view.held0
        view.run_start = None
        if not self.records[view.index].runs:
            view.first_start = None
        state.waiting[view.id] = view
        self.policy.rejected(view, state)
        for observer in self.observers:
            observer.rejected(state.period, view, reason)

    def _evict(self, view: RequestView, reason: str) -> None:
        state = self.state
        record = self.records[view.index]
        tokens = state.period - view.run_start
        generated = view.kept + tokens
        state.held -= view.prompt + generated
        del state.running[view.id]
        record.runs.append(Run(view.run_start, tokens, view.kept))
        view.max_generated = max(view.max_generated, generated)
        if self.eviction == "restart":
            lost, view.kept = generated, 0
        else:  # recompute: the generated tokens become part of the next run's prompt
            lost, view.kept = 0, generated
            record.recomputed += generated
        record.tokens_lost += lost
        self.tokens_needed += lost
        view.run_start = None
        view.evictions += 1
        state.waiting[view.id] = view
        self.policy.evicted(view, state)
        for observer in self.observers:
            observer.evicted(state.period, view, tokens, lost, reason)

    def _overflow(self, cause: str, candidates: Iterable[RequestView]) -> None:
        state = self.state
        if self.eviction == "none":
            raise MemoryOverflow(state.period + 1, state.memory_next, self.memory,
                                 sorted(v.id for v in candidates), self.policy.name, cause)
        target = min(self.memory, self.policy.clear_target(state))
        period = state.period
        order = sorted(state.running.values(), key=lambda v: self.victim_key(v, period), reverse=True)
        for view in order:
            if state.memory_next <= target or len(state.running) == 1:
                break
            self._evict(view, f"{cause}: round {period + 1} needs {state.memory_next} > {target}")
        if state.memory_next > self.memory:  # impossible: a lone request always fits
            raise SolveError(f"internal error: round {period + 1} needs {state.memory_next} > M after "
                             f"eviction")

    # ---- main loop -------------------------------------------------------------------------------
    def run(self) -> None:
        state, policy = self.state, self.policy
        policy.start(SimContext(self.memory, self.lengths, self.source.workload()))
        while True:
            self._reveal()
            if state.memory_next > self.memory:
                self._overflow("running requests grow", list(state.running.values()))
            started = self._admit(policy.admit(state))
            if not state.running:
                upcoming = self.source.next_arrival()
                if upcoming is not None:
                    self._wait_for(upcoming)
                    continue
                if not state.waiting:
                    break
                started = self._admit(policy.flush(state))
                if not state.running:
                    shown = ", ".join(repr(i) for i in list(state.waiting)[:5])
                    raise SolveError(f"policy {policy.name!r} starts nothing at period {state.period} with "
                                     f"{len(state.waiting)} waiting request(s) ({shown}), nothing running "
                                     f"and no arrival to come: it would wait forever")
            self._run_round(started)
        if self.unfinished:
            raise SolveError(f"internal error: {self.unfinished} request(s) never completed")

    def _admit(self, chosen: Iterable[RequestView]) -> list[RequestView]:
        state = self.state
        started = []
        for view in chosen:
            if state.waiting.get(view.id) is not view:
                raise SolveError(f"policy {self.policy.name!r} tried to start {view.id!r} at period "
                                 f"{state.period}, which is not waiting")
            self._start(view)
            started.append(view)
        if state.memory_next > self.memory:
            if self.eviction == "none":
                self._overflow("this period's admissions", started)
            while started and state.memory_next > self.memory:
                self._unstart(started.pop(), f"the coming round would need more than M = {self.memory}")
        for view in started:
            self.policy.started(view, state)
            for observer in self.observers:
                observer.admitted(state.period, view)
        return started

    def _wait_for(self, upcoming: tuple[int | None, float | None]) -> None:
        state = self.state
        period, seconds = upcoming
        if self.clock_mode:
            if seconds > state.clock:
                state.clock = seconds
                self.waits[state.period] = seconds
            return
        self.idle.append((state.period, period, len(state.waiting)))
        state.clock += (period - state.period) * self.idle_seconds
        state.period = period

    def _run_round(self, started: list[RequestView]) -> None:
        state = self.state
        running = len(state.running)
        memory = state.memory_next
        state.held = memory
        prefill = sum(view.held0 for view in started)
        if self.unit_model:
            seconds = 1.0
        else:
            seconds = self.model.seconds(timing.BatchStats(
                requests=running, prefill_tokens=prefill, decode_requests=running - len(started),
                kv_tokens=memory))
        record = RoundRecord(state.period, running, prefill, memory, len(state.waiting), seconds,
                             state.clock + seconds)
        state.clock += seconds
        state.period += 1
        for view in started:
            request_record = self.records[view.index]
            if not request_record.runs:  # the first round of its first run: its first token
                request_record.first_token_s = state.clock
        self.rounds.append(record)
        for observer in self.observers:
            observer.round_done(record)
        for request_record, run_start in self.completion.pop(state.period, ()):
            if request_record.view.run_start == run_start:  # else: that run was evicted
                self._complete(request_record)
        if len(self.rounds) > 10 * self.tokens_needed + 10:
            raise SolveError(f"policy {self.policy.name!r} with eviction rule {self.eviction!r} ran "
                             f"{len(self.rounds)} rounds for {self.tokens_needed} tokens: evictions keep "
                             f"undoing progress (livelock)")

    def _complete(self, record: _Record) -> None:
        state = self.state
        view, request = record.view, record.request
        state.held -= request.prompt + request.output
        del state.running[view.id]
        record.runs.append(Run(view.run_start, request.output - view.kept, view.kept))
        record.completion = state.period
        record.completion_s = state.clock
        view.max_generated = request.output
        view.run_start = None
        self.unfinished -= 1
        self.policy.completed(view, state)
        for observer in self.observers:
            observer.completed(state.period, view)

    # ---- results ---------------------------------------------------------------------------------
    def ordered(self) -> list[_Record]:
        return [self.records[k] for k in sorted(self.records)]

    def experienced_instance(self, original: Instance | None) -> Instance:
        records = self.ordered()
        if original is not None and all(r.view.arrival == r.request.arrival for r in records):
            return original
        requests = tuple(r.request if r.view.arrival == r.request.arrival else
                         Request(r.request.id, r.view.arrival, r.request.prompt, r.request.output,
                                 r.request.predicted_output, r.request.output_interval, r.request.metadata)
                         for r in records)
        batch_time = None
        if original is not None and original.batch_time is not None:
            batch_time = {k: v for k, v in original.batch_time.items() if k != "arrival_unit_s"}
        metadata = dict(original.metadata) if original is not None else {}
        if self.clock_mode:
            metadata["arrivals"] = ("as experienced by the simulation: index of the first batch that "
                                    "could include the request")
        return Instance(self.memory, requests, name=original.name if original else None,
                        source=original.source if original else "kvopt simulate (adaptive arrivals)",
                        batch_time=batch_time, metadata=metadata)

    def schedule(self) -> Schedule:
        records = self.ordered()
        starts = {r.view.id: r.runs[-1].start for r in records}
        runs = {r.view.id: tuple(r.runs) for r in records if len(r.runs) > 1}
        return Schedule(starts, runs, metadata={"policy": self.policy.name})

    def request_arrays(self) -> dict[str, np.ndarray]:
        records = self.ordered()

        def ints(values: Iterable[int]) -> np.ndarray:
            return np.fromiter(values, np.int64, len(records))

        def floats(values: Iterable[float]) -> np.ndarray:
            return np.fromiter(values, float, len(records))

        arrival = ints(r.view.arrival for r in records)
        arrival_s = floats(r.view.arrival_time for r in records) if self.clock_mode else \
            self._round_start_clock(arrival)
        return {
            "arrival": arrival,
            "arrival_s": arrival_s,
            "first_start": ints(r.view.first_start for r in records),
            "start": ints(r.runs[-1].start for r in records),
            "completion": ints(r.completion for r in records),
            "completion_s": floats(r.completion_s for r in records),
            "first_token_s": floats(r.first_token_s for r in records),
            "evictions": ints(r.view.evictions for r in records),
            "tokens_lost": ints(r.tokens_lost for r in records),
            "tokens_recomputed": ints(r.recomputed for r in records),
            "prompt": ints(r.request.prompt for r in records),
            "output": ints(r.request.output for r in records),
        }

    def _round_start_clock(self, periods: np.ndarray) -> np.ndarray:
        """Seconds at the start of each period in round mode (an idle round lasts an empty batch)."""
        if not self.rounds:
            return periods * self.idle_seconds
        executed = np.fromiter((r.period for r in self.rounds), np.int64, len(self.rounds))
        ends = np.fromiter((r.clock for r in self.rounds), float, len(self.rounds))
        before = np.searchsorted(executed, periods, side="left")  # executed rounds that ended by then
        last = np.maximum(before - 1, 0)
        last_end = np.where(before > 0, ends[last], 0.0)
        next_period = np.where(before > 0, executed[last] + 1, 0)
        return last_end + (periods - next_period) * self.idle_seconds


def simulate(instance: Instance | None, policy: Policy, *, eviction: str | None = None,
             victim: str | None = None, batch_time: Mapping[str, Any] | None = None,
             observers: Iterable[Observer] = (), arrivals: ArrivalSource | None = None) -> Simulation:
    """Run `policy` online on `instance` and return the verified Simulation.

    eviction / victim: overflow and victim rules (tests.reference.sim.rules); default: the policy's own.
    batch_time: a kvopt.timing spec; default the instance's `batch_time`, else unit rounds.
    arrivals: an adaptive arrival source instead of the instance (then `instance` is None).
    """
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
    engine = _Engine(arrivals, policy, lengths, eviction, victim, model, unit is not None, observers)
    engine.run()
    experienced = engine.experienced_instance(instance)
    schedule = engine.schedule()
    clock = None if unit is None else ClockRecord(unit, {k: v for k, v in spec.items() if k != "arrival_unit_s"},
                                                  tuple(sorted(engine.waits.items())))
    report = verify(experienced if instance is None else instance, timed(schedule, clock))
    if not report.feasible:
        raise SolveError(f"internal error: policy {policy.name!r} produced a schedule the verifier "
                         f"rejects: {report.first_problem()}")
    if [r.arrival for r in report.instance.requests] != [r.arrival for r in experienced.requests]:
        raise SolveError("internal error: the verifier's arrivals as experienced differ from the simulation's")
    arrays = engine.request_arrays()
    own = int((arrays["completion"] - arrays["arrival"]).sum())
    if own != report.objective or int(arrays["tokens_lost"].sum()) != report.tokens_lost:
        raise SolveError(f"internal error: simulated total latency {own} and "
                         f"{int(arrays['tokens_lost'].sum())} lost tokens, the verifier computes "
                         f"{report.objective} and {report.tokens_lost}")
    return Simulation(policy=policy.describe(), lengths=lengths, eviction=eviction, victim=victim, batch_time=spec,
                      clock_mode=unit is not None, instance=experienced, schedule=schedule, report=report,
                      requests=arrays, rounds=tuple(engine.rounds),
                      idle=tuple(engine.idle), clock=clock)


def timed(schedule: Schedule, clock: ClockRecord | None) -> Schedule:
    """The schedule with its clock record (kvopt.clock), as a clock-time instance's schedule file holds it."""
    if clock is None:
        return schedule
    return Schedule(schedule.starts, schedule.runs, {**schedule.metadata, CLOCK_KEY: clock.as_dict()})
