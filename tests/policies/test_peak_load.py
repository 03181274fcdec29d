"""The incremental future-peak structure agrees with a direct recomputation (property tests)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt.policies.peak_load import PeakLoad, direct_peak

run = st.tuples(st.integers(0, 30), st.integers(1, 12), st.integers(1, 25))  # start, held0, remaining
operations = st.lists(st.tuples(st.booleans(), run, st.integers(0, 10 ** 6)), min_size=1, max_size=60)


def as_run(start, held0, remaining):
    return held0 - start, start + remaining  # (base, end)


@settings(max_examples=200, deadline=None)
@given(operations, run)
def test_add_remove_and_queries_match_the_direct_formula(ops, candidate):
    loads, runs = PeakLoad(capacity=2), {}
    for key, (remove, spec, pick) in enumerate(ops):
        if remove and runs:
            victim = sorted(runs)[pick % len(runs)]
            loads.remove(victim)
            del runs[victim]
        else:
            loads.add(key, *as_run(*spec))
            runs[key] = as_run(*spec)
        assert len(loads) == len(runs)
        assert loads.peak() == (direct_peak(runs.values()) if runs else 0)
    base, end = as_run(*candidate)
    expected = direct_peak([*runs.values(), (base, end)])
    assert loads.peak_with(base, end) == expected
    assert loads.peaks_with_each(np.array([base]), np.array([end]))[0] == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(run, max_size=40))
def test_bulk_construction_equals_one_by_one(specs):
    one_by_one = PeakLoad()
    for key, spec in enumerate(specs):
        one_by_one.add(key, *as_run(*spec))
    bases = np.array([as_run(*s)[0] for s in specs], np.int64)
    ends = np.array([as_run(*s)[1] for s in specs], np.int64)
    bulk = PeakLoad.from_runs(np.arange(len(specs)), bases, ends)
    assert list(bulk.ends) == list(one_by_one.ends) and list(bulk.loads) == list(one_by_one.loads)
    assert bulk.ending_by(10) == [k for k in one_by_one.ending_by(10)] or \
        sorted(bulk.ending_by(10)) == sorted(one_by_one.ending_by(10))


def test_the_load_at_a_completion_point_by_hand():
    loads = PeakLoad()
    loads.add(1, base=2 - 0, end=3)   # started at 0 holding 2, 3 tokens: holds 5 in round 3
    loads.add(2, base=1 - 1, end=5)   # started at 1 holding 1, 4 tokens: holds 3 in round 3, 5 in round 5
    assert list(loads.ends) == [3, 5] and list(loads.loads) == [5 + 3, 5]
    assert loads.peak_with(base=4 - 2, end=4) == 8 + 2 + 3  # a third run, started at 2 holding 4
    loads.remove(1)
    assert list(loads.loads) == [5]
