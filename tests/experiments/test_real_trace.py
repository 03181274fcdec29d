import numpy as np
import pytest

from kvopt.experiments.real_trace import (BENCHMARK, MCSF, Contender, alpha_scan, latency_over_time, latency_table,
                                          overflows, paper_contenders, prediction_study, reduction, run_all,
                                          smallest_overflow_free, throughput_lead, throughput_over_time)
from kvopt.generate import a100_trace


@pytest.fixture(scope="module")
def busy():
    """A short, overloaded trace: 600 requests at 50 per second (alpha-greedy overflows without protection)."""
    return a100_trace(50.0, 600, seed=0)


def test_paper_contenders_are_the_eight_configurations():
    contenders = paper_contenders()
    assert [c.label for c in contenders[:2]] == [MCSF, BENCHMARK]
    greedy = [c.options["alpha"] for c in contenders if c.policy == "alpha-greedy"]
    clearing = [(c.options["alpha"], c.options["beta"]) for c in contenders if c.policy == "alpha-clearing"]
    assert greedy == [0.3, 0.25]
    assert clearing == [(0.2, 0.2), (0.2, 0.1), (0.1, 0.2), (0.1, 0.1)]


def test_latency_table_and_reduction(busy):
    sims = run_all(busy, paper_contenders()[:3])
    table = {line["policy"]: line for line in latency_table(sims)}
    for label, sim in sims.items():
        latency = sim.requests["completion_s"] - sim.requests["arrival_s"]
        assert table[label]["mean_s"] == pytest.approx(latency.mean())
        assert table[label]["makespan_s"] == pytest.approx(sim.rounds[-1].clock)
    assert reduction(sims) == pytest.approx(1 - table[MCSF]["mean_s"] / table[BENCHMARK]["mean_s"])


def test_latency_over_time_averages_each_window(busy):
    sim = Contender(MCSF, "mcsf").run(busy)
    centres, means = latency_over_time(sim, windows=5)
    arrival = sim.requests["arrival_s"]
    latency = sim.requests["completion_s"] - arrival
    edges = np.linspace(0, arrival.max() + 1e-9, 6)
    first = (arrival >= edges[0]) & (arrival < edges[1])
    assert centres[0] == pytest.approx((edges[0] + edges[1]) / 2)
    assert means[0] == pytest.approx(latency[first].mean())
    assert np.nansum([means[k] * np.sum((arrival >= edges[k]) & (arrival < edges[k + 1])) for k in range(5)]) \
        == pytest.approx(latency.sum())


def test_throughput_over_a_common_clock(busy):
    sims = run_all(busy, paper_contenders()[:2])
    end = max(s.rounds[-1].clock for s in sims.values())
    series = throughput_over_time(sims[MCSF], 10, end)
    width = end / 10
    processed = sum(r.requests + r.prefill_tokens for r in sims[MCSF].rounds)
    assert series["processed"].sum() * width == pytest.approx(processed)
    ahead, behind, active = throughput_lead(sims[MCSF], sims[BENCHMARK], 10)
    assert ahead + behind <= active <= 10


def test_alpha_scan_finds_the_smallest_overflow_free_alpha(busy):
    scan = alpha_scan(busy, [0.0, 0.05, 0.1, 0.2, 0.3])
    assert scan[0.0] and not scan[0.3]  # no protection overflows on this overloaded trace; 30% does not
    smallest = smallest_overflow_free(scan)
    assert not overflows(busy, smallest)
    below = [a for a in scan if a < smallest]
    assert below and scan[max(below)]


def test_smallest_overflow_free_needs_every_larger_alpha_free():
    assert smallest_overflow_free({0.1: True, 0.2: False, 0.3: True, 0.4: False}) == 0.4
    assert smallest_overflow_free({0.1: False, 0.2: False}) == 0.1
    assert smallest_overflow_free({0.1: False, 0.2: True}) is None


def test_prediction_study_runs_both_policies_with_the_reserve(busy):
    lines = prediction_study(busy, errors=(0.5,), reserve=0.1)
    assert [(line["error"], line["policy"], line["reserve"]) for line in lines] == [(0.5, MCSF, 0.1), (0.5, BENCHMARK, 0.1)]
    assert all(line["mean_s"] > 0 and line["evictions"] >= 0 for line in lines)
