"""Helpers shared by the sweep tests: tiny instance files and configs."""

from __future__ import annotations

import textwrap
from pathlib import Path

from kvopt import Instance, Request
from kvopt.io import write_instance
from kvopt.sweep.worker import VOLATILE

PLUGIN = "tests.sweep.plugin_methods"


def tiny_instances(directory: Path) -> Path:
    """Three tiny instances (5-6 requests) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    shapes = {"tiny-a": (9, [(0, 1, 3)] * 5), "tiny-b": (10, [(0, 2, 3), (0, 1, 4), (1, 3, 2), (2, 1, 5), (2, 2, 2)]),
              "tiny-c": (12, [(0, 4, 4), (0, 1, 6), (1, 2, 2), (3, 5, 3), (3, 1, 1), (4, 2, 7)])}
    for name, (memory, requests) in shapes.items():
        write_instance(directory / f"{name}.json",
                       Instance(memory, tuple(Request(f"r{k}", *r) for k, r in enumerate(requests)), name=name))
    return directory


def write_config(path: Path, body: str) -> Path:
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def comparable(rows: list[dict]) -> list[dict]:
    """Rows without the columns that legitimately differ between runs (runtimes, host, timestamp)."""
    return [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]


def count_lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0
