"""The pricing program: the C extension and the Python reference agree, the multi-schedule returned has
the value returned, is memory-feasible and respects the copy limits, and L(pi) never exceeds the optimum."""

import shutil

import numpy as np
import pytest

from kvopt.patterns.bound import dyadic
from kvopt.patterns.pricing import Classes, compiled_available, price
from tests.oracles import brute_force_optimum, random_instance

needs_compiled = pytest.mark.skipif(not compiled_available(), reason="C pricing extension not built")


def random_case(seed):
    instance = random_instance(seed, (2, 6), arrivals=seed % 2 == 1, twins=0.3 if seed % 3 == 0 else 0.0)
    classes = Classes.of(instance)
    rng = np.random.default_rng(seed)
    prices = dyadic(rng.uniform(0, 3 * classes.output.max() + 5, len(classes)))
    return instance, classes, prices


def memory_feasible(instance, classes, starts):
    load = {}
    for k, t in starts:
        for j in range(classes.output[k]):
            load[t + j] = load.get(t + j, 0) + classes.prompt[k] + j + 1
    return all(value <= instance.memory for value in load.values())


@needs_compiled
@pytest.mark.parametrize("seed", range(120))
def test_compiled_and_reference_programs_agree(seed):
    instance, classes, prices = random_case(seed)
    fast = price(classes, instance.memory, prices)
    slow = price(classes, instance.memory, prices, compiled=False)
    assert fast.exact and slow.exact
    assert fast.value == slow.value


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("seed", range(60))
def test_the_cheapest_multischedule_is_feasible_and_has_the_value(seed, compiled):
    if compiled and not compiled_available():
        pytest.skip("C pricing extension not built")
    instance, classes, prices = random_case(seed)
    found = price(classes, instance.memory, prices, compiled=compiled)
    assert found.value == sum(t + classes.output[k] - classes.arrival[k] - prices[k] for k, t in found.starts)
    assert memory_feasible(instance, classes, found.starts)
    per_period = {}
    for k, t in found.starts:
        assert t >= classes.arrival[k]
        per_period[k, t] = per_period.get((k, t), 0) + 1
    assert all(count <= classes.size[k] for (k, _), count in per_period.items())


@pytest.mark.parametrize("seed", range(60))
def test_the_lagrangian_bound_never_exceeds_the_optimum(seed):
    instance, classes, prices = random_case(seed)
    found = price(classes, instance.memory, prices)
    bound = float(np.dot(classes.size, prices)) + found.value
    assert bound <= brute_force_optimum(instance)


def test_an_upper_bound_only_removes_starts_that_cannot_be_optimal():
    for seed in range(20):
        instance, _, _ = random_case(seed)
        optimum = brute_force_optimum(instance)
        classes = Classes.of(instance, upper_bound=optimum)
        prices = dyadic(np.full(len(classes), 4.0 * classes.output.max()))
        found = price(classes, instance.memory, prices)
        assert float(np.dot(classes.size, prices)) + found.value <= optimum


def test_beam_pricing_is_not_exact_and_limits_stop_the_program():
    instance, classes, prices = random_case(3)
    beam = price(classes, instance.memory, prices, width=2)
    assert beam.value is not None and not beam.exact
    exact = price(classes, instance.memory, prices)
    assert beam.value >= exact.value
    stopped = price(classes, instance.memory, prices, max_states=1)
    if exact.states > 2:
        assert stopped.value is None and stopped.status == "state limit"


@pytest.mark.parametrize("seed", range(40))
def test_elementary_requests_start_once_and_only_strengthen_the_bound(seed):
    instance, classes, prices = random_case(seed)
    singles = [k for k in range(len(classes)) if classes.size[k] == 1]
    elementary = singles[: 1 + seed % max(1, len(singles))]
    plain = price(classes, instance.memory, prices)
    strong = price(classes, instance.memory, prices, elementary=elementary)
    slow = price(classes, instance.memory, prices, elementary=elementary, compiled=False)
    assert strong.value == slow.value
    assert strong.value >= plain.value
    counts = classes.counts(strong.starts)
    assert all(counts[k] <= 1 for k in elementary)
    assert float(np.dot(classes.size, prices)) + strong.value <= brute_force_optimum(instance)


@pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None, reason="no C compiler")
def test_the_c_program_is_built_where_a_compiler_is():
    """With a compiler, the install builds kvopt/patterns/_pricing.c (optional in setup.py, so a failed
    build would otherwise pass unnoticed and every pattern bound would run the slow Python program)."""
    assert compiled_available()
