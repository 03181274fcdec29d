"""Reading and writing instances, schedules and traces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kvopt.clock import in_rounds
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
    """Read an instance: canonical JSON (.json) or a CSV trace (.csv, which needs memory=...). For a JSON
    instance with clock-time arrivals, rounds_per_second converts them to rounds (kvopt.clock.in_rounds)."""
    suffix = Path(path).suffix.lower()
    given = {k: v for k, v in trace_options.items() if v is not None and v is not False}
    if Path(path).is_dir():
        raise InputError("is a folder, not an instance file (a .json instance or a .csv trace)", str(path))
    if not Path(path).exists():
        raise InputError("no such file", str(path))
    if suffix == ".csv":
        if "memory" not in given:
            raise InputError("a CSV trace needs the memory capacity (--memory M)", str(path))
        return read_trace(path, **given)
    if suffix == ".json":
        rounds_per_second = given.pop("rounds_per_second", None)
        if given:
            raise InputError(f"trace options ({', '.join(sorted(given))}) apply only to CSV traces",
                             str(path))
        instance = read_instance_json(path)
        if rounds_per_second is None:
            return instance
        try:
            return in_rounds(instance, rounds_per_second)
        except InputError as error:
            raise InputError(error.message, str(path)) from None
    raise InputError("unknown instance format: expected a .json instance or a .csv trace", str(path))
