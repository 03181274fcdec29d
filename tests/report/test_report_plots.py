"""Plots: every function writes a real PNG (decoded, of the expected size, not blank)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT, run_cli

from kvopt import Run, Schedule
from kvopt.cli import main
from kvopt.errors import InputError
from kvopt.heuristics import fcfs_starts
from kvopt.io import write_schedule
from kvopt.report import plots
from kvopt.sweep import load_config, run_sweep
from tests.sweep.sweep_helpers import tiny_instances, write_config

pytest.importorskip("matplotlib")
COUNTEREXAMPLE = ROOT / "instances" / "small" / "homogeneous_m9_s1_o3_n5.json"


def assert_png(path, width=None):
    from matplotlib.image import imread
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(path)
    assert pixels.ndim == 3 and pixels.std() > 0.05  # drawn on, not a blank canvas
    if width:
        assert pixels.shape[1] == width


def test_request_latencies_follow_the_objective(greedy_counterexample):
    schedule = Schedule(fcfs_starts(greedy_counterexample))
    assert plots.request_latencies(greedy_counterexample, schedule).tolist() == [3, 3, 6, 6, 9]
    evicted = Schedule({f"r{k}": k for k in range(5)}, runs={"r4": (Run(0, 1), Run(4, 3))})
    assert plots.request_latencies(greedy_counterexample, evicted).tolist() == [3, 4, 5, 6, 7]


def test_gantt_and_memory_profile(tmp_path, greedy_counterexample):
    schedule = Schedule(fcfs_starts(greedy_counterexample))
    assert_png(plots.gantt(greedy_counterexample, schedule, tmp_path / "g.png"), width=9 * 120)
    assert_png(plots.memory_profile(greedy_counterexample, schedule, tmp_path / "m.png"), width=9 * 120)
    evicted = Schedule({f"r{k}": k for k in range(5)}, runs={"r4": (Run(0, 1), Run(4, 3))})
    assert_png(plots.gantt(greedy_counterexample, evicted, tmp_path / "sub" / "evicted.png"))
    infeasible = Schedule({f"r{k}": 0 for k in range(5)})
    assert_png(plots.memory_profile(greedy_counterexample, infeasible, tmp_path / "over.png"))
    with pytest.raises(InputError, match="no start for 1 request"):
        plots.gantt(greedy_counterexample, Schedule({f"r{k}": 0 for k in range(4)}), tmp_path / "x.png")


def test_distributions(tmp_path):
    rng = np.random.default_rng(0)
    groups = {"a": rng.exponential(10, 200), "b": rng.exponential(5, 50), "empty": []}
    assert_png(plots.latency_cdf(groups, tmp_path / "cdf.png"), width=7 * 120)
    assert_png(plots.ratio_distribution({"a": 1 + rng.random(30)}, tmp_path / "ratio.png"))


def test_plot_command(tmp_path, capsys):
    schedule = tmp_path / "s.json"
    write_schedule(schedule, Schedule({f"r{k}": k for k in range(5)}))
    out = tmp_path / "gantt.png"
    result = run_cli("plot", str(COUNTEREXAMPLE), str(schedule), "--out", str(out))  # one real process
    assert result.returncode == 0 and result.stdout == f"wrote {out}\n" and result.stderr == ""
    assert_png(out)
    out = tmp_path / "memory.png"
    assert main(["plot", str(COUNTEREXAMPLE), str(schedule), "--out", str(out), "--kind", "memory"]) == 0
    assert_png(out)
    write_schedule(schedule, Schedule({f"r{k}": 0 for k in range(5)}))
    capsys.readouterr()
    assert main(["plot", str(COUNTEREXAMPLE), str(schedule), "--out", str(tmp_path / "i.png"), "--kind",
                 "memory"]) == 0
    assert "the schedule is infeasible (round 1: memory 10 exceeds M = 9" in capsys.readouterr().err
    assert main(["plot", str(COUNTEREXAMPLE), str(tmp_path / "none.json"), "--out", str(tmp_path / "n.png")]) == 2
    assert "none.json: no such file" in capsys.readouterr().err


def test_report_plots_from_a_results_file(tmp_path, capsys):
    tiny_instances(tmp_path / "instances")
    config = load_config(write_config(tmp_path / "p.toml", """
        [[instances]]
        path = "instances"
        [[methods]]
        name = "fcfs"
        [[methods]]
        name = "trivial"
        """))
    run_sweep(config, tmp_path / "p.sqlite", workers=1, progress=False)
    assert main(["report", str(tmp_path / "p.sqlite"), "--plots", str(tmp_path / "plots"), "--instance",
                 "tiny-b"]) == 0
    names = sorted(path.name for path in (tmp_path / "plots").iterdir())
    assert names == ["energy-pareto-tiny-b.png", "gantt-tiny-b-fcfs.png", "latency-cdf.png", "memory-tiny-b-fcfs.png",
                     "power-tiny-b-fcfs.png", "ratio-to-best.png", "ratio-to-bound.png"]
    for name in names:
        assert_png(tmp_path / "plots" / name)
    capsys.readouterr()
    assert main(["report", str(tmp_path / "p.sqlite"), "--plots", str(tmp_path / "p2"), "--instance", "zzz"]) == 2
    assert "no schedule recorded for instance 'zzz'" in capsys.readouterr().err
