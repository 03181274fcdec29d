"""MC-SF against proven optima (kvopt.experiments.proven): the instances are prefixes of the paper's, the
rows agree with brute force on tiny prefixes, the run resumes, and a damaged results file is named."""

import json

import pytest

from kvopt.errors import InputError
from kvopt.experiments.proven import prefix_instances, read_rows, run, summarize
from kvopt.generate.paper import paper_synthetic
from tests.oracles import brute_force_optimum


def test_prefixes_are_the_first_requests_of_the_paper_instances():
    first = list(prefix_instances(2, 4, 3, seed=5))
    assert [i.name for i in first] == [f"paper-m2-s5-{k:03d}-n4" for k in range(3)]
    assert all(i.requests == paper_synthetic(2, 5, k).requests[:4] for k, i in enumerate(first))


def test_rows_hold_proven_optima_and_the_run_resumes(tmp_path):
    path = tmp_path / "rows.jsonl"
    rows = run([1, 2], [4], 2, 10.0, path, report=None)
    assert {row["prefix"] for row in rows} == {4}
    assert len(rows) == 4 and all(row["optimal"] for row in rows)
    for row in rows:
        model, index = row["model"], int(row["instance"].split("-")[3])
        instance = next(i for k, i in enumerate(prefix_instances(model, 4, 2)) if k == index)
        assert row["objective"] == brute_force_optimum(instance) == row["lower_bound"]
        assert row["mcsf"] >= row["objective"]
    again = run([1, 2], [4], 2, 10.0, path, report=lambda text: pytest.fail(f"ran again: {text}"))
    assert again == rows
    summary = {s.model: s for s in summarize(rows)}
    assert summary[1].instances == summary[1].proven == 2
    expected = [r["mcsf"] / r["objective"] for r in rows if r["model"] == 1]
    assert summary[1].mean_ratio == pytest.approx(sum(expected) / 2) and summary[1].worst_ratio == max(expected)


def test_a_damaged_results_file_is_named_with_its_line(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"instance": "x", "budget_s": 1.0}) + "\n{broken\n")
    with pytest.raises(InputError, match="rows.jsonl:2"):
        read_rows(path)
