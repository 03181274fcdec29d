"""Energy in the verbs: simulate (text, --json, --metrics-out), solve, certify, report --table energy,
plot --kind power (kvopt/cli/energy.py and the verbs using it)."""

import json

import pytest

from conftest import run_cli
from kvopt.hardware.energy import load

SMALL = "small/homogeneous_m9_s1_o3_n5"
TRACE = "a100/a100-lmsys-r10-n1000-s0-000"


def test_simulate_reports_energy_in_text_json_and_metrics(tmp_path):
    done = run_cli("simulate", TRACE, "-p", "mcsf")
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("energy: "))
    assert "kWh) on 2 GPUs (a100-mlenergy)" in line and "J per output token" in line
    metrics = tmp_path / "m.json"
    done = run_cli("simulate", TRACE, "-p", "mcsf", "--energy", "a100-samsi2023", "--json",
                   "--metrics-out", str(metrics))
    energy = json.loads(done.stdout)["metrics"]["energy"]
    assert energy["model"] == "a100-samsi2023" and energy["unit"] == "J" and "windows" not in energy
    assert energy["total_kwh"] == pytest.approx(energy["total"] / 3.6e6)
    data = json.loads(metrics.read_text())
    assert sum(data["requests"]["energy"]) + data["metrics"]["energy"]["idle"] == pytest.approx(energy["total"])
    idle_w = 2 * load("a100-samsi2023").idle_w
    assert sum(data["batches"]["energy"]) + idle_w * sum(data["batches"]["idle_before"]) == pytest.approx(energy["total"])
    assert len(data["metrics"]["energy"]["windows"]) == 20


def test_solve_and_certify_report_unit_round_energy():
    done = run_cli("solve", SMALL, "-m", "fcfs", "--json")
    energy = json.loads(done.stdout)["energy"]
    assert energy["unit"] == "W-round" and energy["busy_time"] == 9
    done = run_cli("certify", SMALL, "--methods", "fcfs,sorted-f,exact", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    methods = summary["energy"]["methods"]
    assert set(methods) == {"fcfs", "sorted-f", "exact"} and summary["energy"]["best"] == methods["exact"]
    front = summary["energy"]["pareto"]
    assert front[0]["objective"] == 25 and all(a["energy"] > b["energy"] for a, b in zip(front, front[1:]))
    text = run_cli("certify", SMALL, "--methods", "fcfs,exact").stdout
    assert "latency-energy Pareto front (total latency, W-round): exact (25," in text


def test_report_energy_table_and_power_plot(tmp_path):
    config = tmp_path / "s.toml"
    config.write_text('name = "e"\nseeds = [0]\n[[instances]]\npath = "instances"\n'
                      '[[methods]]\nname = "fcfs"\n[[methods]]\nname = "mcsf"\n')
    (tmp_path / "instances").mkdir()
    (tmp_path / "instances" / "a.json").write_text(json.dumps(
        {"memory": 9, "requests": [{"id": f"r{k}", "arrival": 0, "prompt": 1, "output": 3} for k in range(5)]}))
    done = run_cli("sweep", str(config), "--results", str(tmp_path / "r.sqlite"), "--workers", "1")
    assert done.returncode == 0, done.stderr
    table = run_cli("report", str(tmp_path / "r.sqlite"), "--table", "energy").stdout
    assert "| method | schedules | mean energy | energy / least: mean |" in table
    assert "| fcfs | 1 | 6495.2 | 1.0000 |" in table
    csv = run_cli("report", str(tmp_path / "r.sqlite"), "--table", "energy", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("method,time_limit,schedules,energy_mean")
    schedule = tmp_path / "s.json"
    run_cli("simulate", TRACE, "-p", "mcsf", "--out", str(schedule))
    done = run_cli("plot", TRACE, str(schedule), "--kind", "power", "--out", str(tmp_path / "p.png"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
