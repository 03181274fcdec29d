"""kvopt.io.json_files.json_pieces (what write_json writes): the text of json.dumps(data, indent=1), piece by
piece, for every kind of value (the fast path of `indented` and json's own for anything else)."""

from __future__ import annotations

import json
import math
import random

import pytest

from kvopt.io.json_files import indented, json_pieces, write_json


class Subclass(int):
    pass


FIXED = [{}, [], 1, "x", None, True, 1.5, {"a": {}}, {"a": []}, {"s": {"x": 1}}, {"s": [1, 2]}, {"s": [True, 1]},
         {"s": {"a": 1.5}}, {"x": math.nan, "y": [math.inf, -math.inf, -0.0, 1e300, 1e-7]}, {"a": (1, (2, []))},
         {"b": {"c": {1: 2}}}, {"f": {"g": {True: 1}}}, {"é\n\"\\": "ü\u2028𝄞"}, {"": {"": [""]}},
         {"a": Subclass(3)}, [Subclass(4)], {"a": {"b": Subclass(5)}}, {1: 2}, {"meta": {"n": [1, {"e": None}]}},
         {"starts": {f"r{k}": k for k in range(10)}, "runs": {"r1": [{"start": 0, "tokens": 3, "kept": 0}]}}]


def drawn(rng: random.Random, depth: int = 0):
    name = "".join(rng.choice("aé\"\\\n x𝄞,") for _ in range(rng.randint(0, 4)))
    kind = rng.randint(0, 8 if depth < 3 else 4)
    if kind == 0:
        return rng.randint(-10**13, 10**13)
    if kind == 1:
        return rng.choice([rng.random(), 1e22, math.nan, -math.inf])
    if kind == 2:
        return rng.choice([None, True, False])
    if kind == 3:
        return name
    if kind == 4:
        return Subclass(2)
    if kind in (5, 6):
        return {name + str(k): drawn(rng, depth + 1) for k in range(rng.randint(0, 3))}
    return (list if kind == 7 else tuple)(drawn(rng, depth + 1) for _ in range(rng.randint(0, 3)))


@pytest.mark.parametrize("chunk", (1, 2, 65_536))
def test_the_pieces_are_json_dumps_with_indent_1(chunk):
    rng = random.Random(chunk)
    for value in [*FIXED, *(drawn(rng) for _ in range(1500)), *({"k": drawn(rng)} for _ in range(500))]:
        assert "".join(json_pieces(value, chunk)) == json.dumps(value, indent=1), value


def test_indented_declines_other_types():
    assert indented(Subclass(1), 0) is None and indented({"a": [Subclass(1)]}, 0) is None
    assert indented({1: 2}, 0) is None and indented({"a": object()}, 3) is None


def test_write_json_writes_that_text(tmp_path):
    data = {"starts": {"a": 1, "é": 2}, "runs": {"a": [{"start": 0, "tokens": 1, "kept": 0}]}, "x": math.nan}
    write_json(tmp_path / "f.json", data)
    assert (tmp_path / "f.json").read_text(encoding="utf-8") == json.dumps(data, indent=1) + "\n"


def test_an_unserializable_value_leaves_no_file(tmp_path):
    with pytest.raises(TypeError):
        write_json(tmp_path / "f.json", {"starts": {"a": 1}, "bad": object()})
    assert not list(tmp_path.iterdir())
