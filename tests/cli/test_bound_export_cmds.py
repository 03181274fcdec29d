"""The `bound` and `export` verbs, and `solve --method ip|cpsat|lp` from the command line."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, run_cli

SMALL = str(ROOT / "instances" / "small" / "homogeneous_m9_s1_o3_n5.json")
PAPER = str(ROOT / "instances" / "paper-sample" / "paper-m1-s0-000.json")


def test_bound_prints_the_lp_bound_and_its_rounding():
    text = run_cli("bound", SMALL, "--method", "lp", "-o", "cuts=none")
    assert text.returncode == 0, text.stderr
    assert "lower bound: 23.835938 (rounded up: 24" in text.stdout
    data = json.loads(run_cli("bound", SMALL, "-m", "lp", "--json").stdout)
    assert data["method"] == "lp" and data["lower_bound"] == 25 and data["integer_lower_bound"] == 25
    assert data["info"]["lp_relaxation"] < 24 and data["runtime_s"] >= 0


def test_bound_runs_any_bound_method():
    data = json.loads(run_cli("bound", SMALL, "-m", "trivial", "--json").stdout)
    assert data["lower_bound"] == 15 == data["integer_lower_bound"]


def test_bound_rejects_methods_that_are_not_bounds():
    text = run_cli("bound", SMALL, "--method", "ip")
    assert text.returncode == 2 and "not a bound method" in text.stderr and text.stderr.count("\n") == 1


@pytest.mark.parametrize("method", ["ip", "cpsat", "lp"])
def test_solve_runs_the_formulation_methods(method):
    text = run_cli("solve", SMALL, "--method", method, "--json", "--time-limit", "60")
    assert text.returncode == 0, text.stderr
    data = json.loads(text.stdout)
    assert data["lower_bound"] == 25 and (method == "lp" or data["objective"] == 25)


def test_solve_time_out_without_schedule_exits_1_with_one_line():
    text = run_cli("solve", PAPER, "-m", "ip", "--time-limit", "0.01", "-o", "incumbent=none")
    assert text.returncode == 1
    assert "without a schedule" in text.stderr and text.stderr.count("\n") == 1


def test_bad_option_value_exits_2():
    text = run_cli("solve", SMALL, "-m", "ip", "-o", "symmetry=mirror")
    assert text.returncode == 2 and "symmetry" in text.stderr and text.stderr.count("\n") == 1


def test_export_and_read_back_a_solution(tmp_path):
    model = tmp_path / "model.mps"
    text = run_cli("export", SMALL, "--out", str(model))
    assert text.returncode == 0, text.stderr and model.exists()
    assert "x_K_T" in text.stdout
    solution = tmp_path / "model.sol"
    solution.write_text("n_0_0 1\nn_0_1 1\nn_0_2 1\nn_0_3 1\nn_0_4 1\n")
    schedule = tmp_path / "schedule.json"
    text = run_cli("export", SMALL, "--solution", str(solution), "--out", str(schedule))
    assert text.returncode == 0, text.stderr
    assert run_cli("verify", SMALL, str(schedule)).returncode == 0
    assert json.loads(schedule.read_text())["objective"] == 25


def test_export_refuses_infeasible_solutions_and_bad_names(tmp_path):
    solution = tmp_path / "model.sol"
    solution.write_text("n_0_0 5\n")  # five starts in period 0: memory 20 > 9 in round 3
    out = tmp_path / "schedule.json"
    text = run_cli("export", SMALL, "--solution", str(solution), "--out", str(out))
    assert text.returncode == 1 and not out.exists() and "not a feasible schedule" in text.stderr
    text = run_cli("export", SMALL, "--out", str(tmp_path / "model.txt"))
    assert text.returncode == 2 and "--format" in text.stderr
    text = run_cli("export", SMALL, "--out", str(tmp_path / "model.mps"), "--format", "lp")
    assert text.returncode == 2 and not (tmp_path / "model.mps").exists()
