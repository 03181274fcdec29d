"""CSV request traces turned into instances.

Two formats are recognised by their header:
- Vidur / Azure: `arrived_at,num_prefill_tokens,num_decode_tokens` (arrival in seconds). Arrival rounds are
  floor(arrived_at * rounds_per_second), so `rounds_per_second` is required.
- LMSYS word counts: `question_length,answer_length` (no arrival times). All requests arrive at round 0
  unless `arrival_rate` (requests per round) draws Poisson arrivals with `seed`.
Extra columns are ignored. Memory M is always given by the caller. A row with a zero or negative size, or
one that can never fit (prompt + output > M), is an error naming its line, unless `drop_invalid` is set:
then it is dropped and counted in the instance's metadata (never silently).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance, Request

FORMATS = {
    "vidur": ("arrived_at", "num_prefill_tokens", "num_decode_tokens"),
    "lmsys": ("question_length", "answer_length"),
}


def _detect(header: list[str], path: str) -> str:
    for name, columns in FORMATS.items():
        if set(columns) <= set(header):
            return name
    wanted = " or ".join(",".join(columns) for columns in FORMATS.values())
    raise InputError(f"unrecognised CSV header {','.join(header)!r}; expected columns {wanted}", path)


def _number(text: str, column: str, where: str, integer: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{column} is not a number: {text!r}", where) from None
    if not math.isfinite(value) or (integer and value != int(value)):
        raise InputError(f"{column} must be {'an integer' if integer else 'finite'}, got {text!r}", where)
    return value


def read_trace(path: str | Path, memory: int, *, rounds_per_second: float | None = None,
               arrival_rate: float | None = None, seed: int = 0, max_requests: int | None = None,
               drop_invalid: bool = False) -> Instance:
    """Read a CSV trace into an Instance with memory M = `memory`."""
    path = str(path)
    if memory is None or memory < 1:
        raise InputError(f"a CSV trace needs a positive --memory, got {memory!r}", path)
    if max_requests is not None and max_requests < 1:
        raise InputError(f"max_requests must be positive, got {max_requests}", path)
    try:
        handle = open(path, newline="", encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path) from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [column.strip() for column in next(reader)]
        except StopIteration:
            raise InputError("empty file", path) from None
        except (UnicodeDecodeError, csv.Error) as error:
            raise InputError(f"unreadable CSV: {error}", path) from None
        kind = _detect(header, path)
        if kind == "vidur" and (rounds_per_second is None or rounds_per_second <= 0):
            raise InputError("this trace has arrival times in seconds: give a positive "
                             "--rounds-per-second to turn them into rounds", path)
        if kind == "vidur" and arrival_rate is not None:
            raise InputError("this trace has its own arrival times; --arrival-rate applies only to "
                             "traces without them", path)
        if arrival_rate is not None and arrival_rate <= 0:
            raise InputError(f"arrival rate must be positive, got {arrival_rate}", path)
        column = {name: header.index(name) for name in FORMATS[kind]}
        rows: list[tuple[float, int, int]] = []
        dropped = {"nonpositive": 0, "too_large": 0}
        try:
            for line_number, row in enumerate(reader, start=2):
                if max_requests is not None and len(rows) >= max_requests:
                    break
                if not row or all(not cell.strip() for cell in row):
                    continue
                where = f"{path}: line {line_number}"
                if len(row) != len(header):
                    raise InputError(f"expected {len(header)} fields, found {len(row)}", where)
                if kind == "vidur":
                    seconds = _number(row[column["arrived_at"]], "arrived_at", where, integer=False)
                    if seconds < 0:
                        raise InputError(f"arrived_at must be >= 0, got {seconds}", where)
                    prompt = _number(row[column["num_prefill_tokens"]], "num_prefill_tokens", where, True)
                    output = _number(row[column["num_decode_tokens"]], "num_decode_tokens", where, True)
                else:
                    seconds = 0.0
                    prompt = _number(row[column["question_length"]], "question_length", where, True)
                    output = _number(row[column["answer_length"]], "answer_length", where, True)
                prompt, output = int(prompt), int(output)
                problem = None
                if prompt < 1 or output < 1:
                    problem, reason = "nonpositive", f"prompt {prompt} and output {output} must be positive"
                elif prompt + output > memory:
                    problem, reason = "too_large", (f"prompt {prompt} + output {output} = {prompt + output}"
                                                    f" exceeds memory {memory}; it can never run")
                if problem:
                    if not drop_invalid:
                        raise InputError(reason + " (use --drop-invalid to drop such rows, counted)", where)
                    dropped[problem] += 1
                    continue
                rows.append((seconds, prompt, output))
        except (UnicodeDecodeError, csv.Error) as error:
            raise InputError(f"unreadable CSV: {error}", path) from None
    if not rows:
        raise InputError("the trace has no usable requests", path)

    if kind == "vidur":
        arrivals = [math.floor(seconds * rounds_per_second) for seconds, _, _ in rows]
    elif arrival_rate is not None:
        gaps = np.random.default_rng(seed).exponential(1.0 / arrival_rate, size=len(rows))
        arrivals = np.floor(np.cumsum(gaps) - gaps[0]).astype(int).tolist()
    else:
        arrivals = [0] * len(rows)
    requests = tuple(Request(id=f"r{k}", arrival=a, prompt=p, output=o)
                     for k, (a, (_, p, o)) in enumerate(zip(arrivals, rows)))
    metadata: dict[str, Any] = {"format": kind, "rows_used": len(rows),
                                "rows_dropped": dropped if drop_invalid else None}
    if kind == "vidur":
        metadata["rounds_per_second"] = rounds_per_second
    if arrival_rate is not None:
        metadata.update(arrival_rate=arrival_rate, seed=seed)
    return Instance(memory=memory, requests=requests, name=Path(path).stem, source=path,
                    metadata={k: v for k, v in metadata.items() if v is not None})
