"""Instance sets on disk: one canonical JSON file per instance and a manifest.json describing the set.

manifest.json: {"format": "kvopt-instance-set/1", "commands": ["kvopt generate ...", ...],
"instances": [{"file", "name", "family", "requests", "memory", "arrival_unit_s", "command"}, ...]}, where
"command" indexes "commands". Writing a set into a folder that already has a manifest adds to it: entries
are added or replaced by file name. The bundled sets' builder adds best-known values to the entries
(kvopt.generate.bundles).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.io import write_instance, write_json
from kvopt.io.json_files import load_json
from kvopt.timing import arrival_unit

MANIFEST = "manifest.json"
FORMAT = "kvopt-instance-set/1"


def read_manifest(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    data = load_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("instances"), list):
        raise InputError(f"not a kvopt instance-set manifest (expected format {FORMAT!r})", str(path))
    return data


def entry(instance: Instance, file: str, command: int) -> dict[str, Any]:
    return {"file": file, "name": instance.name, "family": instance.metadata.get("family"),
            "requests": len(instance), "memory": instance.memory,
            "arrival_unit_s": arrival_unit(instance.batch_time), "command": command}


def planned_set(directory: str | Path, instances: list[Instance], command: str
                ) -> tuple[list[tuple[str, Callable[[Path], None]]], list[dict[str, Any]]]:
    """What writing `instances` into `directory` takes: (file name, writer) for each instance and the
    updated manifest, and the instances' manifest entries. Checked before anything is written."""
    clashes = [name for name, count in Counter(i.name for i in instances).items() if count > 1]
    if clashes:
        raise InputError(f"these instance names occur more than once: {', '.join(clashes[:5])}", str(directory))
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise InputError("exists and is not a folder", str(directory))
    manifest = (read_manifest(directory) if (directory / MANIFEST).exists()
                else {"format": FORMAT, "commands": [], "instances": []})
    if command not in manifest["commands"]:
        manifest["commands"].append(command)
    number = manifest["commands"].index(command)
    files: list[tuple[str, Callable[[Path], None]]] = []
    entries = []
    for instance in instances:
        file = f"{instance.name}.json"
        files.append((file, partial(write_instance, instance=instance)))
        entries.append(entry(instance, file, number))
    new = {e["file"]: e for e in entries}
    manifest["instances"] = [e for e in manifest["instances"] if e["file"] not in new] + entries
    files.append((MANIFEST, partial(write_json, data=manifest)))
    return files, entries


def write_set(directory: str | Path, instances: list[Instance], command: str) -> list[dict[str, Any]]:
    """Write `instances` as <name>.json into `directory` and record them in its manifest; returns their
    manifest entries. Names must be unique (no file is written otherwise)."""
    files, entries = planned_set(directory, instances, command)
    Path(directory).mkdir(parents=True, exist_ok=True)
    for name, write in files:
        write(Path(directory) / name)
    return entries
