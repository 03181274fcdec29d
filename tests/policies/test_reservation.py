"""Orca and FasterTransformer: worst-case reservation; FT runs static batches."""

import pytest

from kvopt import Instance, Request
from kvopt.errors import InputError
from kvopt.policies import make_policy
from kvopt.sim import simulate

INSTANCE = Instance(30, (Request("a", 0, 2, 8), Request("b", 0, 1, 1), Request("c", 1, 1, 1),
                         Request("d", 2, 1, 1)))


def test_orca_reserves_max_tokens_per_request_and_reforms_batches_every_round():
    simulation = simulate(INSTANCE, make_policy("orca", {"max_tokens": 10}))  # 3 slots
    assert dict(simulation.schedule.starts) == {"a": 0, "b": 0, "c": 1, "d": 2}
    assert simulation.eviction == "none"


def test_faster_transformer_waits_for_the_whole_batch():
    simulation = simulate(INSTANCE, make_policy("faster-transformer", {"max_tokens": 10}))
    # a and b form the first batch; c and d wait until a (8 rounds) finishes
    assert dict(simulation.schedule.starts) == {"a": 0, "b": 0, "c": 8, "d": 8}


def test_the_default_reservation_is_the_largest_request_and_a_small_one_is_refused():
    default = simulate(INSTANCE, make_policy("orca"))  # largest prompt + output: 10, so 3 slots again
    assert dict(default.schedule.starts) == {"a": 0, "b": 0, "c": 1, "d": 2}
    with pytest.raises(InputError, match="needs 10 tokens, more than the reservation max_tokens = 5"):
        simulate(INSTANCE, make_policy("orca", {"max_tokens": 5}))
