"""check-claim: finding, shrinking and saving counterexamples to optimality / ratio claims."""

import json

import pytest

from conftest import homogeneous, run_cli
from kvopt import InputError, read_instance, read_schedule, verify
from kvopt.claims import FAMILIES, GRID, _violates, _evaluate, check_claim, shrink


def test_the_homogeneous_grid_is_the_notes_966_instances():
    assert len(GRID) == 966 and (9, 1, 3, 5) in GRID


def test_greedy_counterexample_is_rediscovered_first():
    report = check_claim("fcfs", "homogeneous", trials=len(GRID))
    (found,) = report.counterexamples
    r = found.instance.requests[0]
    assert (found.instance.memory, r.prompt, r.output, len(found.instance)) == (9, 1, 3, 5)
    assert (found.method.objective, found.optimum.objective) == (27, 25)
    assert report.holds == report.decided - 1 and report.undecided == 0


def test_shrinking_reaches_a_counterexample_no_move_improves():
    _, moves, _ = FAMILIES["homogeneous"]
    start = homogeneous(11, 1, 4, 6)  # greedy 48, optimum 45
    instance, (method, optimum), steps = shrink(start, moves, "fcfs", "exact", 1.0, 10.0)
    assert steps >= 1 and method.objective > optimum.objective
    for smaller in moves(instance):
        assert not _violates(_evaluate(smaller, "fcfs", "exact", 10.0), 1.0)


def test_general_shrinking_on_random_instances_is_minimal():
    report = check_claim("mcsf", "random", trials=50)
    (found,) = report.counterexamples
    assert len(found.instance) <= found.original_size and found.method.objective > found.optimum.objective
    _, moves, _ = FAMILIES["random"]
    for smaller in moves(found.instance):
        assert not _violates(_evaluate(smaller, "mcsf", "exact", 10.0), 1.0)


def test_a_true_ratio_claim_holds():
    report = check_claim("fcfs", "homogeneous", trials=120, ratio=1.25)
    assert not report.counterexamples and report.holds == report.decided == 120


def test_bad_requests():
    with pytest.raises(InputError, match="unknown family"):
        check_claim("fcfs", "nope", trials=3)
    with pytest.raises(InputError, match="966 distinct instances"):
        check_claim("fcfs", "homogeneous", trials=1000)
    with pytest.raises(InputError, match="ratio below 1"):
        check_claim("fcfs", "random", trials=3, ratio=0.9)


def test_cli_writes_verifiable_evidence(tmp_path):
    result = run_cli("check-claim", "--policy", "fcfs", "--family", "homogeneous", "--trials", "966",
                     "--out", str(tmp_path), "--json")
    assert result.returncode == 1, result.stderr  # refuted
    summary = json.loads(result.stdout)
    (stem,) = summary["written"]
    instance = read_instance(tmp_path / f"{stem}.json")
    for label, value in (("fcfs", 27), ("optimal", 25)):
        report = verify(instance, read_schedule(tmp_path / f"{stem}.{label}.schedule.json"))
        assert report.feasible and report.objective == value
    assert json.loads((tmp_path / "claim.json").read_text())["refuted"] is True
