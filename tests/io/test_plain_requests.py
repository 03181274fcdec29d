"""The column-wise reading of plain request entries (kvopt.io.json_files.plain_columns and
Instance.from_columns): the same instance as one request at a time, and None (the one-by-one path, which
names the entry) for anything else."""

from __future__ import annotations

import pytest

from kvopt import Instance, Request
from kvopt.errors import InputError
from kvopt.instance import all_distinct
from kvopt.io.json_files import instance_from_dict, plain_columns, request_from_dict

PLAIN = [{"id": "a", "arrival": 0, "prompt": 1, "output": 3}, {"id": "b", "arrival": 10**12 - 20, "prompt": 2,
                                                                "output": 10}]


def test_plain_entries_give_the_instance_built_one_by_one():
    fast = Instance.from_columns(100, *plain_columns(PLAIN), name="x")
    slow = Instance(100, tuple(request_from_dict(item, k) for k, item in enumerate(PLAIN)), name="x")
    assert "requests" not in vars(fast)  # built on first use
    assert len(fast) == 2 and fast.ids == slow.ids and fast.index == slow.index and fast.plain
    for column in ("arrivals", "prompts", "outputs"):
        assert getattr(fast, column).tolist() == getattr(slow, column).tolist()
        assert not getattr(fast, column).flags.writeable
    assert fast == slow and fast.metadata == slow.metadata == {}
    for new, old in zip(fast.requests, slow.requests):
        assert vars(new) == vars(old)
        assert new.metadata is old.metadata and new.peak_memory == old.peak_memory
        with pytest.raises(AttributeError):
            new.arrival = 5  # still frozen
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        fast.nothing


@pytest.mark.parametrize("change", [
    {"arrival": -1}, {"prompt": 0}, {"output": 0}, {"output": 10**12 + 1}, {"arrival": 2**64},
    {"prompt": True}, {"prompt": 1.0}, {"id": ""}, {"id": 3}, {"id": "a"}, {"prompt": 10**12}])
def test_anything_else_takes_the_one_by_one_path(change):
    items = [dict(PLAIN[0]), {**PLAIN[1], **change}]
    assert Instance.from_columns(100, *plain_columns(items)) is None
    assert plain_columns([]) is None and plain_columns([dict(PLAIN[0]), "x"]) is None
    assert plain_columns([dict(PLAIN[0]), {**PLAIN[1], "predicted_output": 2}]) is None
    assert plain_columns([dict(PLAIN[0]), {**PLAIN[1], "extra": 1}]) is None


def test_instance_checks_are_unchanged():
    with pytest.raises(InputError, match=r"duplicate id 'a' \(first used by requests\[0\]\)"):
        instance_from_dict({"memory": 10, "requests": [PLAIN[0], PLAIN[0]]})
    with pytest.raises(InputError, match="exceeds memory 3"):
        Instance(3, (Request("a", 0, 1, 2), Request("b", 0, 2, 2)))
    with pytest.raises(InputError, match="memory must be positive"):
        instance_from_dict({"memory": 0, "requests": [PLAIN[0]]})
    with pytest.raises(InputError, match="the last arrival plus all outputs"):
        instance_from_dict({"memory": 100, "requests": [PLAIN[0], {**PLAIN[1], "arrival": 10**12}]})
    with pytest.raises(InputError, match="name must be a string"):
        instance_from_dict({"memory": 4, "requests": [PLAIN[0]], "name": 5})
    instance = instance_from_dict({"memory": 4, "requests": [PLAIN[0]]}, "stem")
    assert instance.requests == (Request("a", 0, 1, 3),) and instance.name == "stem"


def test_distinct_ids_are_told_apart_from_repeated_ones_even_when_their_hashes_are_equal():
    assert all_distinct(["a", "b", "c"]) and not all_distinct(["a", "b", "a"])
    assert hash(-1) == hash(-2) and all_distinct([-1, -2]) and not all_distinct([-1, -2, -1])
