"""What ip, lp, cpsat and `kvopt export` share: the options of the time-indexed model, the incumbent and
horizon, building the model under a size guard, and its LP relaxation strengthened by the root cuts."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from kvopt.errors import InputError, SolveError
from kvopt.heuristics import Incumbent
from kvopt.heuristics import incumbent as starting_incumbent
from kvopt.instance import Instance
from kvopt.method import Option, Settings

CUT_SHARE = 0.5  # at most this share of the remaining time limit goes to ip's root cut loop
ROOT_LP_MARGIN = 15.0  # B&B starts only with at least this many times the plain LP's solve time left,
# scaled by the growth of the matrix through the cuts: on the paper sample HiGHS's MIP spends 13-20x the
# plain LP time in feasibility jump and its root LP from scratch, ignoring time limit and interrupts
SIFTING_MIN_COLUMNS = 40_000  # sifting=auto: below, the whole model's re-solves were as fast or faster (paper
# sample, 60 s: 22,840 and 33,271 columns -0.1% and -0.8% bound; 60,840-81,744 columns +1.8% to +5.1%)

MODEL_OPTIONS = (
    Option("symmetry", str, "aggregate", "identical (a,s,o) requests: aggregate into one integer column "
           "per start, order their starts, or none", ("aggregate", "order", "none")),
    Option("cuts", str, "peak", "root cuts: peak-level cliques (formulations/time-indexed-ip.md) or none",
           ("peak", "none")),
    Option("cut_rounds", int, 100, "maximum separation rounds of the root cut loop (it also stops when "
           "the bound stalls)"),
    Option("cut_purge", int, 2, "the root cut loop drops a cut again after this many successive LP solves "
           "with a zero dual (0: cuts stay)"),
    Option("interleave", bool, True, "with sifting, the root cut loop re-solves once per cut round and lets "
           "columns enter on the way (each solve's Lagrangian bound counts) instead of pricing out every "
           "column before it separates"),
    Option("pricing_batch", int, 1000, "with sifting, at most this many columns join the LP per pricing "
           "round, the most negative reduced costs first"),
    Option("horizon", int, None, "last start period modelled exactly (default: makespan of the "
           "incumbent; later starts go to overflow columns, so any value stays exact)"),
    Option("incumbent", str, "best", "best: the initial schedule if one is given (`--initial`), else the "
           "better of the FCFS and shortest-first list schedules, for horizon, eliminations and warm start; "
           "none: the plain model with T = max a + sum o (no incumbent, an initial schedule is not used)",
           ("best", "none")),
    Option("reductions", bool, True, "drop starts that cannot beat the incumbent and memory rows that "
           "cannot bind"),
    Option("sifting", str, "auto", "solve the root LP over a growing subset of the start columns, priced "
           "with its duals (the same LP value): on, off, or auto (on from SIFTING_MIN_COLUMNS columns, "
           "where it is faster: formulations/time-indexed-ip.md)", ("auto", "on", "off")),
    Option("max_nonzeros", int, 20_000_000, "refuse to build a model with more matrix nonzeros than this "
           "(memory rows alone; about 100 bytes each in scipy and HiGHS together)"),
)


@dataclass
class Prepared:
    """The incumbent, the horizon and the model-building choices shared by ip, lp and cpsat."""

    incumbent: Incumbent | None
    horizon: int
    upper_bound: int | None
    info: dict = field(default_factory=dict)
    log: list = field(default_factory=list)


def _check(settings: Settings, method: str) -> None:
    options = settings.options
    where = f"method {method!r}"
    if options.get("horizon") is not None and options["horizon"] < 0:
        raise InputError(f"option 'horizon' must be >= 0, got {options['horizon']}", where)
    for name in ("cut_rounds", "cut_purge"):
        if options.get(name, 0) < 0:
            raise InputError(f"option {name!r} must be >= 0, got {options[name]}", where)
    if options.get("pricing_batch", 1) < 1:
        raise InputError(f"option 'pricing_batch' must be >= 1, got {options['pricing_batch']}", where)
    gap = options.get("gap", 0.0)
    if not 0.0 <= gap < 1.0:
        raise InputError(f"option 'gap' must be in [0, 1), got {gap}", where)


def prepare(instance: Instance, settings: Settings, method: str) -> Prepared:
    from kvopt.formulations.timeindexed import paper_horizon

    _check(settings, method)
    options = settings.options
    incumbent = None
    info: dict = {}
    if options["incumbent"] == "best":
        clock = time.perf_counter()
        incumbent = starting_incumbent(instance, settings.initial_schedule)
        info.update(incumbent_method=incumbent.source, incumbent_objective=incumbent.objective,
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


def deadline(settings: Settings, share: float = 1.0) -> float | None:
    left = settings.time_left()
    return None if left is None else time.monotonic() + share * left


def strengthened_root(instance, settings, prepared, model, leave_time_for_mip: bool = False):
    """LP relaxation of `model` (a RestrictedLP by sifting, or with -o sifting=off the whole model in
    one Highs object), then the cut loop (if cuts=peak). With leave_time_for_mip the cut loop stops at
    CUT_SHARE of the time left, unless that would not leave branch and bound enough time anyway (then the
    cuts get all of it). Returns the LP object and the RootBound."""
    from kvopt.formulations.highs_solver import FullLP, root_bound, to_highs
    from kvopt.formulations.sifting import RestrictedLP, initial_columns

    def cut_deadline(full_lp_seconds: float) -> float | None:
        left = settings.time_left()
        if left is None:
            return None
        if leave_time_for_mip and left >= 4 * ROOT_LP_MARGIN * full_lp_seconds:
            return time.monotonic() + CUT_SHARE * left
        return time.monotonic() + left

    def log(line: str) -> None:
        prepared.log.append(line)
        settings.report(line)

    sifting = settings.options.get("sifting", "auto")
    if sifting == "on" or (sifting == "auto" and model.columns >= SIFTING_MIN_COLUMNS):
        incumbent = prepared.incumbent
        values = model.values_from_starts(dict(incumbent.starts)) if incumbent else None
        lp = RestrictedLP(model, initial_columns(model, values), threads=settings.threads,
                          batch=settings.options["pricing_batch"])
    else:
        lp = FullLP(to_highs(model, integer=False, threads=settings.threads))
    rounds = settings.options["cut_rounds"] if settings.options["cuts"] == "peak" else 0
    root = root_bound(model, lp, cut_rounds=rounds, deadline=deadline(settings), cut_deadline=cut_deadline,
                      purge_after=settings.options["cut_purge"] or None,
                      interleave=settings.options["interleave"], log=log)
    prepared.info.update(lp_relaxation=root.plain, root_bound=root.strengthened, cuts_added=root.cuts,
                         cut_rounds_done=root.rounds, cut_loop=root.stopped)
    if isinstance(lp, RestrictedLP):
        prepared.info.update(lp_active_columns=int(lp.active.sum()), lp_pricing_rounds=lp.pricing_rounds)
    return lp, root
