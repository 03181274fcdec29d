"""The Chrome-trace export (kvopt/sim/chrome_trace.py) and the engine's progress callback."""

from __future__ import annotations

import json

from kvopt import Instance, Request
from kvopt.cli import main
from kvopt.policies import make_policy
from kvopt.sim import simulate
from kvopt.sim.chrome_trace import trace_events, write_chrome_trace


def evicting_run():
    requests = tuple(Request(f"r{k}", k % 3, 2, 6 + k % 4) for k in range(12))
    instance = Instance(20, requests, name="evicting")
    return simulate(instance, make_policy("alpha-greedy", {"alpha": 0.0}), eviction="restart")


def test_every_run_is_a_slice_and_lanes_never_overlap(tmp_path):
    simulation = evicting_run()
    assert simulation.report.evictions > 0
    path = tmp_path / "trace.json"
    write_chrome_trace(path, simulation)
    events = json.loads(path.read_text())["traceEvents"]
    slices = [e for e in events if e["ph"] == "X"]
    runs = sum(len(simulation.schedule.runs.get(r.id, (None,))) for r in simulation.instance.requests)
    assert len(slices) == runs
    assert sum(e.get("cat") == "evict" for e in events) == simulation.report.evictions
    assert sum(e.get("cat") == "restart" for e in events) == simulation.report.evictions
    by_lane = {}
    for e in slices:
        by_lane.setdefault(e["tid"], []).append((e["ts"], e["ts"] + e["dur"]))
    for spans in by_lane.values():
        spans.sort()
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))
    # unit rounds: a run of k tokens lasts k seconds
    assert all(e["dur"] == e["args"]["tokens"] * 1e6 for e in slices)
    memory = [e["args"]["KV tokens"] for e in events if e["ph"] == "C" and e["name"] == "memory"]
    assert memory == simulation.round_table["memory"].tolist()


def test_the_events_of_a_run_without_evictions():
    instance = Instance(9, tuple(Request(f"r{k}", 0, 1, 3) for k in range(5)), name="five")
    events = list(trace_events(simulate(instance, make_policy("mcsf"))))
    starts = sorted(e["ts"] / 1e6 for e in events if e["ph"] == "X")
    assert starts == [0, 0, 3, 3, 6] and not [e for e in events if e["ph"] == "i"]


def test_simulate_writes_it(tmp_path, capsys):
    out = tmp_path / "run.json"
    assert main(["simulate", "small/homogeneous_m9_s1_o3_n5", "-p", "mcsf",
                 "--perfetto-out", str(out)]) == 0
    assert len([e for e in json.loads(out.read_text())["traceEvents"] if e["ph"] == "X"]) == 5


def test_the_engine_reports_progress_every_16384_rounds():
    calls = []
    instance = Instance(50_000, (Request("long", 0, 1, 40_000),), name="long")
    simulate(instance, make_policy("mcsf"), progress=lambda engine: calls.append(engine.rounds_done))
    assert calls == [16_384, 32_768]
