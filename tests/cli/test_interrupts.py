"""Ctrl-C, progress on a terminal and a closed pipe, in real processes: what finished is printed and
marked, nothing unmarked is written, exit 130; progress never reaches stdout; `| head` is no error."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, run_main

from kvopt.io import read_schedule

PAPER = "paper-sample/paper-m2-s0-002"


def start(*args: str, stderr=subprocess.PIPE, **env: str) -> subprocess.Popen:
    """In a session of its own: a signal to its process group reaches it and its children, as Ctrl-C does."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), **env)
    return subprocess.Popen([sys.executable, "-m", "kvopt", *args], stdout=subprocess.PIPE, stderr=stderr,
                            text=True, env=environment, cwd=ROOT, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for_line(process: subprocess.Popen, marker: str) -> list[str]:
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.startswith(marker):
            return seen
    raise AssertionError(f"{marker!r} never appeared: {seen}")


def interrupted(marker: str, *args: str, group: bool = False) -> tuple[int, str, str]:
    """Run `kvopt ARGS` with progress on, send SIGINT half a second after the progress line `marker`: to
    kvopt alone, or (group) to its process group, as a terminal's Ctrl-C does."""
    process = start(*args, KVOPT_PROGRESS="1")
    wait_for_line(process, marker)
    time.sleep(0.5)
    if group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr


def test_ctrl_c_in_certify_prints_what_finished_and_keeps_the_best_marked(tmp_path):
    out = tmp_path / "best.json"
    code, stdout, stderr = interrupted("cpsat: CP-SAT search", "certify", PAPER, "--time-limit", "60", "--out",
                                       str(out), "--jobs", "1")  # cpsat, before pattern-fix and ip: ~14 s of 60
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1].startswith("kvopt: error: interrupted: the table above holds what finished")
    rows = {line.split()[0]: line for line in stdout.splitlines()[1:-1]}
    assert "interrupted: its best so far" in rows["cpsat"] and "feasible" in rows["cpsat"]
    assert "not run" not in rows["exact"] and "interrupted" not in rows["exact"]
    for later in ("pattern-fix", "ip"):
        assert "not run" in rows[later]
    assert stdout.splitlines()[-1].startswith("best ")
    written = read_schedule(out)
    assert written.metadata["interrupted"] is True
    assert run_main("verify", PAPER, str(out)).returncode == 0


@pytest.mark.parametrize("group", [False, True], ids=["to-kvopt-alone", "to-the-process-group"])
def test_ctrl_c_in_certify_with_two_processes_keeps_the_second_process_best_so_far(tmp_path, group):
    """pattern-fix runs here while order-search runs in the second process: both return their best so far,
    the second process reports before it ends (forwarded SIGINT where only kvopt got one), and long before
    the 60 s budget."""
    out = tmp_path / "best.json"
    began = time.monotonic()
    code, stdout, stderr = interrupted("pattern-fix: LP relaxation", "certify", PAPER, "--time-limit", "60",
                                       "--out", str(out), "--jobs", "2", group=group)
    assert code == 130 and "Traceback" not in stderr, stderr
    assert time.monotonic() - began < 45
    rows = {line.split()[0]: line for line in stdout.splitlines()[1:-1]}
    assert "interrupted: its best so far" in rows["pattern-fix"]
    first, again = [line for line in stdout.splitlines() if line.startswith("order-search ")]
    assert "interrupted: its best so far" in first and "second process" in first
    assert "not run" in again and "not run" in rows["cpsat"] and "not run" in rows["ip"]
    written = read_schedule(out)
    assert written.metadata["interrupted"] is True
    assert run_main("verify", PAPER, str(out)).returncode == 0


def test_ctrl_c_in_an_exact_solver_marks_its_best_so_far(tmp_path):
    out = tmp_path / "s.json"
    code, stdout, stderr = interrupted("cpsat: CP-SAT search", "solve", PAPER, "-m", "cpsat", "--time-limit", "60",
                                       "--out", str(out))
    assert code == 130 and "status: feasible (interrupted)" in stdout
    assert stderr.splitlines()[-1].endswith("marked interrupted") and "Traceback" not in stderr, stderr
    assert read_schedule(out).metadata["interrupted"] is True
    assert run_main("verify", PAPER, str(out)).returncode == 0


def test_ctrl_c_in_pure_python_writes_nothing(tmp_path):
    out = tmp_path / "s.json"
    code, stdout, stderr = interrupted("exact: search from incumbent", "solve", PAPER, "-m", "exact",
                                       "--time-limit", "60", "--out", str(out))
    assert code == 130 and stdout == ""
    assert stderr.splitlines()[-1] == "kvopt: error: interrupted; nothing written" and "Traceback" not in stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_progress_goes_to_a_terminal_on_stderr_only():
    leader, follower = pty.openpty()
    process = start("certify", "small/homogeneous_m9_s1_o3_n5", "--methods", "fcfs,exact", "--json",
                    stderr=follower)
    os.close(follower)
    stdout, _ = process.communicate(timeout=60)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.returncode == 0 and json.loads(stdout)["objective"] == 25
    assert b"fcfs             heuristic  feasible" in shown and b"exact            exact      optimal" in shown


def test_a_closed_pipe_is_no_error(tmp_path):
    instance = tmp_path / "i.json"
    assert run_main("convert", "small/homogeneous_m9_s1_o3_n5", "--out", str(instance)).returncode == 0
    process = start("info", *[str(instance)] * 2000)  # about 800 kB: more than a pipe holds
    assert process.stdout.readline().startswith("instance:")
    process.stdout.close()
    process.wait(timeout=60)
    assert process.returncode == 141 and process.stderr.read() == ""
