"""generate(family, **params), the Python face of `kvopt generate`, and the command lines it records."""

import pytest

from kvopt.cli.generate_cmd import instances_from_command
from kvopt.errors import InputError
from kvopt.generate import FAMILIES, generate
from kvopt.generate.catalogue import command_words

CALLS = {
    "paper-synthetic": {"count": 2, "model": [2]},
    "a100": {"requests": 30, "rate": [10.0]},
    "homogeneous": {"memory": 9, "prompt": 1, "output": 3, "requests": 5},
    "staggering": {"output": [3], "requests": [4, 6]},
    "adversary": {"x": [2, 5], "tau": [0, 4]},
    "fat-thin": {"memory": [12]},
    "random-small": {"count": 3, "arrivals": "spread", "seed": 4},
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_python_call_and_its_command_line_make_the_same_instances(family):
    instances = generate(family, **CALLS[family])
    assert instances and instances == instances_from_command(command_words(family, CALLS[family]))
    assert instances == instances_from_command(command_words(family, CALLS[family], defaults=True))


def test_command_words_keep_the_parameter_order_and_number_format():
    assert command_words("a100", {"seed": 0, "requests": 1000, "rate": [10.0, 50.0]}) == \
        ["a100", "--rate", "10", "50", "--requests", "1000", "--seed", "0"]
    assert command_words("staggering", {"known": True}) == ["staggering", "--known"]


@pytest.mark.parametrize("family, params, message", [
    ("nope", {}, "invalid choice: 'nope'"),
    ("homogeneous", {"memory": 9, "prompt": 1, "output": 3}, "parameter requests is required"),
    ("homogeneous", {"memory": 9, "prompt": 1, "output": 3, "requests": 5, "colour": 1}, "unknown parameter"),
    ("fat-thin", {"memory": [0]}, "memory must be >= 1"),
    ("fat-thin", {"memory": 12}, "memory must be a non-empty list"),
    ("random-small", {"requests": [3]}, "requests takes 2 values"),
    ("random-small", {"arrivals": "late"}, "arrivals must be one of zero, spread"),
    ("a100", {"rate": [float("inf")]}, "rate must be a positive number"),
    ("paper-synthetic", {"count": "2"}, "count must be of type int"),
])
def test_bad_parameters_are_input_errors(family, params, message):
    with pytest.raises(InputError, match=message):
        generate(family, **params)
