"""Schedule's construction: starts checked in bulk where every entry is plain, else entry by entry with
the same errors as before; a Mapping of starts is read through its items only."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from kvopt import Run, Schedule
from kvopt.schedule import RunTable, flat_runs
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


def test_a_run_table_is_the_mapping_of_its_runs_and_is_kept_as_it_is():
    table = RunTable(["b", "a"], [2, 1], [0, 5, 3], [2, 4, 1], [0, 2, 0])
    assert dict(table) == {"b": (Run(0, 2), Run(5, 4, kept=2)), "a": (Run(3, 1),)} and list(table) == ["b", "a"]
    assert "a" in table and "c" not in table and table.last_starts().tolist() == [5, 3]
    schedule = Schedule({"a": 3, "b": 5}, table)
    assert schedule.runs is table and schedule == Schedule({"a": 3, "b": 5}, dict(table))
    own = (table.counts, table.start, table.tokens, table.kept)
    assert all(a is b for a, b in zip(flat_runs(table, ["b", "a"]), own, strict=True))  # its columns, not copied
    assert [column.tolist() for column in flat_runs(table, ["a", "b"])] == \
        [[1, 2], [3, 0, 5], [1, 2, 4], [0, 0, 2]]  # another order: read from the Run objects


def test_a_run_table_that_does_not_fit_the_starts_is_named_as_a_dict_of_runs():
    table = RunTable(["a"], [2], [0, 5], [2, 4], [0, 0])
    with pytest.raises(InputError, match="last run starts at 5 but starts gives 4"):
        Schedule({"a": 4}, table)
    with pytest.raises(InputError, match="runs listed for a request that has no start"):
        Schedule({"b": 5}, table)


@pytest.mark.parametrize("columns, message", [
    ((["a", "a"], [1, 1], [0, 1], [1, 1], [0, 0]), "distinct non-empty strings"),
    ((["a"], [0], [], [], []), "at least one run"),
    ((["a"], [2], [0], [1], [0]), "at least one run"),
    ((["a"], [1], [-1], [1], [0]), r"run start must be in \[0, 10\^12\]"),
    ((["a"], [1], [0], [0], [0]), r"run tokens must be in \[1, 10\^12\]"),
    ((["a"], [1], [0], [1], [10**12 + 1]), r"run kept must be in \[0, 10\^12\]")])
def test_a_run_table_is_checked_as_runs_are(columns, message):
    with pytest.raises(InputError, match=message):
        RunTable(*columns)
