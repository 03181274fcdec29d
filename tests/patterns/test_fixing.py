"""Reduced-cost fixing and the exact method `pattern-fix`: a schedule keeps all its starts when the fixing
aims at anything up to its total latency (an optimal one, and any feasible one at its own target), the
method finds the optimum, and its target search never claims a bound above the optimum."""

import numpy as np
import pytest

from kvopt import solve
from kvopt.generate.paper import paper_synthetic
from kvopt.catalogue import get_method
from kvopt.patterns.bound import dyadic, lagrangian
from kvopt.patterns.fixing import PROBE_MIN_S, allowed_starts, probe_seconds
from kvopt.patterns.pricing import Classes, compiled_available, through
from kvopt.result import Status
from tests.oracles import brute_force_optimum, random_instance

needs_compiled = pytest.mark.skipif(not compiled_available(), reason="C pricing extension not built")


def assert_keeps_its_starts(instance, classes, prices, target, schedule):
    """Fixing at `target` keeps every start of `schedule` (whose total latency is below it)."""
    allowed = allowed_starts(classes, prices, through(classes, instance.memory, prices), target)
    for k, members in enumerate(classes.members):
        for member in members:
            assert schedule.starts[instance.requests[member].id] in set(allowed[k].tolist())


@needs_compiled
@pytest.mark.parametrize("seed", range(30))
def test_an_optimal_schedule_keeps_every_start(seed):
    instance = random_instance(seed, (3, 6), arrivals=seed % 2 == 1, twins=0.3 if seed % 3 == 0 else 0.0)
    optimal = solve(instance, "exact")
    assert optimal.status is Status.OPTIMAL
    upper = optimal.objective + 1  # fixing for schedules of total latency <= the optimum
    classes = Classes.of(instance, upper)
    rng = np.random.default_rng(seed)
    latency = np.array([optimal.schedule.starts[instance.requests[m[0]].id] + classes.output[k]
                        - classes.arrival[k] for k, m in enumerate(classes.members)], dtype=float)
    prices = dyadic(latency + rng.uniform(-2, 2, len(classes)))  # prices near the optimum's latencies
    assert_keeps_its_starts(instance, classes, prices, upper, optimal.schedule)


@pytest.mark.parametrize("seed", range(10))
def test_pattern_fix_finds_and_proves_the_optimum(seed):
    instance = random_instance(seed, (4, 7), arrivals=seed % 2 == 0)
    result = solve(instance, "pattern-fix", time_limit=60)
    assert result.objective == brute_force_optimum(instance)
    assert result.status is Status.OPTIMAL


@needs_compiled
def test_pattern_fix_proves_a_paper_prefix_that_the_pattern_bound_alone_leaves_open():
    full = paper_synthetic(1, 1, 0)
    instance = full.replace_requests(full.requests[:12], name="paper-m1-s1-000-n12")
    bound = solve(instance, "pattern", time_limit=60, columns=False)
    result = solve(instance, "pattern-fix", time_limit=120, columns=False)
    assert result.status is Status.OPTIMAL
    assert bound.lower_bound < result.objective
    assert result.info["lower_bound_source"] == "fixing + restricted CP-SAT"


@needs_compiled
@pytest.mark.parametrize("seed", range(20))
def test_any_schedule_keeps_its_starts_at_its_own_target(seed):
    """Target fixing (target T below UB) keeps every start of every schedule of total latency <= T - 1:
    here a policy's schedule, not an optimal one, at T = its total latency + 1, with the best prices."""
    instance = random_instance(seed, (4, 7), arrivals=seed % 2 == 0, twins=0.3 if seed % 3 == 0 else 0.0)
    schedule = solve(instance, ("fcfs", "mcsf", "sorted-f")[seed % 3])
    target = schedule.objective + 1
    settings = get_method("pattern-fix").settings(30, 0, 1, {"columns": seed % 2 == 0}, schedule.schedule, None)
    search = lagrangian(instance, settings).search
    classes, prices = search.classes, search.best_prices
    assert_keeps_its_starts(instance, classes, prices, target, schedule.schedule)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("limit", [0.3, 3.0])
def test_pattern_fix_bound_never_exceeds_the_optimum_under_any_time_limit(seed, limit):
    instance = random_instance(100 + seed, (5, 8), arrivals=seed % 2 == 0)
    result = solve(instance, "pattern-fix", time_limit=limit)
    optimum = brute_force_optimum(instance)
    assert result.lower_bound is None or result.lower_bound <= optimum <= result.objective


@needs_compiled
def test_target_search_closes_a_weak_incumbent_from_below():
    """From a poor incumbent (FCFS), the probes prove the optimum bottom-up: the bound comes from
    the fixing and a probe finds the optimal schedule."""
    full = paper_synthetic(1, 1, 1)
    instance = full.replace_requests(full.requests[:10], name="paper-m1-s1-001-n10")
    start = solve(instance, "fcfs")
    result = solve(instance, "pattern-fix", time_limit=120, initial_schedule=start.schedule)
    assert result.status is Status.OPTIMAL and result.objective == solve(instance, "exact").objective
    assert result.objective < start.objective and result.info["probes"] >= 1


def test_a_probe_slice_grows_with_its_share_and_ends_as_all_the_time_left():
    assert probe_seconds(100.0, 0.1) == pytest.approx(10.0)
    assert probe_seconds(1.0, 0.1) == pytest.approx(PROBE_MIN_S)
    assert probe_seconds(None, 0.2) == pytest.approx(2 * PROBE_MIN_S)
    assert probe_seconds(100.0, 1.0) is None and probe_seconds(None, 1.0) is None


def test_a_stalled_probe_near_the_bound_is_followed_by_one_probe_at_the_upper_bound(monkeypatch):
    """The probe sequence of target_search with CP-SAT replaced by a script: (starts, objective, bound,
    infeasible) per probe."""
    from types import SimpleNamespace

    import kvopt.patterns.fixing as fixing
    from kvopt.schedule import Schedule
    undecided = (None, None, None, False)
    script = [undecided, ({"r0": 0}, 97, None, False), undecided, undecided, (None, None, None, True)]
    targets, slices = [], []

    def scripted(instance, allowed, target, hint, settings, log, seconds, lower=None):
        targets.append(target)
        slices.append(seconds)
        return script[len(targets) - 1]

    monkeypatch.setattr(fixing, "restricted_search", scripted)
    monkeypatch.setattr(fixing, "allowed_starts", lambda *args: [np.array([0])])
    settings = SimpleNamespace(expired=lambda: len(targets) == len(script), interrupted=False,
                               time_left=lambda: 100.0, report=lambda text: None)
    search = SimpleNamespace(classes=None, best_prices=None, best=89.5)
    info = {}
    schedule, objective, proven = fixing.target_search(None, settings, search, None, Schedule({"r0": 3}),
                                                       100, 90, [], info)
    assert targets == [91, 100, 91, 97, 91]  # stall, upper probe (finds 97), stall, upper probe, proof
    assert slices == [10.0, 10.0, 10.0, 10.0, 20.0]  # the second fruitless probe at the upper bound doubles it
    assert (schedule, objective, proven) == ({"r0": 0}, 97, 91) and info["probes"] == 5
