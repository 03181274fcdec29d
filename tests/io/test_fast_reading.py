"""Reading instance and schedule files through kvopt.io.fast_json gives what the strict reader gives: the
same instance or schedule, or the same error (message and place), on valid and on mutated files; and the
same `info` and `verify` output on the bundled instances."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, run_main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import mutated_text

from kvopt import Instance, Schedule, verify
from kvopt.errors import InputError
from kvopt.io import fast_json, read_instance, read_schedule
from kvopt.stats import instance_stats

PLAIN = {"name": "p", "memory": 12, "requests": [
    {"id": "r0", "arrival": 0, "prompt": 1, "output": 3}, {"id": "r1", "arrival": 2, "prompt": 2, "output": 2},
    {"id": "r:2", "arrival": 2, "prompt": 1, "output": 1}], "metadata": {"source": "a \"test\": yes"}}
SCHEDULE = {"instance": "p", "starts": {"r0": 0, "r1": 2, "r:2": 4}, "runs": {"r:2": [
    {"start": 0, "tokens": 1, "kept": 0}, {"start": 4, "tokens": 1, "kept": 0}]}}


def outcome(read, path: Path, monkeypatch, fast: bool):
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(fast_json, "msgspec", None)
        try:
            value = read(path)
        except InputError as error:
            return "error", str(error)
    return "read", value, dict(value.metadata), [vars(r) for r in getattr(value, "requests", ())]


def assert_same(read, path: Path, monkeypatch) -> None:
    assert outcome(read, path, monkeypatch, True) == outcome(read, path, monkeypatch, False)


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=st.data(), instance=st.booleans())
def test_mutated_files_read_the_same(data, instance, monkeypatch):
    document, read = (PLAIN, read_instance) if instance else (SCHEDULE, read_schedule)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "f.json")
        path.write_text(data.draw(mutated_text(document)), encoding="utf-8")
        assert_same(read, path, monkeypatch)


@pytest.mark.parametrize("seed", range(5))
def test_random_trace_files_read_the_same(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    n = rng.randint(1, 3000)
    requests = [{"id": f"q{k}", "arrival": rng.randint(0, 10**6), "prompt": rng.randint(1, 500),
                 "output": rng.randint(1, 500)} for k in range(n)]
    if seed % 2:  # a few requests with optional fields: the general path
        requests[rng.randrange(n)]["predicted_output"] = 7
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"memory": 1000, "requests": requests}, indent=seed % 2 or None))
    assert_same(read_instance, path, monkeypatch)
    starts = {r["id"]: r["arrival"] + rng.randint(0, 5) for r in rng.sample(requests, n)}
    (tmp_path / "s.json").write_text(json.dumps({"method": "x", "starts": starts}))
    assert_same(read_schedule, tmp_path / "s.json", monkeypatch)


def test_errors_name_the_same_problem_and_place(tmp_path, monkeypatch):
    text = json.dumps(PLAIN, indent=1)
    for old, new in [('"prompt": 2', '"prompt": -2'), ('"prompt": 2', '"prompt": 2.5'), ('"prompt": 2', '"prompt": 1e13'),
                     ('"prompt": 2', '"prompt": true'), ('"prompt": 2', '"prompt": 2, "prompt": 3'),
                     ('"output": 2', '"output": 11'), ('"id": "r1"', '"id": "r0"'), ('"id": "r1"', '"id": ""'),
                     ('"memory": 12', '"memory": 0'), ('"prompt": 2', '"prompt": ' + "9" * 5000),
                     ('"prompt": 2', '"prompt": NaN'), ('"name": "p"', '"name": 5')]:
        assert old in text
        path = tmp_path / "e.json"
        path.write_text(text.replace(old, new, 1))
        fast = outcome(read_instance, path, monkeypatch, True)
        assert fast[0] == "error" and "e.json" in fast[1], new
        assert fast == outcome(read_instance, path, monkeypatch, False), new


BUNDLED = sorted(p for p in (ROOT / "instances").glob("*/*.json") if p.name != "manifest.json")


@pytest.mark.parametrize("instance", BUNDLED[::3], ids=lambda p: p.name)
def test_bundled_instances_give_the_same_info_and_verify_output(instance, monkeypatch, tmp_path):
    schedules = [tmp_path / "vllm.json", *instance.parent.glob(f"schedules/{instance.name}")]
    assert run_main("simulate", str(instance), "--policy", "alpha-greedy", "--out", str(schedules[0])).returncode == 0

    def outputs():
        ran = [run_main("info", str(instance), "--json")] + \
            [run_main("verify", str(instance), str(schedule)) for schedule in schedules]
        return [(one.returncode, one.stdout, one.stderr) for one in ran]
    fast = outputs()
    with monkeypatch.context() as patch:
        patch.setattr(fast_json, "msgspec", None)
        strict = outputs()
    assert fast == strict and all(code == 0 for code, _, _ in fast)


@pytest.mark.parametrize("instance", BUNDLED[1::3], ids=lambda p: p.name)
def test_columns_and_request_objects_give_the_same_stats_and_verdicts(instance, tmp_path):
    read = read_instance(instance)
    built = Instance(read.memory, tuple(read.requests), name=read.name, source=read.source,
                     batch_time=read.batch_time, metadata=read.metadata)  # Request objects, columns made anew
    assert instance_stats(read) == instance_stats(built)
    for schedule in instance.parent.glob(f"schedules/{instance.name}"):
        for shifted in (0, 1):  # as written, and every start one later (infeasible where arrivals are tight)
            given = read_schedule(schedule)
            moved = Schedule({k: v + shifted for k, v in given.starts.items()}, metadata=given.metadata) \
                if not given.runs else given
            assert verify(read, moved).as_dict() == verify(built, moved).as_dict()
