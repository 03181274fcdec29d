"""kvopt.instances: the bundled sets with their manifests, by name, from any directory, and shipped in
the wheel (a test builds it and runs `kvopt info SET/NAME` from the installed copy, outside the
repository)."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli
from kvopt import instances, verify
from kvopt.errors import InputError


def test_every_set_and_instance_by_name():
    assert instances.names() == ["a100", "counterexamples", "families", "paper-sample", "small"]
    assert len(instances.instance_names("paper-sample")) == 20
    instance = instances.load("small", "homogeneous_m9_s1_o3_n5")
    entry = instances.entry("small", "homogeneous_m9_s1_o3_n5")
    assert (entry["best_known"], entry["lower_bound"], entry["status"]) == (25, 25, "optimal")
    assert verify(instance, instances.best_schedule("small", "homogeneous_m9_s1_o3_n5")).objective == 25
    assert instances.best_schedule("a100", instances.instance_names("a100")[0]) is None
    assert instances.load("counterexamples", "homogeneous_m27_s5_o6_n10").memory == 27


@pytest.mark.parametrize("call, message", [
    (lambda: instances.load("nope", "x"), "no bundled instance set 'nope'; bundled: a100, counterexamples"),
    (lambda: instances.load("small", "nope"), "no instance 'nope' in the bundled set 'small' (it holds 25"),
    (lambda: instances.load("small", "manifest"), "no instance 'manifest'"),
    (lambda: instances.entry("counterexamples", "homogeneous_m27_s5_o6_n10"), "has no manifest"),
])
def test_unknown_names_are_input_errors(call, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        call()


def test_the_command_line_takes_set_slash_name_from_any_directory(tmp_path):
    done = run_cli("info", "small/homogeneous_m9_s1_o3_n5", cwd=tmp_path)
    assert done.returncode == 0 and "instance: homogeneous_m9_s1_o3_n5" in done.stdout
    done = run_cli("solve", "paper-sample/paper-m2-s0-002.json", "-m", "mcsf", cwd=tmp_path)
    assert done.returncode == 0 and "objective: 1208" in done.stdout
    done = run_cli("info", "small/nope", cwd=tmp_path)
    assert done.returncode == 2 and "no such file, and no instance 'nope'" in done.stderr


def test_the_wheel_ships_the_sets_and_info_works_outside_the_repository(tmp_path):
    wheels, target, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    wheel = next(wheels.glob("kvopt-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True,
                   capture_output=True)
    code = ("import kvopt, sys; from kvopt.cli import main; print(kvopt.__file__, file=sys.stderr); "
            "sys.exit(main(['info', 'small/homogeneous_m9_s1_o3_n5']))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(str(target)) and "trivial lower bound (sum of outputs): 15" in done.stdout
