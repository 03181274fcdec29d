"""Writing files atomically, as a shell redirection would leave them.

A file is written under a temporary name in its own folder and renamed over the target once complete, so
a crash or an error never leaves a partial or clobbered file. The result has the mode a new file gets
from the umask (0666 & ~umask), or the mode of the file it replaces; a symbolic link is written through
to the file it points to. `stage` and `commit` split the two steps so that several files can be
committed together (kvopt.cli.outputs).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def final_target(path: str | Path) -> Path:
    """The file a write to `path` changes: a symbolic link is followed."""
    return Path(os.path.realpath(path))


def temporary_name(target: Path) -> Path:
    """A fresh hidden name beside `target`, with the same suffix (HiGHS and matplotlib choose the format by
    extension)."""
    return target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}")


def stage(path: str | Path, write: Callable[[Path], object]) -> tuple[Path, Path]:
    """Write the content with `write(temporary_path)` beside the target; returns (temporary, target).
    Nothing is left behind if `write` fails."""
    target = final_target(path)
    temporary = temporary_name(target)
    try:
        write(temporary)
        if not temporary.exists():
            raise OSError(f"nothing was written to {temporary}")
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~umask()
        os.chmod(temporary, mode)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary, target


def commit(temporary: Path, target: Path) -> None:
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write one file atomically; returns the file written."""
    temporary, target = stage(path, write)
    commit(temporary, target)
    return target
