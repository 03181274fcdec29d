"""A user's own module registers a method; `kvopt --plugin` and a sweep's `plugins` import it."""

import json
import textwrap

from conftest import ROOT, run_cli

SMALL = str(ROOT / "instances" / "small" / "homogeneous_m9_s1_o3_n5.json")
LONGEST_FIRST = '''
from kvopt.heuristics import complete_schedule
from kvopt.method import Outcome, register
from kvopt.result import Status
from kvopt.schedule import Schedule


@register("test-longest-first", kind="heuristic", summary="list scheduling, longest output first")
def longest_first(instance, settings):
    return Outcome(Schedule(complete_schedule(instance, {}, -instance.outputs)), Status.FEASIBLE)
'''


def test_a_plugin_file_or_module_adds_a_method_to_every_verb(tmp_path):
    (tmp_path / "longest.py").write_text(LONGEST_FIRST)
    by_file = run_cli("--plugin", "longest.py", "solve", SMALL, "-m", "test-longest-first", "--json", cwd=tmp_path)
    by_name = run_cli("--plugin", "longest", "methods", "--kind", "heuristic", cwd=tmp_path)
    assert by_file.returncode == 0, by_file.stderr
    assert json.loads(by_file.stdout)["objective"] == 27 and "test-longest-first" in by_name.stdout


def test_a_plugin_that_fails_is_one_line(tmp_path):
    (tmp_path / "broken.py").write_text("raise RuntimeError('no GPU here')\n")
    for plugin in ("broken.py", "missing.py", "no.such.module"):
        done = run_cli("--plugin", plugin, "methods", cwd=tmp_path)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "RuntimeError: no GPU here" in run_cli("--plugin", "broken.py", "methods", cwd=tmp_path).stderr


def test_a_sweep_imports_a_plugin_file_named_relative_to_its_config(tmp_path):
    (tmp_path / "longest.py").write_text(LONGEST_FIRST)
    config = tmp_path / "sweep.toml"
    config.write_text(textwrap.dedent(f"""
        plugins = ["longest.py"]
        [[instances]]
        path = "{SMALL}"
        [[methods]]
        name = "test-longest-first"
        """))
    done = run_cli("sweep", str(config), "--results", str(tmp_path / "r.sqlite"), "--workers", "1")
    assert done.returncode == 0, done.stderr
