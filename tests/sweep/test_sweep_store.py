"""The SQLite results store, and the progress line."""

from __future__ import annotations

import io
import sqlite3

import pytest

from kvopt.errors import InputError
from kvopt.sweep import ResultsStore
from kvopt.sweep.progress import Progress, clock
from kvopt.sweep.worker import COLUMNS


def row(key: str, **values) -> dict:
    return {**dict.fromkeys(COLUMNS), "job_key": key, "instance": "i", "instance_hash": "h", "label": "m",
            "status": "feasible", **values}


def test_rows_round_trip_and_replace(tmp_path):
    with ResultsStore(tmp_path / "r.sqlite") as store:
        store.add(row("b", seed=1, objective=27, lower_bound=15, gap=12 / 27, schedule='{"starts": {"r0": 2}}'))
        store.add(row("a", seed=0, objective=30, lower_bound=15.5, log="line"))
        store.add(row("a", seed=0, objective=29, lower_bound=15.5))  # a retried job replaces its row
        rows = store.rows()
        assert [(r["job_key"], r["objective"], r["lower_bound"]) for r in rows] == [("a", 29, 15.5), ("b", 27, 15)]
        assert isinstance(rows[1]["lower_bound"], int)  # NUMERIC keeps integral bounds integers
        assert store.schedule("b").starts == {"r0": 2} and store.schedule("a") is None
        assert store.statuses() == {"a": ("feasible", None), "b": ("feasible", None)}
        store.relabel({"a": "renamed"})
        assert [r["label"] for r in store.rows(["a"])] == ["renamed"]


def test_instances_are_stored_once_by_hash(tmp_path):
    with ResultsStore(tmp_path / "r.sqlite") as store:
        content = '{"memory": 9, "name": "x", "requests": [{"id": "r0", "arrival": 0, "prompt": 1, "output": 3}]}'
        store.add_instances({"h1": content})
        store.add_instances({"h1": content.replace('"x"', '"y"')})
        assert store.instance("h1").name == "x" and store.instance("h1").memory == 9
        with pytest.raises(InputError, match="instance h2 is not stored"):
            store.instance("h2")


def test_unreadable_results_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such results file"):
        ResultsStore(tmp_path / "missing.sqlite", create=False)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_text("this is not a database" * 100)
    with pytest.raises(InputError, match="not a kvopt results file"):
        ResultsStore(garbage)
    newer = tmp_path / "newer.sqlite"
    ResultsStore(newer).close()
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match="results schema version 99, this kvopt reads 1"):
        ResultsStore(newer)


def test_progress_lines_in_a_log_file():
    stream = io.StringIO()
    progress = Progress(4, stream=stream, interval=3600)
    for status in ("feasible", "error", "timeout", "feasible"):
        progress.update(status)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # the first update, then the last (the interval suppresses the others)
    assert lines[0].startswith("[#######.....................] 1/4 jobs  25%  elapsed 0:00  ETA 0:00")
    assert lines[1].startswith("[############################] 4/4 jobs 100%")
    assert lines[1].endswith("(1 error, 1 timeout)")
    assert (clock(59.6), clock(61), clock(3725)) == ("1:00", "1:01", "1:02:05")


def test_a_file_from_before_the_energy_column_gains_it(tmp_path):
    old = [name for name in COLUMNS if name != "energy"]
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    with db:
        db.execute(f"CREATE TABLE results ({', '.join(old)})")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        db.execute(f"INSERT INTO results (job_key, instance, instance_hash, label, status) VALUES "
                   f"('old', 'i', 'h', 'm', 'feasible')")
    db.close()
    with ResultsStore(path) as store:
        store.add(row("new", objective=27, energy=6495.2))
        assert {r["job_key"]: r["energy"] for r in store.rows()} == {"new": 6495.2, "old": None}
