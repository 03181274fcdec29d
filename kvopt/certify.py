"""Certify an instance: run heuristics, lower bounds and exact methods within one time budget and report
the best verified schedule, the best proven bound, the gap, and which method proved what.

Every method runs once (in the default portfolio LEFTOVER_METHOD a second time, with the time the others
leave), through `kvopt.solve`, so every schedule is verified and every bound is checked
against every verified objective (a bound above a verified objective is a bug and raises). A method that
does not apply to the instance (InputError, e.g. a special-case algorithm) is recorded as skipped.

Incumbents flow forward: the best verified schedule so far (non-preemptive; restart-evicted runs dropped,
their last runs alone being the same schedule) is handed as `initial_schedule` to every later method that
takes one (the exact methods and the `lp` bound), and a schedule they improve is handed on. Each attempt
records the schedule it started from.

Ctrl-C ends the portfolio, never the record: the method running is kept with what it returned (a
stoppable solver returns its best so far) or recorded as interrupted, the others as not run, and the
Certificate, marked interrupted, holds every verified schedule and bound found until then. `progress` is
called with each attempt as it is recorded; `method_progress` is passed on to every method (kvopt.solve).

With jobs=2, above SMALL_N requests, the schedule searches (SECOND_PROCESS_METHODS, run as
SECOND_PROCESS_STEPS) run in a second process beside the bounds and exact methods, each side with the
whole budget after the quick methods (kvopt.certify_lane); the second process starts from the best
schedule of the quick methods, and its later schedules reach this side's methods only through the
time-left run of LEFTOVER_METHOD here. Attempts are recorded as they finish.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kvopt.attempt import Attempt
from kvopt.catalogue import all_methods, get_method
from kvopt.errors import InputError, SolveError
from kvopt.instance import Instance
from kvopt.result import Result, Status, as_number, contradicts, gap, proves_optimal
from kvopt.schedule import Schedule
from kvopt.solve import solve

QUICK_TIME_LIMIT_S = 5.0  # per heuristic, policy or quick bound; the long methods share the rest of the budget
# The long methods: the exact ones, `order-search` and the `pattern` bound, run last in LONG_ORDER (others
# before them) with these shares of what is left (1 unless listed); a method that returns early leaves its
# time to the later ones. `exact` proves most small instances (n <= 12) within a second; `order-search`
# improves the best schedule so far (the strongest schedule search above ~20 requests); `cpsat`, started
# from its schedule, improves it further where it can and proves small instances; `pattern-fix` fixes the
# starts no better schedule can use (strong where its pricing program fits, up to n ~ 15-20, and the
# pattern bound is within 1-2% of that schedule; it finds out within a second where the program does not
# fit and returns at once); `ip` gives the peak-cut LP bound and a schedule from it, with all the time left
# where pattern-fix returned at once. Measured on paper prefixes and the paper sample: benchmarks/README.md,
# "Certified optima" and "Order search, and the time left".
LONG_SHARES = {"ip": 4.0, "cpsat": 4.0, "pattern": 5.0, "pattern-fix": 8.0, "order-search": 4.0}
# Up to SMALL_N requests pattern-fix's target search closes most of the gap and gets more; above it, its
# program runs out of time or states and the time is worth more to ip's LP (benchmarks/README.md, "Target
# search in pattern-fix": 12 at n > 20 lowered ip's bound on the paper sample), and CP-SAT proves nothing
# and improves order-search's schedules less than order-search itself does (the same section).
SMALL_N, SMALL_SHARES, LARGE_SHARES = 20, {"pattern-fix": 12.0, "order-search": 2.0}, {"cpsat": 2.0}
LONG_ORDER = ("homogeneous-dp", "exact", "pattern", "order-search", "cpsat", "pattern-fix", "ip")
# Options certify gives a method of its default portfolio: `pattern` and `pattern-fix` return at once where the
# pricing program does not fit (their fallback, the peak-cut LP, is what `ip` computes), leaving the time to ip.
PORTFOLIO_OPTIONS = {"pattern": {"fallback": "none"}, "pattern-fix": {"fallback": "none"}}
# Above SMALL_N requests CP-SAT improves the schedule it is handed (it proves nothing there) and does so better
# with 2 workers than with its default 8 (benchmarks/README.md, "Order search, and the time left").
LARGE_OPTIONS = {"cpsat": {"workers": 2}}
# Where `pattern` (in a portfolio that runs it before ip and cpsat) found that its program does not fit (large
# instances), `ip`'s root LP is the bound and needs the time (its cut loop at n ~ 60): the shares after it.
SHARES_WITHOUT_PATTERN = {"ip": 8.0, "cpsat": 2.0}
# Bounds that an exact method repeats as its root relaxation: the default portfolio leaves them out when that
# method is in it, so their time goes to the method (whose bound is at least as strong).
REPEATED_BY = {"lp": "ip", "pattern": "pattern-fix"}
# The time the long methods leave (ip returns once its root LP has converged, pattern-fix where its program
# does not fit) goes, in the default portfolio, to a second run of LEFTOVER_METHOD from the best schedule,
# if at least LEFTOVER_MIN_S.
LEFTOVER_METHOD, LEFTOVER_MIN_S = "order-search", 2.0
# With jobs=2, above SMALL_N requests, these long methods (the schedule searches) run in a second process
# beside the others (the bounds and exact methods), each side with the whole budget. Not up to SMALL_N:
# there pattern-fix proves optima from the best schedule, and one started before the schedule searches
# had finished proved less (a 10-request paper prefix: proven in 18 s in one process, not in 30 s in
# two). benchmarks/README.md, "Two processes".
SECOND_PROCESS_METHODS = ("order-search", "cpsat")
# What the second process runs of them in the default portfolio: order-search twice, from MC-SF's ranking
# and from the best schedule so far (each start is the better one on some sample instances, and either
# run is close to converged within its share), then cpsat from the best.
SECOND_PROCESS_STEPS = (("order-search", {"start": "ranking"}, "from MC-SF's ranking"),
                        ("order-search", {}, None), ("cpsat", {}, None))
# In two processes, pattern-fix's share here (the target search, where its program fits above 20 requests,
# took 37 s of 60 on 7 sample instances and gave ip's bound the rest); 2 instead of 8 raised ip's bound on
# 5 of them by up to 2.8% and lowered pattern-fix's on paper-m2-s0-002 by 1% (benchmarks/README.md).
TWO_PROCESS_SHARES = {"pattern-fix": 2.0}
PREEMPTIVE_NOTE = "resumes evicted requests with their progress (preemptive): not comparable, ignored"


@dataclass(frozen=True)
class Certificate:
    """The best verified schedule (from `best`), the best proven lower bound and who proved them."""

    instance: str | None
    best: Result | None
    lower_bound: float
    bound_method: str
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)
    budget_s: float = 0.0
    runtime_s: float = 0.0
    interrupted: bool = False
    jobs: int = 1

    @property
    def objective(self) -> int | None:
        return self.best.objective if self.best else None

    @property
    def gap(self) -> float | None:
        return gap(self.objective, self.lower_bound)

    @property
    def optimal(self) -> bool:
        return proves_optimal(self.lower_bound, self.objective)

    def as_dict(self) -> dict[str, Any]:
        return {
            "instance": self.instance,
            "status": "optimal" if self.optimal else ("feasible" if self.best else "no schedule"),
            "objective": self.objective,
            "objective_method": self.best.method if self.best else None,
            "lower_bound": as_number(self.lower_bound),
            "bound_method": self.bound_method,
            "gap": self.gap,
            "budget_s": self.budget_s,
            "runtime_s": round(self.runtime_s, 3),
            "interrupted": self.interrupted,
            "jobs": self.jobs,
            "attempts": [a.as_dict() for a in self.attempts],
        }


def default_portfolio(instance: Instance) -> list[str]:
    """Heuristics and policies first (quick), then the quick bounds, then the long methods (`LONG_SHARES`)."""
    specs = sorted(all_methods(), key=_position)
    names = [spec.name for spec in specs]
    return [name for name in names if REPEATED_BY.get(name) not in names]


def _long(spec) -> bool:
    return spec.kind == "exact" or spec.name in LONG_SHARES


def _position(spec) -> tuple:
    if not _long(spec):
        return (0 if spec.kind in ("heuristic", "policy") else 1, 0)
    return (2, LONG_ORDER.index(spec.name) if spec.name in LONG_ORDER else -1)


class Portfolio:
    """What a certify run has found so far: its attempts, the best verified schedule and the best bound.
    `run` runs one method; `record` keeps an attempt, under a lock, since the attempts of the second process
    (kvopt.certify_lane) arrive on another thread. `listener(attempt, result)` hears each one. A bound
    above a verified objective is kept in `failure` and raised (a bug: one of them is wrong)."""

    raises_failure = True  # the second process leaves it to this one, which checks what it receives

    def __init__(self, instance: Instance, options: dict, seed: int, threads: int,
                 listener: Callable[[Attempt, Result | None], None] | None = None,
                 method_progress: Callable[[str, str], None] | None = None):
        self.instance, self.options, self.seed, self.threads = instance, options, seed, threads
        self.listener, self.method_progress = listener, method_progress
        self.best: Result | None = None
        self.incumbent: Schedule | None = None  # the best schedule as the methods that take one start from it
        self.bound, self.bound_method = 0.0, "none"
        self.attempts: list[Attempt] = []
        self.interrupted = False
        self.pattern_fits = True
        self.failure: SolveError | None = None  # a contradiction found on the receiving thread
        self.lock = threading.Lock()

    def proven(self) -> bool:
        return self.best is not None and proves_optimal(self.bound, self.best.objective)

    def record(self, attempt: Attempt, result: Result | None = None) -> None:
        """Keep `attempt`, and `result`'s non-preemptive schedule and bound if they are the best so far."""
        with self.lock:
            self.attempts.append(attempt)
            if self.listener is not None:
                self.listener(attempt, result)
            if result is None:
                return
            if result.schedule is not None and (self.best is None or result.objective < self.best.objective):
                self.best = result
                self.incumbent = Schedule(result.schedule.starts, metadata={"method": attempt.method})
            if result.lower_bound is not None and result.lower_bound > self.bound:
                self.bound, self.bound_method = float(result.lower_bound), bound_source(attempt.method, result)
            if self.best is not None and contradicts(self.bound, self.best.objective):
                self.failure = SolveError(f"the bound {self.bound} of {self.bound_method} exceeds the verified "
                                          f"objective {self.best.objective} of {self.best.method}: one of them "
                                          f"is wrong")
        if self.failure is not None and self.raises_failure and \
                threading.current_thread() is threading.main_thread():
            raise self.failure

    def run(self, spec, limit: float, note: str | None = None, seed: int | None = None,
            options: dict | None = None) -> None:
        """One attempt of `spec` within `limit` seconds, from the best schedule so far; `options` over
        those of the portfolio for this method."""
        with self.lock:
            initial = self.incumbent if spec.uses_initial_schedule else None
            started_from = None if initial is None else f"{initial.metadata['method']} ({self.best.objective})"
        live = None if self.method_progress is None else (
            lambda text, name=spec.name: self.method_progress(name, text))
        started = time.monotonic()
        try:
            result = solve(self.instance, spec.name, time_limit=limit, seed=self.seed if seed is None else seed,
                           threads=self.threads, initial_schedule=initial, progress=live,
                           **(self.options.get(spec.name, {}) | (options or {})))
        except InputError as problem:
            self.record(Attempt(spec.name, spec.kind, Status.SKIPPED, note=problem.message,
                                started_from=started_from))
            return
        except SolveError as problem:  # e.g. a model too large, or a schedule the verifier rejected
            self.record(Attempt(spec.name, spec.kind, Status.ERROR, note=str(problem), started_from=started_from))
            return
        except KeyboardInterrupt:
            self.interrupted = True
            self.record(Attempt(spec.name, spec.kind, Status.INTERRUPTED,
                                runtime_s=round(time.monotonic() - started, 3),
                                note="interrupted before it returned a result", started_from=started_from))
            return
        self.interrupted = self.interrupted or result.interrupted
        if spec.name in ("pattern", "pattern-fix") and result.info.get("fits") is False:
            self.pattern_fits = False
        notes = ([note] if note else []) + (["interrupted: its best so far"] if result.interrupted else [])
        if result.schedule is not None and result.schedule.resumes_progress:
            self.record(Attempt(spec.name, spec.kind, result.status, result.objective, None,
                                round(result.runtime_s, 3), "; ".join(notes + [PREEMPTIVE_NOTE])))
            return
        source = bound_source(spec.name, result)
        notes += [] if source == spec.name else [f"bound from {source}"]
        self.record(Attempt(spec.name, spec.kind, result.status, result.objective, result.lower_bound,
                            round(result.runtime_s, 3), "; ".join(notes) or None, started_from), result)


def bound_source(method: str, result: Result) -> str:
    """The method that proved `result`'s bound (another than `method` where it took a better one)."""
    return result.info.get("optimality_proved_by") or result.info.get("lower_bound_source") or method


def run_lane(portfolio: Portfolio, specs: Sequence, shares: dict[str, float], deadline: float,
             variants: Sequence[tuple[dict, str | None]] | None = None) -> None:
    """Run `specs` in order until `deadline` (time.monotonic()): a quick method for at most
    QUICK_TIME_LIMIT_S, a long one for its share of what is left among the long ones still to run.
    variants[k]: the options and note of specs[k]'s run (a method may run twice, differently)."""
    for position, spec in enumerate(specs):
        options, note = variants[position] if variants else ({}, None)
        remaining = deadline - time.monotonic()
        if portfolio.interrupted:
            portfolio.record(Attempt(spec.name, spec.kind, Status.NOT_RUN, note="interrupted before it started"))
        elif portfolio.proven():
            portfolio.record(Attempt(spec.name, spec.kind, Status.NOT_RUN, note="already proven optimal"))
        elif remaining <= 0.05:
            portfolio.record(Attempt(spec.name, spec.kind, Status.NOT_RUN, note="budget exhausted"))
        else:
            if _long(spec):  # the long methods still to run share what is left by their shares
                later = sum(shares.get(s.name, 1.0) for s in specs[position:] if _long(s))
                limit = remaining * shares.get(spec.name, 1.0) / later
            else:
                limit = min(QUICK_TIME_LIMIT_S, remaining)
            portfolio.run(spec, limit, note, options=options)
            if not portfolio.pattern_fits:
                shares.update(SHARES_WITHOUT_PATTERN)


def run_leftover(portfolio: Portfolio, deadline: float, seed: int | None = None) -> None:
    """A second run of LEFTOVER_METHOD from the best schedule, with the time the others left."""
    left = deadline - time.monotonic()
    if portfolio.best is not None and not portfolio.interrupted and not portfolio.proven() \
            and left >= LEFTOVER_MIN_S:
        portfolio.run(get_method(LEFTOVER_METHOD), left, note="again, with the time the others left", seed=seed)


def certify(instance: Instance, budget_s: float = 60.0, methods: Sequence[str] | None = None,
            threads: int = 1, seed: int = 0, progress: Callable[[Attempt], None] | None = None,
            method_progress: Callable[[str, str], None] | None = None,
            on_schedule: Callable[[str, Schedule], None] | None = None, jobs: int = 1) -> Certificate:
    """Run `methods` (default: the whole registered portfolio) within `budget_s` seconds in all.
    method_progress(method, text): live progress of the method running in this process; on_schedule(method,
    schedule): each verified non-preemptive schedule (kvopt certify reports their energy). jobs >= 2, above
    SMALL_N requests: the methods of SECOND_PROCESS_METHODS run in a second process beside the others
    (kvopt.certify_lane; two processes at most; Certificate.jobs says how many ran)."""
    if not budget_s > 0:
        raise InputError(f"budget must be positive, got {budget_s}")
    if type(jobs) is not int or jobs < 1:
        raise InputError(f"jobs must be a positive integer, got {jobs!r}")
    instance.check_rounds()
    names = list(methods) if methods else default_portfolio(instance)
    specs = [get_method(name) for name in names]  # unknown names fail before any work
    clock = time.monotonic()
    deadline = clock + budget_s
    small = len(instance.requests) <= SMALL_N
    shares = dict(LONG_SHARES) | (SMALL_SHARES if small else LARGE_SHARES)
    extra = {} if small else LARGE_OPTIONS
    options = {} if methods else {name: PORTFOLIO_OPTIONS.get(name, {}) | extra.get(name, {}) for name in names}

    def heard(attempt: Attempt, result: Result | None) -> None:
        if progress is not None:
            progress(attempt)
        if on_schedule is not None and result is not None and result.schedule is not None:
            on_schedule(attempt.method, result.schedule)

    portfolio = Portfolio(instance, options, seed, threads, heard, method_progress)
    second = [s for s in specs if _long(s) and s.name in SECOND_PROCESS_METHODS] if jobs > 1 and not small else []
    first = [s for s in specs if s not in second]
    leftover = not methods and LEFTOVER_METHOD in names
    processes = 1
    if not second or not any(map(_long, first)):  # one process: every method in order
        run_lane(portfolio, specs, shares, deadline)
        if leftover:
            run_leftover(portfolio, deadline)
    else:
        steps = [(spec.name, {}, None) for spec in second] if methods else \
            [step for step in SECOND_PROCESS_STEPS if step[0] in {spec.name for spec in second}]
        processes = _run_in_two_processes(portfolio, specs, first, steps, shares, deadline, options, leftover)
    if portfolio.failure is not None:
        raise portfolio.failure
    return Certificate(instance.name, portfolio.best, portfolio.bound, portfolio.bound_method,
                       tuple(portfolio.attempts), budget_s, time.monotonic() - clock, portfolio.interrupted,
                       processes)


def _run_in_two_processes(portfolio: Portfolio, specs: list, first: list, steps: list, shares: dict,
                          deadline: float, options: dict, leftover: bool) -> int:
    """`first` here, in order; at its first long method `steps` (method, options, note: the other
    methods of `specs`) go to the second process (started at once, so that its start-up overlaps the
    quick methods), which runs them beside this one's. Returns the processes that ran methods (1 where
    nothing was left to hand off, or the child had ended)."""
    from kvopt.certify_lane import SecondProcess
    shares = shares | TWO_PROCESS_SHARES
    lane = SecondProcess(portfolio.instance)
    try:
        hand_off = next(k for k, spec in enumerate(first) if _long(spec))
        run_lane(portfolio, first[:hand_off], shares, deadline)
        rest = [spec for spec in specs if spec not in first[:hand_off]]
        if portfolio.proven() or portfolio.interrupted:  # nothing to hand off: the rest recorded as not run
            run_lane(portfolio, rest, shares, deadline)
            return 1
        if not lane.hand_off(portfolio, steps, options, dict(shares), deadline, leftover):
            run_lane(portfolio, rest, shares, deadline)  # here after all
            if leftover:
                run_leftover(portfolio, deadline)
            return 1
        run_lane(portfolio, first[hand_off:], shares, deadline)
        if leftover:  # another seed than the second process's run of it
            run_leftover(portfolio, deadline, seed=portfolio.seed + 1)
        lane.finish(portfolio, proven=portfolio.proven())
    finally:
        lane.close()
    return 2
