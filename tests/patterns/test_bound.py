"""The `pattern` bound: valid on tiny instances, at least the peak-cut LP, and exactly the optimum on an
instance where the LP is not (a case the formulation document quotes)."""

import pytest

from kvopt import solve
from kvopt.generate.paper import paper_synthetic
from kvopt.result import Status, integer_bound
from tests.oracles import brute_force_optimum, random_instance


@pytest.mark.parametrize("seed", range(8))
def test_the_bound_is_valid_and_at_least_the_lp(seed):
    instance = random_instance(seed, (4, 6), arrivals=seed % 2 == 0)
    result = solve(instance, "pattern", time_limit=30)
    assert result.status is Status.BOUND
    assert result.lower_bound <= brute_force_optimum(instance)
    lp = result.info["lp_bound"]
    assert result.lower_bound >= integer_bound(lp)


def test_the_bound_closes_the_gap_the_lp_leaves_on_a_paper_prefix():
    full = paper_synthetic(1, 1, 0)
    instance = full.replace_requests(full.requests[:10], name="paper-m1-s1-000-n10")
    bound = solve(instance, "pattern", time_limit=60)
    optimum = solve(instance, "exact", time_limit=60)
    assert optimum.status is Status.OPTIMAL
    assert integer_bound(bound.info["lp_bound"]) < optimum.objective
    assert bound.lower_bound == optimum.objective


def test_without_column_generation_the_lp_prices_alone_give_a_bound():
    instance = random_instance(5, 6)
    result = solve(instance, "pattern", time_limit=30, columns=False)
    assert result.info["evaluations"] == 2  # the probe at the incumbent's latencies, then the LP's prices
    assert result.lower_bound <= brute_force_optimum(instance)


def test_a_state_limit_falls_back_to_the_lp_bound():
    instance = random_instance(2, 6)
    result = solve(instance, "pattern", time_limit=30, max_states=1)
    assert result.info["lower_bound_source"] == "lp"
    assert "state limit" in result.info["pricing_limits"]


def test_ctrl_c_during_pricing_keeps_the_bound_so_far():
    import os
    import signal
    import threading

    full = paper_synthetic(2, 1, 1)
    instance = full.replace_requests(full.requests[:20], name="paper-m2-s1-001-n20")  # 40M+ pricing states
    timer = threading.Timer(3.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        result = solve(instance, "pattern", time_limit=120, max_states=50_000_000)
    finally:
        timer.cancel()
    assert result.interrupted
    assert result.status is Status.BOUND and result.lower_bound is not None
    assert result.runtime_s < 30  # the pricing program answers Ctrl-C within a round


@pytest.mark.parametrize("option, value", [("max_states", 0), ("beam", 0), ("exact_every", 0),
                                           ("smoothing", 1.0), ("smoothing", -0.1), ("cut_rounds", -1)])
def test_bad_options_are_refused_with_their_name(option, value):
    from kvopt import InputError
    with pytest.raises(InputError, match=option):
        solve(random_instance(1, 3), "pattern", **{option: value})


def test_memory_beyond_sixteen_bits_is_refused():
    from kvopt import InputError
    from kvopt.instance import Instance, Request
    with pytest.raises(InputError, match="16 bits"):
        solve(Instance(70_000, (Request("a", 0, 5, 3),)), "pattern")


def test_without_a_fallback_an_instance_the_program_does_not_fit_gets_no_bound():
    instance = random_instance(2, 6)
    result = solve(instance, "pattern", time_limit=30, max_states=1, fallback="none")
    assert result.status is Status.TIMEOUT and result.info["fits"] is False
