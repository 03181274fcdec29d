"""A progress bar with ETA on stderr (standard library only).

On a terminal the bar is redrawn in place at most ten times a second; in a log file (CI, a batch job) a
plain line is written at most every `interval` seconds, and always at the end.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TextIO

from kvopt.result import Status


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, interval: float = 10.0, width: int = 28):
        self.total = total
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.interval = 0.1 if self.terminal else interval
        self.width = width
        self.done = 0
        self.statuses: Counter[str] = Counter()
        self.started = time.monotonic()
        self._shown = float("-inf")

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        fraction = self.done / self.total if self.total else 1.0
        filled = int(self.width * fraction)
        eta = clock(elapsed / self.done * (self.total - self.done)) if self.done else "?"
        problems = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items())
                             if status in (Status.ERROR, Status.TIMEOUT))
        return (f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} jobs "
                f"{100 * fraction:3.0f}%  elapsed {clock(elapsed)}  ETA {eta}"
                + (f"  ({problems})" if problems else ""))

    def update(self, status: str) -> None:
        self.done += 1
        self.statuses[status] += 1
        now = time.monotonic()
        if now - self._shown >= self.interval or self.done == self.total:
            self._shown = now
            self._draw()

    def _draw(self) -> None:
        if self.terminal:
            self.stream.write("\r" + self.line() + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line on a terminal when the sweep stops early."""
        if self.terminal and 0 < self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()
