"""The built time-indexed model against the size formulas of the documents (kvopt.formulations.sizes),
and the column bookkeeping (starts <-> column values, overflow columns)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kvopt import Instance, Request
from kvopt.formulations.cpsat import build_intervals, build_reservoir
from kvopt.formulations.sizes import cpsat_sizes, plain_sizes, reduced_sizes
from kvopt.formulations.timeindexed import build_time_indexed
from kvopt.heuristics import fcfs_starts

DOCS = Path(__file__).resolve().parents[2] / "formulations"


@pytest.fixture
def small() -> Instance:
    """Arrivals, heterogeneous prompts and one pair of identical requests (b, c)."""
    return Instance(12, (Request("a", 0, 2, 3), Request("b", 2, 1, 5), Request("c", 2, 1, 5),
                         Request("d", 4, 3, 2), Request("e", 1, 2, 4)), name="small")


def fcfs_objective(instance: Instance) -> int:
    starts = fcfs_starts(instance)
    return sum(starts[r.id] + r.output - r.arrival for r in instance.requests)


@pytest.mark.parametrize("horizon", [4, 9, 15])
def test_plain_model_matches_the_documented_formulas(small, horizon):
    model = build_time_indexed(small, horizon, symmetry="none", reductions=False)
    sizes = model.sizes()
    expected = plain_sizes(small, horizon)
    assert (sizes["variables"], sizes["rows"], sizes["nonzeros"]) == \
        (expected["variables"], expected["rows"], expected["nonzeros"])


@pytest.mark.parametrize("symmetry", ["aggregate", "order", "none"])
def test_reduced_model_matches_the_documented_formulas(small, symmetry):
    upper_bound = fcfs_objective(small)
    model = build_time_indexed(small, 15, upper_bound=upper_bound, symmetry=symmetry)
    expected = reduced_sizes(small, 15, upper_bound, symmetry)
    assert model.columns == expected["variables"]
    assert model.rows <= expected["rows_at_most"] and model.nonzeros <= expected["nonzeros_at_most"]
    assert model.columns < plain_sizes(small, 15)["variables"]  # the upper bound removed starts


def test_cpsat_sizes_match_the_documented_formulas(small):
    assert build_intervals(small, fcfs_objective(small), None).sizes == cpsat_sizes(small, "intervals")
    assert build_reservoir(small, fcfs_objective(small), None).sizes == cpsat_sizes(small, "reservoir")


@pytest.mark.parametrize("document, function", [
    ("time-indexed-ip.md", "plain_sizes"), ("time-indexed-ip.md", "reduced_sizes"),
    ("aggregated-ip.md", "reduced_sizes"), ("cpsat.md", "cpsat_sizes"), ("lp-relaxation.md", "plain_sizes")])
def test_documents_cite_the_size_functions(document, function):
    assert f"kvopt.formulations.sizes.{function}" in (DOCS / document).read_text()


def test_identical_requests_share_one_integer_column_per_start(small):
    model = build_time_indexed(small, 15, symmetry="aggregate")
    assert len(model.groups) == 4 and sorted(model.groups.size.tolist()) == [1, 1, 1, 2]
    assert model.col_upper.max() == 2
    assert any(name.startswith("n_1_") for name in model.column_names)


def test_starts_round_trip_through_column_values(small):
    starts = {"a": 0, "b": 5, "c": 3, "d": 4, "e": 9}
    for symmetry in ("aggregate", "none"):
        model = build_time_indexed(small, 15, symmetry=symmetry)
        values = model.values_from_starts(starts)
        back = model.starts_from_values(values)
        assert back["a"] == 0 and back["d"] == 4 and back["e"] == 9
        assert sorted([back["b"], back["c"]]) == [3, 5]  # identical requests may swap
        assert float(model.col_cost @ values) == sum(starts[r.id] + r.output - r.arrival for r in small.requests)


def test_starts_after_the_horizon_use_the_overflow_column(small):
    model = build_time_indexed(small, 6, symmetry="none")
    values = model.values_from_starts({"a": 0, "b": 2, "c": 8, "d": 4, "e": 1})
    assert values[model.late[2]] == 1
    assert model.starts_from_values(values) is None
    partial = model.starts_from_values(values, partial=True)
    assert "c" not in partial and partial["b"] == 2
    assert model.col_cost[model.late[2]] == 7 + 5 - 2  # earliest start after H=6, latency 7 + o - a


def test_an_upper_bound_removes_late_starts_and_overflow(small):
    upper_bound = fcfs_objective(small)
    model = build_time_indexed(small, 100, upper_bound=upper_bound, symmetry="none")
    slack = upper_bound - int(small.outputs.sum())
    assert model.col_start[: model.start_columns].max() <= int(small.arrivals.max()) + slack
    assert np.all(model.late < 0)
    with pytest.raises(ValueError, match="upper bound"):
        build_time_indexed(small, 100, upper_bound=int(small.outputs.sum()) - 1)


def test_memory_rows_that_cannot_bind_are_dropped():
    instance = Instance(10, (Request("a", 0, 2, 3), Request("b", 0, 3, 2), Request("c", 5, 8, 2)))
    reduced = build_time_indexed(instance, 8, symmetry="none")
    plain = build_time_indexed(instance, 8, symmetry="none", reductions=False)
    assert reduced.row_counts["memory"] < plain.row_counts["memory"]
    kept = [int(name.split("_")[1]) for name in reduced.row_names if name.startswith("mem_")]
    assert kept and min(kept) >= 6  # a and b alone hold at most 5 + 5; only rounds reachable by c bind
