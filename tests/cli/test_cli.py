"""The command line, through subprocesses, and its bad-input errors."""

import json

import pytest

from conftest import ROOT, run_cli, write_json

COUNTEREXAMPLE = ROOT / "instances" / "small" / "homogeneous_m9_s1_o3_n5.json"


def test_help_for_every_verb():
    result = run_cli("--help")
    assert result.returncode == 0
    verbs = ["info", "verify", "solve", "methods", "convert"]
    for verb in verbs:
        assert verb in result.stdout
        sub = run_cli(verb, "--help")
        assert sub.returncode == 0 and "usage: kvopt " + verb in sub.stdout


def test_solve_fcfs_writes_a_schedule_that_verify_accepts(tmp_path):
    out = tmp_path / "s.json"
    solved = run_cli("solve", str(COUNTEREXAMPLE), "--method", "fcfs", "--out", str(out), "--json")
    assert solved.returncode == 0, solved.stderr
    summary = json.loads(solved.stdout)
    assert summary["method"] == "fcfs" and summary["objective"] == 27 and summary["status"] == "feasible"
    assert summary["lower_bound"] == 15 and summary["runtime_s"] >= 0
    checked = run_cli("verify", str(COUNTEREXAMPLE), str(out), "--json")
    assert checked.returncode == 0
    assert json.loads(checked.stdout)["objective"] == 27
    human = run_cli("verify", str(COUNTEREXAMPLE), str(out))
    assert "feasible: yes" in human.stdout and "objective: 27" in human.stdout


def test_verify_exit_codes(tmp_path):
    good = write_json(tmp_path / "good.json", {"starts": {f"r{k}": k for k in range(5)}})
    result = run_cli("verify", str(COUNTEREXAMPLE), str(good), "--json")
    assert result.returncode == 0 and json.loads(result.stdout) | {} == json.loads(result.stdout)
    assert json.loads(result.stdout)["feasible"] is True and json.loads(result.stdout)["objective"] == 25
    bad = write_json(tmp_path / "bad.json", {"starts": {"r0": 0, "r1": 0, "r2": 0, "r3": 9, "r4": 9}})
    result = run_cli("verify", str(COUNTEREXAMPLE), str(bad))
    assert result.returncode == 1
    assert "feasible: no" in result.stdout and "round 3" in result.stdout
    data = json.loads(run_cli("verify", str(COUNTEREXAMPLE), str(bad), "--json").stdout)
    assert data["feasible"] is False and data["violations"][0]["round"] == 3


def test_info_json():
    result = run_cli("info", str(COUNTEREXAMPLE), "--json")
    data = json.loads(result.stdout)
    assert (data["requests"], data["memory"], data["trivial_lower_bound"]) == (5, 9, 15)
    assert data["all_at_zero"] and data["identical_requests"]


def test_methods_lists_fcfs():
    data = json.loads(run_cli("methods", "--json").stdout)
    assert "fcfs" in {m["name"] for m in data["methods"]}


def test_convert_trace_then_solve(tmp_path):
    trace = tmp_path / "t.csv"
    trace.write_text("question_length,answer_length\n3,4\n2,2\n5,1\n")
    out = tmp_path / "t.json"
    assert run_cli("convert", str(trace), "--memory", "12", "--out", str(out)).returncode == 0
    assert json.loads(out.read_text())["memory"] == 12
    result = run_cli("solve", str(trace), "--memory", "12", "-m", "fcfs", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["objective"] > 0


REQUEST = {"id": "r0", "arrival": 0, "prompt": 1, "output": 2}


@pytest.mark.parametrize("content, fragment", [
    ("{not json", "malformed JSON"),
    ('{"requests": []}', "missing key 'memory'"),
    ('{"memory": 9}', "missing key 'requests'"),
    ('{"memory": 9, "requests": [{"id": "r0", "arrival": 0, "prompt": 1}]}', "missing key(s) output"),
    ('{"memory": 9, "requests": [{"id": "r0", "arrival": 0, "prompt": -1, "output": 2}]}',
     "requests[0] (id 'r0'): prompt must be positive, got -1"),
    ('{"memory": 9, "requests": [{"id": "r0", "arrival": 0, "prompt": 1, "output": 0}]}',
     "output must be positive"),
    ('{"memory": 9, "requests": [{"id": "r0", "arrival": 0, "prompt": 5, "output": 5}]}',
     "prompt 5 + output 5 = 10 exceeds memory 9"),
    ('{"memory": 9, "requests": [' + json.dumps(REQUEST) + ", " + json.dumps(REQUEST) + "]}",
     "requests[1]: duplicate id 'r0'"),
    ('{"memory": -9, "requests": [' + json.dumps(REQUEST) + "]}", "memory must be positive"),
    ('{"memory": 9, "requests": [{"id": "r0", "arrival": 0, "prompt": 1, "output": 2, "outptu": 3}]}',
     "unknown key(s) outptu"),
    ('[1, 2]', "an instance must be a JSON object"),
])
def test_bad_instance_files_give_one_line_errors(tmp_path, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content)
    out = tmp_path / "never.json"
    result = run_cli("solve", str(path), "-m", "fcfs", "--out", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kvopt: error: ") and str(path) in lines[0]
    assert fragment in lines[0], lines[0]
    assert not out.exists()
    assert result.stdout == ""


@pytest.mark.parametrize("content, fragment", [
    ('{"starts": {"r0": 0, "zz": 1}}', "not in the instance: 'zz'"),
    ('{"starts": {"r0": -2}}', "start must be >= 0"),
    ('{"starts": [0, 1]}', "'starts' must be an object"),
    ('{"begin": {}}', "missing key 'starts'"),
])
def test_bad_schedule_files(tmp_path, content, fragment):
    instance = write_json(tmp_path / "i.json", {"memory": 9, "requests": [REQUEST]})
    schedule = tmp_path / "s.json"
    schedule.write_text(content)
    result = run_cli("verify", str(instance), str(schedule))
    combined = result.stdout + result.stderr
    assert fragment in combined, combined
    # a schedule naming unknown requests is readable but infeasible (1); unreadable ones are 2
    assert result.returncode == (1 if "zz" in content else 2)


@pytest.mark.parametrize("csv_text, extra, fragment", [
    ("a,b\n1,2\n", ["--memory", "9"], "unrecognised CSV header"),
    ("question_length,answer_length\n3,x\n", ["--memory", "9"], "line 2: answer_length is not a number"),
    ("question_length,answer_length\n3,4\n", [], "needs the memory capacity"),
    ("question_length,answer_length\n3,4,5\n", ["--memory", "9"], "line 2: expected 2 fields"),
    ("arrived_at,num_prefill_tokens,num_decode_tokens\n0,1,1\n", ["--memory", "9"], "--rounds-per-second"),
    ("question_length,answer_length\n8,4\n", ["--memory", "9"], "exceeds memory 9"),
])
def test_bad_traces(tmp_path, csv_text, extra, fragment):
    trace = tmp_path / "t.csv"
    trace.write_text(csv_text)
    result = run_cli("info", str(trace), *extra)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and fragment in result.stderr, result.stderr


def test_missing_files_and_unknown_method(tmp_path):
    result = run_cli("info", str(tmp_path / "nope.json"))
    assert result.returncode == 2 and "no such file" in result.stderr
    result = run_cli("solve", str(COUNTEREXAMPLE), "-m", "magic")
    assert result.returncode == 2 and "unknown method 'magic'" in result.stderr
    result = run_cli("solve", str(COUNTEREXAMPLE), "-m", "fcfs", "-o", "novalue")
    assert result.returncode == 2 and "KEY=VALUE" in result.stderr
