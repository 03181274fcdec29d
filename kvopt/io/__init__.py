"""Reading and writing instances, schedules and traces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.io.json_files import (instance_from_dict, instance_to_dict, read_instance_json, read_schedule,
                                 schedule_from_dict, schedule_to_dict, write_instance, write_json,
                                 write_schedule)
from kvopt.io.traces import read_trace

__all__ = ["read_instance", "read_instance_json", "read_trace", "read_schedule", "write_instance",
           "write_schedule", "write_json", "instance_from_dict", "instance_to_dict", "schedule_from_dict",
           "schedule_to_dict"]


def read_instance(path: str | Path, **trace_options: Any) -> Instance:
    """Read an instance: canonical JSON (.json) or a CSV trace (.csv, which needs memory=...)."""
    suffix = Path(path).suffix.lower()
    given = {k: v for k, v in trace_options.items() if v is not None and v is not False}
    if suffix == ".csv":
        if "memory" not in given:
            raise InputError("a CSV trace needs the memory capacity (--memory M)", str(path))
        return read_trace(path, **given)
    if suffix == ".json":
        if given:
            raise InputError(f"trace options ({', '.join(sorted(given))}) apply only to CSV traces",
                             str(path))
        return read_instance_json(path)
    raise InputError("unknown instance format: expected a .json instance or a .csv trace", str(path))
