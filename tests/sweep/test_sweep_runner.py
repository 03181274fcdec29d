"""Sweeps through the local executor: recorded rows, resuming, and jobs that fail."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal

import pytest
from sweep_helpers import PLUGIN, count_lines, tiny_instances, write_config

from kvopt import read_instance, solve, verify
from kvopt.errors import SolveError
from kvopt.io import schedule_from_dict
from kvopt.sweep import ResultsStore, load_config, run_sweep


@pytest.fixture
def counted(tmp_path):
    """A sweep of 3 tiny instances x (fcfs, trivial, test-count) x 2 seeds; test-count logs each run."""
    tiny_instances(tmp_path / "instances")
    log = tmp_path / "runs.log"
    config = write_config(tmp_path / "counted.toml", f"""
        plugins = ["{PLUGIN}"]
        seeds = [0, 1]
        [[instances]]
        path = "instances"
        [[methods]]
        name = "fcfs"
        [[methods]]
        name = "trivial"
        [[methods]]
        name = "test-count"
        label = "counted"
        options = {{ log = "{log}" }}
        """)
    return load_config(config), log


def test_every_job_is_recorded_with_verified_figures(tmp_path, counted):
    config, log = counted
    summary = run_sweep(config, tmp_path / "r.sqlite", workers=2, progress=False)
    assert (summary.jobs, summary.recorded, summary.executed, summary.errors) == (18, 0, 18, 0)
    assert summary.statuses == {"feasible": 12, "bound": 6}
    with ResultsStore(tmp_path / "r.sqlite") as store:
        rows = store.rows()
        assert len(rows) == 18 and count_lines(log) == 6
        for row in rows:
            instance = read_instance(tmp_path / "instances" / f"{row['instance']}.json")
            expected = solve(instance, row["method"].replace("test-count", "fcfs"))
            assert (row["objective"], row["lower_bound"], row["status"]) == \
                (expected.objective, expected.lower_bound, expected.status.value)
            assert row["error"] is None and row["kvopt_version"] and row["host"] and row["finished_at"]
            assert json.loads(row["solver_versions"])["numpy"]
            schedule = store.schedule(row["job_key"])
            if row["method"] == "trivial":
                assert schedule is None and row["verdict"] is None
            else:
                assert row["verdict"] == "feasible" and verify(instance, schedule).objective == row["objective"]
            assert store.instance(row["instance_hash"]).requests == instance.requests
    greedy = [r for r in rows if r["instance"] == "tiny-a" and r["method"] == "fcfs"]
    assert [(r["seed"], r["objective"], r["lower_bound"]) for r in greedy] == [(0, 27, 15), (1, 27, 15)]


def test_a_finished_sweep_is_never_recomputed(tmp_path, counted):
    config, log = counted
    first = run_sweep(config, tmp_path / "r.sqlite", workers=2, progress=False)
    with ResultsStore(tmp_path / "r.sqlite") as store:
        before = store.rows()
    again = run_sweep(config, tmp_path / "r.sqlite", workers=2, progress=False)
    assert (first.executed, again.recorded, again.executed) == (18, 18, 0)
    assert count_lines(log) == 6  # test-count ran once per job, not again
    with ResultsStore(tmp_path / "r.sqlite") as store:
        assert store.rows() == before  # untouched, timestamps included


def test_resume_after_an_interruption_runs_only_the_missing_jobs(tmp_path, counted):
    config, log = counted
    recorded = []

    def interrupt_after_five(row):
        recorded.append(row["job_key"])
        if len(recorded) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(config, tmp_path / "r.sqlite", workers=1, progress=False, on_row=interrupt_after_five)
    with ResultsStore(tmp_path / "r.sqlite") as store:
        assert sorted(row["job_key"] for row in store.rows()) == sorted(recorded)
    runs_before = count_lines(log)
    resumed = run_sweep(config, tmp_path / "r.sqlite", workers=2, progress=False)
    assert (resumed.recorded, resumed.executed) == (5, 13)
    with ResultsStore(tmp_path / "r.sqlite") as store:
        rows = store.rows()
    assert len(rows) == 18 and len({row["job_key"] for row in rows}) == 18
    counted_recorded = sum(1 for row in rows if row["job_key"] in recorded and row["method"] == "test-count")
    assert count_lines(log) - runs_before == 6 - counted_recorded  # only unrecorded test-count jobs ran
    assert run_sweep(config, tmp_path / "r.sqlite", progress=False).executed == 0


@pytest.fixture
def failing(tmp_path):
    tiny_instances(tmp_path / "instances")
    return load_config(write_config(tmp_path / "failing.toml", f"""
        plugins = ["{PLUGIN}"]
        grace = 0.5
        [[instances]]
        path = "instances/tiny-a.json"
        [[methods]]
        name = "test-raise"
        [[methods]]
        name = "test-crash"
        [[methods]]
        name = "test-sleep"
        time_limits = [0.5]
        [[methods]]
        name = "all-at-arrival"
        kind = "test-greedy"
        [[methods]]
        name = "fcfs"
        """))


def test_failing_jobs_are_recorded_with_their_error_and_never_dropped(tmp_path, failing):
    summary = run_sweep(failing, tmp_path / "r.sqlite", workers=2, progress=False)
    assert (summary.executed, summary.errors) == (5, 4)
    with ResultsStore(tmp_path / "r.sqlite") as store:
        rows = {row["method"]: row for row in store.rows()}
        greedy_schedule = store.schedule(rows["all-at-arrival"]["job_key"])
    raised = rows["test-raise"]
    assert raised["status"] == "error" and raised["error"] == "RuntimeError: deliberate failure on tiny-a"
    assert "always_raises" in raised["traceback"] and raised["objective"] is None
    crashed = rows["test-crash"]
    assert crashed["status"] == "error" and crashed["error"] == "the job process died (SIGSEGV) without a result"
    slept = rows["test-sleep"]
    assert slept["status"] == "timeout" and slept["error"] == "killed by the wall-clock guard after 1 s"
    assert 1.0 <= slept["wall_s"] < 30
    rejected = rows["all-at-arrival"]  # a pluggable job kind whose schedule overflows memory
    assert rejected["kind"] == "test-greedy" and rejected["status"] == "error"
    assert rejected["verdict"] == "infeasible" and rejected["objective"] is None
    assert rejected["error"].startswith("the verifier rejects the schedule: round 1: memory 10 exceeds M = 9")
    assert greedy_schedule.starts == {f"r{k}": 0 for k in range(5)}
    assert rows["fcfs"]["status"] == "feasible" and rows["fcfs"]["error"] is None


def test_retry_failed_runs_only_the_failed_jobs_again(tmp_path, failing):
    run_sweep(failing, tmp_path / "r.sqlite", workers=2, progress=False)
    assert run_sweep(failing, tmp_path / "r.sqlite", progress=False).executed == 0
    retried = run_sweep(failing, tmp_path / "r.sqlite", workers=2, progress=False, retry_failed=True)
    assert (retried.recorded, retried.executed, retried.errors) == (1, 4, 4)


def test_schedules_are_stored_as_kvopt_schedule_files(tmp_path, counted):
    config, _ = counted
    run_sweep(config, tmp_path / "r.sqlite", workers=1, progress=False)
    import sqlite3
    with sqlite3.connect(tmp_path / "r.sqlite") as db:
        text, = db.execute("SELECT s.schedule FROM schedules s JOIN results r USING (job_key) "
                           "WHERE r.instance = 'tiny-a' AND r.method = 'fcfs' AND r.seed = 0").fetchone()
    assert schedule_from_dict(json.loads(text)).starts == {"r0": 0, "r1": 0, "r2": 3, "r3": 3, "r4": 6}


def test_a_killed_pool_worker_stops_the_sweep_without_blaming_a_job(tmp_path, counted):
    config, log = counted
    recorded = []

    def kill_a_worker(row):
        recorded.append(row["job_key"])
        if len(recorded) == 2:
            for worker in multiprocessing.active_children():  # the pool's worker process
                os.kill(worker.pid, signal.SIGKILL)

    with pytest.raises(SolveError, match="a worker process of the local pool was killed"):
        run_sweep(config, tmp_path / "r.sqlite", workers=1, progress=False, on_row=kill_a_worker)
    with ResultsStore(tmp_path / "r.sqlite") as store:
        rows = store.rows()
    assert len(rows) >= 2 and all(row["error"] is None for row in rows)
    assert run_sweep(config, tmp_path / "r.sqlite", workers=2, progress=False).executed == 18 - len(rows)


def test_a_preemptive_run_is_recorded_with_its_own_verdict(tmp_path):
    """vllm resumes evicted requests with their progress: its row says so, and fcfs's does not."""
    tiny_instances(tmp_path / "instances")
    config = write_config(tmp_path / "v.toml", """
        [[instances]]
        path = "instances/tiny-a.json"
        [[methods]]
        name = "vllm"
        [[methods]]
        name = "fcfs"
        """)
    run_sweep(load_config(config), tmp_path / "r.sqlite", workers=1, progress=False)
    with ResultsStore(tmp_path / "r.sqlite") as store:
        verdicts = {row["method"]: (row["verdict"], row["objective"]) for row in store.rows()}
    assert verdicts == {"vllm": ("preemptive", 21), "fcfs": ("feasible", 27)}


def test_exact_methods_start_from_the_best_recorded_schedule(tmp_path):
    """fluid finds 25 on tiny-a (fcfs 27): the exact method runs after both and is handed fluid's
    schedule; with initial = "none" it starts from its own construction."""
    tiny_instances(tmp_path / "instances")
    body = """
        [[instances]]
        path = "instances/tiny-a.json"
        [[methods]]
        name = "exact"
        [[methods]]
        name = "fcfs"
        [[methods]]
        name = "fluid"
        """
    run_sweep(load_config(write_config(tmp_path / "best.toml", body)), tmp_path / "best.sqlite", workers=1,
              progress=False)
    run_sweep(load_config(write_config(tmp_path / "none.toml", 'initial = "none"\n' + body)),
              tmp_path / "none.sqlite", workers=1, progress=False)
    for results, started_from in (("best.sqlite", "initial schedule (fluid)"), ("none.sqlite", "fcfs")):
        with ResultsStore(tmp_path / results) as store:
            exact = next(row for row in store.rows() if row["method"] == "exact")
        info = json.loads(exact["info"])
        assert info["incumbent_method"] == started_from and exact["objective"] == 25
    assert info["incumbent_objective"] == 27 and "initial_objective" not in info
