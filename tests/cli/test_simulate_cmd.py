"""kvopt simulate: output, files, errors and exit codes."""

import json

from conftest import ROOT, run_cli, write_json

SMALL = str(ROOT / "instances" / "small" / "homogeneous_m9_s1_o3_n5.json")
OVERFLOWING = {"memory": 10, "requests": [{"id": "r0", "arrival": 0, "prompt": 2, "output": 6},
                                          {"id": "r1", "arrival": 0, "prompt": 2, "output": 6}]}


def test_text_and_json_output():
    done = run_cli("simulate", SMALL, "--policy", "mcsf")
    assert done.returncode == 0, done.stderr
    assert "total latency: 27 rounds over 5 requests" in done.stdout and "verified: yes" in done.stdout
    done = run_cli("simulate", SMALL, "-p", "fluid", "--json")
    summary = json.loads(done.stdout)
    assert summary["policy"] == "fluid" and summary["metrics"]["objective"] == 25 and summary["verified"]


def test_files_written_are_verifiable(tmp_path):
    instance = write_json(tmp_path / "overflow.json", OVERFLOWING)
    schedule, metrics, trace = tmp_path / "s.json", tmp_path / "m.json", tmp_path / "t.jsonl"
    done = run_cli("simulate", str(instance), "-p", "alpha-greedy", "-o", "alpha=0", "--eviction", "recompute",
                   "--victim", "latest-arrived", "--out", str(schedule), "--metrics-out", str(metrics),
                   "--trace-out", str(trace))
    assert done.returncode == 0, done.stderr
    assert "evictions: 1 (0 tokens lost, 3 recomputed)" in done.stdout
    assert json.loads(schedule.read_text())["runs"]["r1"] == [{"start": 0, "tokens": 3, "kept": 0},
                                                               {"start": 6, "tokens": 3, "kept": 3}]
    verified = run_cli("verify", str(instance), str(schedule))
    assert verified.returncode == 0 and "evictions: 1 (0 tokens lost)" in verified.stdout
    data = json.loads(metrics.read_text())
    assert data["requests"]["id"] == ["r0", "r1"] and len(data["rounds"]["memory"]) == 9
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert any(e["event"] == "evict" and e["request"] == "r1" for e in events)


def test_overflow_with_rule_none_is_a_one_line_error(tmp_path):
    instance = write_json(tmp_path / "overflow.json", OVERFLOWING)
    out = tmp_path / "s.json"
    done = run_cli("simulate", str(instance), "-p", "alpha-greedy", "-o", "alpha=0", "--eviction", "none",
                   "--out", str(out))
    assert done.returncode == 1 and not out.exists()
    assert done.stderr.count("\n") == 1 and "round 4: memory 12 would exceed M = 10" in done.stderr


def test_clock_mode_from_the_command_line():
    done = run_cli("simulate", SMALL, "-p", "mcsf", "--batch-time", "linear:base=0.5,arrival_unit_s=1",
                   "--json")
    metrics = json.loads(done.stdout)["metrics"]
    assert done.returncode == 0 and metrics["objective"] == 27
    assert metrics["latency_seconds"]["total"] == 27 * 0.5


def test_bad_input_exits_2():
    for args, fragment in [(["-p", "nope"], "unknown policy 'nope'"),
                           (["-p", "mcsf", "-o", "reserve=2"], "reserve must be a fraction"),
                           (["-p", "mcsf", "--batch-time", "linear:base=x"], "base must be a number"),
                           (["-p", "mcsf", "--batch-time", "warp"], "unknown batch-time model 'warp'"),
                           (["-p", "mcsf", "--predictions", "noise:1"], "expected point:EPS"),
                           (["-p", "amax"], "needs output_interval")]:
        done = run_cli("simulate", SMALL, *args)
        assert done.returncode == 2 and fragment in done.stderr, (args, done.stderr)


def test_predictions_from_the_command_line():
    done = run_cli("simulate", SMALL, "-p", "amin", "--predictions", "interval:0.5", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["lengths"] == "interval-lo"


def test_solve_runs_a_policy_offline():
    done = run_cli("solve", SMALL, "--method", "mcsf", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["objective"] == 27


LEAK = {"memory": 6, "requests": [{"id": f"r{k}", "arrival": 0, "prompt": 1, "output": o}
                                  for k, o in enumerate((1, 2, 1, 1))]}


def test_fidelity_vidur_prints_the_replay_and_refuses_schedule_files(tmp_path):
    instance = write_json(tmp_path / "leak.json", LEAK)
    metrics = tmp_path / "m.json"
    done = run_cli("simulate", str(instance), "-p", "faster-transformer", "-o", "max_tokens=3", "-o",
                   "fidelity=vidur", "--metrics-out", str(metrics))
    assert done.returncode == 0, done.stderr
    assert "total latency: 10 rounds" in done.stdout and "4 of 4 requests completed" in done.stdout
    assert json.loads(metrics.read_text())["starts"] == [[0], [0], [2], [3]]
    fixed = run_cli("simulate", str(instance), "-p", "faster-transformer", "-o", "max_tokens=3", "-o",
                    "fidelity=vidur-fixed", "--json")
    assert json.loads(fixed.stdout)["objective"] == 9
    out = tmp_path / "s.json"
    refused = run_cli("simulate", str(instance), "-p", "vllm", "-o", "fidelity=vidur", "--out", str(out))
    assert refused.returncode == 2 and not out.exists() and refused.stderr.count("\n") == 1
    assert "--out not available with fidelity=vidur" in refused.stderr
