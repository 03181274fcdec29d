"""Report tables on a tiny hand-made results file, checked cell by cell."""

from __future__ import annotations

import pytest
from conftest import run_cli

from kvopt.report.tables import render, summarize
from kvopt.sweep import ResultsStore
from kvopt.sweep.worker import COLUMNS

# (key, instance, label, status, objective, lower bound, runtime, time limit)
JOBS = [
    ("1", "i1", "exact", "optimal", 25, 25, 2.0, 60),
    ("2", "i1", "greedy", "feasible", 27, 15, 0.5, 60),
    ("3", "i1", "lp_bound", "bound", None, 20, 0.1, 60),
    ("4", "i2", "exact", "timeout", None, 40, 10.0, 60),
    ("5", "i2", "greedy", "feasible", 50, 30, 0.25, 60),
    ("6", "i2", "lp_bound", "bound", None, 45, 0.1, 60),
]
# Per instance: best bound 25 and 45, best known objective 25 and 50. greedy: 27/25 = 1.08, 50/45 = 1.1111
# (mean 1.0956) against the bound; 27/25 = 1.08, 50/50 = 1 (mean 1.04) against the best known.
MARKDOWN = """\
| method | jobs | schedules | optimal | failed | ratio to best bound: mean | worst | ratio to best known: mean | worst | mean runtime (s) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| exact | 2 | 1 | 1 | 1 | 1.0000 | 1.0000 | 1.0000 | 1.0000 | 6.00 |
| greedy | 2 | 2 | 0 | 0 | 1.0956 | 1.1111 | 1.0400 | 1.0800 | 0.375 |
| lp_bound | 2 | 0 | 0 | 0 | — | — | — | — | 0.100 |
"""
LATEX = r"""\begin{tabular}{lrrrrrrrrr}
\toprule
method & jobs & schedules & optimal & failed & \multicolumn{2}{c}{ratio to best bound} & \multicolumn{2}{c}{ratio to best known} & runtime (s) \\
\cmidrule(lr){6-7}\cmidrule(lr){8-9}
 &  &  &  &  & mean & worst & mean & worst & mean \\
\midrule
exact & 2 & 1 & 1 & 1 & 1.0000 & 1.0000 & 1.0000 & 1.0000 & 6.00 \\
greedy & 2 & 2 & 0 & 0 & 1.0956 & 1.1111 & 1.0400 & 1.0800 & 0.375 \\
lp\_bound & 2 & 0 & 0 & 0 & -- & -- & -- & -- & 0.100 \\
\bottomrule
\end{tabular}
"""
CSV = """\
method,time_limit,jobs,schedules,optimal,failed,bound_ratio_mean,bound_ratio_worst,best_ratio_mean,best_ratio_worst,runtime_mean_s
exact,60,2,1,1,1,1.0,1.0,1.0,1.0,6.0
greedy,60,2,2,0,0,1.0955555555555556,1.1111111111111112,1.04,1.08,0.375
lp_bound,60,2,0,0,0,,,,,0.1
"""


def rows(jobs=JOBS) -> list[dict]:
    return [{**dict.fromkeys(COLUMNS), "job_key": key, "instance": instance, "instance_hash": "h" + instance,
             "label": label, "method": label, "status": status, "objective": objective, "lower_bound": bound,
             "runtime_s": runtime, "time_limit": limit}
            for key, instance, label, status, objective, bound, runtime, limit in jobs]


@pytest.fixture
def results(tmp_path):
    path = tmp_path / "tiny.sqlite"
    with ResultsStore(path) as store:
        for row in rows():
            store.add(row)
    return path


def test_markdown_latex_and_csv_tables():
    lines = summarize(rows())
    assert render(lines, "markdown") == MARKDOWN
    assert render(lines, "latex") == LATEX
    assert render(lines, "csv") == CSV


def test_several_time_limits_get_their_own_lines():
    more = JOBS + [("7", "i1", "greedy", "feasible", 26, 15, 1.0, None)]  # no limit: 26 / 25 = 1.04
    table = render(summarize(rows(more)), "markdown").splitlines()
    assert table[0].startswith("| method | time limit (s) | jobs | schedules |")
    assert table[2:] == [
        "| exact | 60 | 2 | 1 | 1 | 1 | 1.0000 | 1.0000 | 1.0000 | 1.0000 | 6.00 |",
        "| greedy | 60 | 2 | 2 | 0 | 0 | 1.0956 | 1.1111 | 1.0400 | 1.0800 | 0.375 |",
        "| greedy | none | 1 | 1 | 0 | 0 | 1.0400 | 1.0400 | 1.0400 | 1.0400 | 1.00 |",
        "| lp_bound | 60 | 2 | 0 | 0 | 0 | — | — | — | — | 0.100 |"]


def test_report_command_prints_and_writes_tables(results, tmp_path):
    printed = run_cli("report", str(results))
    assert printed.returncode == 0 and printed.stdout == MARKDOWN
    out = tmp_path / "table.tex"
    written = run_cli("report", str(results), "--format", "latex", "--out", str(out))
    assert written.returncode == 0 and written.stdout == "" and out.read_text() == LATEX
    missing = run_cli("report", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 2 and "none.sqlite: no such results file" in missing.stderr


def test_runtimes_are_written_without_exponents():
    from kvopt.report.tables import _seconds
    assert [_seconds(v) for v in (None, 0.0000824, 0.0012, 0.5, 3.14159, 123.4)] == \
        ["—", "<0.001", "0.001", "0.500", "3.14", "123"]


def test_a_preemptive_run_is_reported_but_never_the_best_known():
    """A recompute policy's total latency (here 21) can undercut the non-preemptive optimum (25): it is
    another model's value, so the best known stays 25 and the policy's own ratio is 21/25."""
    more = rows(JOBS + [("7", "i1", "vllm", "feasible", 21, 15, 0.1, 60)])
    more[-1]["verdict"] = "preemptive"
    lines = {line.method: line for line in summarize(more)}
    assert lines["greedy"].best_ratio_worst == pytest.approx(27 / 25)
    assert lines["vllm"].best_ratio_mean == pytest.approx(21 / 25)
