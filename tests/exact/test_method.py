"""The `exact` method: agreement with a test-only brute force, paper values, anytime bounds, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT, homogeneous, run_cli
from kvopt import InputError, Instance, Request, Status, read_instance, solve
from kvopt.exact.classes import request_classes
from kvopt.exact.node_bounds import NodeBounds
from tests.oracles import brute_force_optimum, random_instance

PAPER_VALUES = {(9, 1, 3, 5): (25, 27), (9, 1, 3, 6): (33, 36), (11, 1, 4, 5): (34, 36),
                (11, 1, 4, 6): (45, 48), (12, 1, 4, 6): (42, 43)}   # OPT, greedy


@pytest.mark.parametrize("parameters", sorted(PAPER_VALUES))
def test_paper_homogeneous_values(parameters):
    optimum, greedy = PAPER_VALUES[parameters]
    instance = homogeneous(*parameters)
    result = solve(instance, "exact")
    assert result.status is Status.OPTIMAL and result.objective == optimum
    assert solve(instance, "fcfs").objective == greedy


def test_the_counterexample_optimum_staggers_starts(greedy_counterexample):
    result = solve(greedy_counterexample, "exact")
    assert sorted(result.schedule.starts.values()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("arrivals", [False, True])
@pytest.mark.parametrize("identical", [False, True])
def test_agrees_with_brute_force_on_random_small_instances(arrivals, identical):
    rng = np.random.default_rng([5, arrivals, identical])
    for trial in range(30):
        n = int(rng.integers(1, 7)) if trial % 10 else 7
        instance = random_instance(rng, n, memory=(4, 12), max_output=5, arrivals=arrivals, same_prompt=identical)
        if n == 7 and not arrivals and not identical:
            continue   # the brute force alone takes seconds there
        expected = brute_force_optimum(instance)
        result = solve(instance, "exact")
        assert result.status is Status.OPTIMAL, instance
        assert result.objective == expected, instance


@pytest.mark.parametrize("option", ["dominance", "left_shift", "chain_bound"])
def test_each_rule_can_be_switched_off_without_changing_the_optimum(option):
    rng = np.random.default_rng(17)
    for _ in range(8):
        instance = random_instance(rng, 6, memory=(4, 12), max_output=5, arrivals=None)
        with_rule = solve(instance, "exact").objective
        assert solve(instance, "exact", **{option: False}).objective == with_rule


def test_node_bounds_at_the_root_never_exceed_the_optimum():
    rng = np.random.default_rng(23)
    for _ in range(40):
        instance = random_instance(rng, (2, 6), memory=(4, 12), max_output=5, arrivals=None)
        classes = request_classes(instance)
        bound = NodeBounds(instance.memory, classes).remaining(0, (0,) * len(classes), (), (), 0)
        latency_bound = bound + sum(r.output - r.arrival for r in instance.requests)
        assert latency_bound <= brute_force_optimum(instance)


def test_the_chain_bound_sees_that_big_requests_cannot_overlap():
    # four requests with peak 9 of M = 10 never overlap: the optimum is serial, 5 + 10 + 16 + 22
    instance = Instance(10, tuple(Request(f"r{k}", 0, 4, 5) for k in range(2)) +
                        tuple(Request(f"q{k}", 0, 3, 6) for k in range(2)))
    classes = request_classes(instance)
    root = (0, (0,) * len(classes), (), (), 0)
    with_chain = NodeBounds(instance.memory, classes).remaining(*root) + 22
    without = NodeBounds(instance.memory, classes, use_chain=False).remaining(*root) + 22
    assert solve(instance, "exact").objective == 53
    assert without < with_chain == 51   # c_(k) >= 5 + (k-1 smallest gaps 5, 5, 5)


def test_node_limits_give_valid_bounds_and_never_a_wrong_optimum():
    rng = np.random.default_rng(31)
    for _ in range(12):
        instance = random_instance(rng, 6, memory=(4, 12), max_output=5, arrivals=None)
        optimum = brute_force_optimum(instance)
        for limit in (1, 3, 10, 40):
            result = solve(instance, "exact", max_nodes=limit, dive_every=0)
            assert result.lower_bound <= optimum <= result.objective
            if result.status is Status.OPTIMAL:
                assert result.objective == optimum


def test_time_limit_on_a_paper_sized_instance_returns_schedule_and_bound():
    instance = read_instance(ROOT / "instances" / "paper-sample" / "paper-m1-s0-000.json")
    result = solve(instance, "exact", time_limit=1.0)
    assert result.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert sum(r.output for r in instance.requests) <= result.lower_bound <= result.objective
    assert result.objective <= solve(instance, "fcfs").objective
    assert result.info["stopped"] in ("time limit", "proved")


def test_bad_options_are_input_errors(greedy_counterexample):
    with pytest.raises(InputError, match="max_nodes"):
        solve(greedy_counterexample, "exact", max_nodes=0)
    with pytest.raises(InputError, match="dive_every"):
        solve(greedy_counterexample, "exact", dive_every=-1)
    with pytest.raises(InputError, match="unknown option"):
        solve(greedy_counterexample, "exact", depth=3)


def test_cli_solves_the_bundled_counterexample():
    done = run_cli("solve", "instances/small/homogeneous_m9_s1_o3_n5.json", "--method", "exact", "--json")
    assert done.returncode == 0, done.stderr
    assert '"objective": 25' in done.stdout and '"status": "optimal"' in done.stdout
    bad = run_cli("solve", "instances/small/homogeneous_m9_s1_o3_n5.json", "--method", "exact",
                  "-o", "max_nodes=abc")
    assert bad.returncode == 2 and "max_nodes" in bad.stderr


@pytest.mark.parametrize("path", sorted((ROOT / "instances" / "counterexamples").glob("*.json")),
                         ids=lambda p: p.stem)
def test_counterexample_files_state_true_values(path):
    instance = read_instance(path)
    optimum = solve(instance, "exact")
    assert optimum.status is Status.OPTIMAL
    assert optimum.objective == instance.metadata["optimum"]
    assert solve(instance, "fcfs").objective == instance.metadata["greedy_fcfs"] > optimum.objective
