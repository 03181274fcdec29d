"""Execute the reproduction notebooks.

    PYTHONPATH=. python notebooks/run.py                 # reduced sizes, outputs written in place
    PYTHONPATH=. python notebooks/run.py --full          # full sizes, written to notebooks/full/
    PYTHONPATH=. python notebooks/run.py --full 02_real_trace    # one notebook

Full size is the environment variable KVOPT_FULL=1 seen by the notebooks (kvopt.experiments.full_size),
so `KVOPT_FULL=1 jupyter nbconvert --execute ...` works as well.
"""

from __future__ import annotations

import argparse
import time

from kvopt.experiments.notebooks import NOTEBOOKS, execute, notebook_paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all)")
    parser.add_argument("--full", action="store_true", help="the paper's full sizes (hours for notebook 01)")
    parser.add_argument("--timeout", type=int, default=24 * 3600, help="seconds per cell")
    args = parser.parse_args()
    folder = NOTEBOOKS / "full" if args.full else NOTEBOOKS
    for path in notebook_paths(args.names):
        clock = time.perf_counter()
        execute(path, folder, full=args.full, timeout=args.timeout, out=folder / path.name)
        print(f"{path.name}: executed in {time.perf_counter() - clock:.1f} s -> {folder / path.name}", flush=True)


if __name__ == "__main__":
    main()
