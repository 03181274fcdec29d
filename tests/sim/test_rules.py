"""Victim rules and rule names."""

import pytest

from kvopt.errors import InputError
from kvopt.sim.rules import VICTIM_RULES, check_eviction_rule, check_victim_rule
from kvopt.sim.state import RequestView


def view(rid, index, arrival, prompt, run_start, kept=0):
    v = RequestView(rid, index, arrival, None, prompt, None, None, None)
    v.run_start, v.kept = run_start, kept
    return v


def test_each_victim_rule_picks_what_it_says():
    period = 10
    old_long = view("old", 0, arrival=0, prompt=50, run_start=2)          # 8 tokens, holds 58
    late_short = view("late", 1, arrival=6, prompt=1, run_start=9)        # 1 token
    middle = view("mid", 2, arrival=3, prompt=5, run_start=4, kept=7)    # 13 tokens, holds 18
    views = [old_long, late_short, middle]

    def first(rule):
        return max(views, key=lambda v: VICTIM_RULES[rule](v, period)).id

    assert first("latest-arrived") == "late"
    assert first("most-recent-start") == "late"
    assert first("fewest-generated") == "late"
    assert first("largest-memory") == "old"
    middle.run_start = 9.5  # a later run start than "late"
    assert first("most-recent-start") == "mid"


def test_unknown_rules_are_input_errors():
    with pytest.raises(InputError, match="unknown eviction rule 'drop'"):
        check_eviction_rule("drop")
    with pytest.raises(InputError, match="unknown victim rule 'random'"):
        check_victim_rule("random")
