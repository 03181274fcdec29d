"""Shared fixtures and helpers for the test suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kvopt import Instance, Request

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("KVOPT_SHARED_DATA") or ROOT.parent / "shared" / "data")  # override for worktrees


def homogeneous(memory: int, prompt: int, output: int, n: int) -> Instance:
    """n identical requests, all arriving at round 0."""
    return Instance(memory, tuple(Request(f"r{k}", 0, prompt, output) for k in range(n)),
                    name=f"homogeneous_m{memory}_s{prompt}_o{output}_n{n}")


@pytest.fixture
def greedy_counterexample() -> Instance:
    """The greedy counterexample M=9, s=1, o=3, n=5 at round 0: greedy 27, optimum 25."""
    return homogeneous(9, 1, 3, 5)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m kvopt ARGS` in a subprocess (works installed or from a checkout)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "kvopt", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=600)


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


def shared_file(name: str) -> Path:
    """A file of ../shared/data, or skip the test when the folder is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture
def temporary_methods():
    """Register methods for one test only: call `temporary_methods(name, kind, run, options, uses_initial)`."""
    from kvopt.method import register, unregister
    names = []

    def add(name, kind, run, options=(), uses_initial_schedule=False):
        register(name, kind=kind, summary="temporary method for a test", options=options,
                 uses_initial_schedule=uses_initial_schedule)(run)
        names.append(name)

    yield add
    for name in names:
        unregister(name)


@pytest.fixture(autouse=True)
def _forget_test_methods():
    """Methods that test modules register (e.g. the sweep tests' plugin, one of whose methods crashes its
    process) are removed after every test, with their module, so no other test ever runs them."""
    import sys

    from kvopt.catalogue import all_methods
    from kvopt.method import unregister
    before = {spec.name for spec in all_methods()}  # the catalogue imports the built-in methods first
    yield
    for spec in all_methods():
        module = getattr(spec.run, "__module__", "") or ""
        if spec.name not in before and module.startswith("tests."):
            unregister(spec.name)
            sys.modules.pop(module, None)


class Ran:
    """What one in-process `kvopt` command did: exit code, stdout, stderr (a traceback, if it raised)."""

    def __init__(self, code: int, out: str, err: str):
        self.returncode, self.stdout, self.stderr = code, out, err

    def __repr__(self) -> str:
        return f"exit {self.returncode}\nstdout: {self.stdout[-800:]}\nstderr: {self.stderr[-2000:]}"


def run_main(*args: str) -> Ran:
    """`kvopt ARGS` in this process (milliseconds instead of a Python start-up): what escapes `main` is
    printed as the interpreter would, as a traceback on stderr with exit code 1."""
    import contextlib
    import io
    import traceback

    from kvopt.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        except BaseException:  # noqa: BLE001 - exactly what the contract forbids
            traceback.print_exc(file=err)
            code = 1
    return Ran(code, out.getvalue(), err.getvalue())
