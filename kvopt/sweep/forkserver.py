"""A single-threaded helper process that forks the job processes of a threaded worker (a Dask worker).

Why: forking a process whose other threads keep running is slow — every page those threads write while
the child lives is copied — and unsafe — a lock another thread holds stays locked in the child. So each
thread of such a worker starts its own helper, a fresh interpreter that receives a call, runs it with
`kvopt.sweep.fork.fork_and_call` (fork, guard, warm imports) and sends back the outcome. The helper
exits when its request pipe closes and, on Linux, when the thread that started it dies.

Calls and outcomes travel as pickles over two pipes (not stdin/stdout, which an imported module might
print to).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from kvopt.sweep.fork import Isolated, die_with_parent, fork_and_call, load_prctl

_local = threading.local()


class ForkServer:
    def __init__(self) -> None:
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        path = os.pathsep.join(entry or os.getcwd() for entry in sys.path)  # import what this process can
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kvopt.sweep.forkserver", str(request_read), str(reply_write), str(os.getpid())],
            pass_fds=(request_read, reply_write), stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": path})
        os.close(request_read)
        os.close(reply_write)
        self._requests = os.fdopen(request_write, "wb")
        self._replies = os.fdopen(reply_read, "rb")

    def call(self, function: Callable[[Any], Any], argument: Any, timeout: float | None) -> Isolated:
        pickle.dump((function, argument, timeout), self._requests)
        self._requests.flush()
        return pickle.load(self._replies)

    def close(self) -> None:
        for pipe in (self._requests, self._replies):
            try:
                pipe.close()
            except OSError:
                pass  # the server is gone: nothing to flush to
        self.process.wait()


def call_in_server(function: Callable[[Any], Any], argument: Any, timeout: float | None) -> Isolated:
    """call_isolated through this thread's fork server (started on first use, restarted if it died)."""
    server = getattr(_local, "server", None)
    if server is None or server.process.poll() is not None:
        server = _local.server = ForkServer()
    try:
        return server.call(function, argument, timeout)
    except (EOFError, OSError) as error:
        _local.server = None
        server.process.kill()
        server.close()
        return Isolated(error=f"the fork server of this worker died ({type(error).__name__}) before the job "
                              f"ended")


def serve(request_fd: int, reply_fd: int, parent: int) -> None:
    load_prctl()
    die_with_parent(parent)
    import kvopt.catalogue  # noqa: F401  (what every job needs; the first child then starts with it)
    import kvopt.sweep.jobs  # noqa: F401
    with os.fdopen(request_fd, "rb") as requests, os.fdopen(reply_fd, "wb") as replies:
        while True:
            try:
                function, argument, timeout = pickle.load(requests)
            except EOFError:
                return
            pickle.dump(fork_and_call(function, argument, timeout), replies)
            replies.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
