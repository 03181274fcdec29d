"""The README's examples run and print what the README shows.

Every `$ kvopt ...` line of every ```console block is run, in order, in one scratch folder (`instances/`
and `benchmarks/` linked in, the worked example's two files copied in, as the README says to run them),
and each line the README shows under it must appear in its output, in order ("..." elides lines, and
parts of a line). Durations are not compared (they depend on the machine), nor the figures of a
time-limited search (VOLATILE, compared with their numbers masked). Two examples run reduced, said in
REDUCED; placeholders (INSTANCE.json) cannot run. The set-up command and the A100 statistics quoted in a
table are run too.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

import pytest
from conftest import ROOT, run_cli, run_main

README = (ROOT / "README.md").read_text(encoding="utf-8")
VOLATILE = ("exact            exact      feasible", "best 1208 (mcsf) >= bound")  # 5 s of branch and bound
REDUCED = {  # command -> (what runs instead, why)
    "kvopt sweep benchmarks/sweeps/paper-sample.toml --executor dask-local --results paper-sample.sqlite":
        ("kvopt sweep benchmarks/sweeps/paper-sample.toml --results paper-sample.sqlite --dry-run",
         "the full sweep runs ten minutes (ip takes 60 s per instance); the dry run checks the job count"),
    "kvopt report paper-sample.sqlite": (None, "reports the ten-minute sweep above"),
}
PLACEHOLDER = re.compile(r"\b[A-Z]+\.json\b")
NEGATIVE = ("kvopt check-claim --method mcsf",)  # exit 1: the claim is refuted


@dataclass
class Example:
    command: str
    line: int
    shown: list[str] = field(default_factory=list)


def console_examples() -> list[Example]:
    examples: list[Example] = []
    inside, pending = False, ""
    for number, line in enumerate(README.splitlines(), 1):
        if line.startswith("```"):
            inside = line == "```console"
            continue
        if not inside:
            continue
        if pending or line.startswith("$ "):
            text = pending + line.removeprefix("$ ").strip()
            pending = text[:-1] + " " if text.endswith("\\") else ""
            if not pending:
                examples.append(Example(re.sub(r"\s+#.*$", "", text), number))
        elif examples:
            examples[-1].shown.append(line)
    return examples


def masked_seconds(line: str) -> str:
    line = re.sub(r"\d+\.\d+ s\b", "<s>", line)
    line = re.sub(r"(\s)\d+\.\d{3}(  )", r"\1<s>\2", line)  # certify's time column
    return re.sub(r"\| [\d.<>s]+ \|$", "| <s> |", line)  # report's mean runtime column


def matches(shown: str, actual: str) -> bool:
    shown, actual = masked_seconds(shown), masked_seconds(actual)
    if shown.startswith(VOLATILE):
        shown, actual = re.sub(r"\d+(\.\d+)?", "#", shown), re.sub(r"\d+(\.\d+)?", "#", actual)
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, actual) is not None


def assert_shown(example: Example, stdout: str, stderr: str) -> None:
    """The shown lines appear in order: `kvopt: ...` messages on stderr, everything else on stdout."""
    for stream, output in ((False, stdout), (True, stderr)):
        lines = output.splitlines()
        position = 0
        for shown in example.shown:
            if shown.strip() == "..." or shown.startswith("kvopt: ") != stream:
                continue
            while position < len(lines) and not matches(shown, lines[position]):
                position += 1
            assert position < len(lines), f"README line {example.line}: {example.command}\nnot shown: " \
                                          f"{shown!r}\noutput:\n{output}"
            position += 1


def solve_exported_model(folder) -> None:
    """What a user's solver would do between the two export examples: solve model.mps, write model.sol."""
    from kvopt.formulations.highs_solver import new_highs
    highs = new_highs()
    highs.readModel(str(folder / "model.mps"))
    highs.run()
    highs.writeSolution(str(folder / "model.sol"), 0)


def run(command: str, folder) -> tuple[int, str, str]:
    code, stdout, stderr = 0, "", ""
    for part in command.split(" && "):
        words = shlex.split(part)
        assert words[0] == "kvopt", command
        if "--plugin" in words:  # a user's module: in its own process, so it registers nothing here
            ran = run_cli(*words[1:], cwd=folder)
        else:
            ran = run_main(*words[1:])
        stdout, stderr, code = stdout + ran.stdout, stderr + ran.stderr, code or ran.returncode
    return code, stdout, stderr


def test_the_console_examples_print_what_the_readme_shows(tmp_path, monkeypatch):
    for name in ("instances", "benchmarks"):
        os.symlink(ROOT / name, tmp_path / name)
    for name in ("my_heuristic.py", "my_sweep.toml"):
        shutil.copy(ROOT / "docs" / "examples" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    examples = console_examples()
    assert len(examples) >= 20 and set(REDUCED) <= {e.command for e in examples}
    for example in examples:
        command = example.command
        if PLACEHOLDER.search(command):
            continue
        if command in REDUCED:
            command = REDUCED[command][0]
            if command is None:
                continue
            example = Example(command, example.line, example.shown[:1])
        if "--solution model.sol" in command:
            solve_exported_model(tmp_path)
        code, stdout, stderr = run(command, tmp_path)
        expected = 2 if any(line.startswith("kvopt: error:") for line in example.shown) else \
            1 if command.startswith(NEGATIVE) else 0
        assert code == expected, (example.command, code, stdout, stderr)
        assert_shown(example, stdout, stderr)


def test_the_set_up_command():
    command = ".venv/bin/kvopt certify instances/small/homogeneous_m9_s1_o3_n5.json"
    assert command in README and "optimum 25: schedule from fluid, optimality proved by homogeneous-dp" in README
    ran = run_main("certify", str(ROOT / "instances/small/homogeneous_m9_s1_o3_n5.json"))
    assert ran.returncode == 0 and ran.stdout.splitlines()[-1] == \
        "optimum 25: schedule from fluid, optimality proved by homogeneous-dp"


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a shell for the glob")
def test_the_a100_length_statistics_of_the_table(tmp_path):
    command = "kvopt generate a100 --rate 50 --requests 10000 --out d && kvopt info d/a100-*.json"
    assert f"`{command}`) | 39.64 / 11 | 85.09 / 45 |" in README
    kvopt = f"{shlex.quote(sys.executable)} -m kvopt"
    ran = subprocess.run(command.replace("kvopt", kvopt), shell=True, cwd=tmp_path, capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert "prompt: min 1  mean 39.637  median 11.0" in ran.stdout
    assert "output: min 1  mean 85.088  median 45.0" in ran.stdout
