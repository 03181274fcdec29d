"""Reduced-cost fixing from the pattern relaxation, then CP-SAT over the starts that remain:
the exact method `pattern-fix` (formulations/pattern-relaxation.md, Section 7).

With prices pi and a verified schedule of total latency UB, a schedule better than UB has total latency
<= UB - 1. A start (k, t) can be part of one only if the cheapest multi-schedule through it (the program
`through`) gives sum_k |k| pi_k + via(k, t) <= UB - 1; a start the program leaves out (reduced cost
t + o_k - a_k - pi_k >= 0) only if L(pi) + that reduced cost <= UB - 1. Every other start is fixed to 0,
and CP-SAT over the remaining starts decides the rest: the optimum is min(UB, its optimum), and
min(UB, its bound) is a lower bound. This is the Lagrangian reduced-cost fixing of successive
sublimation dynamic programming (Ibaraki 1987; Tanaka, Fujikuma and Araki 2009, single-machine
scheduling) on the pattern relaxation's program."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from kvopt.formulations.timeindexed import identical_classes
from kvopt.instance import Instance
from kvopt.method import Outcome, Settings
from kvopt.patterns.bound import Lagrangian, best_bound, lagrangian
from kvopt.patterns.pricing import Classes, Through, compiled_available, through
from kvopt.result import Status, integer_bound, proves_optimal
from kvopt.schedule import Schedule

LAGRANGE_SHARE = 0.35  # of the time limit: the price search; the rest goes to fixing and CP-SAT
THROUGH_SHARE = 0.6  # of the time left: the forward-backward program
PROBE_SHARE, PROBE_MIN_S = 0.1, 1.0  # a probe of target_search starts with this share of the time left
# (at least this many seconds); the share doubles after each probe at step 1 that decides nothing
CP_WORKERS = 8  # as the cpsat method: CP-SAT's portfolio needs several workers, even on two cores
MAX_STORED_STATES = 30_000_000  # the program keeps every round's states (about 130 bytes each at M = 50)


def allowed_starts(classes: Classes, prices: np.ndarray, via: Through, upper_bound: int) -> list[np.ndarray]:
    """Per class, the start periods that a schedule of total latency <= upper_bound - 1 may use. Prices
    are dyadic (kvopt.patterns.bound.dyadic), so every sum below is exact."""
    total = float(np.dot(classes.size, prices))
    bound = total + via.value
    target = upper_bound - 1
    reduced = (classes.output - classes.arrival).astype(float) - np.asarray(prices, dtype=float)
    allowed = []
    for k in range(len(classes)):
        latest = min(int(classes.last[k]), math.floor(target - bound - reduced[k]))
        keep = [t for t in range(int(classes.arrival[k]), latest + 1)
                if float(t) + reduced[k] >= 0 or total + via.via.get((k, t), math.inf) <= target]
        allowed.append(np.array(keep, dtype=np.int64))
    return allowed


def restricted_search(instance: Instance, allowed: list[np.ndarray], upper_bound: int, hint: Schedule,
                      settings: Settings, log: list, seconds: float | None = None, lower: int | None = None):
    """CP-SAT on the interval model (kvopt.formulations.cpsat) with every start outside `allowed` removed
    from its domain and lower <= total latency <= upper_bound - 1 (lower: a proven bound on the optimum),
    for `seconds` (default: the time left), with the best schedule known as its hint (though outside the
    model: CP-SAT repairs it). Returns (starts or None, objective or None, lower bound on the optimum of
    that restricted problem or None, infeasible)."""
    from ortools.sat.python import cp_model

    from kvopt.formulations.cpsat import build_intervals, solve_cp

    if any(periods.size == 0 for periods in allowed):
        return None, None, None, True
    build = build_intervals(instance, upper_bound, dict(hint.starts))
    for periods, members in zip(allowed, identical_classes(instance)):  # the classes, in the same order
        domain = cp_model.Domain.FromValues([int(t) for t in periods])
        for member in members:
            build.model.AddLinearExpressionInDomain(build.start_vars[member], domain)
    constant = int(instance.outputs.sum() - instance.arrivals.sum())
    build.model.Add(sum(build.start_vars) + constant <= upper_bound - 1)
    if lower is not None:
        build.model.Add(sum(build.start_vars) + constant >= lower)
    left = settings.time_left()
    limit = left if seconds is None or left is None else min(seconds, left)
    run = solve_cp(instance, build, time_limit=limit, threads=CP_WORKERS, seed=settings.seed)
    log.append(f"restricted CP-SAT: {run.status}, objective {run.objective}, bound {run.bound}, "
               f"{run.seconds:.1f} s")
    settings.report(log[-1])
    if run.status == "INFEASIBLE":
        return None, None, None, True
    bound = run.objective if run.status == "OPTIMAL" else run.bound
    return run.starts, run.objective, bound, False


def pattern_fix(instance: Instance, settings: Settings) -> Outcome:
    clock = time.monotonic()
    search_settings = replace(settings, time_limit=None if settings.time_limit is None else
                              LAGRANGE_SHARE * settings.time_limit)
    found: Lagrangian = lagrangian(instance, search_settings)
    search, prepared = found.search, found.prepared
    log = found.log + search.log
    info = dict(prepared.info, lp_bound=found.lp_value,
                pattern_bound=None if search.best == -math.inf else search.best, fits=found.fits)
    lower, source = best_bound(found)
    incumbent = prepared.incumbent
    best = Schedule(incumbent.starts, metadata={"method": "pattern-fix"})
    upper = incumbent.objective
    info.update(schedule_source=f"incumbent ({incumbent.source})", lower_bound_source=source)
    if not proves_optimal(lower, upper) and not settings.interrupted:
        fixed = fix_and_solve(instance, settings, found, best, upper, lower, log, info)
        if fixed is not None:
            better, objective, proven = fixed
            if better is not None and objective < upper:
                best, upper = Schedule(better, metadata={"method": "pattern-fix"}), objective
                info["schedule_source"] = "restricted CP-SAT"
            if proven is not None and (lower is None or proven > lower):
                lower, info["lower_bound_source"] = proven, "fixing + restricted CP-SAT"
    info["runtime_s"] = round(time.monotonic() - clock, 3)
    if settings.interrupted:
        log.append("interrupted: the best so far")
    status = Status.OPTIMAL if proves_optimal(lower, upper) else Status.FEASIBLE
    return Outcome(best, status, lower_bound=lower, claimed_objective=upper, log=tuple(log), info=info)


def fix_and_solve(instance, settings, found: Lagrangian, incumbent: Schedule, upper: int, lower: int | None,
                  log, info):
    """The fixing and the restricted CP-SAT: (better schedule or None, its objective, a proven integer
    lower bound on the optimum or None); None where the program cannot run."""
    search = found.search
    if search.best_prices is None or not compiled_available():
        log.append("no fixing: " + ("the C pricing extension is not built" if search.best_prices is not None
                                    else "no exact L(pi) (the program does not fit this instance)"))
        return None
    left = settings.time_left()
    try:
        via = through(search.classes, instance.memory, search.best_prices, max_states=MAX_STORED_STATES,
                      seconds=None if left is None else THROUGH_SHARE * left)
    except KeyboardInterrupt:
        settings.interrupt.set()
        return None
    info["through_states"] = via.states
    if via.value is None:
        log.append(f"no fixing: the forward-backward program hit its {via.status}")
        return None
    return target_search(instance, settings, search, via, incumbent, upper,
                         math.ceil(search.best) if lower is None else lower, log, info)


def probe_seconds(left: float | None, share: float) -> float | None:
    """A probe's slice: `share` of the time left, at least PROBE_MIN_S scaled as the share grew; None (all
    the time left) once the share reaches 1."""
    if share >= 1.0:
        return None
    least = PROBE_MIN_S * share / PROBE_SHARE
    return least if left is None else max(least, share * left)


def target_search(instance, settings, search, via: Through, incumbent: Schedule, upper: int, lower: int,
                  log, info):
    """Probes at targets lower < T <= upper: fixing at T keeps the starts a schedule of total latency <= T - 1
    may use (`via` does not depend on T), and restricted CP-SAT either finds one (a better schedule), or
    proves there is none (the optimum is >= T), or runs out of its slice. A proof doubles the step to the
    next target, a slice that decides nothing halves it; at step 1 a slice that decides nothing is followed
    by one probe at T = upper (a search for a better schedule, which the probes near the bound rarely find),
    and if that finds none too, the slice doubles. At T = upper a proof is the proof of optimality."""
    schedule, objective, proven = None, None, None
    step, share, probes, at_upper = 1, PROBE_SHARE, 0, False
    while lower < upper and not settings.expired() and not settings.interrupted:
        target = upper if at_upper else min(upper, lower + step)
        allowed = allowed_starts(search.classes, search.best_prices, via, target)
        info["starts_left"] = int(sum(periods.size for periods in allowed))
        log.append(f"fixing at L = {search.best:.3f}, target {target} (UB {upper}, proven >= {lower}): "
                   f"{info['starts_left']} starts left")
        settings.report(log[-1])
        seconds = probe_seconds(settings.time_left(), share)
        hint = incumbent if schedule is None else Schedule(schedule)
        try:
            found_starts, found_objective, bound, infeasible = restricted_search(
                instance, allowed, target, hint, settings, log, seconds, lower=lower)
        except KeyboardInterrupt:
            settings.interrupt.set()
            break
        probes += 1
        was_at_upper, at_upper = at_upper, False
        if infeasible:
            lower, proven = target, target
            step = step if was_at_upper else 2 * step
            continue
        if bound is not None:  # a schedule of total latency < target uses only the starts left
            lower = max(lower, min(target, integer_bound(bound)))
            proven = lower
        if found_objective is not None and found_objective < upper:
            schedule, objective, upper = found_starts, found_objective, found_objective
        elif was_at_upper:
            share = min(1.0, 2 * share)
        elif step > 1:
            step //= 2
        else:
            at_upper = True
    info["probes"] = probes
    if lower >= upper:
        log.append(f"no schedule better than {upper}: {upper} is optimal")
    return schedule, objective, proven
