"""The registered methods `ip`, `cpsat` (exact) and `lp` (bound): glue between the method interface, the
model pipeline (kvopt.formulations.pipeline) and the solvers. Documents: formulations/time-indexed-ip.md,
cpsat.md, lp-relaxation.md. Each starts from `settings.initial_schedule` when one is given."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from kvopt.errors import InputError, SolveError
from kvopt.formulations.pipeline import (MODEL_OPTIONS, ROOT_LP_MARGIN, Prepared, build_model, deadline, prepare,
                                         strengthened_root)
from kvopt.heuristics import Incumbent
from kvopt.instance import Instance
from kvopt.method import Option, Outcome, Settings, register
from kvopt.result import Status, integer_bound, proves_optimal
from kvopt.schedule import Schedule

HORIZON_EXTENSIONS = 5  # re-solves with a longer horizon when the optimum uses an overflow column


@register("ip", kind="exact",
          summary="time-indexed integer program (arXiv 2502.07115 v5) with peak-level cuts, solved by HiGHS",
          options=MODEL_OPTIONS + (
              Option("builder", str, "highs", "highs: arrays passed to highspy (fast); pyomo: the same "
                     "model built in Pyomo and solved through APPSI", ("highs", "pyomo")),
              Option("gap", float, 0.0, "stop at this relative gap (0: prove optimality)"),
              Option("warm_start", bool, True, "give the incumbent to HiGHS as its first solution"),
              Option("presolve", bool, False, "HiGHS MIP presolve (off by default: it ignores the "
                     "time limit)"),
          ), uses_initial_schedule=True)
def run_ip(instance: Instance, settings: Settings) -> Outcome:
    from kvopt.formulations.rounding import lp_rounding, solution_starts

    prepared = prepare(instance, settings, "ip")
    best = Best.of_incumbent(prepared.incumbent, "ip")
    bound: float | None = None
    horizon = prepared.horizon
    extensions = 0
    while True:
        model = build_model(instance, settings, prepared, horizon)
        lp, root = strengthened_root(instance, settings, prepared, model, leave_time_for_mip=True)
        bound = _max(bound, root.strengthened)
        model = root.model
        prepared.info.update(model_sizes=model.sizes())
        if root.values is not None:  # a schedule from the LP point, before (or instead of) branch and bound
            starts, value, rule = lp_rounding(instance, model, root.values)
            prepared.log.append(f"LP rounding ({rule}): total latency {value}")
            best.offer(starts, value, f"{rule} rounding")
        run = _branch_and_bound(lp, root, settings, prepared, best)
        if run is None:
            break
        bound = _max(bound, run.dual_bound)
        late_used = False
        if run.values is not None:
            starts, value, origin = solution_starts(instance, model, run.values, round(run.objective), "mip")
            late_used = origin != "mip"
            best.offer(starts, value, origin)
        if late_used and run.optimal and extensions < HORIZON_EXTENSIONS and not settings.expired():
            extensions += 1
            horizon += max(int(instance.outputs.max()), horizon // 2)
            prepared.upper_bound = best.objective  # a better schedule eliminates more starts
            prepared.log.append(f"the optimum uses an overflow column: horizon extended to {horizon}")
            continue
        break
    prepared.info.update(horizon=horizon, horizon_extensions=extensions, schedule_source=best.source)
    lower = integer_bound(bound) if bound is not None else None
    if best.schedule is None:
        if settings.time_limit is None:
            raise SolveError("ip: no schedule without overflow columns after "
                             f"{HORIZON_EXTENSIONS} horizon extensions; set -o horizon=...")
        return Outcome(None, Status.TIMEOUT, lower_bound=lower, log=tuple(prepared.log), info=prepared.info)
    status = Status.OPTIMAL if proves_optimal(lower, best.objective) else Status.FEASIBLE
    return Outcome(best.schedule, status, lower_bound=lower, claimed_objective=best.objective,
                   log=tuple(prepared.log), info=prepared.info)


def _max(bound: float | None, other: float | None) -> float | None:
    return other if bound is None else bound if other is None else max(bound, other)


@dataclass
class Best:
    """The best schedule found so far, its total latency and where it came from."""

    schedule: Schedule | None = None
    objective: int | None = None
    source: str | None = None

    @classmethod
    def of_incumbent(cls, incumbent: Incumbent | None, method: str) -> Best:
        if incumbent is None:
            return cls()
        return cls(Schedule(incumbent.starts, metadata={"method": method}), incumbent.objective,
                   f"incumbent ({incumbent.source})")

    def offer(self, starts: dict[str, int], objective: int, source: str, method: str = "ip") -> None:
        if self.objective is None or objective < self.objective:
            self.schedule = Schedule(starts, metadata={"method": method})
            self.objective, self.source = objective, source


def _branch_and_bound(lp, root, settings: Settings, prepared: Prepared, best: Best):
    """HiGHS's B&B on the strengthened model (or the Pyomo twin), warm-started from the best schedule;
    None if skipped because the time left cannot cover HiGHS's uninterruptible root (ROOT_LP_MARGIN)."""
    from kvopt.formulations.highs_solver import set_integer, solve_mip

    options, model = settings.options, root.model
    left = settings.time_left()
    if left is not None and (root.plain_seconds is None or left < ROOT_LP_MARGIN * root.plain_seconds
                             * model.nonzeros / max(1, root.plain_nonzeros)):
        prepared.log.append(f"branch and bound skipped: {left:.1f} s left, too little for HiGHS's root")
        prepared.info["mip_status"] = "skipped (time)"
        return None
    settings.report(f"branch and bound from incumbent {best.objective}")
    start = None
    if best.schedule is not None and options["warm_start"]:
        start = model.values_from_starts(dict(best.schedule.starts))
    if options["builder"] == "highs":
        highs = lp.full_highs(model, threads=settings.threads)
        set_integer(highs, model.columns)
        run = solve_mip(highs, model, deadline=deadline(settings), gap=options["gap"], start=start,
                        presolve=options["presolve"])
    else:
        from kvopt.formulations.pyomo_model import build_pyomo, solve_pyomo
        clock = time.perf_counter()
        pyomo_model = build_pyomo(model)
        prepared.info["pyomo_build_s"] = round(time.perf_counter() - clock, 4)
        run = solve_pyomo(pyomo_model, time_limit=settings.time_left(), gap=options["gap"],
                          threads=settings.threads, start=start, presolve=options["presolve"])
    prepared.info.update(mip_status=run.status, nodes=run.nodes, mip_s=round(run.seconds, 3),
                         dual_bound=run.dual_bound)
    prepared.log.append(f"branch and bound: {run.status}, objective {run.objective}, bound "
                        f"{run.dual_bound}, {run.nodes} nodes, {run.seconds:.1f} s")
    settings.report(prepared.log[-1])
    return run


@register("lp", kind="bound",
          summary="LP relaxation of the time-indexed IP (with peak-level cuts unless -o cuts=none)",
          options=MODEL_OPTIONS, uses_initial_schedule=True)
def run_lp(instance: Instance, settings: Settings) -> Outcome:
    prepared = prepare(instance, settings, "lp")
    model = build_model(instance, settings, prepared, prepared.horizon)
    _, root = strengthened_root(instance, settings, prepared, model)
    prepared.info.update(model_sizes=root.model.sizes())
    if root.strengthened is None:
        return Outcome(None, Status.TIMEOUT, log=tuple(prepared.log), info=prepared.info)
    prepared.info.update(lp_value=root.strengthened, integer_bound=integer_bound(root.strengthened))
    return Outcome(None, Status.BOUND, lower_bound=root.strengthened, log=tuple(prepared.log),
                   info=prepared.info)


@register("cpsat", kind="exact", summary="OR-Tools CP-SAT model (unit intervals in one cumulative by default)",
          options=(
              Option("encoding", str, "intervals", "intervals: o_i unit intervals per request in one "
                     "cumulative; reservoir: memory-level reservoir; timeindexed: the IP's columns",
                     ("intervals", "reservoir", "timeindexed")),
              Option("workers", int, 8, "CP-SAT search workers (threads): with 1 worker CP-SAT has no LNS and "
                     "no portfolio; 0: as many as --threads"),
          ) + tuple(Option(o.name, o.type, "none" if o.name == "cuts" else o.default,
                           o.help + ("" if o.name == "incumbent" else " (timeindexed encoding)"), o.choices)
                    for o in MODEL_OPTIONS), uses_initial_schedule=True)
def run_cpsat(instance: Instance, settings: Settings) -> Outcome:
    from kvopt.formulations import cpsat

    prepared = prepare(instance, settings, "cpsat")
    options = settings.options
    if options["workers"] < 0:
        raise InputError(f"option 'workers' must be >= 0, got {options['workers']}", "method 'cpsat'")
    incumbent = prepared.incumbent
    upper_bound = prepared.upper_bound
    if upper_bound is None:
        serial = cpsat.serial_starts(instance)
        upper_bound = sum(serial[r.id] + r.output - r.arrival for r in instance.requests)
        prepared.info["domain_bound_from"] = "serial schedule"
    hint = dict(incumbent.starts) if incumbent else None
    clock = time.perf_counter()
    if options["encoding"] == "timeindexed":
        model = build_model(instance, settings, prepared, prepared.horizon)
        if options["cuts"] == "peak":
            _, root = strengthened_root(instance, settings, prepared, model)
            model = root.model
        hint_values = model.values_from_starts(hint) if hint else None
        build = cpsat.build_timeindexed(model, hint_values)
    elif options["encoding"] == "reservoir":
        build = cpsat.build_reservoir(instance, upper_bound, hint)
    else:
        build = cpsat.build_intervals(instance, upper_bound, hint)
    prepared.info.update(cp_build_s=round(time.perf_counter() - clock, 4), model_sizes=build.sizes)
    settings.report(f"CP-SAT search from incumbent {incumbent.objective if incumbent else None}")
    run = cpsat.solve_cp(instance, build, time_limit=settings.time_left(),
                         threads=options["workers"] or settings.threads, seed=settings.seed)
    prepared.info.update(cp_status=run.status, cp_s=round(run.seconds, 3), cp_bound=run.bound)
    if run.status in ("INFEASIBLE", "MODEL_INVALID"):
        raise SolveError(f"cpsat: CP-SAT reports {run.status} for a problem that always has a schedule")
    found = Best.of_incumbent(incumbent, "cpsat")
    if run.starts is not None:
        found.offer(run.starts, run.objective, run.origin, method="cpsat")
    schedule, objective = found.schedule, found.objective
    prepared.info["schedule_source"] = found.source
    lower = integer_bound(run.bound) if run.bound is not None and math.isfinite(run.bound) else None
    if schedule is None:
        return Outcome(None, Status.TIMEOUT, lower_bound=lower, log=tuple(prepared.log), info=prepared.info)
    proven = run.status == "OPTIMAL" and not run.late_used
    status = Status.OPTIMAL if proven or proves_optimal(lower, objective) else Status.FEASIBLE
    return Outcome(schedule, status, lower_bound=lower, claimed_objective=objective,
                   log=tuple(prepared.log), info=prepared.info)
