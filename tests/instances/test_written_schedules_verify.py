"""Every schedule kvopt writes passes `kvopt verify` on the instance it was made from: solve, simulate
(with evictions and on the clock-time A100 traces too), certify and check-claim, on every bundled set.
Offline methods refuse the clock-time instances instead of treating milliseconds as rounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_main

from kvopt import instances
from kvopt.io import read_schedule

EVERY = [f"{set_name}/{name}" for set_name in instances.names() for name in instances.instance_names(set_name)]
POLICIES = (["-p", "mcsf"], ["-p", "vllm"], ["-p", "alpha-greedy", "-o", "alpha=0"])


def clock_time(name: str) -> bool:
    return instances.load(*name.split("/")).arrival_unit_s is not None


def verified(name: str, schedule: Path) -> None:
    ran = run_main("verify", name, str(schedule))
    assert ran.returncode == 0 and ran.stderr == "" and "feasible: yes" in ran.stdout, (name, ran)


@pytest.mark.parametrize("name", EVERY)
def test_schedules_written_for_a_bundled_instance_verify(name, tmp_path):
    for k, policy in enumerate(POLICIES):
        out = tmp_path / f"sim{k}.json"
        ran = run_main("simulate", name, *policy, "--out", str(out))
        assert ran.returncode == 0 and "verified: yes" in ran.stdout, (name, policy, ran)
        verified(name, out)
    offline = [("solve", "-m", "fcfs"), ("certify", "--methods", "fcfs,mcsf,sorted-f,volume", "--time-limit", "5")]
    for k, command in enumerate(offline):
        out = tmp_path / f"off{k}.json"
        ran = run_main(command[0], name, *command[1:], "--out", str(out))
        if clock_time(name):
            assert ran.returncode == 2 and "arrivals are clock times" in ran.stderr and not out.exists(), ran
            continue
        assert ran.returncode == 0, (name, command, ran)
        assert read_schedule(out).metadata["instance"] == name.split("/")[1]
        verified(name, out)


def test_the_a100_schedules_carry_their_clock(tmp_path):
    name = "a100/a100-lmsys-r50-n1000-s0-000"
    out = tmp_path / "s.json"
    assert run_main("simulate", name, "-p", "mcsf", "--out", str(out)).returncode == 0
    clock = read_schedule(out).metadata["clock"]
    assert clock["arrival_unit_s"] == 0.001 and clock["batch_time"]["model"] == "a100-llama2-70b"
    ran = run_main("verify", name, str(out))
    assert "clock: arrivals x 0.001 s, batches timed by 'a100-llama2-70b'" in ran.stdout
    converted = run_main("solve", name, "-m", "fcfs", "--rounds-per-second", "20", "--out", str(tmp_path / "r.json"))
    assert converted.returncode == 0 and converted.stderr.startswith("kvopt: note: ") and \
        "round = floor(arrival x 0.001 s x 20 rounds/s)" in converted.stderr
    assert run_main("verify", name, str(tmp_path / "r.json"), "--rounds-per-second", "20").returncode == 0
