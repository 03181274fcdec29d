"""Progress on stderr while a long command runs, only when stderr is a terminal (stdout stays clean, and
logs or pipes get no control characters). `KVOPT_PROGRESS=1` shows it anyway (plain lines)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


class Progress:
    """`line(text)`: a line that stays (one per finished attempt, say); `live(text)`: a status line that
    the next one overwrites (incumbent and bound of a running solver)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.overwrite = self.stream.isatty()
        self.pending = False

    def live(self, text: str) -> None:
        if self.overwrite:
            self.stream.write(f"\r\x1b[K{text}")
            self.pending = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def line(self, text: str) -> None:
        self.clear()
        self.stream.write(text + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Remove a pending live line (before the command prints its result)."""
        if self.pending:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.pending = False


def progress_wanted() -> bool:
    return sys.stderr.isatty() or os.environ.get("KVOPT_PROGRESS") == "1"


def terminal_progress() -> Progress | None:
    return Progress() if progress_wanted() else None


def live_lines(progress: Progress | None, prefix: str) -> Callable[[str], None] | None:
    """A `progress` callback for kvopt.solve: live lines prefixed with the method's name."""
    if progress is None:
        return None
    return lambda text: progress.live(f"{prefix}: {text}")
