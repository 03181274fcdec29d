"""Regenerate the bundled instance sets and their best-known values: `python instances/build.py`.

Options: --sets NAME ... (default all: small, paper-sample, families, a100), --time-limit S (seconds per
method and instance; default per set, see kvopt/generate/bundles.py), --summary (print the stored
manifests' figures, rebuild nothing). Run from the repository root with kvopt importable (installed, or
PYTHONPATH=.).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kvopt.generate.bundles import SETS, build_set
from kvopt.generate.manifest import read_manifest


def summary(manifest: dict) -> str:
    entries = manifest["instances"]
    solved = [e for e in entries if e["best_known"] is not None]
    optimal = sum(e["status"] == "optimal" for e in entries)
    gaps = sorted((e["best_known"] - e["lower_bound"]) / e["best_known"] for e in solved)
    text = f"{len(entries)} instances, {optimal} proven optimal"
    if gaps:
        text += f", gap median {100 * gaps[len(gaps) // 2]:.1f}% max {100 * gaps[-1]:.1f}%"
    methods = sorted({e["best_known_method"] for e in solved})
    return text + (f"; best found by {', '.join(methods)}" if methods else "; time-based, no round-level values")


def main() -> None:
    parser = argparse.ArgumentParser(description="Regenerate the bundled instance sets and their manifests.")
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=list(SETS), help="sets to rebuild")
    parser.add_argument("--time-limit", type=float, help="seconds per method and instance (default: per set)")
    parser.add_argument("--summary", action="store_true", help="summarise the stored manifests; rebuild nothing")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent
    for name in args.sets:
        manifest = read_manifest(root / name) if args.summary else build_set(root, SETS[name], args.time_limit)
        print(f"{name}: {summary(manifest)}")


if __name__ == "__main__":
    main()
