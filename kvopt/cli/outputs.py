"""Every file a verb writes: checked before any work starts, and written all together or not at all.

A verb declares the arguments that name files it reads (`declare_input`) and writes (`add_output`, a
file or a folder). Before the verb runs, `Outputs.checked(args)` refuses, with one line naming the
argument and the path, an output that:
- is one of the inputs (same file: kvopt never overwrites what it reads) or another output;
- is an existing folder where a file is expected, or an existing file where a folder is expected;
- lies in a folder that does not exist, or under a regular file, or where this user cannot write;
- (plot) has a suffix the writer cannot produce.
The one rule for folders: a file is written only into an existing folder; a folder output (`generate
--out`, `check-claim --out`, `report --plots`) is created when missing, inside an existing folder.

While the verb runs, each file is staged: written under a temporary name beside its target
(kvopt.io.files). `commit()` renames them all into place once the verb has everything; an error or an
interrupt before that removes the staged files (and a folder created for them), so no output of a
failed command exists.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kvopt.errors import InputError
from kvopt.io.files import commit, final_target, stage, temporary_name

FILE, FOLDER = "file", "folder"


@dataclass(frozen=True)
class OutputSpec:
    dest: str
    flag: str
    kind: str = FILE
    suffixes: tuple[str, ...] | None = None


@dataclass
class Declared:
    inputs: list[str] = field(default_factory=list)  # argument dests naming files read
    outputs: list[OutputSpec] = field(default_factory=list)


def declared(parser: argparse.ArgumentParser) -> Declared:
    found = parser.get_default("kvopt_files")
    if found is None:
        found = Declared()
        parser.set_defaults(kvopt_files=found)
    return found


def declare_input(parser: argparse.ArgumentParser, *dests: str) -> None:
    declared(parser).inputs.extend(dests)


def add_output(parser: argparse.ArgumentParser, flag: str, *, kind: str = FILE,
               suffixes: tuple[str, ...] | None = None, **argument) -> None:
    """parser.add_argument(flag, **argument), declared as an output file (or folder)."""
    action = parser.add_argument(flag, **argument)
    declared(parser).outputs.append(OutputSpec(action.dest, flag, kind, suffixes))


def _given(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def input_files(args: argparse.Namespace) -> list[Path]:
    """The existing files the command reads (bundled SET/NAME instances resolved)."""
    from kvopt import instances as bundled

    spec = getattr(args, "kvopt_files", None) or Declared()
    found = []
    for text in [p for dest in spec.inputs for p in _given(getattr(args, dest, None))] + _given(
            getattr(args, "plugin", None)):
        path = Path(text)
        if not path.exists():
            try:
                path = bundled.resolve(text) or path
            except InputError:
                continue
        if path.is_file():
            found.append(path)
    return found


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _check_writable_folder(folder: Path, flag: str, text: str, hint: str) -> None:
    if not folder.exists():
        raise InputError(f"{flag}: no such folder {str(folder)!r} ({hint})", text)
    if not folder.is_dir():
        raise InputError(f"{flag}: {str(folder)!r} is not a folder", text)
    probe = temporary_name(folder / "probe")
    try:
        probe.touch(exist_ok=False)
    except OSError as error:
        raise InputError(f"{flag}: cannot write in {str(folder)!r} ({error.strerror or error})", text) from None
    probe.unlink(missing_ok=True)


def check_output(spec: OutputSpec, text: str, inputs: Iterable[Path]) -> Path:
    """The target of one output argument, or an InputError saying why it cannot be written."""
    if not text.strip():
        raise InputError(f"{spec.flag}: an empty path")
    target = final_target(text)
    if spec.kind == FILE:
        if target.is_dir():
            raise InputError(f"{spec.flag}: is a folder; give a file name", text)
        if spec.suffixes is not None and target.suffix.lower() not in spec.suffixes:
            raise InputError(f"{spec.flag}: the file name must end in {' or '.join(spec.suffixes)}", text)
        _check_writable_folder(target.parent, spec.flag, text, "kvopt creates no folder for a file")
        if target.exists() and not os.access(target, os.W_OK):
            raise InputError(f"{spec.flag}: exists and is read-only", text)
        for path in inputs:
            if _same_file(target, path):
                raise InputError(f"{spec.flag}: is also an input of this command ({path}); kvopt never "
                                 f"overwrites what it reads", text)
    else:
        if target.exists() and not target.is_dir():
            raise InputError(f"{spec.flag}: exists and is not a folder", text)
        _check_writable_folder(target if target.exists() else target.parent, spec.flag, text,
                               "kvopt creates the output folder only, not its parents")
    return target


class Outputs:
    """The checked output targets of one command and the files staged for them."""

    def __init__(self, targets: dict[str, Path], inputs: list[Path]):
        self.targets = targets  # given path text -> target
        self.inputs = inputs
        self.staged: list[tuple[Path, Path]] = []
        self.created: list[Path] = []
        self.written: list[Path] = []  # committed

    @classmethod
    def checked(cls, args: argparse.Namespace) -> Outputs:
        spec = getattr(args, "kvopt_files", None) or Declared()
        inputs = input_files(args)
        targets: dict[str, Path] = {}
        flags: dict[Path, str] = {}
        for output in spec.outputs:
            for text in _given(getattr(args, output.dest, None)):
                target = check_output(output, text, inputs)
                if target in flags:
                    raise InputError(f"{output.flag} and {flags[target]} name the same file", text)
                flags[target] = output.flag
                targets[text] = target
        return cls(targets, inputs)

    def _target(self, path: str | Path, name: str | None) -> Path:
        text = str(path)
        if text not in self.targets:
            raise RuntimeError(f"internal error: {text!r} was not declared as an output")
        target = self.targets[text]
        if name is None:
            return target
        if not target.exists():
            target.mkdir()
            self.created.append(target)
        target = final_target(target / name)
        for input_path in self.inputs:
            if _same_file(target, input_path):
                raise InputError(f"would overwrite {input_path}, an input of this command", str(path))
        return target

    def add(self, path: str | Path, write: Callable[[Path], object], name: str | None = None) -> Path:
        """Stage a file: `path` as given to an output argument (and `name` inside it for a folder);
        `write(temporary)` writes the content. Returns the final path."""
        target = self._target(path, name)
        try:
            temporary, final = stage(target, write)
        except OSError as error:
            raise InputError(f"cannot write: {error.strerror or error}", str(target)) from None
        self.staged.append((temporary, final))
        return final

    def commit(self) -> None:
        """Move every staged file into place."""
        staged, self.staged = self.staged, []
        for temporary, target in staged:
            commit(temporary, target)
            self.written.append(target)
        self.created = []

    def discard(self) -> None:
        """Remove what was staged and not committed, and the folders created for it."""
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        self.staged = []
        for folder in reversed(self.created):
            try:
                folder.rmdir()
            except OSError:
                pass
        self.created = []
