"""The arguments verbs share (kvopt/cli/arguments.py): --initial, --seed, --time-limit and its aliases,
--eviction/--victim in simulate and solve, check-claim --method."""

import json

import pytest

from conftest import ROOT, run_cli, write_json

SMALL = str(ROOT / "instances" / "small" / "homogeneous_m9_s1_o3_n5.json")
OVERFLOWING = {"memory": 10, "requests": [{"id": "r0", "arrival": 0, "prompt": 2, "output": 6},
                                          {"id": "r1", "arrival": 0, "prompt": 2, "output": 6}]}


def staggered(tmp_path, starts=(0, 1, 2, 3, 4)):
    return write_json(tmp_path / "staggered.json", {"starts": {f"r{k}": p for k, p in enumerate(starts)},
                                                     "method": "by hand"})


@pytest.mark.parametrize("verb", ["solve", "bound"])
def test_solve_and_bound_start_from_an_initial_schedule(tmp_path, verb):
    done = run_cli(verb, SMALL, "-m", "lp", "--initial", str(staggered(tmp_path)), "--seed", "3", "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)["info"]
    assert info["incumbent_method"] == "initial schedule (by hand)" and info["initial_objective"] == 25


def test_a_bad_initial_schedule_is_one_line_naming_the_file(tmp_path):
    schedule = staggered(tmp_path, starts=(0, 0, 0, 0, 0))
    done = run_cli("solve", SMALL, "-m", "ip", "--initial", str(schedule))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"kvopt: error: {schedule}: not feasible") and "exceeds M = 9" in done.stderr
    done = run_cli("solve", SMALL, "-m", "fcfs", "--initial", str(staggered(tmp_path)))
    assert done.returncode == 2 and "takes no initial schedule" in done.stderr


def test_export_takes_the_initial_schedule_for_its_horizon(tmp_path):
    done = run_cli("export", SMALL, "--out", str(tmp_path / "m.lp"), "--initial", str(staggered(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert "horizon 7" in done.stdout and "incumbent: total latency 25 (initial schedule (by hand))" in done.stdout


def test_certify_time_limit_and_its_budget_alias():
    for flag in ("--time-limit", "--budget"):
        done = run_cli("certify", SMALL, "--methods", "fcfs,exact", flag, "10", "--json")
        summary = json.loads(done.stdout)
        assert summary["budget_s"] == 10 and summary["objective"] == 25
        assert summary["attempts"][1]["started_from"] == "fcfs (27)"


def test_check_claim_method_and_its_policy_alias():
    for flag in ("--method", "--policy"):
        done = run_cli("check-claim", flag, "fluid", "--family", "homogeneous", "--trials", "3", "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["method"] == "fluid"


def test_eviction_rules_are_spelled_the_same_in_simulate_and_solve(tmp_path):
    instance = str(write_json(tmp_path / "overflow.json", OVERFLOWING))
    ways = [("--eviction", "recompute", "--victim", "latest-arrived"),
            ("-o", "eviction=recompute", "-o", "victim=latest-arrived")]
    for rules in ways:
        simulated = run_cli("simulate", instance, "-p", "alpha-greedy", "-o", "alpha=0", *rules, "--json")
        solved = run_cli("solve", instance, "-m", "alpha-greedy", "-o", "alpha=0", *rules, "--json")
        assert simulated.returncode == 0 and solved.returncode == 0, simulated.stderr + solved.stderr
        assert json.loads(simulated.stdout)["eviction"] == "recompute"
        assert json.loads(solved.stdout)["info"]["eviction"] == "recompute"
    clash = run_cli("solve", instance, "-m", "alpha-greedy", "--eviction", "restart", "-o", "eviction=recompute")
    assert clash.returncode == 2 and "--eviction restart contradicts -o eviction=recompute" in clash.stderr
