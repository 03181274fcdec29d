"""Reduced-cost fixing and the exact method `pattern-fix`: an optimal schedule keeps all its starts when
the fixing aims at anything better than a worse total latency, and the method finds the optimum."""

import numpy as np
import pytest

from kvopt import solve
from kvopt.generate.paper import paper_synthetic
from kvopt.patterns.bound import dyadic
from kvopt.patterns.fixing import allowed_starts
from kvopt.patterns.pricing import Classes, compiled_available, through
from kvopt.result import Status
from tests.oracles import brute_force_optimum, random_instance

needs_compiled = pytest.mark.skipif(not compiled_available(), reason="C pricing extension not built")


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
    via = through(classes, instance.memory, prices)
    allowed = allowed_starts(classes, prices, via, upper)
    for k, members in enumerate(classes.members):
        for member in members:
            assert optimal.schedule.starts[instance.requests[member].id] in set(allowed[k].tolist())


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
