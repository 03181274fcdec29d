"""The same sweep through local processes and through a real Dask LocalCluster records the same rows.

Needs dask[distributed] (in the dev extra: CI runs this test)."""

from __future__ import annotations

import pytest
from sweep_helpers import PLUGIN, comparable, tiny_instances, write_config

from kvopt.sweep import ResultsStore, load_config, run_sweep

pytest.importorskip("distributed", reason="the Dask executors need dask[distributed]")


@pytest.fixture(scope="module")
def cluster():
    """A Dask cluster started outside kvopt, reached by its scheduler address like a real one."""
    import logging

    from dask.distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0",
                      silence_logs=logging.CRITICAL) as running:
        yield running.scheduler_address


def test_local_dask_and_dask_local_executors_record_identical_rows(tmp_path, cluster):
    tiny_instances(tmp_path / "instances")
    config = load_config(write_config(tmp_path / "both.toml", f"""
        plugins = ["{PLUGIN}"]
        seeds = [0, 1]
        grace = 0.5
        [[instances]]
        path = "instances"
        [[methods]]
        name = "fcfs"
        [[methods]]
        name = "trivial"
        [[methods]]
        name = "test-raise"
        seeds = [0]
        [[methods]]
        name = "test-sleep"
        seeds = [0]
        time_limits = [0.5]
        """))
    rows = {}
    schedules = {}
    runs = {"local": dict(workers=2), "dask": dict(scheduler=cluster), "dask-local": dict(workers=2)}
    for executor, arguments in runs.items():
        path = tmp_path / f"{executor}.sqlite"
        summary = run_sweep(config, path, executor=executor, progress=False, **arguments)
        assert (summary.executed, summary.errors) == (18, 6)
        with ResultsStore(path) as store:
            rows[executor] = store.rows()
            schedules[executor] = [store.schedule(row["job_key"]) for row in rows[executor]]
    assert summary.executor == "Dask LocalCluster (2 workers)"
    assert len(rows["local"]) == 18 and sum(s is not None for s in schedules["local"]) == 6
    for executor in ("dask", "dask-local"):
        assert comparable(rows[executor]) == comparable(rows["local"])
        assert schedules[executor] == schedules["local"]
    statuses = sorted({(row["method"], row["status"]) for row in rows["dask-local"]})
    assert statuses == [("fcfs", "feasible"), ("test-raise", "error"), ("test-sleep", "timeout"),
                        ("trivial", "bound")]
