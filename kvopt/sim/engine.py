"""The event-driven simulator for online policies.

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

Event-driven time. After a period in which the policy started nothing, a policy may declare itself
`quiet` (kvopt.sim.policy): its `admit` would start nothing and change nothing before the next arrival,
completion or eviction. The engine then runs the following batches without asking it (`_fast_forward`:
only the round bookkeeping) until a request is due, one completes, or the running requests would
overflow. With observers attached no period is skipped (a decision trace records every refusal). Schedules
are identical to the round-by-round engine (tests/reference/, property-tested in
tests/sim/test_reference_engine.py).

Time: without `arrival_unit_s` in the batch-time spec, arrivals and periods are rounds and the batch-time
model only converts them to seconds (an idle round lasts as long as an empty batch). With it, arrivals
are clock times and periods count batches: the schedule carries a clock record (the batch-time model and
the periods at which the worker waited for an arrival, kvopt.clock), from which the verifier re-times
every batch and derives the instance "as experienced" (each request's arrival = the index of the first
batch that could include it). The arrival unit belongs to the instance: a `batch_time` given to
`simulate` replaces the instance's batch-time model, not its arrival unit, unless it names one.

The result's schedule lists every executed run of an evicted request (Run(start, tokens, kept)) and goes
through kvopt.verify before it is returned (kvopt/sim/run.py).

Livelock: an eviction rule can make requests evict each other forever. The round-by-round engine's guard
(more than 10 rounds per token still needed) never fires when every eviction adds the lost tokens to
what is needed; this engine also stops after 100 rounds per pending output token without a completion.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable

from kvopt import timing
from kvopt.errors import InputError, SolveError
from kvopt.schedule import Run
from kvopt.sim.arrivals import ArrivalSource
from kvopt.sim.observers import Observer, RoundRecord
from kvopt.sim.policy import Policy, SimContext
from kvopt.sim.rules import VICTIM_RULES, MemoryOverflow
from kvopt.sim.state import RequestView, SimState

NAN = float("nan")
EMPTY_BATCH = timing.BatchStats(requests=0, prefill_tokens=0, decode_requests=0, kv_tokens=0)
ROUND_COLUMNS = ("period", "requests", "prefill_tokens", "memory", "waiting", "seconds", "clock")


class Engine:
    """One simulation run. Per-request results live in lists indexed by the request's position."""

    def __init__(self, source: ArrivalSource, policy: Policy, lengths: str, eviction: str, victim: str,
                 model: timing.BatchTimeModel, clock_mode: bool, observers: list[Observer],
                 progress: Callable[[Engine], None] | None = None):
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
        self.views: list[RequestView | None] = []
        self.runs: dict[int, list[Run]] = {}  # only requests evicted at least once
        # per request, by index (typed arrays: 8 bytes an entry), grown as requests are revealed
        self.outputs, self.completion_at = array("q"), array("q")
        self.arrival, self.first_start, self.evictions = array("q"), array("q"), array("q")
        self.tokens_lost, self.recomputed = array("q"), array("q")
        self.completion_s, self.first_token_s = array("d"), array("d")
        self.completion: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.columns: tuple[array, ...] = tuple(array("d" if name in ("seconds", "clock") else "q")
                                                for name in ROUND_COLUMNS)
        self.idle: list[tuple[int, int, int]] = []
        self.tokens_needed = 0
        self.unfinished = 0
        self.finished = 0
        self.pending_tokens = 0  # output tokens of the revealed requests not yet completed
        self.last_completion = 0  # executed rounds when a request last completed
        self.waits: dict[int, float] = {}  # clock mode: period -> clock after waiting for an arrival
        self.progress = progress

    @property
    def rounds_done(self) -> int:
        return len(self.columns[0])

    def _grow(self, size: int) -> None:
        """Room for requests with index < size in the per-request arrays."""
        more = max(size, 2 * len(self.views), 1024) - len(self.views)
        self.views.extend([None] * more)
        for values, default in ((self.outputs, 0), (self.completion_at, -1), (self.tokens_lost, 0),
                                (self.arrival, 0), (self.first_start, 0), (self.evictions, 0),
                                (self.recomputed, 0), (self.completion_s, NAN), (self.first_token_s, NAN)):
            values.extend(array(values.typecode, [default]) * more)

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
            if index >= len(self.views):
                self._grow(index + 1)
            self.views[index] = view
            self.outputs[index] = request.output
            self.tokens_needed += request.output
            self.pending_tokens += request.output
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
        self.completion[state.period + self.outputs[view.index] - view.kept].append((view.index, state.period))

    def _unstart(self, view: RequestView, reason: str) -> None:
        state = self.state
        del state.running[view.id]
        state.held -= view.held0
        view.run_start = None
        if view.index not in self.runs:
            view.first_start = None
        state.waiting[view.id] = view
        self.policy.rejected(view, state)
        for observer in self.observers:
            observer.rejected(state.period, view, reason)

    def _evict(self, view: RequestView, reason: str) -> None:
        state, index = self.state, view.index
        tokens = state.period - view.run_start
        generated = view.kept + tokens
        state.held -= view.prompt + generated
        del state.running[view.id]
        self.runs.setdefault(index, []).append(Run(view.run_start, tokens, view.kept))
        view.max_generated = max(view.max_generated, generated)
        if self.eviction == "restart":
            lost, view.kept = generated, 0
        else:  # recompute: the generated tokens become part of the next run's prompt
            lost, view.kept = 0, generated
            self.recomputed[index] += generated
        self.tokens_lost[index] += lost
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
        skip = not self.observers
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
            finished = self.finished
            self._run_round(started)
            if skip and not started and self.finished == finished and policy.quiet(state):
                self._fast_forward()
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
        if started and state.memory_next > self.memory:
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

    def _fast_forward(self) -> None:
        """Run batches without asking the policy, which is quiet: until a request is due, a run
        completes, or the running requests would overflow (then the main loop takes the period)."""
        state, memory = self.state, self.memory
        upcoming = self.source.next_arrival()
        due, due_s = upcoming if upcoming is not None else (None, None)
        finished = self.finished
        while state.running and self.finished == finished and state.memory_next <= memory:
            if due is not None and due <= state.period or due_s is not None and due_s <= state.clock:
                return
            self._run_round(())

    def _run_round(self, started: Iterable[RequestView]) -> None:
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
        columns = self.columns
        columns[0].append(state.period)
        columns[1].append(running)
        columns[2].append(prefill)
        columns[3].append(memory)
        columns[4].append(len(state.waiting))
        columns[5].append(seconds)
        state.clock += seconds
        columns[6].append(state.clock)
        state.period += 1
        for view in started:
            if view.index not in self.runs:  # the first round of its first run: its first token
                self.first_token_s[view.index] = state.clock
        if self.observers:
            record = RoundRecord(*(column[-1] for column in columns))
            for observer in self.observers:
                observer.round_done(record)
        for index, run_start in self.completion.pop(state.period, ()):
            view = self.views[index]
            if view is not None and view.run_start == run_start:  # else: that run was evicted
                self._complete(view)
        executed = len(columns[0])
        if self.progress is not None and not executed & 0x3FFF:
            self.progress(self)
        if executed > 10 * self.tokens_needed + 10 or \
                executed - self.last_completion > 100 * self.pending_tokens + 100:
            raise SolveError(f"policy {self.policy.name!r} with eviction rule {self.eviction!r} ran "
                             f"{len(columns[0])} rounds for {self.tokens_needed} tokens: evictions keep "
                             f"undoing progress (livelock)")

    def _complete(self, view: RequestView) -> None:
        state, index = self.state, view.index
        output = self.outputs[index]
        state.held -= view.prompt + output
        del state.running[view.id]
        if index in self.runs:
            self.runs[index].append(Run(view.run_start, output - view.kept, view.kept))
        self.completion_at[index] = state.period
        self.completion_s[index] = state.clock
        self.arrival[index], self.first_start[index], self.evictions[index] = \
            view.arrival, view.first_start, view.evictions
        self.views[index] = None  # the figures are kept; a policy may still hold the view
        view.max_generated = output
        view.run_start = None
        self.unfinished -= 1
        self.finished += 1
        self.pending_tokens -= output
        self.last_completion = len(self.columns[0])
        self.policy.completed(view, state)
        for observer in self.observers:
            observer.completed(state.period, view)
