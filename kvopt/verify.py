"""The independent verifier: is a schedule feasible for an instance, and what does it cost?

Every solver, policy and test goes through `verify`. It deliberately shares no scheduling helper with the
solvers: it reads only the raw request fields and the schedule, rebuilds the memory profile itself with
difference arrays, and recomputes the objective from scratch.

Memory law checked (the model of arXiv 2502.07115): a run that starts at period p with `held` =
prompt + kept tokens holds held + (t - p) memory in every round t with p < t <= p + tokens. In every
round the total is <= M.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.schedule import Schedule

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
class Report:
    """The verifier's verdict. objective is None unless the schedule is feasible."""

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
    memory_profile: np.ndarray = field(repr=False, compare=False)

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


def verify(instance: Instance, schedule: Schedule) -> Report:
    """Check `schedule` against `instance`; never raises on an infeasible schedule."""
    requests = instance.requests
    n = len(requests)
    problems: list[Violation] = []
    problem_count = 0

    def add(violation: Violation, count: int = 1) -> None:
        nonlocal problem_count
        problem_count += count
        if len(problems) < MAX_LISTED:
            problems.append(violation)

    known = {r.id for r in requests}
    unknown = [i for i in schedule.starts if i not in known]
    if unknown:
        add(Violation("unknown_request", f"the schedule names {len(unknown)} request(s) not in the "
                      f"instance: {_listed(unknown)}", requests=tuple(unknown[:MAX_LISTED])),
            len(unknown))
    missing = [r.id for r in requests if r.id not in schedule.starts]
    if missing:
        add(Violation("missing_start", f"{len(missing)} request(s) are never started: {_listed(missing)}",
                      requests=tuple(missing[:MAX_LISTED])), len(missing))

    scheduled = [r for r in requests if r.id in schedule.starts]
    arrival = np.fromiter((r.arrival for r in scheduled), np.int64, len(scheduled))
    prompt = np.fromiter((r.prompt for r in scheduled), np.int64, len(scheduled))
    output = np.fromiter((r.output for r in scheduled), np.int64, len(scheduled))
    start = np.fromiter((schedule.starts[r.id] for r in scheduled), np.int64, len(scheduled))

    # Requests that were evicted contribute one row per run; the others one row for the whole request.
    evicted = np.fromiter((r.id in schedule.runs for r in scheduled), bool, len(scheduled))
    run_start, run_held, run_tokens, run_owner = [start[~evicted]], [prompt[~evicted]], [output[~evicted]], \
        [np.flatnonzero(~evicted)]
    completion = start + output
    tokens_lost = 0
    evictions = 0
    for k in np.flatnonzero(evicted):
        request = scheduled[k]
        runs = schedule.runs[request.id]
        problem = _check_runs(request.id, request.arrival, request.output, runs)
        if problem:
            add(Violation("bad_runs", problem, requests=(request.id,)))
        run_start.append(np.array([run.start for run in runs], np.int64))
        run_held.append(np.array([request.prompt + run.kept for run in runs], np.int64))
        run_tokens.append(np.array([run.tokens for run in runs], np.int64))
        run_owner.append(np.full(len(runs), k))
        completion[k] = runs[-1].end
        evictions += len(runs) - 1
        tokens_lost += sum(runs[j].kept + runs[j].tokens - runs[j + 1].kept for j in range(len(runs) - 1))

    early = np.flatnonzero((start < arrival) & ~evicted)
    if early.size:
        k = int(early[0])
        add(Violation("before_arrival", f"request {scheduled[k].id!r} starts at {int(start[k])} before its "
                      f"arrival {int(arrival[k])}" + (f" (and {early.size - 1} more)" if early.size > 1 else ""),
                      round=int(start[k]), requests=(scheduled[k].id,)), int(early.size))

    run_start = np.concatenate(run_start)
    run_held = np.concatenate(run_held)
    run_tokens = np.concatenate(run_tokens)
    run_owner = np.concatenate(run_owner)
    last_round = int((run_start + run_tokens).max()) if run_start.size else 0

    # Difference arrays over rounds 0..last_round+1: active count and sum of (held - start).
    active = np.zeros(last_round + 2, np.int64)
    offset = np.zeros(last_round + 2, np.int64)
    first, after = run_start + 1, run_start + run_tokens + 1
    np.add.at(active, first, 1)
    np.add.at(active, after, -1)
    np.add.at(offset, first, run_held - run_start)
    np.add.at(offset, after, -(run_held - run_start))
    rounds = np.arange(last_round + 2, dtype=np.int64)
    profile = (np.cumsum(offset) + rounds * np.cumsum(active))[: last_round + 1]

    over = np.flatnonzero(profile > instance.memory)
    if over.size:
        t = int(over[0])
        running = np.flatnonzero((run_start < t) & (t <= run_start + run_tokens))
        ids = [scheduled[int(run_owner[k])].id for k in running]
        add(Violation("memory_exceeded", f"round {t}: memory {int(profile[t])} exceeds M = "
                      f"{instance.memory} with {len(ids)} running request(s) {_listed(ids)}"
                      + (f" ({over.size} violated rounds in all)" if over.size > 1 else ""),
                      round=t, requests=tuple(ids[:MAX_LISTED])), int(over.size))

    feasible = problem_count == 0
    objective = int((completion - arrival).sum()) if feasible else None
    peak_round = int(profile.argmax()) if profile.size else 0
    return Report(
        feasible=feasible,
        objective=objective,
        violations=tuple(problems),
        violation_count=problem_count,
        requests=n,
        makespan=int(completion.max()) if completion.size else 0,
        peak_memory=int(profile[peak_round]) if profile.size else 0,
        peak_round=peak_round,
        memory=instance.memory,
        evictions=evictions,
        tokens_lost=int(tokens_lost),
        memory_profile=profile,
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
