"""Run one call in a child process under a hard wall-clock guard.

Why a child process per job: a solver busy in C code never returns to Python to notice a time-out, and a
crash (segmentation fault, out-of-memory kill) must become a recorded error instead of taking the worker
(a pool process or a Dask worker) down with it. The child is forked (kvopt.sweep.fork), so it starts with
everything the worker has already imported and costs a few milliseconds.

A process whose other threads keep running (a Dask worker) does not fork itself: forking it would be slow
(every page those threads write while the child lives gets copied) and unsafe (a lock another thread
holds stays locked in the child). It hands the call to its single-threaded fork server instead
(kvopt.sweep.forkserver). Without `os.fork` (Windows) the call runs in-process and the guard cannot be
enforced.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from kvopt.sweep.fork import Isolated, call_here, fork_and_call
from kvopt.sweep.forkserver import call_in_server


def call_isolated(function: Callable[[Any], Any], argument: Any, timeout: float | None) -> Isolated:
    """`function(argument)` in a child process, killed after `timeout` seconds (None: no guard)."""
    if not hasattr(os, "fork"):
        return call_here(function, argument)
    if threading.active_count() > 1:
        return call_in_server(function, argument, timeout)
    return fork_and_call(function, argument, timeout)
