"""The canonical JSON files: instances and schedules.

Instance: {"memory": 9, "requests": [{"id": "r0", "arrival": 0, "prompt": 1, "output": 3}, ...]}
  optional top-level keys: name, source, batch_time, metadata;
  optional request keys: predicted_output, output_interval ([lo, hi]), metadata.
Schedule: {"starts": {"r0": 0, ...}} optional "runs" ({"r3": [{"start": 0, "tokens": 2, "kept": 0}, ...]})
  for requests that were evicted, and any other top-level keys as metadata (method, objective, ...).
Unknown keys are rejected (a misspelt optional key must not be silently ignored), and so are duplicate
keys (JSON parsers keep the last value silently) and the non-JSON constants NaN and Infinity.
A file is decoded by kvopt.io.fast_json where that gives the strict decoder's value (parse_json, which
names every problem), and an instance of plain requests is read in columns (Instance.from_columns).
"""

from __future__ import annotations

import gc
import json
import json.decoder
import json.scanner
import math
from collections.abc import Callable, Mapping
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance, Request, shown
from kvopt.io import fast_json
from kvopt.io.files import atomic_write
from kvopt.schedule import Run, Schedule

INSTANCE_KEYS = {"memory", "requests", "name", "source", "batch_time", "metadata"}
REQUEST_REQUIRED = ("id", "arrival", "prompt", "output")
REQUEST_KEYS = set(REQUEST_REQUIRED) | {"predicted_output", "output_interval", "metadata"}
REQUIRED_SET = frozenset(REQUEST_REQUIRED)
COUNTS = ("arrival", "prompt", "output")


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key
        self.position: int | None = None  # of the innermost object holding it, set by _locate


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return mapping


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not valid JSON")


def _locate(text: str) -> int | None:
    """Where the object holding the first duplicate key starts (the pure-Python scanner knows positions;
    run only once a duplicate was found)."""
    decoder = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_not_json)

    def parse_object(s_and_end, *args):
        try:
            return json.decoder.JSONObject(s_and_end, *args)
        except _DuplicateKey as duplicate:
            if duplicate.position is None:
                duplicate.position = s_and_end[1] - 1
            raise

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        decoder.decode(text)
    except _DuplicateKey as duplicate:
        return duplicate.position
    return None


def parse_json(text: str, where: str) -> Any:
    """JSON text as Python values; malformed JSON, duplicate keys, NaN/Infinity, numbers of thousands of
    digits and absurd nesting are InputErrors naming `where` and the line."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_not_json)
    except json.JSONDecodeError as error:
        raise InputError(f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}",
                         where) from None
    except _DuplicateKey as duplicate:
        position = _locate(text)
        place = ""
        if position is not None:
            line = text.count("\n", 0, position) + 1
            place = f" in the object at line {line} column {position - text.rfind(chr(10), 0, position)}"
        raise InputError(f"duplicate key {shown(duplicate.key)}{place} (JSON would keep the last value "
                         f"silently)", where) from None
    except RecursionError:
        raise InputError("malformed JSON: nested too deeply", where) from None
    except ValueError as error:  # NaN / Infinity, or a number with more digits than Python converts
        raise InputError(f"malformed JSON: {str(error).split(';')[0]}", where) from None


def read_bytes(path: str | Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", str(path)) from None
    except PermissionError:
        raise InputError("permission denied", str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", str(path)) from None


def strict_json(raw: bytes, where: str) -> Any:
    """parse_json of a file's bytes read as UTF-8 text with universal newlines (as open() reads it)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text ({error.reason})", where) from None
    return parse_json(text.replace("\r\n", "\n").replace("\r", "\n"), where)


def decoded_json(raw: bytes, where: str) -> Any:
    """The value of a file's bytes: decoded fast where that gives the strict reader's value, else strictly."""
    value = fast_json.decode(raw)
    return strict_json(raw, where) if value is None else value


def load_json(path: str | Path) -> Any:
    return decoded_json(read_bytes(path), str(path))


def located(path: str | Path, read: Callable[..., Any], *args: Any) -> Any:
    """read(*args), with the file's name before the place of an InputError it raises."""
    try:
        return read(*args)
    except InputError as error:
        raise error.located(str(path)) from None


def write_json(path: str | Path, data: Any) -> None:
    """Write atomically (kvopt.io.files): a crash or error never leaves a partial file behind. The text of
    json.dumps(data, indent=1), written piece by piece (json_pieces), never as one string."""
    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8") as file:
            file.writelines(json_pieces(data))
            file.write("\n")

    atomic_write(path, write)


KEY_TEXT = json.encoder.encode_basestring_ascii  # json.dumps's text of a string (ensure_ascii)
CONSTANTS = {None: "null", True: "true", False: "false"}


def json_pieces(data: Any, chunk: int = 65_536):
    """json.dumps(data, indent=1) in pieces: a top-level object's values that are objects or arrays item by
    item, `chunk` items a piece, each item's text made by `indented` (json.dumps with an indent runs the
    pure-Python encoder, one generator step per piece: for the starts and runs of a million requests 3 s
    and, joined, about 450 MiB)."""
    if type(data) is not dict or not data or any(type(key) is not str for key in data):
        yield from json.JSONEncoder(indent=1).iterencode(data)
        return
    for position, (key, value) in enumerate(data.items()):
        yield ("," if position else "{") + "\n " + KEY_TEXT(key) + ": "
        kind = type(value)
        if kind not in (dict, list) or not value or (kind is dict and any(type(k) is not str for k in value)):
            yield _item_text(value, 1)
            continue
        items = iter(value.items() if kind is dict else value)
        for at in range(0, len(value), chunk):
            texts = [KEY_TEXT(item[0]) + ": " + _item_text(item[1], 2) if kind is dict else _item_text(item, 2)
                     for item in islice(items, chunk)]
            yield ("," if at else "{" if kind is dict else "[") + "\n  " + ",\n  ".join(texts)
        yield "\n }" if kind is dict else "\n ]"
    yield "\n}"


def _item_text(value: Any, depth: int) -> str:
    """json.dumps's text of `value` at indent level `depth`: `indented`'s, else json's own (every line after
    the first shifted by depth: JSON text has no raw newline inside a string)."""
    text = indented(value, depth)
    return text if text is not None else json.dumps(value, indent=1).replace("\n", "\n" + " " * depth)


def indented(value: Any, depth: int) -> str | None:
    """json.dumps(value, indent=1) at indent level `depth` for a value of dicts with string keys, lists,
    tuples, strings, ints, floats, booleans and None (exactly these types); None for anything else."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is str:
        return KEY_TEXT(value)
    if kind is float:
        return float.__repr__(value) if value == value and abs(value) != math.inf else \
            "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
    if value is None or kind is bool:
        return CONSTANTS[value]
    if kind not in (dict, list, tuple):
        return None
    if not value:
        return "{}" if kind is dict else "[]"
    inner = "\n" + " " * (depth + 1)
    parts = []
    for item in (value.items() if kind is dict else value):
        if kind is dict and type(item[0]) is not str:
            return None
        text = indented(item[1] if kind is dict else item, depth + 1)
        if text is None:
            return None
        parts.append(KEY_TEXT(item[0]) + ": " + text if kind is dict else text)
    close = "}" if kind is dict else "]"
    return ("{" if kind is dict else "[") + inner + ("," + inner).join(parts) + "\n" + " " * depth + close


def request_from_dict(data: Any, position: int) -> Request:
    if type(data) is dict and REQUIRED_SET <= data.keys() <= REQUEST_KEYS:  # the common case, checked fast
        try:
            return Request(data["id"], data["arrival"], data["prompt"], data["output"],
                           data.get("predicted_output"), data.get("output_interval"), data.get("metadata"))
        except InputError:
            pass  # the full path below names the entry
    where = f"requests[{position}]"
    if not isinstance(data, Mapping):
        raise InputError(f"a request must be an object, got {type(data).__name__}", where)
    if "id" in data:
        where += f" (id {data['id']!r})"
    missing = [key for key in REQUEST_REQUIRED if key not in data]
    if missing:
        raise InputError(f"missing key(s) {', '.join(missing)}", where)
    unknown = sorted(set(data) - REQUEST_KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(REQUEST_KEYS))})",
                         where)
    try:
        return Request(id=data["id"], arrival=data["arrival"], prompt=data["prompt"], output=data["output"],
                       predicted_output=data.get("predicted_output"),
                       output_interval=data.get("output_interval"), metadata=data.get("metadata"))
    except InputError as error:
        raise InputError(error.message, where) from None


def plain_columns(items: list) -> tuple[list, list, list, list] | None:
    """ids, arrivals, prompts and outputs of request entries that all have exactly the required keys (their
    values are checked by Instance.from_columns); None if any entry differs."""
    if not items or set(map(type, items)) != {dict} or any(item.keys() != REQUIRED_SET for item in items):
        return None
    return tuple([item[key] for item in items] for key in REQUEST_REQUIRED)


def columns_instance(header: Mapping[str, Any], columns, default_name: str | None) -> Instance | None:
    """Instance.from_columns with the other fields of `header` (an instance file's top-level keys)."""
    name = header.get("name")
    return Instance.from_columns(header["memory"], *columns, name=default_name if name is None else name,
                                 source=header.get("source"), batch_time=header.get("batch_time"),
                                 metadata=header.get("metadata"))


def instance_from_dict(data: Any, default_name: str | None = None) -> Instance:
    """The instance of a decoded file; `default_name` when it names none."""
    if not isinstance(data, Mapping):
        raise InputError(f"an instance must be a JSON object, got {type(data).__name__}")
    for key in ("memory", "requests"):
        if key not in data:
            raise InputError(f"missing key {key!r}")
    unknown = sorted(set(data) - INSTANCE_KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(INSTANCE_KEYS))})")
    if not isinstance(data["requests"], list):
        raise InputError(f"'requests' must be a list, got {type(data['requests']).__name__}")
    columns = plain_columns(data["requests"])
    instance = None if columns is None else columns_instance(data, columns, default_name)
    if instance is not None:
        return instance
    requests = [request_from_dict(item, k) for k, item in enumerate(data["requests"])]
    name = data.get("name")
    return Instance(memory=data["memory"], requests=tuple(requests), name=default_name if name is None else name,
                    source=data.get("source"), batch_time=data.get("batch_time"),
                    metadata=data.get("metadata"))


def typed_instance(raw: bytes, default_name: str) -> Instance | None:
    """The instance of a file of plain requests, decoded into columns (kvopt.io.fast_json); None where the
    general reader must decide."""
    decoded = fast_json.decode_instance(raw)
    if decoded is None:
        return None
    header, requests = decoded
    try:
        columns = [np.fromiter(map(attrgetter(key), requests), np.int64, len(requests)) for key in COUNTS]
    except OverflowError:
        return None
    return columns_instance(header, [list(map(attrgetter("id"), requests)), *columns], default_name)


def request_to_dict(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {"id": request.id, "arrival": request.arrival, "prompt": request.prompt,
                           "output": request.output}
    if request.predicted_output is not None:
        out["predicted_output"] = request.predicted_output
    if request.output_interval is not None:
        out["output_interval"] = list(request.output_interval)
    if request.metadata:
        out["metadata"] = dict(request.metadata)
    return out


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if instance.name is not None:
        out["name"] = instance.name
    if instance.source is not None:
        out["source"] = instance.source
    out["memory"] = instance.memory
    if instance.batch_time is not None:
        out["batch_time"] = dict(instance.batch_time)
    if instance.metadata:
        out["metadata"] = dict(instance.metadata)
    out["requests"] = [request_to_dict(r) for r in instance.requests]
    return out


def read_instance_json(path: str | Path) -> Instance:
    collecting = gc.isenabled()
    gc.disable()  # a million requests make the cyclic collector run often and find no cycle
    try:
        raw = read_bytes(path)
        instance = located(path, typed_instance, raw, Path(path).stem)
        if instance is None:
            instance = located(path, instance_from_dict, decoded_json(raw, str(path)), Path(path).stem)
    finally:
        if collecting:
            gc.enable()
    return instance


def write_instance(path: str | Path, instance: Instance) -> None:
    write_json(path, instance_to_dict(instance))


def schedule_from_dict(data: Any) -> Schedule:
    if not isinstance(data, Mapping):
        raise InputError(f"a schedule must be a JSON object, got {type(data).__name__}")
    if "starts" not in data:
        raise InputError("missing key 'starts'")
    if not isinstance(data["starts"], Mapping):
        raise InputError("'starts' must be an object mapping request ids to start rounds")
    runs: dict[str, tuple[Run, ...]] = {}
    raw_runs = data.get("runs")
    raw_runs = {} if raw_runs is None else raw_runs
    if not isinstance(raw_runs, Mapping):
        raise InputError("'runs' must be an object mapping request ids to lists of runs")
    for request_id, attempts in raw_runs.items():
        where = f"runs[{request_id!r}]"
        if not isinstance(attempts, list):
            raise InputError("must be a list of {start, tokens, kept} objects", where)
        parsed = []
        for k, run in enumerate(attempts):
            if not isinstance(run, Mapping) or not {"start", "tokens"} <= set(run) \
                    or set(run) - {"start", "tokens", "kept"}:
                raise InputError(f"run {k} must be an object with keys start, tokens and optional kept",
                                 where)
            try:
                parsed.append(Run(run["start"], run["tokens"], run.get("kept", 0)))
            except InputError as error:
                raise InputError(error.message, f"{where}[{k}]") from None
        runs[request_id] = tuple(parsed)
    metadata = {k: v for k, v in data.items() if k not in ("starts", "runs")}
    return Schedule(data["starts"], runs, metadata)


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    out: dict[str, Any] = dict(schedule.metadata)
    out["starts"] = dict(schedule.starts)
    if schedule.runs:
        out["runs"] = {rid: [{"start": r.start, "tokens": r.tokens, "kept": r.kept} for r in runs]
                       for rid, runs in schedule.runs.items()}
    return out


def read_schedule(path: str | Path) -> Schedule:
    return located(path, schedule_from_dict, load_json(path))


def write_schedule(path: str | Path, schedule: Schedule) -> None:
    write_json(path, schedule_to_dict(schedule))
