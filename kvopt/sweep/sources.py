"""Where a sweep's instances come from: files (a directory, a glob, a single file) or generators.

A sweep config lists instance sources as TOML tables:

    [[instances]]
    path = "instances/paper-sample"          # a directory (its *.json files), a glob, or one file

    [[instances]]
    generator = "paper-synthetic"            # a registered generator and its parameters
    model = [1, 2]
    seed = 0
    count = 10

    [[instances]]
    generator = "bundled"                    # a set bundled with kvopt (kvopt.instances), from anywhere
    set = "small"
    names = ["homogeneous_m9_s1_o3_n5"]      # optional: some of its instances

Generators are pluggable by name: `@register_generator("name")` on a function
`(params: dict, where: str) -> list[Instance]` that rejects unknown parameters with an InputError naming
`where`. Instance families from other modules register themselves the same way.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.io import read_instance

Generator = Callable[[dict[str, Any], str], list[Instance]]
_GENERATORS: dict[str, Generator] = {}

# Keys of a path source passed to kvopt.io.read_instance (the CSV trace options of `kvopt solve`).
TRACE_KEYS = {"memory": "memory", "rounds_per_second": "rounds_per_second", "arrival_rate": "arrival_rate",
              "trace_seed": "seed", "max_requests": "max_requests", "drop_invalid": "drop_invalid"}


def register_generator(name: str) -> Callable[[Generator], Generator]:
    def add(function: Generator) -> Generator:
        _GENERATORS[name] = function
        return function
    return add


def generators() -> list[str]:
    return sorted(_GENERATORS)


def take(params: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = None,
         required: bool = False) -> Any:
    """Pop `key` from a source's parameters, checking its type; `where` names the place in errors."""
    if key not in params:
        if required:
            raise InputError(f"missing key {key!r}", where)
        return default
    value = params.pop(key)
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise InputError(f"{key!r} has the wrong type: got {value!r}", where)
    if not isinstance(value, kind):
        raise InputError(f"{key!r} has the wrong type: got {value!r}", where)
    return value


def reject_unknown(params: Mapping[str, Any], where: str) -> None:
    if params:
        raise InputError(f"unknown key(s) {', '.join(sorted(params))}", where)


def as_int_list(value: int | list, key: str, where: str) -> list[int]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise InputError(f"{key!r} must be an integer or a non-empty list of integers, got {value!r}", where)
    return values


@register_generator("paper-synthetic")
def _paper_synthetic(params: dict[str, Any], where: str) -> list[Instance]:
    """The synthetic study of arXiv 2502.07115 v5 via kvopt.generate.paper_synthetic: model (1, 2 or a
    list), seed (default 0), and either count (indices 0..count-1) or indices (a list)."""
    from kvopt.generate import paper_synthetic

    models = as_int_list(take(params, "model", (int, list), where, required=True), "model", where)
    seed = take(params, "seed", int, where, default=0)
    count = take(params, "count", int, where)
    indices = take(params, "indices", list, where)
    reject_unknown(params, where)
    if (count is None) == (indices is None):
        raise InputError("give exactly one of 'count' and 'indices'", where)
    if count is not None:
        if count < 1:
            raise InputError(f"'count' must be positive, got {count}", where)
        indices = list(range(count))
    indices = as_int_list(indices, "indices", where)
    return [paper_synthetic(model, seed, index) for model in models for index in indices]


@register_generator("bundled")
def _bundled(params: dict[str, Any], where: str) -> list[Instance]:
    """The instances of a set bundled with kvopt (kvopt.instances): set, and optionally names."""
    from kvopt import instances

    set_name = take(params, "set", str, where, required=True)
    names = take(params, "names", list, where)
    reject_unknown(params, where)
    try:
        return [instances.load(set_name, name) for name in names or instances.instance_names(set_name)]
    except InputError as error:
        raise InputError(error.message, where) from None


def _paths(pattern: str, base: Path, where: str) -> list[Path]:
    target = Path(pattern).expanduser()
    if not target.is_absolute():
        target = base / target
    if target.is_dir():
        # a bundled set's manifest.json describes the set; it is not an instance
        found = sorted(p for p in target.glob("*.json") if p.name != "manifest.json")
    elif glob.has_magic(str(target)):
        found = sorted(Path(p) for p in glob.glob(str(target), recursive=True)
                       if Path(p).is_file() and Path(p).name != "manifest.json")
    elif target.is_file():
        found = [target]
    else:
        raise InputError(f"no such file or directory: {target}", where)
    if not found:
        raise InputError(f"{pattern!r} matches no instance file", where)
    return found


def load_source(source: Any, base: Path, where: str) -> list[Instance]:
    """The instances of one [[instances]] table; relative paths are taken from `base` (the config's
    directory)."""
    if not isinstance(source, Mapping):
        raise InputError("an instance source must be a table", where)
    params = dict(source)
    if ("path" in params) == ("generator" in params):
        raise InputError("give exactly one of 'path' and 'generator'", where)
    if "path" in params:
        pattern = take(params, "path", str, where)
        unknown = sorted(set(params) - set(TRACE_KEYS))
        if unknown:
            raise InputError(f"unknown key(s) {', '.join(unknown)} (a path source accepts the trace "
                             f"options {', '.join(sorted(TRACE_KEYS))})", where)
        options = {TRACE_KEYS[key]: value for key, value in params.items()}
        return [read_instance(path, **options) for path in _paths(pattern, base, where)]
    name = take(params, "generator", str, where)
    if name not in _GENERATORS:
        raise InputError(f"unknown generator {name!r}; known: {', '.join(generators())}", where)
    return _GENERATORS[name](params, where)
