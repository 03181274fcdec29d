"""Write an LMSYS workload of benchmarks/workloads.py and its MC-SF schedule as files, for timing the
file-reading verbs (benchmarks/README.md):

    PYTHONPATH=. python benchmarks/lmsys_files.py 1000000 /tmp/bench
    kvopt verify /tmp/bench/lmsys1000000.json /tmp/bench/lmsys1000000-mcsf.json
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from workloads import lmsys_like  # noqa: E402

from kvopt.io import write_instance, write_schedule  # noqa: E402
from kvopt.policies import make_policy  # noqa: E402
from kvopt.sim import simulate  # noqa: E402


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: lmsys_files.py N FOLDER")
    n, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    instance = lmsys_like(n)
    write_instance(folder / f"lmsys{n}.json", instance)
    write_schedule(folder / f"lmsys{n}-mcsf.json", simulate(instance, make_policy("mcsf")).schedule)


if __name__ == "__main__":
    main()
