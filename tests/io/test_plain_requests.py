"""The column-wise reading of plain request entries (kvopt.io.json_files.plain_requests): the same Request
objects as one by one, and None (the one-by-one path, which names the entry) for anything else."""

from __future__ import annotations

import pytest

from kvopt import Instance, Request
from kvopt.errors import InputError
from kvopt.io.json_files import instance_from_dict, plain_requests, request_from_dict

PLAIN = [{"id": "a", "arrival": 0, "prompt": 1, "output": 3}, {"id": "b", "arrival": 10**12, "prompt": 2,
                                                                "output": 10**12}]


def test_plain_entries_give_the_requests_built_one_by_one():
    fast = plain_requests(PLAIN)
    slow = [request_from_dict(item, k) for k, item in enumerate(PLAIN)]
    assert fast == slow
    for new, old in zip(fast, slow):
        assert vars(new) == vars(old)
        assert new.metadata is old.metadata and new.peak_memory == old.peak_memory
        with pytest.raises(AttributeError):
            new.arrival = 5  # still frozen


@pytest.mark.parametrize("change", [
    {"arrival": -1}, {"prompt": 0}, {"output": 0}, {"output": 10**12 + 1}, {"arrival": 2**64},
    {"prompt": True}, {"prompt": 1.0}, {"id": ""}, {"id": 3}, {"predicted_output": 2}, {"extra": 1}])
def test_anything_else_takes_the_one_by_one_path(change):
    items = [dict(PLAIN[0]), {**PLAIN[1], **change}]
    assert plain_requests(items) is None
    assert plain_requests([]) is None and plain_requests([dict(PLAIN[0]), "x"]) is None


def test_instance_checks_are_unchanged():
    with pytest.raises(InputError, match=r"duplicate id 'a' \(first used by requests\[0\]\)"):
        instance_from_dict({"memory": 10, "requests": [PLAIN[0], PLAIN[0]]})
    with pytest.raises(InputError, match="exceeds memory 3"):
        Instance(3, (Request("a", 0, 1, 2), Request("b", 0, 2, 2)))
    instance = instance_from_dict({"memory": 4, "requests": [PLAIN[0]]})
    assert instance.requests == (Request("a", 0, 1, 3),)
