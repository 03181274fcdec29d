"""The forward-backward pricing program (`through`): for every start worth trying, the cheapest
multi-schedule through it, checked against an enumeration of all multi-schedules on tiny instances."""

import itertools

import numpy as np
import pytest

from kvopt.patterns.bound import dyadic
from kvopt.patterns.pricing import Classes, compiled_available, price, through
from tests.oracles import random_instance

pytestmark = pytest.mark.skipif(not compiled_available(), reason="C pricing extension not built")


def tiny_case(seed):
    instance = random_instance(seed, (2, 3), memory=(4, 8), arrivals=seed % 2 == 1,
                               twins=0.4 if seed % 3 == 0 else 0.0)
    classes = Classes.of(instance)
    prices = dyadic(np.random.default_rng(seed).uniform(0, classes.output.max() + 4, len(classes)))
    return instance, classes, prices


def all_multischedules(instance, classes, prices):
    """Every memory-feasible multi-schedule whose copies all have negative reduced cost, as
    (reduced cost, set of (class, period)); copies of a class at one period at most its size."""
    reduced = classes.output - classes.arrival - prices
    starts = [(k, t) for k in range(len(classes)) for t in range(int(classes.arrival[k]), 200)
              if t + reduced[k] < 0]
    found = []

    def extend(position, load, cost, chosen):
        found.append((cost, frozenset(chosen)))
        for index in range(position, len(starts)):
            k, t = starts[index]
            for copies in range(1, int(classes.size[k]) + 1):
                extra = {t + j: copies * (classes.prompt[k] + 1 + j) for j in range(classes.output[k])}
                if all(load.get(r, 0) + m <= instance.memory for r, m in extra.items()):
                    grown = dict(load)
                    for r, m in extra.items():
                        grown[r] = grown.get(r, 0) + m
                    extend(index + 1, grown, cost + copies * (t + reduced[k]), chosen | {(k, t)})

    extend(0, {}, 0.0, frozenset())
    return starts, found


@pytest.mark.parametrize("seed", range(40))
def test_the_cheapest_multischedule_through_every_start(seed):
    instance, classes, prices = tiny_case(seed)
    starts, schedules = all_multischedules(instance, classes, prices)
    result = through(classes, instance.memory, prices)
    assert result.value == min(cost for cost, _ in schedules) == price(classes, instance.memory, prices).value
    for start in starts:
        costs = [cost for cost, chosen in schedules if start in chosen]
        expected = min(costs) if costs else None
        assert result.via.get(start) == pytest.approx(expected, abs=1e-9) if expected is not None \
            else start not in result.via
    assert set(result.via) <= set(starts)


def test_limits_stop_the_program():
    instance, classes, prices = tiny_case(3)
    assert through(classes, instance.memory, prices, max_states=1).status == "state limit"
    assert through(classes, instance.memory, prices, max_states=1).value is None
