"""The MC-SF paper's Lemma 4.7 (`lemma47_value`), and that `volume` dominates it."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt import InputError, Instance, Request
from kvopt.bounds.volume import family_bound, identity_transform
from kvopt.bounds.paper_lemma import lemma47_value
from tests.oracles import brute_force_optimum


def test_value_by_hand(greedy_counterexample):
    # n_3 = 5, vol_3 = 1*3 + 6 = 9: (1/54) * 5 * 45 + 15/6 = 25/6 + 5/2 = 20/3
    assert lemma47_value(greedy_counterexample) == Fraction(20, 3)


@st.composite
def lemma_instances(draw):
    memory = draw(st.integers(3, 14))
    prompt = draw(st.integers(1, memory - 1))
    outputs = draw(st.lists(st.integers(1, memory - prompt), min_size=1, max_size=5))
    return Instance(memory, tuple(Request(f"r{k}", 0, prompt, o) for k, o in enumerate(outputs)))


@settings(max_examples=120, deadline=None)
@given(lemma_instances())
def test_valid_and_at_most_half_of_the_volume_bound(instance):
    value = lemma47_value(instance)
    assert value <= brute_force_optimum(instance)
    volume = family_bound(instance, [("volume", *identity_transform(instance.memory))])[0]
    assert 2 * value <= max(volume, sum(r.output for r in instance.requests))


def test_outside_its_assumptions_is_an_input_error():
    with pytest.raises(InputError, match="arrives at round 0"):
        lemma47_value(Instance(10, (Request("a", 1, 1, 2),)))
    with pytest.raises(InputError, match="one prompt size"):
        lemma47_value(Instance(10, (Request("a", 0, 1, 2), Request("b", 0, 2, 2))))
