"""The registered methods `ip`, `cpsat` (exact) and `lp` (bound): glue between the registry, the model
builders and the solvers. Documents: formulations/time-indexed-ip.md, cpsat.md, lp-relaxation.md."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from kvopt.errors import InputError, SolveError
from kvopt.instance import Instance
from kvopt.method import Option, Outcome, Settings, register
from kvopt.result import Status

HORIZON_EXTENSIONS = 5  # re-solves with a longer horizon when the optimum uses an overflow column
CUT_SHARE = 0.5  # at most this share of the remaining time limit goes to ip's root cut loop
ROOT_LP_MARGIN = 15.0  # B&B starts only with at least this many times the plain LP's solve time left,
# scaled by the growth of the matrix through the cuts: on the paper sample HiGHS's MIP spends 13-20x the
# plain LP time in feasibility jump and its root LP from scratch, ignoring time limit and interrupts

MODEL_OPTIONS = (
    Option("symmetry", str, "aggregate", "identical (a,s,o) requests: aggregate into one integer column "
           "per start, order their starts, or none", ("aggregate", "order", "none")),
    Option("cuts", str, "peak", "root cuts: peak-level cliques (formulations/time-indexed-ip.md) or none",
           ("peak", "none")),
    Option("cut_rounds", int, 100, "maximum separation rounds of the root cut loop (it also stops when "
           "the bound stalls)"),
    Option("horizon", int, None, "last start period modelled exactly (default: makespan of the "
           "incumbent; later starts go to overflow columns, so any value stays exact)"),
    Option("incumbent", str, "best", "best: run the registered heuristics for horizon, eliminations and "
           "warm start; none: the plain model with T = max a + sum o", ("best", "none")),
    Option("reductions", bool, True, "drop starts that cannot beat the incumbent and memory rows that "
           "cannot bind"),
    Option("max_nonzeros", int, 20_000_000, "refuse to build a model with more matrix nonzeros than this "
           "(memory rows alone; about 100 bytes each in scipy and HiGHS together)"),
)


@dataclass
class Prepared:
    """The incumbent, the horizon and the model-building choices shared by ip, lp and cpsat."""

    incumbent: object | None  # kvopt.formulations.incumbent.Incumbent
    horizon: int
    upper_bound: int | None
    info: dict = field(default_factory=dict)
    log: list = field(default_factory=list)


def _check(settings: Settings, method: str) -> None:
    options = settings.options
    where = f"method {method!r}"
    if options.get("horizon") is not None and options["horizon"] < 0:
        raise InputError(f"option 'horizon' must be >= 0, got {options['horizon']}", where)
    if options.get("cut_rounds", 0) < 0:
        raise InputError(f"option 'cut_rounds' must be >= 0, got {options['cut_rounds']}", where)
    gap = options.get("gap", 0.0)
    if not 0.0 <= gap < 1.0:
        raise InputError(f"option 'gap' must be in [0, 1), got {gap}", where)


def prepare(instance: Instance, settings: Settings, method: str) -> Prepared:
    from kvopt.formulations.incumbent import best_incumbent
    from kvopt.formulations.timeindexed import paper_horizon

    _check(settings, method)
    options = settings.options
    incumbent = None
    info: dict = {}
    if options["incumbent"] == "best":
        clock = time.perf_counter()
        incumbent = best_incumbent(instance, settings.time_left())
        info.update(incumbent_method=incumbent.method, incumbent_objective=incumbent.objective,
                    heuristics_tried=dict(incumbent.tried),
                    incumbent_s=round(time.perf_counter() - clock, 3))
    horizon = options.get("horizon")
    if horizon is None:
        horizon = incumbent.makespan(instance) if incumbent else paper_horizon(instance)
    upper_bound = incumbent.objective if incumbent else None
    info["horizon"] = horizon
    return Prepared(incumbent, horizon, upper_bound, info)


def build_model(instance: Instance, settings: Settings, prepared: Prepared, horizon: int):
    from kvopt.formulations.sizes import nonzeros_at_most
    from kvopt.formulations.timeindexed import build_time_indexed

    upper_bound = prepared.upper_bound if settings.options["reductions"] else None
    estimate = nonzeros_at_most(instance, horizon, upper_bound)
    if estimate > settings.options["max_nonzeros"]:
        raise SolveError(f"the time-indexed model of {len(instance)} requests with horizon {horizon} would have "
                         f"up to {estimate:,} nonzeros (limit {settings.options['max_nonzeros']:,}, option "
                         f"max_nonzeros); use a heuristic, a smaller instance or a smaller -o horizon")
    clock = time.perf_counter()
    model = build_time_indexed(instance, horizon, upper_bound=prepared.upper_bound,
                               symmetry=settings.options["symmetry"],
                               reductions=settings.options["reductions"])
    prepared.info["build_s"] = round(time.perf_counter() - clock, 4)
    return model


def _deadline(settings: Settings, share: float = 1.0) -> float | None:
    left = settings.time_left()
    return None if left is None else time.monotonic() + share * left


def strengthened_root(instance, settings, prepared, model, leave_time_for_mip: bool = False):
    """LP relaxation of `model` in a fresh Highs object, then the cut loop (if cuts=peak). With
    leave_time_for_mip the cut loop stops at CUT_SHARE of the time left, unless that would not leave
    branch and bound enough time anyway (then the cuts get all of it)."""
    from kvopt.formulations.highs_solver import root_bound, to_highs

    def cut_deadline(plain_seconds: float) -> float | None:
        left = settings.time_left()
        if left is None:
            return None
        if leave_time_for_mip and left >= 4 * ROOT_LP_MARGIN * plain_seconds:
            return time.monotonic() + CUT_SHARE * left
        return time.monotonic() + left

    highs = to_highs(model, integer=False, threads=settings.threads)
    rounds = settings.options["cut_rounds"] if settings.options["cuts"] == "peak" else 0
    root = root_bound(model, highs, cut_rounds=rounds, deadline=_deadline(settings), cut_deadline=cut_deadline,
                      log=prepared.log.append)
    prepared.info.update(lp_relaxation=root.plain, root_bound=root.strengthened, cuts_added=root.cuts,
                         cut_rounds_done=root.rounds, cut_loop=root.stopped)
    return highs, root


@register("ip", kind="exact",
          summary="time-indexed integer program (paper §3) with peak-level cuts, solved by HiGHS",
          options=MODEL_OPTIONS + (
              Option("builder", str, "highs", "highs: arrays passed to highspy (fast); pyomo: the same "
                     "model built in Pyomo and solved through APPSI", ("highs", "pyomo")),
              Option("gap", float, 0.0, "stop at this relative gap (0: prove optimality)"),
              Option("warm_start", bool, True, "give the incumbent to HiGHS as its first solution"),
              Option("presolve", bool, False, "HiGHS MIP presolve (off by default: it ignores the "
                     "time limit)"),
          ))
def run_ip(instance: Instance, settings: Settings) -> Outcome:
    from kvopt.formulations.highs_solver import integer_bound
    from kvopt.formulations.incumbent import lp_rounding, solution_starts

    prepared = prepare(instance, settings, "ip")
    best = Best.of_incumbent(prepared.incumbent)
    bound: float | None = None
    horizon = prepared.horizon
    extensions = 0
    while True:
        model = build_model(instance, settings, prepared, horizon)
        highs, root = strengthened_root(instance, settings, prepared, model, leave_time_for_mip=True)
        bound = _max(bound, root.strengthened)
        model = root.model
        prepared.info.update(model_sizes=model.sizes())
        if root.values is not None:  # a schedule from the LP point, before (or instead of) branch and bound
            starts, value, rule = lp_rounding(instance, model, root.values)
            prepared.log.append(f"LP rounding ({rule}): total latency {value}")
            best.offer(starts, value, f"{rule} rounding")
        run = _branch_and_bound(highs, root, settings, prepared, best)
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
    status = Status.OPTIMAL if lower is not None and lower >= best.objective else Status.FEASIBLE
    return Outcome(best.schedule, status, lower_bound=lower, claimed_objective=best.objective,
                   log=tuple(prepared.log), info=prepared.info)


def _max(bound: float | None, other: float | None) -> float | None:
    return other if bound is None else bound if other is None else max(bound, other)


@dataclass
class Best:
    """The best schedule found so far, its total latency and where it came from."""

    schedule: object = None  # kvopt.schedule.Schedule
    objective: int | None = None
    source: str | None = None

    @classmethod
    def of_incumbent(cls, incumbent) -> Best:
        if incumbent is None:
            return cls()
        return cls(incumbent.schedule, incumbent.objective, f"incumbent ({incumbent.method})")

    def offer(self, starts: dict[str, int], objective: int, source: str, method: str = "ip") -> None:
        from kvopt.schedule import Schedule
        if self.objective is None or objective < self.objective:
            self.schedule = Schedule(starts, metadata={"method": method})
            self.objective, self.source = objective, source


def _branch_and_bound(highs, root, settings: Settings, prepared: Prepared, best: Best):
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
    start = None
    if best.schedule is not None and options["warm_start"]:
        start = model.values_from_starts(dict(best.schedule.starts))
    if options["builder"] == "highs":
        set_integer(highs, model.columns)
        run = solve_mip(highs, model, deadline=_deadline(settings), gap=options["gap"], start=start,
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
    return run


@register("lp", kind="bound",
          summary="LP relaxation of the time-indexed IP (with peak-level cuts unless -o cuts=none)",
          options=MODEL_OPTIONS)
def run_lp(instance: Instance, settings: Settings) -> Outcome:
    from kvopt.formulations.highs_solver import integer_bound

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
          ) + tuple(Option(o.name, o.type, "none" if o.name == "cuts" else o.default,
                           o.help + ("" if o.name == "incumbent" else " (timeindexed encoding)"), o.choices)
                    for o in MODEL_OPTIONS))
def run_cpsat(instance: Instance, settings: Settings) -> Outcome:
    from kvopt.formulations import cpsat
    from kvopt.formulations.highs_solver import integer_bound

    prepared = prepare(instance, settings, "cpsat")
    options = settings.options
    incumbent = prepared.incumbent
    upper_bound = prepared.upper_bound
    if upper_bound is None:
        serial = cpsat.serial_starts(instance)
        upper_bound = sum(serial[r.id] + r.output - r.arrival for r in instance.requests)
        prepared.info["domain_bound_from"] = "serial schedule"
    hint = dict(incumbent.schedule.starts) if incumbent else None
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
    run = cpsat.solve_cp(instance, build, time_limit=settings.time_left(), threads=settings.threads,
                         seed=settings.seed)
    prepared.info.update(cp_status=run.status, cp_s=round(run.seconds, 3), cp_bound=run.bound)
    if run.status in ("INFEASIBLE", "MODEL_INVALID"):
        raise SolveError(f"cpsat: CP-SAT reports {run.status} for a problem that always has a schedule")
    found = Best.of_incumbent(incumbent)
    if run.starts is not None:
        found.offer(run.starts, run.objective, run.origin, method="cpsat")
    schedule, objective = found.schedule, found.objective
    prepared.info["schedule_source"] = found.source
    lower = integer_bound(run.bound) if run.bound is not None and math.isfinite(run.bound) else None
    if schedule is None:
        return Outcome(None, Status.TIMEOUT, lower_bound=lower, log=tuple(prepared.log), info=prepared.info)
    proven = run.status == "OPTIMAL" and not run.late_used
    status = Status.OPTIMAL if proven or (lower is not None and lower >= objective) else Status.FEASIBLE
    return Outcome(schedule, status, lower_bound=lower, claimed_objective=objective,
                   log=tuple(prepared.log), info=prepared.info)


def exported_model(instance: Instance, options: dict, time_limit: float | None, threads: int):
    """The model `ip` would solve, with the same options (validated as the `lp` method's), including the
    root cuts: (TimeIndexedModel, info)."""
    from kvopt.catalogue import get_method

    settings = get_method("lp").settings(time_limit, 0, threads, options)
    prepared = prepare(instance, settings, "export")
    model = build_model(instance, settings, prepared, prepared.horizon)
    if settings.options["cuts"] == "peak":
        _, root = strengthened_root(instance, settings, prepared, model)
        model = root.model
    return model, prepared.info
