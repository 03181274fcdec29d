"""`kvopt sweep` on the command line: summary, exit codes, dry runs, interruption and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_cli
from sweep_helpers import PLUGIN, count_lines, tiny_instances, write_config

from kvopt.cli import main
from kvopt.sweep import ResultsStore


def test_help_of_the_new_verbs(capsys):
    for verb in ("sweep", "report", "plot"):
        with pytest.raises(SystemExit) as done:
            main([verb, "--help"])
        assert done.value.code == 0
        assert f"usage: kvopt {verb}" in capsys.readouterr().out


def test_the_cli_lists_the_same_executors_and_formats_as_the_library():
    from kvopt.cli import report_cmd, sweep_cmd
    from kvopt.report.tables import FORMATS
    from kvopt.sweep.executors import EXECUTORS
    assert sweep_cmd.EXECUTORS == EXECUTORS and report_cmd.FORMATS == FORMATS


def test_sweep_then_resume_then_dry_run(tmp_path):
    tiny_instances(tmp_path / "instances")
    config = write_config(tmp_path / "cli.toml", """
        results = "out/cli.sqlite"
        seeds = [0, 1]
        [[instances]]
        path = "instances"
        [[methods]]
        name = "fcfs"
        """)
    (tmp_path / "out").mkdir()
    first = run_cli("sweep", str(config), "--workers", "2", "--quiet")
    assert first.returncode == 0, first.stderr
    assert f"cli: 6 jobs, 0 already recorded in {tmp_path / 'out' / 'cli.sqlite'}" in first.stdout
    assert "ran 6 on local processes (2 workers) in " in first.stdout and "start-up): 6 feasible" in first.stdout
    again = run_cli("sweep", str(config), "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout) == {"results": str(tmp_path / "out" / "cli.sqlite"), "jobs": 6, "recorded": 6,
                                        "to_run": 0, "executed": 0, "errors": 0, "statuses": {}, "executor": None}
    other = tmp_path / "other.sqlite"
    dry = run_cli("sweep", str(config), "--results", str(other), "--dry-run")
    assert dry.returncode == 0 and "6 to run (dry run: nothing run)" in dry.stdout
    assert not other.exists()


def test_a_sweep_with_failed_jobs_exits_1(tmp_path):
    tiny_instances(tmp_path / "instances")
    config = write_config(tmp_path / "fails.toml", f"""
        plugins = ["{PLUGIN}"]
        [[instances]]
        path = "instances/tiny-a.json"
        [[methods]]
        name = "test-raise"
        [[methods]]
        name = "fcfs"
        """)
    result = run_cli("sweep", str(config), "--workers", "1")
    assert result.returncode == 1
    assert "1 error, 1 feasible" in result.stdout and "1 job(s) recorded with an error" in result.stdout
    assert "2/2 jobs 100%" in result.stderr  # the progress line (plain lines when stderr is not a terminal)


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    tiny_instances(tmp_path / "instances")
    config = write_config(tmp_path / "bad.toml", '[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\n'
                                                 'options = { depth = 2 }\n')
    result = run_cli("sweep", str(config))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"kvopt: error: {config}: methods[0]: method 'fcfs': unknown option(s) depth (allowed: none)"]
    good = write_config(tmp_path / "good.toml", '[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\n')
    for args, message in [(("--executor", "dask"), "--executor dask needs --scheduler ADDRESS"),
                          (("--scheduler", "tcp://127.0.0.1:1"), "--scheduler applies only to --executor dask"),
                          (("--workers", "0"), "--workers must be positive"),
                          (("--executor", "dask", "--scheduler", "tcp://a:1", "--workers", "2"),
                           "--workers applies to local and dask-local")]:
        assert main(["sweep", str(good), *args]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "good.sqlite").exists()  # nothing written
    assert main(["sweep", str(tmp_path / "none.toml")]) == 2
    assert "none.toml: no such file" in capsys.readouterr().err


def test_interrupt_then_resume_recomputes_nothing(tmp_path):
    tiny_instances(tmp_path / "instances")
    log = tmp_path / "runs.log"
    config = write_config(tmp_path / "slow.toml", f"""
        plugins = ["{PLUGIN}"]
        seeds = [0, 1, 2, 3]
        [[instances]]
        path = "instances"
        [[methods]]
        name = "test-count"
        options = {{ log = "{log}", seconds = 0.3 }}
        """)
    results = tmp_path / "slow.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "kvopt", "sweep", str(config), "--workers", "1"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while count_lines(log) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted; the jobs finished so far are recorded" in stderr
    with ResultsStore(results) as store:
        recorded = len(store.rows())
    assert 2 <= recorded < 12
    runs_before = count_lines(log)
    resumed = run_cli("sweep", str(config), "--json")
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert (summary["recorded"], summary["executed"]) == (recorded, 12 - recorded)
    assert count_lines(log) - runs_before == 12 - recorded  # the recorded jobs did not run again
