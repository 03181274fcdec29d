"""The README's error contract, case by case: bad input and hostile situations for every verb.

Every case runs one `kvopt` command (in this process: tests/conftest.py run_main) and asserts its exit code
(2 bad input, 1 negative answer, 3 no evidence), that stderr is exactly one line naming the problem, with
no traceback, and that no file in the case's folder was created, changed or removed (outputs included).
The classes are those of issue 13: unreadable and invalid instances, schedules and traces; output targets
that are missing, folders, under a file, unwritable or one of the inputs; several outputs of which one
cannot be written; bad options; clock-time instances given to offline methods; undecided claims.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from conftest import homogeneous, run_main

from kvopt.io import write_instance, write_schedule
from kvopt.schedule import Schedule

BASE = {"name": "i", "memory": 9, "requests": [{"id": f"r{k}", "arrival": 0, "prompt": 1, "output": 3}
                                               for k in range(5)]}
CLOCK = {"name": "clock", "memory": 9, "batch_time": {"model": "linear", "base": 0.02, "arrival_unit_s": 0.001},
         "requests": [{"id": f"r{k}", "arrival": 10 * k, "prompt": 1, "output": 3} for k in range(3)]}
UNWRITABLE = "/sys"  # a folder no process may create files in, root included


def mutated(**changes) -> dict:
    """BASE with top-level keys changed (None deletes) or, for r0_KEY, request r0's KEY."""
    data = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        target, key = (data["requests"][0], key[3:]) if key.startswith("r0_") else (data, key)
        if value is None:
            del target[key]
        else:
            target[key] = value
    return data


BAD_INSTANCES = {  # file name -> (text, stderr fragment)
    "empty.json": ("", "malformed JSON"),
    "truncated.json": (json.dumps(BASE)[:-7], "malformed JSON"),
    "array.json": ("[1, 2]", "must be a JSON object"),
    "string.json": ('"x"', "must be a JSON object"),
    "no-memory.json": (json.dumps(mutated(memory=None)), "missing key 'memory'"),
    "no-requests.json": (json.dumps(mutated(requests=None)), "missing key 'requests'"),
    "requests-object.json": (json.dumps(mutated(requests={})), "'requests' must be a list"),
    "request-number.json": (json.dumps(mutated(requests=[1])), "a request must be an object"),
    "no-output.json": (json.dumps(mutated(r0_output=None)), "missing key(s) output"),
    "misspelt-request-key.json": (json.dumps(mutated(r0_outptu=3)), "unknown key(s) outptu"),
    "misspelt-key.json": (json.dumps(mutated(memroy=9)), "unknown key(s) memroy"),
    "memory-zero.json": (json.dumps(mutated(memory=0)), "memory must be positive"),
    "memory-negative.json": (json.dumps(mutated(memory=-9)), "memory must be positive"),
    "memory-fraction.json": (json.dumps(mutated(memory=9.5)), "memory must be an integer"),
    "memory-string.json": (json.dumps(mutated(memory="9")), "memory must be an integer"),
    "memory-bool.json": (json.dumps(mutated(memory=True)), "memory must be an integer"),
    "memory-null.json": (json.dumps(mutated(memory=None) | {"memory": None}), "memory must be an integer"),
    "memory-huge.json": (json.dumps(mutated(memory=10**30)), "memory must be at most 10^12"),
    "memory-int64.json": (json.dumps(mutated(memory=2**63)), "memory must be at most 10^12"),
    "arrival-negative.json": (json.dumps(mutated(r0_arrival=-1)), "arrival must be >= 0"),
    "arrival-huge.json": (json.dumps(mutated(r0_arrival=10**30)), "arrival must be at most 10^12"),
    "arrival-fraction.json": (json.dumps(mutated(r0_arrival=1.5)), "arrival must be an integer"),
    "arrival-inf.json": (json.dumps(BASE).replace('"arrival": 0', '"arrival": 1e400', 1), "must be an integer"),
    "horizon-huge.json": (json.dumps(mutated(r0_arrival=10**12)), "more than 10^12"),
    "output-huge.json": (json.dumps(mutated(r0_output=10**29)), "output must be at most 10^12"),
    "prompt-zero.json": (json.dumps(mutated(r0_prompt=0)), "prompt must be positive"),
    "too-big.json": (json.dumps(mutated(r0_output=20)), "exceeds memory 9"),
    "duplicate-ids.json": (json.dumps(mutated(r0_id="r1")), "duplicate id 'r1'"),
    "no-request.json": (json.dumps(mutated(requests=[])), "needs at least one request"),
    "duplicate-memory.json": ('{"memory": 9, "memory": 4, "requests": []}', "duplicate key 'memory'"),
    "duplicate-request-key.json": (json.dumps(BASE).replace('"arrival": 0', '"arrival": 0, "arrival": 7', 1),
                                   "duplicate key 'arrival'"),
    "metadata-list.json": (json.dumps(mutated(metadata=[1, 2])), "metadata must be an object"),
    "request-metadata-list.json": (json.dumps(mutated(r0_metadata=[1])), "metadata must be an object"),
    "name-number.json": (json.dumps(mutated(name=5)), "name must be a string"),
    "source-list.json": (json.dumps(mutated(source=["x"])), "source must be a string"),
    "batch-time-unknown.json": (json.dumps(mutated(batch_time={"model": "warp"})), "unknown batch-time model"),
    "batch-time-list.json": (json.dumps(mutated(batch_time=[1])), "batch-time spec must be an object"),
    "arrival-unit-zero.json": (json.dumps(mutated(batch_time={"model": "unit", "arrival_unit_s": 0})),
                               "arrival_unit_s must be a positive"),
    "nan.json": (json.dumps(BASE).replace('"arrival": 0', '"arrival": NaN', 1), "NaN is not valid JSON"),
    "infinity.json": (json.dumps(BASE).replace('"output": 3', '"output": Infinity', 1), "Infinity is not valid"),
    "digits.json": (json.dumps(BASE).replace('"output": 3', '"output": ' + "9" * 5000, 1), "malformed JSON"),
    "nested.json": ('{"memory": 9, "metadata": ' + "[" * 100_000 + "]" * 100_000 + ', "requests": []}',
                    "nested too deeply"),
    "predicted-zero.json": (json.dumps(mutated(r0_predicted_output=0)), "predicted_output must be positive"),
    "interval-reversed.json": (json.dumps(mutated(r0_output_interval=[5, 2])), "has lo > hi"),
    "interval-text.json": (json.dumps(mutated(r0_output_interval="x")), "output_interval must be [lo, hi]"),
    "id-empty.json": (json.dumps(mutated(r0_id="")), "id must be a non-empty string"),
    "id-number.json": (json.dumps(mutated(r0_id=7)), "id must be a non-empty string"),
}


def schedule_text(starts=None, **extra) -> str:
    return json.dumps({"instance": "i", "starts": starts if starts is not None else
                       {f"r{k}": k for k in range(5)}, **extra})


BAD_SCHEDULES = {  # file name -> (text, exit code, stderr fragment; None: stderr stays empty)
    "s-malformed.json": ("{", 2, "malformed JSON"),
    "s-array.json": ("[]", 2, "a schedule must be a JSON object"),
    "s-no-starts.json": ('{"runs": {}}', 2, "missing key 'starts'"),
    "s-starts-list.json": ('{"starts": [0, 1]}', 2, "'starts' must be an object"),
    "s-negative.json": (schedule_text({"r0": -1}), 2, "start must be >= 0"),
    "s-fraction.json": (schedule_text({"r0": 1.5}), 2, "start must be an integer"),
    "s-text.json": (schedule_text({"r0": "0"}), 2, "start must be an integer"),
    "s-bool.json": (schedule_text({"r0": True}), 2, "start must be an integer"),
    "s-huge.json": (schedule_text({"r0": 10**30}), 2, "start must be at most 10^12"),
    "s-duplicate-id.json": ('{"starts": {"r0": 0, "r1": 1, "r0": 4}}', 2, "duplicate key 'r0'"),
    "s-runs-list.json": (schedule_text(runs=[]), 2, "'runs' must be an object"),
    "s-runs-unknown.json": (schedule_text(runs={"zz": [{"start": 0, "tokens": 1}]}), 2, "runs listed for a request"),
    "s-run-keys.json": (schedule_text(runs={"r0": [{"begin": 0}]}), 2, "must be an object with keys start"),
    "s-last-run.json": (schedule_text(runs={"r0": [{"start": 2, "tokens": 3}]}), 2, "last run starts at 2"),
    "s-clock-bad.json": (schedule_text(clock={"arrival_unit_s": -1, "batch_time": {"model": "unit"}}), 2,
                         "arrival_unit_s must be a positive"),
    "s-unknown-id.json": (schedule_text({**{f"r{k}": k for k in range(5)}, "zz": 0}), 1, None),
    "s-missing-id.json": (schedule_text({"r0": 0}), 1, None),
    "s-overfull.json": (schedule_text({f"r{k}": 0 for k in range(5)}), 1, None),
    "s-far.json": (schedule_text({**{f"r{k}": k for k in range(4)}, "r4": 10**12}), 0, None),
    "s-other-instance.json": (json.dumps({"instance": "other", "starts": {f"r{k}": k for k in range(5)}}), 0,
                              "written for instance 'other', not 'i'"),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """The folder every case works in: good and bad inputs, a results file, a file and an empty folder."""
    d = tmp_path_factory.mktemp("contract")
    (d / "i.json").write_text(json.dumps(BASE))
    write_schedule(d / "s.json", Schedule({f"r{k}": k for k in range(5)}, metadata={"instance": "i"}))
    (d / "clock.json").write_text(json.dumps(CLOCK))
    (d / "bare.json").write_text('{"starts": {"r0": 0, "r1": 1, "r2": 2}}')
    (d / "t.csv").write_text("question_length,answer_length\n3,4\n2,2\n")
    (d / "file.txt").write_text("a regular file\n")
    (d / "dir").mkdir()
    (d / "bad").mkdir()
    for name, (text, _) in BAD_INSTANCES.items():
        (d / "bad" / name).write_text(text)
    (d / "bad" / "latin1.json").write_bytes('{"memory": 9, "name": "caf\xe9"}'.encode("latin-1"))
    for name, (text, _, _) in BAD_SCHEDULES.items():
        (d / "bad" / name).write_text(text)
    write_instance(d / "tiny.json", homogeneous(9, 1, 3, 5))
    (d / "sweep.toml").write_text('[[instances]]\npath = "tiny.json"\n[[methods]]\nname = "fcfs"\n')
    (d / "bad.toml").write_text("[[instances]\n")
    assert run_main("sweep", str(d / "sweep.toml"), "--results", str(d / "r.sqlite"), "--workers", "1",
                    "--quiet").returncode == 0
    return d


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file and folder under `folder`: kind, mode and content hash."""
    found = {}
    for root, folders, files in os.walk(folder):
        for name in folders:
            path = Path(root, name)
            found[str(path.relative_to(folder))] = ("folder", path.stat().st_mode)
        for name in files:
            path = Path(root, name)
            found[str(path.relative_to(folder))] = ("file", path.stat().st_mode,
                                                    hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def check(world: Path, args: list[str], code: int, fragment: str | None, absent: tuple[str, ...] = ()):
    before = snapshot(world)
    ran = run_main(*[a.replace("{d}", str(world)) for a in args])
    assert ran.returncode == code, ran
    assert "Traceback" not in ran.stderr, ran
    if fragment is None:
        assert ran.stderr == "", ran
    else:
        assert ran.stderr.count("\n") == 1 and ran.stderr.endswith("\n"), ran
        assert fragment in ran.stderr, ran
    assert snapshot(world) == before, "a file in the folder was created, changed or removed"
    for path in absent:
        assert not Path(path.replace("{d}", str(world))).exists(), path
    return ran


# ---- instances, schedules and traces -------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(BAD_INSTANCES))
def test_bad_instance_files(world, name):
    check(world, ["info", f"{{d}}/bad/{name}"], 2, f"bad/{name}")
    check(world, ["info", f"{{d}}/bad/{name}"], 2, BAD_INSTANCES[name][1])


BAD_PLACES = [  # the instance argument itself
    (["info", "{d}/nosuch.json"], "nosuch.json: no such file"),
    (["info", "{d}/dir"], "is a folder, not an instance file"),
    (["info", "{d}/file.txt"], "unknown instance format"),
    (["info", "{d}/bad/latin1.json"], "not UTF-8 text"),
    (["info", "small/nosuch"], "no instance 'nosuch' in the bundled set 'small'"),
    (["info", "nosuchset/x"], "nosuchset/x: no such file"),
    (["info", "{d}/i.json", "{d}/bad/nan.json"], "NaN is not valid JSON"),
]


@pytest.mark.parametrize("args, fragment", BAD_PLACES, ids=[" ".join(a) for a, _ in BAD_PLACES])
def test_bad_instance_places(world, args, fragment):
    check(world, args, 2, fragment)


EVERY_VERB_READING_AN_INSTANCE = [
    ["verify", "{d}/bad/duplicate-memory.json", "{d}/s.json"],
    ["solve", "{d}/bad/duplicate-memory.json", "-m", "fcfs", "--out", "{d}/o.json"],
    ["bound", "{d}/bad/duplicate-memory.json", "-m", "trivial"],
    ["simulate", "{d}/bad/duplicate-memory.json", "-p", "mcsf", "--out", "{d}/o.json"],
    ["certify", "{d}/bad/duplicate-memory.json", "--out", "{d}/o.json"],
    ["convert", "{d}/bad/duplicate-memory.json", "--out", "{d}/o.json"],
    ["export", "{d}/bad/duplicate-memory.json", "--out", "{d}/o.mps"],
    ["plot", "{d}/bad/duplicate-memory.json", "{d}/s.json", "--out", "{d}/o.png"],
]


@pytest.mark.parametrize("args", EVERY_VERB_READING_AN_INSTANCE, ids=lambda a: a[0])
def test_every_verb_rejects_a_bad_instance_before_writing(world, args):
    check(world, args, 2, "duplicate key 'memory'", absent=("{d}/o.json", "{d}/o.mps", "{d}/o.png"))


@pytest.mark.parametrize("name", sorted(BAD_SCHEDULES))
def test_bad_schedule_files(world, name):
    _, code, fragment = BAD_SCHEDULES[name]
    ran = check(world, ["verify", "{d}/i.json", f"{{d}}/bad/{name}"], code, fragment)
    assert ("feasible: no" in ran.stdout) == (code == 1)


def test_schedule_places(world):
    check(world, ["verify", "{d}/i.json", "{d}/nosuch.json"], 2, "nosuch.json: no such file")
    check(world, ["verify", "{d}/i.json", "{d}/dir"], 2, "is a directory, not a file")
    check(world, ["plot", "{d}/i.json", "{d}/bad/s-duplicate-id.json", "--out", "{d}/o.png"], 2, "duplicate key",
          absent=("{d}/o.png",))
    check(world, ["solve", "{d}/i.json", "-m", "exact", "--initial", "{d}/bad/s-overfull.json"], 2,
          "s-overfull.json: not feasible for instance 'i'")


BAD_TRACES = [
    (["info", "{d}/t.csv"], "needs the memory capacity (--memory M)"),
    (["info", "{d}/t.csv", "--memory", "0"], "argument --memory: expected a positive integer, got 0"),
    (["info", "{d}/t.csv", "--memory", "5"], "line 2: prompt 3 + output 4 = 7 exceeds memory 5"),
    (["info", "{d}/t.csv", "--memory", "9", "--max-requests", "0"], "expected a positive integer, got 0"),
    (["info", "{d}/t.csv", "--memory", str(10**13)], "expected a positive integer, got 10000000000000"),
    (["info", "{d}/t.csv", "--memory", "9", "--arrival-rate", "nan"], "expected a positive number, got nan"),
    (["info", "{d}/t.csv", "--memory", "9", "--rounds-per-second", "inf"], "expected a positive number"),
    (["info", "{d}/i.json", "--memory", "9"], "apply only to CSV traces"),
    (["info", "{d}/i.json", "--rounds-per-second", "10"], "already count rounds"),
    (["info", "{d}/clock.json", "--rounds-per-second", "-1"], "expected a positive number, got -1"),
    (["info", "{d}/file.txt", "--memory", "9"], "unknown instance format"),
]


@pytest.mark.parametrize("args, fragment", BAD_TRACES, ids=[" ".join(a[2:]) for a, _ in BAD_TRACES])
def test_bad_traces_and_trace_options(world, args, fragment):
    check(world, args, 2, fragment)


def test_bad_trace_rows(tmp_path):
    for text, fragment in [("a,b\n1,2\n", "unrecognised CSV header"), ("question_length,answer_length\nx,2\n",
                           "is not a number"), ("question_length,answer_length\n0,2\n", "must be positive")]:
        (tmp_path / "t.csv").write_text(text)
        check(tmp_path, ["info", "{d}/t.csv", "--memory", "9"], 2, fragment)


# ---- output targets: checked before any work, never an input, all or nothing ---------------------------

FILE_OUTPUTS = {  # verb and flag -> arguments with OUT where the output goes
    "solve --out": ["solve", "{d}/i.json", "-m", "fcfs", "--out", "OUT"],
    "simulate --out": ["simulate", "{d}/i.json", "-p", "mcsf", "--out", "OUT"],
    "simulate --metrics-out": ["simulate", "{d}/i.json", "-p", "mcsf", "--metrics-out", "OUT"],
    "simulate --trace-out": ["simulate", "{d}/i.json", "-p", "mcsf", "--trace-out", "OUT"],
    "certify --out": ["certify", "{d}/i.json", "--methods", "fcfs", "--out", "OUT"],
    "convert --out": ["convert", "{d}/i.json", "--out", "OUT"],
    "export --out": ["export", "{d}/i.json", "--out", "OUT", "--format", "mps"],
    "report --out": ["report", "{d}/r.sqlite", "--out", "OUT"],
    "plot --out": ["plot", "{d}/i.json", "{d}/s.json", "--out", "OUT"],
}
FOLDER_OUTPUTS = {
    "generate --out": ["generate", "homogeneous", "--memory", "9", "--prompt", "1", "--output", "3",
                       "--requests", "5", "--out", "OUT"],
    "report --plots": ["report", "{d}/r.sqlite", "--plots", "OUT"],
    "check-claim --out": ["check-claim", "-m", "fcfs", "--family", "homogeneous", "--trials", "1", "--out", "OUT"],
}
SUFFIX = {"export --out": ".mps", "plot --out": ".png"}
BAD_TARGETS = {  # target -> stderr fragment
    "{d}/nowhere/x": "no such folder",
    "{d}/file.txt/x": "is not a folder",
    UNWRITABLE + "/kvopt-test": "cannot write in",
}


def with_out(args: list[str], out: str) -> list[str]:
    return [out if a == "OUT" else a for a in args]


@pytest.mark.parametrize("target", sorted(BAD_TARGETS))
@pytest.mark.parametrize("output", sorted(FILE_OUTPUTS))
def test_file_outputs_in_a_place_that_cannot_take_them(world, output, target):
    out = target + SUFFIX.get(output, ".json")
    check(world, with_out(FILE_OUTPUTS[output], out), 2, BAD_TARGETS[target], absent=(out,))


@pytest.mark.parametrize("output", sorted(FILE_OUTPUTS))
def test_file_outputs_that_are_folders(world, output):
    check(world, with_out(FILE_OUTPUTS[output], "{d}/dir"), 2, "is a folder; give a file name")


INPUT_AS_OUTPUT = {"solve --out": "{d}/i.json", "simulate --out": "{d}/i.json", "simulate --metrics-out":
                   "{d}/i.json", "simulate --trace-out": "{d}/i.json", "certify --out": "{d}/i.json",
                   "convert --out": "{d}/i.json", "report --out": "{d}/r.sqlite", "plot --out": None}


@pytest.mark.parametrize("output", sorted(k for k, v in INPUT_AS_OUTPUT.items() if v))
def test_an_output_is_never_an_input(world, output):
    check(world, with_out(FILE_OUTPUTS[output], INPUT_AS_OUTPUT[output]), 2, "is also an input of this command")


def test_an_output_is_never_an_input_even_through_a_link(world, tmp_path):
    os.symlink(world / "i.json", tmp_path / "link.json")
    check(world, ["solve", "{d}/i.json", "-m", "fcfs", "--out", str(tmp_path / "link.json")], 2,
          "is also an input of this command")
    check(world, ["verify", "{d}/i.json", "{d}/s.json"], 0, None)  # the input is intact
    check(world, ["solve", "{d}/i.json", "-m", "exact", "--initial", "{d}/s.json", "--out", "{d}/s.json"], 2,
          "is also an input of this command")
    check(world, ["export", "{d}/i.json", "--solution", "{d}/s.json", "--out", "{d}/s.json"], 2,
          "is also an input of this command")


@pytest.mark.parametrize("target, fragment", [("{d}/file.txt", "exists and is not a folder"),
                                              ("{d}/nowhere/deeper", "no such folder"),
                                              ("{d}/file.txt/x", "is not a folder"),
                                              (UNWRITABLE + "/kvopt-test", "cannot write in")])
@pytest.mark.parametrize("output", sorted(FOLDER_OUTPUTS))
def test_folder_outputs_in_a_place_that_cannot_take_them(world, output, target, fragment):
    check(world, with_out(FOLDER_OUTPUTS[output], target), 2, fragment)


def test_no_partial_output(world):
    """Several outputs, of which one cannot be written: none is, and nothing was computed for them."""
    check(world, ["simulate", "{d}/i.json", "-p", "mcsf", "--out", "{d}/o.json", "--metrics-out",
                  "{d}/nowhere/m.json"], 2, "--metrics-out: no such folder", absent=("{d}/o.json",))
    check(world, ["simulate", "{d}/i.json", "-p", "mcsf", "--out", "{d}/o.json", "--trace-out", "{d}/o.json"], 2,
          "--trace-out and --out name the same file", absent=("{d}/o.json",))
    check(world, ["report", "{d}/r.sqlite", "--plots", "{d}/plots", "--instance", "nosuch"], 2,
          "no schedule recorded for instance 'nosuch'", absent=("{d}/plots",))
    check(world, ["report", "{d}/r.sqlite", "--out", "{d}/table.md", "--plots", "{d}/plots", "--instance",
                  "nosuch"], 2, "no schedule recorded", absent=("{d}/plots", "{d}/table.md"))
    check(world, ["plot", "{d}/i.json", "{d}/s.json", "--out", "{d}/plot.txt"], 2, "must end in .png or .pdf or .svg",
          absent=("{d}/plot.txt",))
    check(world, ["solve", "{d}/i.json", "-m", "trivial", "--out", "{d}/o.json"], 2, "computes a bound, not a "
          "schedule", absent=("{d}/o.json",))
    check(world, ["sweep", "{d}/sweep.toml", "--results", "{d}/nowhere/r.sqlite"], 2, "no such folder")
    check(world, ["sweep", "{d}/sweep.toml", "--results", "{d}/sweep.toml"], 2, "is also an input")


# ---- options, clock-time instances, claims -------------------------------------------------------------

BAD_OPTIONS = [
    (["solve", "{d}/i.json", "-m", "nosuch"], "unknown method 'nosuch'"),
    (["solve", "{d}/i.json"], "the following arguments are required: --method"),
    (["solve", "{d}/i.json", "-m", "fcfs", "--bogus"], "unrecognized arguments: --bogus"),
    (["solve", "{d}/i.json", "-m", "exact", "-o", "nope=1"], "unknown option(s) nope"),
    (["solve", "{d}/i.json", "-m", "exact", "-o", "max_nodes=x"], "expected int, got 'x'"),
    (["solve", "{d}/i.json", "-m", "exact", "-o", "novalue"], "expects KEY=VALUE"),
    (["solve", "{d}/i.json", "-m", "fcfs", "--time-limit", "-1"], "expected a positive number, got -1"),
    (["solve", "{d}/i.json", "-m", "fcfs", "--time-limit", "inf"], "expected a positive number, got inf"),
    (["solve", "{d}/i.json", "-m", "fcfs", "--threads", "0"], "expected a thread count in 1..1024, got 0"),
    (["solve", "{d}/i.json", "-m", "cpsat", "--threads", str(10**20)], "expected a thread count in 1..1024"),
    (["solve", "{d}/i.json", "-m", "cpsat", "--seed", str(10**23)], "expected a seed in 0..2147483647"),
    (["simulate", "{d}/i.json", "-p", "mcsf", "--predictions", "point:0.5", "--prediction-seed", "-5"],
     "expected a seed in 0..2147483647, got -5"),
    (["solve", "{d}/i.json", "-m", "fcfs", "--initial", "{d}/s.json"], "takes no initial schedule"),
    (["bound", "{d}/i.json", "-m", "fcfs"], "not a bound method"),
    (["simulate", "{d}/i.json", "-p", "nosuch"], "unknown policy 'nosuch'"),
    (["simulate", "{d}/i.json", "-p", "mcsf", "--batch-time", "warp"], "unknown batch-time model 'warp'"),
    (["simulate", "{d}/i.json", "-p", "mcsf", "--batch-time", '{"model": "unit", "model": "linear"}'],
     "duplicate key 'model'"),
    (["simulate", "{d}/i.json", "-p", "mcsf", "--predictions", "noise:1"], "expected point:EPS"),
    (["simulate", "{d}/i.json", "-p", "amax"], "needs output_interval"),
    (["certify", "{d}/i.json", "--budget", "0"], "expected a positive number, got 0"),
    (["certify", "{d}/i.json", "--methods", "fcfs,nosuch"], "unknown method 'nosuch'"),
    (["check-claim", "-m", "fcfs", "--family", "homogeneous", "--trials", "0"], "expected a positive integer"),
    (["check-claim", "-m", "fcfs", "--family", "homogeneous", "--ratio", "0.5"], "ratio below 1"),
    (["check-claim", "-m", "fcfs", "--family", "homogeneous", "--time-limit", "0"], "expected a positive number"),
    (["check-claim", "-m", "nosuch", "--family", "homogeneous", "--trials", "1"], "unknown method 'nosuch'"),
    (["check-claim", "-m", "fcfs", "--family", "nosuch"], "invalid choice: 'nosuch'"),
    (["generate", "homogeneous", "--memory", "9", "--prompt", "1", "--output", "9", "--requests", "2", "--out",
      "{d}/g"], "exceeds memory 9"),
    (["generate", "paper-synthetic", "--count", "0", "--out", "{d}/g"], "expected a positive integer"),
    (["hardware", "--tensor-parallel", "0"], "expected a positive integer"),
    (["hardware", "--gpu-memory-gib", "1e300"], "at most 10^6 GiB"),
    (["hardware", "--memory-margin", "nan"], "memory margin must be in [0, 1)"),
    (["sweep", "{d}/nosuch.toml"], "nosuch.toml"),
    (["sweep", "{d}/sweep.toml", "--workers", "0"], "--workers must be positive"),
    (["sweep", "{d}/sweep.toml", "--workers", str(10**20)], "--workers"),
    (["sweep", "{d}/bad.toml"], "bad.toml"),
    (["report", "{d}/nosuch.sqlite"], "no such results file"),
    (["report", "{d}/i.json"], "not a kvopt results file"),
    (["report", "{d}/r.sqlite", "--instance", "x"], "give --plots DIR too"),
    (["export", "{d}/i.json", "--out", "{d}/m.lp", "--format", "mps"], "--format mps but the file name ends in .lp"),
    (["export", "{d}/i.json", "--out", "{d}/m.txt"], "cannot tell the format"),
    (["export", "{d}/i.json", "--solution", "{d}/file.txt", "--out", "{d}/o.json"], "no values of kvopt model"),
    (["--plugin", "{d}/nosuch.py", "methods"], "nosuch.py"),
    ([], "no verb given"),
    (["nosuch"], "invalid choice: 'nosuch'"),
]


@pytest.mark.parametrize("args, fragment", BAD_OPTIONS, ids=[" ".join(a[:1] + a[2:4]) for a, _ in BAD_OPTIONS])
def test_bad_options(world, args, fragment):
    check(world, args, 2, fragment, absent=("{d}/g", "{d}/o.json", "{d}/m.lp", "{d}/m.txt"))


CLOCK_TIME = [
    ["solve", "{d}/clock.json", "-m", "fcfs", "--out", "{d}/o.json"],
    ["bound", "{d}/clock.json", "-m", "trivial"],
    ["certify", "{d}/clock.json", "--out", "{d}/o.json"],
    ["export", "{d}/clock.json", "--out", "{d}/o.mps"],
    ["verify", "{d}/clock.json", "{d}/bare.json"],
]


@pytest.mark.parametrize("args", CLOCK_TIME, ids=lambda a: a[0])
def test_offline_methods_refuse_clock_time_instances(world, args):
    fragment = "no clock record" if args[0] == "verify" else "arrivals are clock times"
    check(world, args, 2, fragment, absent=("{d}/o.json", "{d}/o.mps"))


def test_a_claim_without_evidence_is_not_success(world):
    ran = check(world, ["check-claim", "-m", "fcfs", "--family", "homogeneous", "--trials", "3", "--reference",
                        "volume"], 3, "no evidence: the reference 'volume' proved no optimum")
    assert "3 trials, 0 with a proven optimum (3 undecided)" in ran.stdout
