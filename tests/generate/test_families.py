"""Structured families (greedy counterexamples, adversary, fat/thin), and the small random family: structure, witness
schedules with their closed-form values, and FCFS/trivial-bound consistency. (That the witnesses are
optimal is for the exact methods to confirm.)"""

from pathlib import Path

import pytest

from kvopt import read_instance, solve, verify
from kvopt.errors import InputError
from kvopt.generate import families
from kvopt.bounds.trivial import sum_of_outputs

SMALL = Path(__file__).resolve().parents[2] / "instances" / "small"


def objectives(instance):
    return {name: verify(instance, schedule).objective for name, schedule in families.witnesses(instance).items()}


@pytest.mark.parametrize("x", [2, 3, 4, 6, 9])
@pytest.mark.parametrize("tau", [0, 1, 3, 10])
def test_adversary(x, tau):
    instance = families.adversary(x, tau)
    memory = x * (x + 1)
    assert instance.memory == memory and len(instance) == x + 1
    long, *short = instance.requests
    assert (long.arrival, long.prompt, long.output) == (0, memory - x, x)
    assert all((b.arrival, b.prompt, b.output) == (tau + 1, x, 1) for b in short)
    values = objectives(instance)
    assert values == {"a-first": x + x * (max(tau + 1, x) - tau), "b-first": 2 * x + tau + 2}
    # FCFS starts A on arrival, so the short requests wait for it: it is the a-first schedule
    assert solve(instance, "fcfs").objective == values["a-first"]
    assert sum_of_outputs(instance) <= min(values.values())
    if tau >= x - 1:
        assert min(values.values()) == 2 * x  # §5.2: A finishes before the short requests arrive


def test_adversary_ratio_grows_linearly():
    xs = (2, 4, 8, 16)
    ratios = [solve(families.adversary(x), "fcfs").objective / min(objectives(families.adversary(x)).values())
              for x in xs]
    assert ratios == [x / 2 for x in xs]  # (x + x^2) / (2x + 2) = x / 2 with n = x + 1 requests


@pytest.mark.parametrize("memory, shortest_first, thin_first", [(12, 26, 20), (16, 40, 28)])
def test_fat_thin_known_values(memory, shortest_first, thin_first):
    instance = families.fat_thin(memory)
    assert instance.metadata["fat"] == int(memory ** 0.5) and instance.metadata["thin"] == memory // 3
    assert objectives(instance) == {"shortest-first": shortest_first, "thin-first": thin_first}
    # FCFS takes the fat ones first (file order), as shortest-first does
    assert solve(instance, "fcfs").objective == shortest_first


@pytest.mark.parametrize("memory", [9, 20, 25, 37, 64])
def test_fat_thin_closed_forms(memory):
    instance = families.fat_thin(memory)
    k, m = instance.metadata["fat"], instance.metadata["thin"]
    assert objectives(instance) == {"shortest-first": k * (k + 1) // 2 + m * (k + 2),
                                    "thin-first": 2 * m + k * (k + 5) // 2}


@pytest.mark.parametrize("key", sorted(families.STAGGERING_KNOWN))
def test_staggering_known_greedy_values(key):
    memory, prompt, output, n = key
    optimum, greedy = families.STAGGERING_KNOWN[key]
    instance = families.staggering(output, n, prompt, memory)
    assert solve(instance, "fcfs").objective == greedy     # FCFS is the greedy of §4.6 on these
    assert sum_of_outputs(instance) <= optimum < greedy
    if key in families.STAGGERING_OPTIMAL_STARTS:
        assert objectives(instance)["known-optimum"] == optimum


@pytest.mark.parametrize("output", [2, 3, 4, 5])
@pytest.mark.parametrize("n", [3, 6, 12])
def test_staggering_default_memory_fits_one_start_per_round(output, n):
    instance = families.staggering(output, n)
    assert instance.memory == output + output * (output + 1) // 2
    report = verify(instance, families.witnesses(instance)["staggered"])
    assert report.feasible and report.objective == n * output + n * (n - 1) // 2
    assert report.peak_memory == (instance.memory if n >= output else report.peak_memory)


def test_staggering_beats_greedy_more_as_n_grows():
    gaps = [solve(families.staggering(3, n), "fcfs").objective - objectives(families.staggering(3, n))["staggered"]
            for n in (5, 8, 12, 20)]
    assert gaps == sorted(gaps) and gaps[0] > 0


def test_homogeneous_matches_the_bundled_counterexample():
    instance = families.homogeneous(9, 1, 3, 5)
    assert instance.requests == read_instance(SMALL / "homogeneous_m9_s1_o3_n5.json").requests
    assert instance.metadata["known"]["optimum"] == 25 and solve(instance, "fcfs").objective == 27


@pytest.mark.parametrize("arrivals", ["zero", "spread"])
@pytest.mark.parametrize("prompts", ["identical", "heterogeneous"])
def test_random_small(arrivals, prompts):
    for index in range(15):
        instance = families.random_small(3, index, arrivals=arrivals, prompts=prompts)
        assert instance == families.random_small(3, index, arrivals=arrivals, prompts=prompts)
        assert 3 <= len(instance) <= 8 and 6 <= instance.memory <= 16
        assert all(1 <= r.prompt <= 3 and 1 <= r.output <= 6 for r in instance.requests)
        assert all(0 <= r.arrival < len(instance) for r in instance.requests)
        if arrivals == "zero":
            assert set(instance.arrivals.tolist()) == {0}
        if prompts == "identical":
            assert len(set(instance.prompts.tolist())) == 1
    assert families.random_small(3, 0) != families.random_small(4, 0)


def test_bad_parameters():
    for call in (lambda: families.adversary(1), lambda: families.adversary(3, -1), lambda: families.fat_thin(2),
                 lambda: families.homogeneous(9, 0, 3, 5), lambda: families.random_small(arrivals="later"),
                 lambda: families.random_small(memory=(2, 3))):
        with pytest.raises(InputError):
            call()
