"""Property: whatever a valid instance or schedule file is mutated into (a value replaced by a hostile one,
a key dropped, added or repeated, the text cut short or spliced), `info`, `verify` and `solve -m fcfs`
end with exit code 0, 1 or 2, never a traceback, and an error is one line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from conftest import run_main
from hypothesis import HealthCheck, given, settings
from mutations import mutated_text

INSTANCE = {"name": "m", "memory": 9, "requests": [
    {"id": "r0", "arrival": 0, "prompt": 1, "output": 3, "predicted_output": 3, "output_interval": [2, 4]},
    {"id": "r1", "arrival": 2, "prompt": 2, "output": 2, "metadata": {"k": 1}},
    {"id": "r2", "arrival": 2, "prompt": 1, "output": 1}], "metadata": {"source": "test"}}
SCHEDULE = {"instance": "m", "starts": {"r0": 0, "r1": 2, "r2": 4}, "runs": {"r2": [
    {"start": 0, "tokens": 1, "kept": 0}, {"start": 4, "tokens": 1, "kept": 0}]}}


def assert_contract(*args: str) -> None:
    ran = run_main(*args)
    assert ran.returncode in (0, 1, 2), ran
    assert "Traceback" not in ran.stderr, ran
    if ran.returncode == 2:
        assert ran.stderr.splitlines()[-1].startswith("kvopt: error: ") and ran.stderr.count("kvopt: error") == 1, ran


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=mutated_text(INSTANCE))
def test_mutated_instances(text):
    with tempfile.TemporaryDirectory() as folder:
        instance, schedule = Path(folder, "m.json"), Path(folder, "s.json")
        instance.write_text(text, encoding="utf-8")
        schedule.write_text(json.dumps(SCHEDULE))
        assert_contract("info", str(instance))
        assert_contract("verify", str(instance), str(schedule))
        assert_contract("solve", str(instance), "-m", "fcfs", "--out", str(Path(folder, "o.json")))


@SETTINGS
@given(text=mutated_text(SCHEDULE))
def test_mutated_schedules(text):
    with tempfile.TemporaryDirectory() as folder:
        instance, schedule = Path(folder, "m.json"), Path(folder, "s.json")
        instance.write_text(json.dumps(INSTANCE))
        schedule.write_text(text, encoding="utf-8")
        assert_contract("verify", str(instance), str(schedule))
        assert_contract("plot", str(instance), str(schedule), "--out", str(Path(folder, "p.png")))
