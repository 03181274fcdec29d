"""Property: whatever a valid instance or schedule file is mutated into (a value replaced by a hostile one,
a key dropped, added or repeated, the text cut short or spliced), `info`, `verify` and `solve -m fcfs`
end with exit code 0, 1 or 2, never a traceback, and an error is one line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from conftest import run_main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

INSTANCE = {"name": "m", "memory": 9, "requests": [
    {"id": "r0", "arrival": 0, "prompt": 1, "output": 3, "predicted_output": 3, "output_interval": [2, 4]},
    {"id": "r1", "arrival": 2, "prompt": 2, "output": 2, "metadata": {"k": 1}},
    {"id": "r2", "arrival": 2, "prompt": 1, "output": 1}], "metadata": {"source": "test"}}
SCHEDULE = {"instance": "m", "starts": {"r0": 0, "r1": 2, "r2": 4}, "runs": {"r2": [
    {"start": 0, "tokens": 1, "kept": 0}, {"start": 4, "tokens": 1, "kept": 0}]}}

HOSTILE = st.one_of(
    st.none(), st.booleans(), st.text(max_size=4),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 10**12 - 10, 10**12, 10**12 + 1, 2**31, 2**63, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(min_value=0, max_value=9), max_size=2),
)


def places(value, path=()):
    """Every (path, value) in a JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, path + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from places(item, path + (k,))


@st.composite
def mutated_text(draw, document) -> str:
    data = json.loads(json.dumps(document))
    spots = [p for p, _ in places(data) if p]
    path = draw(st.sampled_from(spots))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    kind = draw(st.sampled_from(["replace", "delete", "add", "duplicate", "cut", "splice"]))
    if kind == "replace":
        parent[path[-1]] = draw(HOSTILE)
    elif kind == "delete":
        del parent[path[-1]]
    elif kind == "add" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=6))] = draw(HOSTILE)
    text = json.dumps(data, allow_nan=True)
    if kind == "duplicate" and isinstance(path[-1], str):
        key = json.dumps(path[-1])
        text = text.replace(f"{key}: ", f"{key}: {json.dumps(draw(HOSTILE), allow_nan=True)}, {key}: ", 1)
    elif kind == "cut":
        text = text[:draw(st.integers(min_value=0, max_value=len(text)))]
    elif kind == "splice":
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + draw(st.sampled_from(["{", "]", ",", '"', "\\", "\x00", "\u00e9", "NaN", "1e999"])) \
            + text[at:]
    return text


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
