"""Decoding large JSON files fast, only where the result is the one the strict reader would give.

msgspec (a compiled decoder, several times faster than the standard library at a million requests) gives
the same values as `json.loads` for every document it accepts (tests/io/test_fast_json.py), but it keeps
the last value of a duplicate key silently and differs in its errors. So a decode here counts the
key-value pairs of the text (the colons outside strings) and of the result: they differ exactly when a key
was repeated. Whatever msgspec refuses, and every duplicate, is answered with None: the caller then reads
the file with the strict reader (kvopt.io.json_files.parse_json), which names the problem and its place.

The typed decode of an instance gives its requests as objects with exactly the four required keys, without
a dict per request; a file with any other request or top-level key gives None there, and is decoded by
`decode` and read request by request.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

try:
    import msgspec
except ImportError:  # an installation without it reads every file with the strict reader
    msgspec = None

CONTAINERS = (dict, list)


def pair_count(value: Any) -> int:
    """Key-value pairs of all the objects within a decoded value, level by level (a million flat request
    objects are one level)."""
    count, level = 0, [value]
    while level:
        dicts = [v for v in level if type(v) is dict]
        count += sum(map(len, dicts))
        children = list(chain(chain.from_iterable(map(dict.values, dicts)),
                              chain.from_iterable(v for v in level if type(v) is list)))
        nested = set(map(type, children)) & set(CONTAINERS)
        level = [v for v in children if type(v) in CONTAINERS] if nested else []
    return count


def text_pairs(raw: bytes) -> int:
    """Key-value pairs of a valid JSON text: its colons outside strings (a quote preceded by an odd run of
    backslashes is inside a string)."""
    data = np.frombuffer(raw, np.uint8)
    quotes = np.flatnonzero(data == ord('"'))
    if b"\\" in raw:
        escaped = [q for q in quotes[(quotes > 0) & (data[quotes - 1] == ord("\\"))].tolist()
                   if _escaped(raw, q)]
        quotes = np.setdiff1d(quotes, escaped, assume_unique=True)
    at = np.flatnonzero(data == ord(":"))
    return int(np.count_nonzero(np.searchsorted(quotes, at) % 2 == 0))


def _escaped(raw: bytes, quote: int) -> bool:
    before = quote
    while before > 0 and raw[before - 1] == ord("\\"):
        before -= 1
    return (quote - before) % 2 == 1


def unique_keys(raw: bytes, pairs: int) -> bool:
    """No key of the JSON text `raw` is repeated in its object, given the pairs its decoded value has."""
    colons = raw.count(b":")  # every pair has one; more only if some string holds a colon
    return colons == pairs or text_pairs(raw) == pairs


def decode(raw: bytes) -> Any | None:
    """The value of a JSON text, or None where the strict reader must decide (see the module's doc). A
    document that is just `null` also gives None: the strict reader reads it again, cheaply."""
    if msgspec is None:
        return None
    try:
        value = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None
    return value if unique_keys(raw, pair_count(value)) else None


if msgspec is not None:
    class PlainRequest(msgspec.Struct, forbid_unknown_fields=True, gc=False):
        """A request entry with exactly the required keys, of the JSON types they must have."""
        id: str
        arrival: int
        prompt: int
        output: int

    class PlainInstance(msgspec.Struct, forbid_unknown_fields=True):
        memory: Any
        requests: list[PlainRequest]
        name: Any = msgspec.UNSET
        source: Any = msgspec.UNSET
        batch_time: Any = msgspec.UNSET
        metadata: Any = msgspec.UNSET

    _instance_decoder = msgspec.json.Decoder(PlainInstance)
    HEADER = tuple(f for f in PlainInstance.__struct_fields__ if f != "requests")


def decode_instance(raw: bytes) -> tuple[dict[str, Any], list] | None:
    """The top-level keys but "requests" of an instance file, and its requests (objects with attributes id,
    arrival, prompt and output: a str and three ints); None where the strict reader must decide."""
    if msgspec is None:
        return None
    try:
        decoded = _instance_decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None
    header = {key: getattr(decoded, key) for key in HEADER if getattr(decoded, key) is not msgspec.UNSET}
    pairs = pair_count(header) + 1 + 4 * len(decoded.requests)  # "requests" and each request's four keys
    return (header, decoded.requests) if unique_keys(raw, pairs) else None
