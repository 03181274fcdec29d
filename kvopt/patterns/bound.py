"""The `pattern` lower bound: Lagrangian relaxation of "every request starts exactly once" over memory-
feasible multi-schedules (formulations/pattern-relaxation.md).

For any prices pi (one per class of identical requests),

    L(pi) = sum_k |class k| pi_k + min over multi-schedules X of sum_{copies} (t + o_k - a_k - pi_k)

is a lower bound on the optimum, because every schedule is a multi-schedule with exactly |class k| copies
of each class. The minimum is computed exactly by the pricing program (kvopt.patterns.pricing); prices are
rounded to multiples of 2^-16 first, so that L(pi) is computed without rounding error and the bound is
an exact rational, rounded up to an integer as a combinatorial bound is.

Prices tried: the incumbent's latencies (a probe: where the program hits its state limit there, it does not
fit the instance and the bound is the LP's, or none with -o fallback=none), the duals of the assignment
rows of the peak-cut LP (the `lp` bound's relaxation), then, as
long as time is left, those of a column-generation master (kvopt.patterns.master) with Wentges smoothing
towards the best prices so far; columns come from a beam version of the pricing program (fast) and from
every exact evaluation. The bound returned is the best L(pi) found, or the peak-cut LP if that is higher.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.method import Option, Outcome, Settings
from kvopt.patterns.master import Master
from kvopt.patterns.pricing import Classes, Pricing, compiled_available, price
from kvopt.result import Status, integer_bound

PRICE_STEP = 2.0 ** -16  # prices are rounded to multiples of this: L(pi) is then exact in binary floating point
MAX_MEMORY = 65535
LP_SHARE = 0.4  # at most this share of the time limit goes to the peak-cut LP before the prices are tried
PROBE_SHARE = 0.05  # a first pricing run at the incumbent's latencies, before the LP, gets this share: where
# it hits the state limit the program does not fit the instance (the states pile up in the first rounds,
# whatever the prices), and the LP, the bound returned then, gets the whole time limit
PROBE_MIN_S = 3.0  # ... but at least this (or a quarter of the time), so that a loaded machine does not
# make the probe fail where the program fits

OPTIONS = (
    Option("max_states", int, 2_000_000, "give up an exact pricing run with more states than this in one "
           "round (about 150 bytes each at M = 50)"),
    Option("columns", bool, True, "after the LP's prices, improve them by column generation while time is left"),
    Option("beam", int, 200, "states kept per round by the beam pricing that proposes columns"),
    Option("smoothing", float, 0.7, "Wentges smoothing: weight of the best prices so far in the next ones",),
    Option("exact_every", int, 5, "an exact evaluation (a valid bound) every this many beam rounds"),
    Option("cut_rounds", int, 100, "rounds of peak-level cuts in the LP whose duals are the first prices"),
    Option("fallback", str, "lp", "where the pricing program does not fit the instance: lp: return the "
           "peak-cut LP's bound (computed with all the time); none: return at once without a bound (certify, "
           "whose `ip` computes that LP anyway)", ("lp", "none")),
    Option("elementary", int, 0, "at most this many single requests that the master starts twice are made "
           "elementary (started at most once by every column; 0: none, at most 64)"),
)


def dyadic(prices: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(prices, dtype=float) / PRICE_STEP) * PRICE_STEP


@dataclass
class Search:
    """The state of the bound: the best prices and L found so far, and a log."""

    classes: Classes
    memory: int
    settings: Settings
    instance: Instance
    best: float = -math.inf
    best_prices: np.ndarray | None = None
    elementary: list = field(default_factory=list)  # classes every multi-schedule starts at most once
    evaluations: int = 0
    states: int = 0
    limits: list = field(default_factory=list)
    log: list = field(default_factory=list)

    def evaluate(self, prices: np.ndarray, label: str, seconds: float | None = None) -> Pricing:
        """L(prices) by the exact program (within `seconds`, default the time left); improves `best` when it
        finishes higher."""
        prices = dyadic(prices)
        result = price(self.classes, self.memory, prices, max_states=self.settings.options["max_states"],
                       seconds=self.settings.time_left() if seconds is None else seconds,
                       elementary=self.elementary)
        self.evaluations += 1
        self.states += result.states
        if result.value is None:
            self.limits.append(result.status)
            self.log.append(f"L({label}): {result.status} after {result.states:,} states")
            return result
        value = float(np.dot(self.classes.size, prices)) + result.value
        if value > self.best:
            self.best, self.best_prices = value, prices
            self.settings.report(f"pattern bound {value:.3f} ({label})")
        self.log.append(f"L({label}) = {value:.4f} ({result.states:,} states)")
        return result


def check_options(options) -> None:
    where = "method 'pattern'"
    for name in ("max_states", "beam", "exact_every"):
        if options[name] < 1:
            raise InputError(f"option {name!r} must be >= 1, got {options[name]}", where)
    if options["cut_rounds"] < 0:
        raise InputError(f"option 'cut_rounds' must be >= 0, got {options['cut_rounds']}", where)
    if not 0.0 <= options["smoothing"] < 1.0:
        raise InputError(f"option 'smoothing' must be in [0, 1), got {options['smoothing']}", where)
    if not 0 <= options["elementary"] <= 64:
        raise InputError(f"option 'elementary' must be in 0..64, got {options['elementary']}", where)
    if options["max_states"] > 2**40:
        raise InputError(f"option 'max_states' must be at most 2^40, got {options['max_states']}", where)


@dataclass
class Lagrangian:
    """The outcome of the price search: the search (best prices and L), the prepared incumbent and
    classes, the peak-cut LP's value (None if not computed), the log, and whether the program fits."""

    search: Search
    prepared: object  # kvopt.formulations.pipeline.Prepared
    lp_value: float | None
    log: list
    fits: bool


def lagrangian(instance: Instance, settings: Settings) -> Lagrangian:
    """Probe, LP duals, column generation (the module docstring); Ctrl-C keeps the best so far."""
    from kvopt.formulations.pipeline import MODEL_OPTIONS, build_model, prepare, strengthened_root

    check_options(settings.options)
    if instance.memory > MAX_MEMORY:
        raise InputError(f"the pricing program holds memory in 16 bits: M = {instance.memory} is above "
                         f"{MAX_MEMORY}", "method 'pattern'")
    model_defaults = {option.name: option.default for option in MODEL_OPTIONS}
    options = MappingProxyType(model_defaults | {"cut_rounds": settings.options["cut_rounds"]})
    prepared = prepare(instance, replace(settings, options=options), "pattern")
    classes = Classes.of(instance, prepared.upper_bound)
    search = Search(classes, instance.memory, settings, instance=instance)
    found = Lagrangian(search, prepared, None, list(prepared.log), True)
    try:  # Ctrl-C (within a pricing round, or between solver calls): keep the best bound so far
        found.fits = probe(search, prepared.incumbent)
        if not found.fits and settings.options["fallback"] == "none":
            found.log.append("the pricing program does not fit this instance (fallback none)")
            return found
        lp_share = LP_SHARE if found.fits else 1.0
        lp_settings = replace(settings, options=options, time_limit=None if settings.time_limit is None else
                              lp_share * settings.time_limit)
        model = build_model(instance, lp_settings, prepared, prepared.horizon)
        lp, root = strengthened_root(instance, lp_settings, prepared, model)
        found.log = list(prepared.log)
        found.lp_value = root.strengthened
        if not found.fits:
            found.log.append("the pricing program does not fit this instance: the LP's bound")
        elif found.lp_value is not None and settings.expired():
            found.log.append("no time left for pricing after the LP")
        elif found.lp_value is not None:
            lp_prices = lp.row_duals()[:len(classes)]
            first = search.evaluate(lp_prices, "LP duals")
            if settings.options["columns"] and not settings.expired() and first.value is not None:
                improve(search, lp_prices, first, prepared.incumbent)
    except KeyboardInterrupt:
        settings.interrupt.set()
    return found


def best_bound(found: Lagrangian) -> tuple[int | None, str | None]:
    """The larger of the LP's and the best L as an integer bound, and which one it is."""
    candidates = [(b, source) for b, source in ((found.lp_value, "lp"), (found.search.best, "pattern"))
                  if b is not None and b > -math.inf]
    if not candidates:
        return None, None
    value, source = max(candidates)
    return (math.ceil(value) if source == "pattern" else integer_bound(value)), source  # pattern: exact


def pattern_bound(instance: Instance, settings: Settings) -> Outcome:
    clock = time.monotonic()
    found = lagrangian(instance, settings)
    search = found.search
    info = dict(found.prepared.info, compiled_pricing=compiled_available())
    log = found.log + search.log
    info.update(lp_bound=found.lp_value, pattern_bound=None if search.best == -math.inf else search.best,
                evaluations=search.evaluations, pricing_states=search.states,
                elementary_classes=len(search.elementary),
                pricing_limits=search.limits, runtime_s=round(time.monotonic() - clock, 3))
    if not found.fits:
        info["fits"] = False
    lower, source = best_bound(found)
    if lower is None:
        return Outcome(None, Status.TIMEOUT, log=tuple(log), info=info)
    info["lower_bound_source"] = source
    if settings.interrupted:
        log.append("interrupted: the best bound so far")
    return Outcome(None, Status.BOUND, lower_bound=lower, log=tuple(log), info=info)


def probe(search: Search, incumbent) -> bool:
    """L at the incumbent's latencies (each class priced at its members' mean latency), within PROBE_SHARE
    of the time limit: False if the program hits its state or time limit (it will not fit the LP's prices
    either)."""
    if incumbent is None:
        return True
    latency = {request.id: incumbent.starts[request.id] + request.output - request.arrival
               for request in search.instance.requests}
    prices = np.array([np.mean([latency[search.instance.requests[m].id] for m in members])
                       for members in search.classes.members])
    left = search.settings.time_left()
    seconds = None if left is None else max(PROBE_SHARE * left, min(PROBE_MIN_S, 0.25 * left))
    result = search.evaluate(prices, "incumbent latencies", seconds=seconds)
    return result.value is not None


def improve(search: Search, lp_prices: np.ndarray, first: Pricing, incumbent) -> None:
    """Column generation with smoothing over multi-schedules X_R (R: the elementary classes, at first none);
    whenever the master over X_R is solved as far as it can raise the integer bound, the single requests
    that its solution starts more than once join R (at most `elementary` in all) and the master is rebuilt
    from the columns that remain in X_R. Ends at the time limit, when the bound reaches the incumbent, or
    when the master over X_R starts no request twice (or R is full)."""
    options = search.settings.options
    classes = search.classes
    upper = None if incumbent is None else incumbent.objective
    columns = [(classes.cost(first.starts), classes.counts(first.starts))]
    center = search.best_prices if search.best_prices is not None else dyadic(lp_prices)
    while not search.settings.expired():
        master = Master(classes.size)
        if incumbent is not None:  # a schedule is a multi-schedule: the master is feasible from the start
            master.add(incumbent.objective, classes.size.copy())
        master.add(0, np.zeros(len(classes), dtype=np.int64))
        for cost, counts in columns:
            if all(counts[k] <= 1 for k in search.elementary):
                master.add(cost, counts)
        ended = generate_columns(search, master, center, upper)
        if ended != "solved" or (upper is not None and math.ceil(search.best - 1e-9) >= upper):
            return
        repeated = master.repeated(search.elementary, options["elementary"] - len(search.elementary))
        if not repeated:
            search.log.append(f"no request started twice by the master: R = {len(search.elementary)} classes")
            return
        search.elementary = search.elementary + repeated
        search.log.append(f"elementary classes: {len(search.elementary)} ({len(repeated)} added)")
        columns = master.columns
        center = search.best_prices


def generate_columns(search: Search, master: Master, center: np.ndarray, upper: int | None) -> str:
    """Column generation on `master` until "solved" (no column improves it, or no integer gain is left),
    "time" or "failed" (a pricing run hit its limits, or the master is infeasible)."""
    options = search.settings.options
    classes = search.classes
    alpha = options["smoothing"]
    rounds = 0
    while not search.settings.expired():
        solved = master.solve()
        if solved is None:
            search.log.append("column generation: master infeasible (no incumbent)")
            return "failed"
        value, prices, convexity = solved
        target = math.ceil(value - 1e-6) if upper is None else min(upper, math.ceil(value - 1e-6))
        if math.ceil(search.best - 1e-9) >= target:
            search.log.append(f"column generation: master {value:.3f}, no integer gain left")
            return "solved"
        rounds += 1
        trial = dyadic(alpha * center + (1 - alpha) * prices)
        column = price(classes, search.memory, trial, width=options["beam"], max_states=options["max_states"],
                       seconds=search.settings.time_left(), elementary=search.elementary)
        added = column.value is not None and _offer(master, classes, column, prices, convexity)
        if not added or rounds % options["exact_every"] == 0:
            exact = search.evaluate(trial, f"column generation round {rounds}")
            if exact.value is None:
                return "failed"
            added = _offer(master, classes, exact, prices, convexity) or added
            center = search.best_prices
            if not added and alpha == 0:
                search.log.append(f"column generation converged: master {value:.3f}")
                return "solved"
            if not added:
                alpha = 0.0  # price at the master's duals
        if rounds % 10 == 0:
            search.log.append(f"column generation round {rounds}: master {value:.3f}, best L {search.best:.3f}")
    return "time"


def _offer(master: Master, classes: Classes, column: Pricing, prices: np.ndarray, convexity: float) -> bool:
    """Add the column if its reduced cost at the master's prices is negative."""
    counts = classes.counts(column.starts)
    cost = classes.cost(column.starts)
    if cost - float(np.dot(prices, counts)) - convexity >= -1e-7:
        return False
    return master.add(cost, counts)
