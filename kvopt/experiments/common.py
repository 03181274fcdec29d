"""Helpers shared by the experiments: which methods exist, and whether to run at full size."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import Any

FULL_SIZE_VARIABLE = "KVOPT_FULL"


def full_size() -> bool:
    """True when the environment asks for the paper's full sizes (KVOPT_FULL=1); reduced sizes otherwise."""
    return os.environ.get(FULL_SIZE_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def available(names: Iterable[str], kinds: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(registered, missing): the named methods split by whether `kvopt methods` lists them; every
    registered method of one of `kinds` (e.g. "bound") is added to the registered list."""
    from kvopt.catalogue import all_methods
    registered = {spec.name: spec.kind for spec in all_methods()}
    names = list(dict.fromkeys(names))
    found = [name for name in names if name in registered]
    found += [name for name, kind in sorted(registered.items()) if kind in set(kinds) and name not in found]
    return found, [name for name in names if name not in registered]


def markdown_table(lines: Iterable[Mapping[str, Any]], columns: Mapping[str, str],
                   formats: Mapping[str, str] | None = None) -> str:
    """A Markdown table of `lines` (dicts): `columns` maps keys to headers, `formats` keys to format specs
    (e.g. ".3f"); None prints as an em dash, tuples as comma-separated values."""
    formats = formats or {}

    def cell(key: str, value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if isinstance(value, (tuple, list)):
            return ", ".join(str(v) for v in value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        spec = formats.get(key)
        if spec is None and isinstance(value, int):
            spec = ","
        return format(value, spec) if spec else str(value)

    lines = list(lines)
    numeric = {key for line in lines for key, value in line.items() if isinstance(value, (int, float))
               and not isinstance(value, bool)}
    header = "| " + " | ".join(columns.values()) + " |"
    rule = "|" + "|".join("---:" if key in numeric else "---" for key in columns) + "|"
    body = ["| " + " | ".join(cell(key, line.get(key)) for key in columns) + " |" for line in lines]
    return "\n".join([header, rule, *body])
