"""The independent verifier: is a schedule feasible for an instance, and what does it cost?

Every solver, policy and test goes through `verify`. It deliberately shares no scheduling helper with the
solvers: it reads only the raw request fields and the schedule, rebuilds the memory profile itself with
difference arrays, and recomputes the objective from scratch. A schedule in columns (kvopt.schedule's
StartTable, RunTable: a simulation's) is read as columns and checked by the same rules.

Memory law checked (the model of arXiv 2502.07115): a run that starts at period p with `held` =
prompt + kept tokens holds held + (t - p) memory in every round t with p < t <= p + tokens. In every
round the total is <= M. The profile is kept as segments between the rounds where a run starts or ends
(memory grows linearly inside a segment), so a start at round 10^12 costs no more than one at round 10.

Clock-time instances (arrivals in clock units, kvopt.clock): the schedule's clock record says when each
batch ran; the verifier re-times every batch with the batch-time model, derives each request's arrival
as experienced (the first batch it could join) and checks the schedule in batches against those.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from kvopt.clock import ClockRecord, batch_starts, clock_of, experienced_arrivals
from kvopt.errors import InputError
from kvopt.instance import Instance, Request
from kvopt.schedule import Run, RunTable, Schedule, StartTable

MAX_LISTED = 10  # violations / request ids listed in full; the rest are counted


@dataclass(frozen=True)
class Violation:
    """kind: unknown_request | missing_start | before_arrival | bad_runs | memory_exceeded."""

    kind: str
    message: str
    round: int | None = None
    requests: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "round": self.round,
                "requests": list(self.requests)}


@dataclass(frozen=True)
class Segments:
    """Memory per round in pieces: in rounds points[k] .. points[k+1]-1 the `active[k]` running runs hold
    base[k] + t * active[k]; from the last point on nothing runs."""

    points: np.ndarray
    base: np.ndarray
    active: np.ndarray

    @classmethod
    def of_runs(cls, start: np.ndarray, held: np.ndarray, tokens: np.ndarray) -> Segments:
        first, after = start + 1, start + tokens + 1
        rounds = int(after.max()) + 1 if after.size else 1
        if rounds <= 4 * after.size:  # few rounds for the runs: mark the points and count them
            marked = np.zeros(rounds, bool)
            marked[0] = marked[first] = marked[after] = True
            points = np.flatnonzero(marked)
            position = np.cumsum(marked)
            position -= 1
            at_first = position[first]
            del first, marked
            at_after = position[after]
            del after, position
        else:
            points = np.concatenate([[0], first, after])
            points.sort()  # distinct values, sorted (np.unique would hash: more memory at trace scale)
            distinct = np.empty(points.size, bool)
            distinct[0] = True
            np.not_equal(points[1:], points[:-1], out=distinct[1:])
            points = points[distinct]
            del distinct
            at_first = np.searchsorted(points, first)
            del first
            at_after = np.searchsorted(points, after)
            del after
        base = np.zeros(points.size, np.int64)
        active = np.zeros(points.size, np.int64)
        np.add.at(active, at_first, 1)
        np.add.at(active, at_after, -1)
        offset = held - start
        np.add.at(base, at_first, offset)
        np.subtract.at(base, at_after, offset)
        return cls(points, np.cumsum(base), np.cumsum(active))

    @property
    def last_round(self) -> int:
        return int(self.points[-1]) - 1 if self.points.size > 1 else 0

    def ends(self) -> np.ndarray:
        """The last round of each segment but the final (empty) one, and the memory held then (its most)."""
        last = self.points[1:] - 1
        return last, self.base[:-1] + last * self.active[:-1]

    def dense(self) -> np.ndarray:
        """Memory held in every round 0 .. last_round."""
        rounds = np.arange(self.last_round + 1, dtype=np.int64)
        k = np.searchsorted(self.points, rounds, side="right") - 1
        return self.base[k] + rounds * self.active[k]


@dataclass(frozen=True)
class Report:
    """The verifier's verdict. objective is None unless the schedule is feasible. instance: the round-level
    instance verified against (for a clock-time instance, its arrivals as experienced); clock: the clock
    record used, notes: where that record departs from the instance; latency_seconds: total latency in
    seconds (clock-time schedules only)."""

    feasible: bool
    objective: int | None
    violations: tuple[Violation, ...]
    violation_count: int
    requests: int
    makespan: int
    peak_memory: int
    peak_round: int
    memory: int
    evictions: int
    tokens_lost: int
    segments: Segments = field(repr=False, compare=False)
    instance: Instance = field(repr=False, compare=False)
    clock: ClockRecord | None = field(default=None, compare=False)
    notes: tuple[str, ...] = ()
    latency_seconds: float | None = None

    @cached_property
    def memory_profile(self) -> np.ndarray:
        """Memory held in every round 0 .. the last one."""
        return self.segments.dense()

    def as_dict(self) -> dict[str, Any]:
        return {
            "feasible": self.feasible,
            "objective": self.objective,
            "requests": self.requests,
            "memory": self.memory,
            "makespan": self.makespan,
            "peak_memory": self.peak_memory,
            "peak_round": self.peak_round,
            "evictions": self.evictions,
            "tokens_lost": self.tokens_lost,
            "violation_count": self.violation_count,
            "violations": [v.as_dict() for v in self.violations],
            **({"clock": self.clock.describe(), "latency_seconds": self.latency_seconds,
                "notes": list(self.notes)} if self.clock else {}),
        }

    def first_problem(self) -> str | None:
        return self.violations[0].message if self.violations else None


def _listed(ids: list[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:MAX_LISTED])
    return shown + (f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else "")


def _check_runs(request_id: str, arrival: int, output: int, runs) -> str | None:
    """Consistency of one evicted request's attempts; returns a problem or None."""
    if runs[0].start < arrival:
        return f"request {request_id!r}: first run starts at {runs[0].start} before arrival {arrival}"
    generated = 0  # tokens produced by the previous run, counting what it kept
    for k, run in enumerate(runs):
        if k > 0:
            previous = runs[k - 1]
            if run.start < previous.end:
                return (f"request {request_id!r}: run {k} starts at {run.start} before run {k - 1} "
                        f"ends at {previous.end}")
            if run.kept > generated:
                return (f"request {request_id!r}: run {k} keeps {run.kept} tokens but only {generated} "
                        f"were generated")
        elif run.kept != 0:
            return f"request {request_id!r}: the first run cannot keep tokens (kept={run.kept})"
        generated = run.kept + run.tokens
        last = k == len(runs) - 1
        if last and generated != output:
            return (f"request {request_id!r}: the last run ends with {generated} of {output} output "
                    f"tokens")
        if not last and generated >= output:
            return (f"request {request_id!r}: run {k} already produced all {output} tokens but "
                    f"another run follows")
    return None


def _start_column(starts: Mapping[str, int], scheduled: Sequence[str], in_order: bool) -> np.ndarray:
    """The starts of the scheduled requests in their order: a StartTable's column, else read entry by entry
    (in_order: the schedule lists them in that order)."""
    if in_order and isinstance(starts, StartTable):  # in_order: its ids are `scheduled`
        return starts.start
    values = starts.values() if in_order else map(starts.__getitem__, scheduled)
    return np.fromiter(values, np.int64, len(scheduled))


def _flat_runs(runs: Mapping[str, Sequence[Run]], ids: list[str]) \
        -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs of the evicted requests `ids` (in that order) as flat arrays: runs per request, and per run
    its start, tokens and kept; read from a RunTable's columns (it lists the same requests in the same
    order) or else from the Run objects."""
    if isinstance(runs, RunTable) and runs.ids == tuple(ids):
        return runs.counts, runs.start, runs.tokens, runs.kept
    attempts = [runs[i] for i in ids]
    counts = np.fromiter(map(len, attempts), np.int64, len(attempts))
    flat = [run for each in attempts for run in each]
    kept = np.fromiter((run.kept for run in flat), np.int64, len(flat))
    tokens = np.fromiter((run.tokens for run in flat), np.int64, len(flat))
    starts = np.fromiter((run.start for run in flat), np.int64, len(flat))
    return counts, starts, tokens, kept


def _breaks_rules(counts: np.ndarray, start: np.ndarray, tokens: np.ndarray, kept: np.ndarray,
                  arrival: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Per evicted request (flat runs as _flat_runs gives them; its arrival and output): whether
    _check_runs finds a problem in its runs, the same rules on arrays."""
    first = np.cumsum(counts) - counts
    is_first = np.zeros(len(start), bool)
    is_first[first] = True
    is_last = np.zeros(len(start), bool)
    is_last[first + counts - 1] = True
    request = np.repeat(np.arange(len(counts)), counts)
    generated = kept + tokens
    bad = (is_first & ((start < arrival[request]) | (kept != 0))) \
        | (is_last & (generated != output[request])) | (~is_last & (generated >= output[request]))
    later = np.flatnonzero(~is_first)  # a run after another of the same request
    bad[later] |= (start[later] < start[later - 1] + tokens[later - 1]) | (kept[later] > generated[later - 1])
    return np.bincount(request[bad], minlength=len(counts)) > 0


def _total(values: np.ndarray) -> int:
    """The exact sum: in int64 where it cannot overflow, else in Python ints (a million of them: 36 MB)."""
    if not values.size or values.size * max(int(values.max()), -int(values.min())) < 2**63:
        return int(values.sum())
    return sum(values.tolist())


def _experienced(raw: np.ndarray, clock: ClockRecord, segments: Segments, run_start: np.ndarray,
                 run_held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arrival as experienced of each scheduled request, and the clock at the end of each round."""
    last = segments.last_round
    memory = segments.dense()
    k = np.searchsorted(segments.points, np.arange(last + 1), side="right") - 1
    started = np.bincount(run_start, minlength=last + 1)[:last] if run_start.size else np.zeros(last, np.int64)
    prefill = np.bincount(run_start, weights=run_held, minlength=last + 1)[:last] if run_start.size \
        else np.zeros(last)
    begin, end = batch_starts(clock, last, segments.active[k], memory, started, prefill)
    return experienced_arrivals(raw, clock.arrival_unit_s, begin), end


def verify(instance: Instance, schedule: Schedule) -> Report:
    """Check `schedule` against `instance`; never raises on an infeasible schedule (an InputError only for a
    clock-time instance whose schedule has no usable clock record)."""
    clock, notes = clock_of(instance, schedule.metadata)
    ids, starts_of = instance.ids, schedule.starts
    n = len(ids)
    problems: list[Violation] = []
    problem_count = 0

    def add(violation: Violation, count: int = 1) -> None:
        nonlocal problem_count
        problem_count += count
        if len(problems) < MAX_LISTED:
            problems.append(violation)

    in_order = len(starts_of) == n and all(map(operator.eq, starts_of, ids))  # as files list them: no look-up
    missing = [] if in_order else [i for i in ids if i not in starts_of]
    if missing or len(starts_of) != n:  # else every entry names a request (ids are unique)
        known = set(ids)
        unknown = [i for i in starts_of if i not in known]
        if unknown:
            add(Violation("unknown_request", f"the schedule names {len(unknown)} request(s) not in the "
                          f"instance: {_listed(unknown)}", requests=tuple(unknown[:MAX_LISTED])),
                len(unknown))
    if missing:
        add(Violation("missing_start", f"{len(missing)} request(s) are never started: {_listed(missing)}",
                      requests=tuple(missing[:MAX_LISTED])), len(missing))

    kept_rows = np.fromiter(map(starts_of.__contains__, ids), bool, n) if missing else slice(None)
    scheduled = [i for i in ids if i in starts_of] if missing else ids  # the ids of the scheduled requests
    prompt, output = (instance.column(name)[kept_rows] for name in ("prompt", "output"))
    start = _start_column(starts_of, scheduled, in_order)

    # Requests that were evicted contribute one row per run; the others one row for the whole request.
    evicted = np.fromiter(map(schedule.runs.__contains__, scheduled), bool, len(scheduled)) if schedule.runs \
        else np.zeros(len(scheduled), bool)
    completion = start + output
    owners = np.flatnonzero(evicted)
    if owners.size:  # the runs of evicted requests as flat arrays, request by request, runs in order
        counts, starts, tokens, kept = _flat_runs(schedule.runs, [scheduled[k] for k in owners.tolist()])
        owner = np.repeat(owners, counts)
        last_rows = np.cumsum(counts) - 1
        run_start = np.concatenate([start[~evicted], starts])
        run_held = np.concatenate([prompt[~evicted], prompt[owner] + kept])
        run_tokens = np.concatenate([output[~evicted], tokens])
        run_owner = np.concatenate([np.flatnonzero(~evicted), owner])
        completion[owners] = starts[last_rows] + tokens[last_rows]
        evictions = len(starts) - len(counts)
        not_last = np.ones(len(starts), bool)
        not_last[last_rows] = False
        # tokens lost between consecutive runs j, j+1 of a request: kept_j + tokens_j - kept_{j+1}
        tokens_lost = int((kept[:-1] + tokens[:-1] - kept[1:])[not_last[:-1]].sum())
    else:  # one run per request: the arrays as they are
        run_start, run_held, run_tokens, run_owner = start, prompt, output, None  # owner of row j: j
        evictions = tokens_lost = 0
    segments = Segments.of_runs(run_start, run_held, run_tokens)

    verified = instance
    latency_seconds = None
    raw_arrival = instance.column("arrival")[kept_rows]  # after the segments: not held at their peak
    if clock is None:
        arrival = raw_arrival
    else:
        arrival, round_end = _experienced(raw_arrival, clock, segments, run_start, run_held)
        experienced = dict(zip(scheduled, arrival.tolist()))
        verified = instance.replace_requests(
            [Request(r.id, experienced.get(r.id, 0), r.prompt, r.output, r.predicted_output, r.output_interval,
                     r.metadata) for r in instance.requests], batch_time=dict(clock.batch_time),
            metadata={**instance.metadata, "arrivals": "as experienced (kvopt.clock)"})

    # the evicted requests whose runs break a rule of _check_runs, found on the arrays; _check_runs names it
    suspect = owners[_breaks_rules(counts, starts, tokens, kept, arrival[owners], output[owners])] \
        if owners.size else owners
    for k in suspect.tolist():
        request_id = scheduled[k]
        problem = _check_runs(request_id, int(arrival[k]), int(output[k]), schedule.runs[request_id])
        if problem:
            add(Violation("bad_runs", problem, requests=(request_id,)))

    early = np.flatnonzero((start < arrival) & ~evicted)
    if early.size:
        k = int(early[0])
        add(Violation("before_arrival", f"request {scheduled[k]!r} starts at {int(start[k])} before its "
                      f"arrival {int(arrival[k])}" + (" (as experienced on the clock)" if clock else "")
                      + (f" (and {early.size - 1} more)" if early.size > 1 else ""),
                      round=int(start[k]), requests=(scheduled[k],)), int(early.size))

    last, held = segments.ends()
    over = np.flatnonzero((held > instance.memory) & (segments.active[:-1] > 0))
    if over.size:
        k = int(over[0])
        base, active, begin = int(segments.base[k]), int(segments.active[k]), int(segments.points[k])
        first = max(begin, (instance.memory - base) // active + 1)  # memory grows by `active` per round
        firsts = np.maximum(segments.points[over], (instance.memory - segments.base[over]) // segments.active[over] + 1)
        violated = int((last[over] - firsts + 1).sum())
        running = np.flatnonzero((run_start < first) & (first <= run_start + run_tokens))
        running_ids = [scheduled[int(j if run_owner is None else run_owner[j])] for j in running]
        add(Violation("memory_exceeded", f"round {first}: memory {base + first * active} exceeds M = "
                      f"{instance.memory} with {len(running_ids)} running request(s) {_listed(running_ids)}"
                      + (f" ({violated} violated rounds in all)" if violated > 1 else ""),
                      round=first, requests=tuple(running_ids[:MAX_LISTED])), violated)

    feasible = problem_count == 0
    objective = _total(completion - arrival) if feasible else None
    if clock is not None and feasible:  # from the clock arrival to the end of the completing batch
        arrived_s = raw_arrival.astype(float) * clock.arrival_unit_s
        latency_seconds = float((round_end[completion] - arrived_s).sum())
    peak = int(np.argmax(held)) if held.size else None
    return Report(
        feasible=feasible,
        objective=objective,
        violations=tuple(problems),
        violation_count=problem_count,
        requests=n,
        makespan=int(completion.max()) if completion.size else 0,
        peak_memory=int(held[peak]) if peak is not None else 0,
        peak_round=int(last[peak]) if peak is not None else 0,
        memory=instance.memory,
        evictions=evictions,
        tokens_lost=int(tokens_lost),
        segments=segments,
        instance=verified,
        clock=clock,
        notes=notes,
        latency_seconds=latency_seconds,
    )


def check_initial_schedule(instance: Instance, schedule: Schedule) -> int:
    """A schedule a method may start from: one run per request (every method that takes one models
    non-preemptive schedules) and feasible for `instance`. Returns its objective; raises InputError
    naming the problem."""
    where = "initial schedule"
    if schedule.runs:
        raise InputError(f"has evicted runs for {_listed(sorted(schedule.runs))}; the methods that take an "
                         f"initial schedule model non-preemptive schedules (one start per request)", where)
    report = verify(instance, schedule)
    if not report.feasible:
        target = f"instance {instance.name!r}" if instance.name else "this instance"
        raise InputError(f"not feasible for {target}: {report.first_problem()}", where)
    return report.objective
