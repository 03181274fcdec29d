"""What the calibration scripts share: where the reference data are, and writing (or checking) the
generated constants module in kvopt/."""

from __future__ import annotations

import argparse
import os
import pprint
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: ../shared/data next to the repository; $KVOPT_SHARED_DATA overrides it (e.g. in a git worktree).
DATA = Path(os.environ.get("KVOPT_SHARED_DATA") or ROOT.parent / "shared" / "data")


def render(docstring: list[str], constants: dict, sort: bool) -> str:
    """A Python module: the docstring lines, then NAME = value for every constant."""
    lines = ['"""' + docstring[0], *docstring[1:], '"""', ""]
    for name, value in constants.items():
        lines += [f"{name} = {pprint.pformat(value, width=110, sort_dicts=sort)}", ""]
    return "\n".join(lines)


def run(description: str, fit: Callable[[Path], dict], target: Path, docstring: list[str],
        show: Callable[[dict], None], sort: bool = True) -> None:
    """Command line of a calibration script: fit from --data, print the report, write `target` (or with
    --check compare it with the committed file and exit 1 if it differs)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=DATA, help=f"folder with the reference data (default {DATA})")
    parser.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = parser.parse_args()
    constants = fit(args.data)
    show(constants)
    text = render(docstring, constants, sort)
    name = target.relative_to(ROOT)
    if args.check:
        same = target.read_text() == text
        print(f"{name} {'matches' if same else 'DIFFERS FROM'} a fresh fit")
        raise SystemExit(0 if same else 1)
    target.write_text(text)
    print(f"wrote {name}")
