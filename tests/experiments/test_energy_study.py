import pytest

from kvopt.energy import of_simulation
from kvopt.experiments.energy_study import CALIBRATIONS, TIE, energy_table, steady_j_per_token, verdict
from kvopt.experiments.real_trace import BENCHMARK, MCSF, paper_contenders, run_all
from kvopt.generate import a100_trace
from kvopt.hardware.energy import load


@pytest.fixture(scope="module")
def busy():
    trace = a100_trace(50.0, 400, seed=0)
    return trace, run_all(trace, paper_contenders()[:3])


def test_energy_table_per_calibration(busy):
    trace, sims = busy
    lines = {line["policy"]: line for line in energy_table(trace, sims)}
    for name in CALIBRATIONS:
        assert lines[MCSF][f"{name}:vs_mcsf"] == 1.0
        for label, sim in sims.items():
            energy = of_simulation(trace, sim, load(name))
            assert lines[label][f"{name}:joules"] == pytest.approx(energy.total)
            assert lines[label][f"{name}:kwh"] == pytest.approx(energy.total / 3.6e6)
            assert lines[label][f"{name}:j_per_token"] == pytest.approx(energy.total / int(sim.requests["output"].sum()))


def test_steady_energy_leaves_the_drain_out(busy):
    trace, sims = busy
    energy = of_simulation(trace, sims[MCSF], load())
    assert steady_j_per_token(energy, float("inf")) == pytest.approx(energy.total / energy.batches.active.sum())
    assert steady_j_per_token(energy, 0.0) == 0.0


def line(policy, mean_s, joules, steady=1.0):
    return {"policy": policy, "mean_s": mean_s, "c:joules": joules, "c:steady_j_per_token": steady}


def test_verdict_categories():
    holds = [line(MCSF, 1.0, 10.0), line(BENCHMARK, 2.0, 12.0), line("x", 3.0, 11.0)]
    assert verdict(holds, "c")["status"] == "holds"
    refuted = [line(MCSF, 1.0, 10.0), line(BENCHMARK, 2.0, 9.0), line("x", 3.0, 11.0)]
    found = verdict(refuted, "c")
    assert found["status"] == "refuted" and found["less_energy"] == [BENCHMARK]
    assert found["saving_vs_benchmark"] == pytest.approx(1 - 10 / 9)
    ties = [line(MCSF, 1.0, 10.0), line(BENCHMARK, 1.0, 10.0 * (1 - TIE / 2))]
    assert verdict(ties, "c")["status"].startswith("not shown")
