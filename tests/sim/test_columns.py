"""A simulation of an instance held in columns (Instance.from_columns, as kvopt simulate reads a file of plain
requests): the same schedule, runs, figures and CLI output as of the same instance of Request objects, and
on the compiled path no Request object is built."""

from __future__ import annotations

import json

import numpy as np
import pytest

import kvopt.io.json_files as json_files
import kvopt.sim.compiled as compiled
from kvopt import Instance, Request
from kvopt.cli import main
from kvopt.policies import make_policy
from kvopt.sim import simulate

needs_c = pytest.mark.skipif(not compiled.available(), reason="kvopt/sim/_admission.c is not built")

POLICIES = ("mcsf", "mc-benchmark", "vllm", "fluid", "sorted-f", "alpha-greedy", "orca", "nested-wait")
MEMORY = 60


def columns(n: int = 300, seed: int = 1) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """A busy trace (arrivals faster than it drains, so that vllm evicts), unsorted arrivals with ties."""
    rng = np.random.default_rng(seed)
    arrivals = rng.integers(0, n // 2, n)
    prompts = rng.integers(1, 20, n)
    outputs = rng.integers(1, MEMORY - 20, n)
    return [f"q{k}" for k in range(n)], arrivals, prompts, outputs


def both() -> tuple[Instance, Instance]:
    ids, arrivals, prompts, outputs = columns()
    columnar = Instance.from_columns(MEMORY, ids, arrivals.copy(), prompts.copy(), outputs.copy(), name="t")
    objects = Instance(MEMORY, tuple(Request(*fields) for fields in zip(ids, arrivals.tolist(), prompts.tolist(),
                                                                        outputs.tolist())), name="t")
    assert columnar is not None and "requests" not in vars(columnar)
    return columnar, objects


def assert_same(new, old) -> None:
    assert new.schedule.starts == old.schedule.starts and new.schedule.runs == old.schedule.runs
    assert list(new.schedule.starts) == list(old.schedule.starts)  # in the same order
    assert new.schedule.metadata == old.schedule.metadata
    assert new.report.as_dict() == old.report.as_dict()
    assert (new.objective, new.report.tokens_lost) == (old.objective, old.report.tokens_lost)
    assert new.requests.keys() == old.requests.keys() and new.round_table.keys() == old.round_table.keys()
    for name in new.requests:
        assert new.requests[name].dtype == old.requests[name].dtype
        assert np.array_equal(new.requests[name], old.requests[name]), name
    for name in new.round_table:
        assert np.array_equal(new.round_table[name], old.round_table[name]), name
    assert new.idle == old.idle and new.metrics == old.metrics
    assert new.lengths == old.lengths and (new.eviction, new.victim) == (old.eviction, old.victim)


@pytest.mark.parametrize("name", POLICIES)
def test_columns_and_request_objects_simulate_alike(name):
    columnar, objects = both()
    new, old = simulate(columnar, make_policy(name, {})), simulate(objects, make_policy(name, {}))
    assert_same(new, old)
    if compiled.available():
        assert "requests" not in vars(columnar)  # the compiled path read the columns only
        assert new.instance is columnar


@needs_c
def test_the_trace_evicts():
    """The comparison above covers runs of evicted requests (vllm's recompute)."""
    columnar, _ = both()
    assert simulate(columnar, make_policy("vllm", {})).schedule.runs


def test_the_python_engine_on_columns_gives_the_same_too():
    columnar, objects = both()
    saved, compiled._admission = compiled._admission, None
    try:
        new = simulate(columnar, make_policy("vllm", {}))
    finally:
        compiled._admission = saved
    assert_same(new, simulate(objects, make_policy("vllm", {})))


def test_a_clock_time_instance_in_columns_gives_the_same():
    """Clock-time arrivals (the Python engine, arrivals as experienced differ from the instance's)."""
    ids, arrivals, prompts, outputs = columns(80)
    spec = {"model": "linear", "base": 0.5, "per_kv_token": 0.01, "arrival_unit_s": 0.25}
    columnar = Instance.from_columns(MEMORY, ids, arrivals, prompts, outputs, batch_time=spec)
    objects = Instance(MEMORY, tuple(map(Request, ids, arrivals.tolist(), prompts.tolist(), outputs.tolist())),
                       batch_time=spec)
    new, old = simulate(columnar, make_policy("mcsf", {})), simulate(objects, make_policy("mcsf", {}))
    assert_same(new, old)
    assert np.array_equal(new.requests["arrival_s"], arrivals * 0.25)


def run_simulate(tmp_path, tag: str, name: str, capsys) -> tuple[bytes, bytes, str]:
    out, metrics = tmp_path / f"{tag}-out.json", tmp_path / f"{tag}-metrics.json"
    capsys.readouterr()
    assert main(["simulate", str(tmp_path / "trace.json"), "--policy", name, "--out", str(out),
                 "--metrics-out", str(metrics)]) == 0
    text = capsys.readouterr().out
    assert main(["simulate", str(tmp_path / "trace.json"), "--policy", name, "--json"]) == 0
    return out.read_bytes(), metrics.read_bytes(), text + capsys.readouterr().out


@needs_c
@pytest.mark.parametrize("name", ("vllm", "mcsf", "fluid"))
def test_cli_output_bytes_are_the_same_from_columns_and_from_request_objects(tmp_path, capsys, monkeypatch, name):
    ids, arrivals, prompts, outputs = columns()
    requests = [{"id": i, "arrival": a, "prompt": p, "output": o}
                for i, a, p, o in zip(ids, arrivals.tolist(), prompts.tolist(), outputs.tolist())]
    (tmp_path / "trace.json").write_text(json.dumps({"memory": MEMORY, "requests": requests}))
    built = []
    real = Instance.__getattr__

    def counting(self, attribute):
        if attribute == "requests":
            built.append(1)
        return real(self, attribute)

    monkeypatch.setattr(Instance, "__getattr__", counting)
    from_columns = run_simulate(tmp_path, "columns", name, capsys)
    assert not built  # read in columns, simulated, verified and written without Request objects
    monkeypatch.setattr(json_files, "columns_instance", lambda *args: None)  # the one-by-one reader
    from_objects = run_simulate(tmp_path, "objects", name, capsys)
    assert from_columns == from_objects
    assert b'"starts"' in from_columns[0] and "verified" in from_columns[2]
