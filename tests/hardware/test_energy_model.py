"""kvopt.hardware.energy: the power function, model files that round-trip, bad coefficients rejected."""

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, run_cli
from kvopt.errors import InputError
from kvopt.hardware.energy import MODELS, available, dumps, from_dict, load


def test_builtins_load_and_round_trip():
    assert {"a100-mlenergy", "a100-samsi2023", "a100-samsi2023-cap175"} <= set(available())
    for name in available():
        model = load(name)
        assert model.as_dict() == json.loads((MODELS / f"{name}.json").read_text())
        assert model.sources


def test_a_user_file_round_trips(tmp_path):
    data = load().as_dict() | {"name": "mine"}
    data["power"] = data["power"] | {"busy_w": 55.5, "cap_w": 300}
    data["hardware"] = data["hardware"] | {"gpus": 4}
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data))
    model = load(str(path))
    assert model.name == "mine" and model.gpus == 4 and model.busy_w == 55.5
    again = tmp_path / "again.json"
    again.write_text(dumps(model))
    assert load(str(again)) == model and json.loads(again.read_text()) == model.as_dict()


BAD = [
    (lambda d: d["power"].update(busy_w=-1), "power.busy_w: must be a non-negative"),
    (lambda d: d["power"].update(cap_w=0), "power.cap_w: must be a positive"),
    (lambda d: d["power"].update(idle_w="40"), "power.idle_w: must be a non-negative"),
    (lambda d: d["power"].update(idle_w=500), "idle_w 500 W exceeds cap_w 400 W"),
    (lambda d: d["power"].pop("memory_w"), "missing key 'memory_w'"),
    (lambda d: d["power"].update(watts=1), "unknown key 'watts'"),
    (lambda d: d["hardware"].update(gpus=0), "hardware.gpus: must be an integer"),
    (lambda d: d["hardware"].update(hbm_gbps=True), "hardware.hbm_gbps: must be a positive"),
    (lambda d: d.update(version=2), "this kvopt reads version 1"),
    (lambda d: d.update(format="other"), "format must be"),
]


@pytest.mark.parametrize("change, message", BAD)
def test_bad_coefficients_are_rejected(change, message):
    data = load().as_dict()
    change(data)
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        from_dict(data)


def test_bad_file_is_a_one_line_cli_error(tmp_path):
    data = load().as_dict()
    data["power"]["memory_w"] = -3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    done = run_cli("simulate", "small/homogeneous_m9_s1_o3_n5", "-p", "mcsf", "--energy", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "power.memory_w: must be a non-negative" in done.stderr
    done = run_cli("solve", "small/homogeneous_m9_s1_o3_n5", "-m", "fcfs", "--energy", "no-such-model")
    assert done.returncode == 2 and "no such energy model or file" in done.stderr


def test_power_grows_with_the_batch_and_is_capped():
    model = load()
    seconds = np.array([0.05, 0.05, 0.05])
    power = model.gpu_power_w(np.array([1, 100, 100]), np.array([0, 0, 50_000]), seconds, 2)
    assert power[0] < power[1] <= power[2] <= model.cap_w
    heavy = model.gpu_power_w(np.array([10**6]), np.array([0]), np.array([0.01]), 2)
    assert heavy[0] == model.cap_w
    flat = load("a100-samsi2023")
    assert flat.gpu_power_w(np.array([1, 4096]), np.array([0, 4096]), np.array([0.05, 1.0]), 2).tolist() == [250, 250]
    assert model.gpu_power_w(np.array([0]), np.array([0]), np.array([0.0]), 2)[0] == model.idle_w


def test_the_fit_script_reproduces_the_committed_files():
    done = subprocess.run([sys.executable, "calibration/fit_a100_energy.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Llama-2-13b-chat: HBM utilisation 0.4894, 234.9 W" in done.stdout


def test_gpu_count_follows_the_tensor_parallel_degree():
    model = load()
    assert model.gpu_count({"model": "a100-llama2-70b", "tensor_parallel": 4}) == 4
    assert model.gpu_count({"model": "linear", "base": 1.0}) == 2 and model.gpu_count(None) == 2
    fixed = from_dict(model.as_dict() | {"hardware": model.as_dict()["hardware"] | {"gpus": 8}})
    assert fixed.gpu_count({"model": "a100-llama2-70b", "tensor_parallel": 4}) == 8
    # more GPUs share the work: lower utilisation per GPU, but more GPUs draw power
    one = model.gpu_power_w(np.array([100]), np.array([12_500]), np.array([0.06]), 2)[0]
    four = model.gpu_power_w(np.array([100]), np.array([12_500]), np.array([0.06]), 4)[0]
    assert four < one
