"""order-search: the decoder places every request at its earliest feasible period (checked against a
naive round-by-round placement), the search never returns worse than what it was handed, reaches proven
optima on small instances, and keeps distant arrivals apart without an array as long as the gap."""

import numpy as np
import pytest

from kvopt import Instance, Request, Schedule, solve
from kvopt.methods.order_search import compressed_arrivals, decode, memory_in_use
from tests.oracles import brute_force_optimum, memory_per_round, random_instance


def naive_decode(instance, order):
    """Place each request in `order` at the first period where it fits, testing round by round."""
    load, starts = {}, {}
    for i in order:
        r = instance.requests[i]
        t = r.arrival
        while any(load.get(t + j, 0) + r.prompt + j + 1 > instance.memory for j in range(r.output)):
            t += 1
        for j in range(r.output):
            load[t + j] = load.get(t + j, 0) + r.prompt + j + 1
        starts[i] = t
    return [starts[i] for i in range(len(instance.requests))]


@pytest.mark.parametrize("seed", range(25))
def test_the_decoder_places_each_request_at_its_earliest_feasible_period(seed):
    instance = random_instance(seed, (2, 9))
    order = list(np.random.default_rng(seed).permutation(len(instance.requests)))
    outputs, prompts = instance.outputs.astype(np.int64), instance.prompts.astype(np.int64)
    arrivals = instance.arrivals.astype(np.int64)
    horizon = int(arrivals.max() + outputs.sum() + 200)
    starts = decode(order, arrivals, prompts, outputs, instance.memory, horizon)
    assert starts.tolist() == naive_decode(instance, order)


@pytest.mark.parametrize("seed", range(25))
def test_decoding_after_a_kept_prefix_or_giving_up_agrees_with_a_full_decoding(seed):
    instance = random_instance(seed, (2, 9))
    rng = np.random.default_rng(seed)
    n = len(instance.requests)
    outputs, prompts = instance.outputs.astype(np.int64), instance.prompts.astype(np.int64)
    arrivals = instance.arrivals.astype(np.int64)
    horizon = int(arrivals.max() + outputs.sum() + 200)
    order = list(rng.permutation(n))
    delays = rng.integers(0, 4, n)
    full = decode(order, arrivals, prompts, outputs, instance.memory, horizon, delays)
    keep = int(rng.integers(n + 1))
    changed = order[:keep] + list(rng.permutation(order[keep:]))
    expected = decode(changed, arrivals, prompts, outputs, instance.memory, horizon, delays)
    resumed = decode(changed, arrivals, prompts, outputs, instance.memory, horizon, delays, keep, full)
    assert resumed.tolist() == expected.tolist()
    total = int(expected.sum())
    assert decode(changed, arrivals, prompts, outputs, instance.memory, horizon, delays, keep, full,
                  give_up=total).tolist() == expected.tolist()
    assert decode(changed, arrivals, prompts, outputs, instance.memory, horizon, delays, keep, full,
                  give_up=total - 1) is None
    placed = {r.id: int(p) for r, p in zip(instance.requests, full)}
    rounds = memory_per_round(instance, Schedule(placed))
    used = memory_in_use(full, prompts, outputs, horizon)
    assert all(used[t] == rounds.get(t + 1, 0) for t in range(horizon))  # the oracle counts rounds from p + 1


@pytest.mark.parametrize("seed", range(12))
def test_the_search_reaches_the_optimum_on_small_instances_and_never_worsens_its_start(seed):
    instance = random_instance(seed, (3, 7))
    start = solve(instance, "fcfs")
    found = solve(instance, "order-search", initial_schedule=start.schedule, iterations=400)
    assert found.objective <= start.objective
    assert found.objective == brute_force_optimum(instance)
    assert max(memory_per_round(instance, found.schedule).values()) <= instance.memory


def test_the_greedy_counterexample_is_solved_from_the_greedy_schedule(greedy_counterexample):
    greedy = solve(greedy_counterexample, "fcfs")
    assert greedy.objective == 27
    found = solve(greedy_counterexample, "order-search", initial_schedule=greedy.schedule,
                  iterations=200)
    assert found.objective == 25


def test_arrivals_10_to_the_11_rounds_apart_decode_as_two_separate_instances():
    near = [Request("a", 0, 2, 3), Request("b", 1, 4, 2), Request("c", 1, 3, 3), Request("d", 2, 1, 4)]
    gap = 10**11
    far = near + [Request(f"{r.id}'", r.arrival + gap, r.prompt, r.output) for r in near]
    both = solve(Instance(8, tuple(far)), "order-search", iterations=300)
    alone = solve(Instance(8, tuple(near)), "order-search", iterations=300)
    assert both.objective <= 2 * alone.objective
    assert all(both.schedule.starts[r.id] >= gap for r in far if "'" in r.id)
    assert compressed_arrivals(np.array([0, 5, gap, gap + 1]), np.array([1, 1, 1, 1])).tolist() == [0, 5, 10, 11]


@pytest.mark.parametrize("seed", range(6))
def test_start_ranking_searches_as_without_an_initial_schedule_and_still_never_returns_worse(seed):
    instance = random_instance(seed, (5, 9))
    handed = solve(instance, "fcfs")
    alone = solve(instance, "order-search", iterations=60, seed=seed)
    ranked = solve(instance, "order-search", initial_schedule=handed.schedule, start="ranking", iterations=60,
                   seed=seed)
    assert ranked.objective == min(alone.objective, handed.objective)
    if alone.objective < handed.objective:
        assert dict(ranked.schedule.starts) == dict(alone.schedule.starts)
