"""`volume`, `volume-dff`: SRPT on memory volumes (and dual-feasible transforms), per position with a_i + o_i."""

import numpy as np
import pytest
from hypothesis import given, settings

from kvopt import Instance, Request, solve
from kvopt.bounds.volume import family_bound, identity_transform, srpt_completions, transforms
from tests.oracles import brute_force_optimum, random_instance, small_instances


def same(n, memory, prompt, output, arrival=0):
    return Instance(memory, tuple(Request(f"r{k}", arrival, prompt, output) for k in range(n)))


def test_srpt_by_hand():
    # job of work 4 at 0, work 1 released at 1 (preempts), work 2 at 1: completions 2, 4, 7
    assert srpt_completions([0, 1, 1], [4, 1, 2]) == [2, 4, 7]
    assert srpt_completions([3], [0]) == [3]
    assert srpt_completions([], []) == []


def test_volume_bound_by_hand():
    # M=4, three requests s=1, o=2 (volume 5): fluid completions 5/4, 10/4, 15/4 -> rounds 2, 3, 4;
    # a + o = 2, 2, 2; so 2 + 3 + 4 = 9. The transform F(w) = 2*[w > M/2] + [w = M/2] (work 3 per request at
    # speed 2) gives 1.5, 3, 4.5 -> rounds 2, 3, 5: 10. The optimum runs them one after another: 12.
    instance = same(3, 4, 1, 2)
    assert family_bound(instance, [("volume", *identity_transform(4))])[0] == 9
    assert solve(instance, "volume").lower_bound == 9
    assert solve(instance, "volume-dff").lower_bound == 10
    assert brute_force_optimum(instance) == 12


def test_counterexample_instance(greedy_counterexample):
    assert brute_force_optimum(greedy_counterexample) == 25
    value = solve(greedy_counterexample, "volume-dff").lower_bound
    assert 15 < value <= 25


def test_arrivals_shift_the_bound():
    # one request alone: its latency is exactly o whatever its arrival
    assert solve(same(1, 10, 2, 5, arrival=7), "volume-dff").lower_bound == 5


@pytest.mark.parametrize("seed", range(40))
def test_never_above_the_optimum_paper_like(seed):
    instance = random_instance(seed, 5, memory=(6, 14), arrivals=seed % 2 == 1)
    optimum = brute_force_optimum(instance)
    for method in ("volume", "volume-dff"):
        value = solve(instance, method).lower_bound
        assert sum(r.output for r in instance.requests) <= value <= optimum


@settings(max_examples=150, deadline=None)
@given(small_instances())
def test_never_above_the_optimum(instance):
    assert family_bound(instance, transforms(instance.memory))[0] <= brute_force_optimum(instance)


@settings(max_examples=100, deadline=None)
@given(small_instances(arrivals=False), small_instances(max_requests=1, arrivals=False))
def test_adding_a_request_never_lowers_the_all_at_zero_bound(instance, extra):
    """All at round 0, a superset's (k+1)-th completion bound is no earlier than the subset's k-th one,
    and its first one is at least the smallest output."""
    if extra.requests[0].peak_memory > instance.memory:
        return
    bigger = instance.replace_requests(instance.requests + (Request("extra", 0, extra.requests[0].prompt,
                                                                    extra.requests[0].output),))
    family = [("volume", *identity_transform(instance.memory))]
    smallest = min(r.output for r in bigger.requests)
    assert family_bound(bigger, family)[0] >= family_bound(instance, family)[0] + smallest


@settings(max_examples=60, deadline=None)
@given(small_instances())
def test_request_order_does_not_matter(instance):
    reversed_ = instance.replace_requests(instance.requests[::-1])
    family = transforms(instance.memory)
    assert family_bound(reversed_, family)[0] == family_bound(instance, family)[0]


def test_cli_bound_verb():
    from conftest import ROOT, run_cli
    result = run_cli("bound", str(ROOT / "instances/small/homogeneous_m9_s1_o3_n5.json"), "--method", "volume")
    assert result.returncode == 0, result.stderr
    assert "lower bound: 18" in result.stdout


def _jobs_request_by_request(instance, transform, speed):
    """The jobs as the bound computed them before they were tabulated (issue 14): one numpy pass per
    request over its memory values."""
    releases, work = [], []
    for request in instance.requests:
        values = transform(request.prompt + np.arange(1, request.output + 1, dtype=np.int64))
        positive = np.flatnonzero(values > 0)
        first = int(positive[0]) if positive.size else request.output
        releases.append((request.arrival + first) * speed)
        work.append(int(values.sum()))
    return releases, work


@settings(max_examples=60, deadline=None)
@given(small_instances(max_requests=12, max_memory=40))
def test_tabulated_jobs_equal_the_request_by_request_ones(instance):
    from kvopt.bounds.volume import transformed_jobs
    for _, transform, speed in transforms(instance.memory):
        releases, work = transformed_jobs(instance, transform, speed)
        assert (releases.tolist(), work.tolist()) == _jobs_request_by_request(instance, transform, speed)


@settings(max_examples=40, deadline=None)
@given(small_instances(max_requests=12, max_memory=40))
def test_the_bound_equals_one_srpt_run_per_transform(instance):
    from kvopt.bounds.volume import order_statistic_bounds
    best = np.sort(instance.arrivals + instance.outputs)
    for _, transform, speed in transforms(instance.memory):
        releases, work = _jobs_request_by_request(instance, transform, speed)
        best = np.maximum(best, -(-np.array(srpt_completions(releases, work), np.int64) // speed))
    assert order_statistic_bounds(instance, transforms(instance.memory))[0].tolist() == best.tolist()
