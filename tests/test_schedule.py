"""Schedule's construction: starts checked in bulk where every entry is plain, else entry by entry with
the same errors as before; a Mapping of starts is read through its items only."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from kvopt import Schedule
from kvopt.errors import InputError


class ItemsOnly(Mapping):
    """Like kvopt.sim.run._Starts: a look-up by key would be slow, so none may happen."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __len__(self):
        return len(self.pairs)

    def __iter__(self):
        return (key for key, _ in self.pairs)

    def __getitem__(self, key):
        raise AssertionError("looked up by key")

    def items(self):
        return iter(self.pairs)


def test_a_mapping_is_read_through_its_items():
    assert dict(Schedule(ItemsOnly([("a", 0), ("b", 10**12)])).starts) == {"a": 0, "b": 10**12}


@pytest.mark.parametrize("starts, message", [
    ({"a": 0, "b": -1}, r"starts\['b'\]: start must be >= 0, got -1"),
    ({"a": 0, "b": 10**12 + 1}, r"start must be at most 10\^12"),
    ({"a": 0, "b": 2**64}, r"start must be at most 10\^12"),
    ({"a": 0, "b": True}, "start must be an integer, got True"),
    ({"a": 0, "b": 1.5}, "start must be an integer, got 1.5"),
    ({"a": 0, "": 1}, "request ids must be non-empty strings, got ''"),
    ({"a": 0, 3: 1}, "request ids must be non-empty strings, got 3")])
def test_bad_starts_are_named_entry_by_entry(starts, message):
    with pytest.raises(InputError, match=message):
        Schedule(starts)


def test_integral_floats_are_starts_as_before():
    assert Schedule({"a": 2.0, "b": 3}).starts == {"a": 2, "b": 3} and Schedule({}).starts == {}
