"""`kvopt generate`: every family from the command line, the manifest, determinism, bad input."""

import json

import pytest

from kvopt import read_instance
from kvopt.cli.generate_cmd import instances_from_command
from kvopt.errors import InputError
from kvopt.generate.catalogue import FAMILIES
from kvopt.generate.manifest import read_manifest
from conftest import ROOT, run_cli

COMMANDS = {
    "paper-synthetic": ["--count", "2"],
    "a100": ["--requests", "50"],
    "homogeneous": ["--memory", "9", "--prompt", "1", "--output", "3", "--requests", "5"],
    "staggering": ["--output", "3", "--requests", "4", "6"],
    "adversary": ["--x", "2", "5", "--tau", "0", "4"],
    "fat-thin": ["--memory", "12", "16"],
    "random-small": ["--count", "3", "--arrivals", "spread"],
}


def test_every_family_has_a_command():
    assert set(COMMANDS) == set(FAMILIES)
    assert "generate" in run_cli("--help").stdout and "hardware" in run_cli("--help").stdout


@pytest.mark.parametrize("family", sorted(COMMANDS))
def test_generate_writes_instances_and_manifest(family, tmp_path):
    out = tmp_path / family
    result = run_cli("generate", family, *COMMANDS[family], "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    manifest = read_manifest(out)
    assert manifest["commands"] == [printed["command"]] and printed["command"].startswith(f"kvopt generate {family}")
    assert sorted(p.name for p in out.glob("*.json")) == sorted([e["file"] for e in manifest["instances"]]
                                                                + ["manifest.json"])
    expected = instances_from_command(printed["command"].split()[2:])
    assert [read_instance(out / e["file"]) for e in manifest["instances"]] == expected
    for entry, instance in zip(manifest["instances"], expected):
        assert (entry["name"], entry["requests"], entry["memory"]) == (instance.name, len(instance), instance.memory)


def test_deterministic_bytes_and_seed(tmp_path):
    for name in ("a", "b"):
        assert run_cli("generate", "random-small", "--count", "4", "--seed", "7", "--out", str(tmp_path / name)
                       ).returncode == 0
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    other = instances_from_command(["random-small", "--count", "4", "--seed", "8"])
    assert other != [read_instance(tmp_path / "a" / f) for f in files if f != "manifest.json"]


def test_paper_sample_regenerates_byte_identically(tmp_path):
    assert run_cli("generate", "paper-synthetic", "--count", "10", "--seed", "0", "--out", str(tmp_path)).returncode == 0
    sample = ROOT / "instances" / "paper-sample"
    stored = sorted(sample.glob("paper-m*.json"))
    assert len(stored) == 20
    assert all(path.read_bytes() == (tmp_path / path.name).read_bytes() for path in stored)


def test_manifest_accumulates_commands(tmp_path):
    run_cli("generate", "adversary", "--x", "2", "--out", str(tmp_path))
    run_cli("generate", "fat-thin", "--memory", "12", "--out", str(tmp_path))
    run_cli("generate", "adversary", "--x", "2", "--out", str(tmp_path))
    manifest = read_manifest(tmp_path)
    assert len(manifest["commands"]) == 2
    assert [e["file"] for e in manifest["instances"]] == ["fat_thin_m12.json", "adversary_x2_tau0.json"]


@pytest.mark.parametrize("args", [
    ["adversary", "--x", "1"],                           # x >= 2
    ["staggering"],                                       # needs --output/--requests or --known
    ["fat-thin", "--memory", "0"],
    ["a100", "--rate", "-5"],
    ["a100", "--requests", "10", "--memory", "100"],      # requests can never fit
    ["a100", "--requests", "10", "--trace", "missing.csv"],
    ["homogeneous", "--memory", "9", "--prompt", "5", "--output", "5", "--requests", "2"],
    ["paper-synthetic", "--model", "3"],
    ["no-such-family"],
])
def test_bad_input_fails_cleanly_and_writes_nothing(args, tmp_path):
    out = tmp_path / "out"
    result = run_cli("generate", *args, "--out", str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error" in result.stderr.strip().splitlines()[-1] and "Traceback" not in result.stderr
    assert not out.exists()


def test_recorded_command_errors_are_input_errors():
    with pytest.raises(InputError, match="invalid choice"):
        instances_from_command(["nope"])


def test_out_must_be_a_folder(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = run_cli("generate", "adversary", "--x", "2", "--out", str(target))
    assert result.returncode == 2 and "not a folder" in result.stderr
