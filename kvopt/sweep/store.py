"""The results store: one SQLite file (standard library, no server) per sweep, or shared by several.

Tables:
  results    one row per job (kvopt.sweep.worker.COLUMNS), keyed by the job key;
  schedules  the schedule (canonical JSON, as `kvopt solve --out` writes it) and log of each job;
  instances  each instance's content by hash, so that reports and plots need no instance files;
  meta       the schema version.
Only the process running the sweep writes (workers return rows); WAL journaling makes every recorded
row durable at once without slowing the sweep, so an interrupted sweep loses only the jobs in flight.
Read it with any SQLite client, e.g. `sqlite3 results.sqlite 'select method, avg(gap) from results
group by method'`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.schedule import Schedule
from kvopt.sweep.worker import COLUMNS

SCHEMA_VERSION = "1"
_TYPES = {"requests": "INTEGER", "memory": "INTEGER", "seed": "INTEGER", "threads": "INTEGER",
          "objective": "INTEGER", "peak_memory": "INTEGER", "makespan": "INTEGER",
          "time_limit": "NUMERIC", "lower_bound": "NUMERIC", "gap": "REAL", "runtime_s": "REAL",
          "wall_s": "REAL", "energy": "REAL"}


class ResultsStore:
    """Open (creating if needed) a results file. Use as a context manager or call close()."""

    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise InputError("no such results file", str(path))
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._create()
        except sqlite3.DatabaseError as error:
            raise InputError(f"not a kvopt results file ({error})", str(path)) from None

    def _create(self) -> None:
        columns = ", ".join(f"{name} {_TYPES.get(name, 'TEXT')}" + (" PRIMARY KEY" if name == "job_key" else "")
                            for name in COLUMNS)
        with self._db:
            self._db.execute(f"CREATE TABLE IF NOT EXISTS results ({columns})")
            present = {row[1] for row in self._db.execute("PRAGMA table_info(results)")}
            for name in (c for c in COLUMNS if c not in present):  # a file written before the column existed
                self._db.execute(f"ALTER TABLE results ADD COLUMN {name} {_TYPES.get(name, 'TEXT')}")
            self._db.execute("CREATE TABLE IF NOT EXISTS schedules (job_key TEXT PRIMARY KEY, schedule TEXT, "
                             "log TEXT)")
            self._db.execute("CREATE TABLE IF NOT EXISTS instances (instance_hash TEXT PRIMARY KEY, "
                             "content TEXT NOT NULL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        version = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise InputError(f"results schema version {version}, this kvopt reads {SCHEMA_VERSION}",
                             str(self.path))

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # writing
    def add_instances(self, contents: dict[str, str]) -> None:
        """Record instance contents (hash -> canonical JSON); known hashes are kept as they are."""
        with self._db:
            self._db.executemany("INSERT OR IGNORE INTO instances VALUES (?, ?)", contents.items())

    def add(self, row: dict[str, Any]) -> None:
        """Record a job's row (replacing an earlier row of the same job) with its schedule and log."""
        placeholders = ", ".join("?" for _ in COLUMNS)
        with self._db:
            self._db.execute(f"INSERT OR REPLACE INTO results VALUES ({placeholders})",
                             [row.get(name) for name in COLUMNS])
            self._db.execute("INSERT OR REPLACE INTO schedules VALUES (?, ?, ?)",
                             (row["job_key"], row.get("schedule"), row.get("log")))

    def relabel(self, labels: dict[str, str]) -> None:
        """Give recorded jobs the labels of the current config (labels are not part of a job's key)."""
        with self._db:
            self._db.executemany("UPDATE results SET label = ? WHERE job_key = ? AND label IS NOT ?",
                                 [(label, key, label) for key, label in labels.items()])

    # reading
    def statuses(self) -> dict[str, tuple[str, str | None]]:
        """job key -> (status, error) of every recorded job."""
        return {key: (status, error) for key, status, error in
                self._db.execute("SELECT job_key, status, error FROM results")}

    def rows(self, keys: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Result rows as dicts, ordered by instance, label, time limit, seed."""
        query = f"SELECT {', '.join(COLUMNS)} FROM results"
        rows = self._db.execute(query + " ORDER BY instance, label, time_limit, seed, job_key").fetchall()
        wanted = None if keys is None else set(keys)
        return [dict(zip(COLUMNS, row)) for row in rows if wanted is None or row[0] in wanted]

    def best_schedule(self, instance_hash: str) -> tuple[Schedule, int] | None:
        """The recorded schedule of least objective for an instance among jobs whose schedule the
        verifier accepted as non-preemptive (verdict 'feasible'), as one start per request (runs of
        restarted requests dropped: their last runs are the same schedule), with its objective;
        ties go to the earliest label."""
        from kvopt.io import schedule_from_dict
        found = self._db.execute(
            "SELECT r.label, r.objective, s.schedule FROM results r JOIN schedules s USING (job_key) "
            "WHERE r.instance_hash = ? AND r.verdict = 'feasible' AND r.error IS NULL "
            "AND s.schedule IS NOT NULL ORDER BY r.objective, r.label LIMIT 1", (instance_hash,)).fetchone()
        if found is None:
            return None
        label, objective, text = found
        starts = schedule_from_dict(json.loads(text)).starts
        return Schedule(starts, metadata={"method": label}), objective

    def schedule(self, job_key: str) -> Schedule | None:
        from kvopt.io import schedule_from_dict
        found = self._db.execute("SELECT schedule FROM schedules WHERE job_key = ?", (job_key,)).fetchone()
        return schedule_from_dict(json.loads(found[0])) if found and found[0] else None

    def instance(self, instance_hash: str) -> Instance:
        from kvopt.io import instance_from_dict
        found = self._db.execute("SELECT content FROM instances WHERE instance_hash = ?",
                                 (instance_hash,)).fetchone()
        if found is None:
            raise InputError(f"instance {instance_hash[:12]} is not stored", str(self.path))
        return instance_from_dict(json.loads(found[0]))
