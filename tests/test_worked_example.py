"""The README's worked example: a user's own heuristic (docs/examples/my_heuristic.py) registered from
their own module and run through `kvopt solve`, `kvopt certify` and a sweep (docs/examples/my_sweep.toml),
from a directory outside the repository. The README shows both files verbatim."""

import json
import shutil

from conftest import ROOT, run_cli

EXAMPLES = ROOT / "docs" / "examples"


def test_the_readme_shows_the_example_files_verbatim():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("my_heuristic.py", "my_sweep.toml"):
        assert (EXAMPLES / name).read_text(encoding="utf-8") in readme, name
    assert len((EXAMPLES / "my_heuristic.py").read_text().splitlines()) <= 20


def test_the_custom_heuristic_runs_through_solve_certify_and_a_sweep(tmp_path):
    for name in ("my_heuristic.py", "my_sweep.toml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    plugin = ("--plugin", "my_heuristic.py")
    solved = run_cli(*plugin, "solve", "small/homogeneous_m9_s1_o3_n5", "-m", "volume-first", "--json",
                     cwd=tmp_path)
    assert solved.returncode == 0, solved.stderr
    assert json.loads(solved.stdout)["objective"] == 27

    certified = run_cli(*plugin, "certify", "paper-sample/paper-m2-s0-002", "--methods",
                        "volume-first,mcsf,exact", "--time-limit", "5", "--json", cwd=tmp_path)
    attempts = {a["method"]: a for a in json.loads(certified.stdout)["attempts"]}
    assert attempts["volume-first"]["objective"] == 1217 and attempts["mcsf"]["objective"] == 1208
    assert attempts["exact"]["started_from"] == "mcsf (1208)"

    swept = run_cli("sweep", "my_sweep.toml", "--results", "results.sqlite", "--workers", "1", cwd=tmp_path)
    assert swept.returncode == 0, swept.stderr
    report = run_cli("report", "results.sqlite", "--format", "csv", cwd=tmp_path)
    assert report.returncode == 0 and "volume-first" in report.stdout
