import json

import pytest

from kvopt.catalogue import all_methods
from kvopt.experiments.synthetic import (InstanceLine, SyntheticStudy, bound_source, instance_lines, run_study,
                                         summarize, write_config)
from kvopt.generate import paper_synthetic
from kvopt.solve import solve


def test_config_lists_registered_methods_and_skips_missing(tmp_path):
    study = SyntheticStudy(count=2, time_limit=3.0, exact=("no-such-exact",), bounds=())
    text = write_config(study, tmp_path / "s.toml").read_text()
    assert 'name = "mcsf"' in text and 'name = "fcfs"' in text and 'name = "trivial"' in text
    assert 'name = "no-such-exact"' not in text
    assert "skipped): no-such-exact" in text
    _, slow, _ = study.methods()
    assert set(slow) == {spec.name for spec in all_methods("bound")}  # every registered bound is added
    assert study.worst_case_hours(2) == pytest.approx(2 * 2 * len(slow) * 3.0 / 2 / 3600)


def test_study_records_policy_best_and_bound(tmp_path):
    study = SyntheticStudy(count=1, time_limit=2.0, exact=(), bounds=())
    summary = run_study(study, tmp_path / "r.sqlite", workers=1)
    jobs = 2 * (2 + len(all_methods("bound")))  # mcsf, fcfs and every registered bound per instance
    assert summary.errors == 0 and summary.executed == jobs
    again = run_study(study, tmp_path / "r.sqlite", workers=1)
    assert again.executed == 0 and again.recorded == jobs  # resumed: nothing runs twice
    lines = instance_lines(tmp_path / "r.sqlite")
    assert [line.model for line in lines] == [1, 2]
    for line in lines:
        instance = paper_synthetic(line.model, 0, 0)
        mcsf = solve(instance, "mcsf").objective
        fcfs = solve(instance, "fcfs").objective
        assert line.policy_objective == mcsf
        assert line.best_objective == min(mcsf, fcfs)
        quick = {spec.name: solve(instance, spec.name).lower_bound for spec in all_methods("bound")
                 if spec.name not in ("lp", "pattern")}  # every bound but the time-limited LP ones, computed here
        best_quick = max(quick.values())
        assert best_quick <= line.bound <= line.best_objective
        assert not {"mcsf", "fcfs"} & set(line.bound_by)  # a policy's attached bound is credited to its source
        if line.bound == best_quick:
            assert set(line.bound_by) >= {name for name, value in quick.items() if value == best_quick}
        assert line.ratio_to_best <= line.ratio_to_bound


def test_bound_source_attribution():
    row = {"status": "feasible", "method": "mcsf", "info": json.dumps({"lower_bound_source": "trivial"})}
    assert bound_source(row) == "trivial"
    assert bound_source({"status": "optimal", "method": "ip", "info": None}) == "ip"
    assert bound_source({"status": "bound", "method": "lp", "info": None}) == "lp"
    proved = {"status": "optimal", "method": "mcsf", "info": json.dumps({"optimality_proved_by": "trivial"})}
    assert bound_source(proved) == "trivial"


def line(model, policy, best, bound):
    return InstanceLine(f"i{model}-{policy}-{best}-{bound}", model, 5, 10, policy, best, ("x",), bound, ("y",))


def test_summary_counts_proofs_and_intervals():
    lines = [line(1, 10, 10, 10), line(1, 12, 10, 8), line(1, 9, 9, 6), line(2, 20, 20, 10)]
    one, two = summarize(lines)
    assert (one.model, one.instances, one.proven, one.policy_equal_best, one.policy_proven_optimal) == (1, 3, 1, 2, 1)
    assert one.mean_to_best == pytest.approx((1 + 1.2 + 1) / 3)
    assert one.worst_to_bound == pytest.approx(12 / 8)
    assert one.mean_gap == pytest.approx((0 + 0.2 + 3 / 9) / 3)
    assert two.proven == 0 and two.worst_to_best == 1.0
    assert lines[1].ratio_to_best == pytest.approx(1.2) and lines[1].ratio_to_bound == pytest.approx(1.5)
    assert lines[0].proven and lines[0].policy_proven_optimal and not lines[1].proven
