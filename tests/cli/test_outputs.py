"""What a command writes when it succeeds: every output it was asked for, in place together, with the mode
the umask gives (or the mode of the file it replaces); and `--json` on every verb that prints a result,
one object on stdout, the instance under "instance"."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import homogeneous, run_main

from kvopt.io import read_schedule, write_instance

SMALL = "small/homogeneous_m9_s1_o3_n5"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def test_files_take_the_umask_and_replaced_files_keep_their_mode(tmp_path, umask_027):
    out = tmp_path / "s.json"
    assert run_main("solve", SMALL, "-m", "fcfs", "--out", str(out)).returncode == 0
    assert mode(out) == 0o640
    out.chmod(0o604)
    assert run_main("solve", SMALL, "-m", "exact", "--out", str(out)).returncode == 0
    assert mode(out) == 0o604 and read_schedule(out).metadata["objective"] == 25
    assert run_main("generate", "homogeneous", "--memory", "9", "--prompt", "1", "--output", "3", "--requests",
                    "5", "--out", str(tmp_path / "set")).returncode == 0
    assert mode(tmp_path / "set") == 0o750 and mode(tmp_path / "set" / "manifest.json") == 0o640
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()], "a temporary file was left behind"


def test_a_link_is_written_through(tmp_path):
    (tmp_path / "real.json").write_text("{}")
    os.symlink(tmp_path / "real.json", tmp_path / "link.json")
    assert run_main("solve", SMALL, "-m", "fcfs", "--out", str(tmp_path / "link.json")).returncode == 0
    assert (tmp_path / "link.json").is_symlink() and read_schedule(tmp_path / "real.json").metadata["objective"] == 27


def test_every_output_of_a_command_is_written(tmp_path):
    outs = [tmp_path / name for name in ("s.json", "m.json", "t.jsonl")]
    ran = run_main("simulate", SMALL, "-p", "mcsf", "--out", str(outs[0]), "--metrics-out", str(outs[1]),
                   "--trace-out", str(outs[2]))
    assert ran.returncode == 0 and all(p.stat().st_size > 0 for p in outs)
    assert run_main("verify", SMALL, str(outs[0])).returncode == 0
    assert json.loads(outs[1].read_text())["metrics"]["objective"] == 27
    assert all(json.loads(line) for line in outs[2].read_text().splitlines())


def test_a_folder_output_is_created_one_level_deep(tmp_path):
    ran = run_main("check-claim", "-m", "mcsf", "--family", "homogeneous", "--trials", "707", "--time-limit", "5",
                   "--out", str(tmp_path / "cex"))
    assert ran.returncode == 1, ran
    written = sorted(p.name for p in (tmp_path / "cex").iterdir())
    assert written == ["claim.json", "homogeneous-trial706-n5.json", "homogeneous-trial706-n5.mcsf.schedule.json",
                       "homogeneous-trial706-n5.optimal.schedule.json"]
    for label in ("mcsf", "optimal"):
        assert run_main("verify", str(tmp_path / "cex" / "homogeneous-trial706-n5.json"),
                        str(tmp_path / "cex" / f"homogeneous-trial706-n5.{label}.schedule.json")).returncode == 0


def test_plot_writes_only_formats_it_can(tmp_path):
    schedule = tmp_path / "s.json"
    assert run_main("solve", SMALL, "-m", "fcfs", "--out", str(schedule)).returncode == 0
    for suffix in (".png", ".svg", ".pdf"):
        assert run_main("plot", SMALL, str(schedule), "--out", str(tmp_path / f"p{suffix}")).returncode == 0
        assert (tmp_path / f"p{suffix}").stat().st_size > 0


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("json")
    write_instance(d / "i.json", homogeneous(9, 1, 3, 5))
    assert run_main("solve", str(d / "i.json"), "-m", "fcfs", "--out", str(d / "s.json")).returncode == 0
    (d / "sweep.toml").write_text('[[instances]]\npath = "i.json"\n[[methods]]\nname = "fcfs"\n')
    assert run_main("sweep", str(d / "sweep.toml"), "--workers", "1", "--quiet").returncode == 0
    return d


JSON_COMMANDS = {
    "info": ["info", "{d}/i.json"],
    "verify": ["verify", "{d}/i.json", "{d}/s.json"],
    "solve": ["solve", "{d}/i.json", "-m", "fcfs", "-v"],
    "bound": ["bound", "{d}/i.json", "-m", "trivial", "-v"],
    "certify": ["certify", "{d}/i.json", "--methods", "fcfs,exact"],
    "simulate": ["simulate", "{d}/i.json", "-p", "mcsf"],
    "convert": ["convert", "{d}/i.json", "--out", "{d}/c.json"],
    "export": ["export", "{d}/i.json", "--out", "{d}/m.mps"],
    "plot": ["plot", "{d}/i.json", "{d}/s.json", "--out", "{d}/p.png"],
    "report": ["report", "{d}/sweep.sqlite"],
    "methods": ["methods"],
    "hardware": ["hardware"],
    "check-claim": ["check-claim", "-m", "fcfs", "--family", "homogeneous", "--trials", "2"],
    "generate": ["generate", "homogeneous", "--memory", "9", "--prompt", "1", "--output", "3", "--requests", "2",
                 "--out", "{d}/g"],
    "sweep": ["sweep", "{d}/sweep.toml", "--dry-run"],
}
NAMED = ("info", "verify", "solve", "bound", "certify", "simulate", "convert", "export", "plot")


@pytest.mark.parametrize("verb", sorted(JSON_COMMANDS))
def test_every_verb_prints_one_json_object(files, verb):
    ran = run_main(*[a.replace("{d}", str(files)) for a in JSON_COMMANDS[verb]], "--json")
    assert ran.returncode == 0 and ran.stderr == "" or verb in ("solve", "bound"), ran
    data = json.loads(ran.stdout)
    assert isinstance(data, dict)
    if verb in NAMED:
        assert data["instance"] == "homogeneous_m9_s1_o3_n5"


def test_one_vocabulary_for_results(files):
    solved = json.loads(run_main("solve", str(files / "i.json"), "-m", "exact", "--json").stdout)
    simulated = json.loads(run_main("simulate", str(files / "i.json"), "-p", "mcsf", "--json").stdout)
    certified = json.loads(run_main("certify", str(files / "i.json"), "--methods", "fcfs,exact", "--json").stdout)
    bound = json.loads(run_main("bound", str(files / "i.json"), "-m", "lp", "-o", "cuts=none", "--json").stdout)
    assert solved["objective"] == 25 and simulated["objective"] == 27 and certified["objective"] == 25
    assert type(solved["lower_bound"]) is int and type(certified["lower_bound"]) is int
    assert all(type(a["lower_bound"]) is int for a in certified["attempts"] if a["lower_bound"] is not None)
    assert type(bound["lower_bound"]) is float and bound["integer_lower_bound"] == 24


def test_verbose_log_leaves_json_stdout_clean(files):
    ran = run_main("solve", str(files / "i.json"), "-m", "exact", "-v", "--json")
    assert json.loads(ran.stdout)["objective"] == 25 and "search proved after" in ran.stderr


def test_info_takes_several_files(files):
    ran = run_main("info", str(files / "i.json"), SMALL, "--json")
    assert [i["instance"] for i in json.loads(ran.stdout)["instances"]] == ["homogeneous_m9_s1_o3_n5"] * 2
    assert run_main("info", str(files / "i.json"), SMALL).stdout.count("requests: 5") == 2
