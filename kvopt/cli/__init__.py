"""The `kvopt` command. Each verb is a module with NAME, HELP, add_parser(subparsers) and run(args)."""

from __future__ import annotations

import argparse
import importlib
import sys

from kvopt.version import __version__

VERBS = [
    "kvopt.cli.info_cmd",
    "kvopt.cli.verify_cmd",
    "kvopt.cli.solve_cmd",
    "kvopt.cli.methods_cmd",
    "kvopt.cli.convert_cmd",
    "kvopt.cli.simulate_cmd",
    "kvopt.cli.certify_cmd",
    "kvopt.cli.check_claim_cmd",
    "kvopt.cli.generate_cmd",
    "kvopt.cli.hardware_cmd",
    "kvopt.cli.sweep_cmd",
    "kvopt.cli.report_cmd",
    "kvopt.cli.plot_cmd",
    "kvopt.cli.bound_cmd",
    "kvopt.cli.export_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kvopt", description="Exact optima, certified bounds and online policies for LLM inference "
                                  "scheduling under KV-cache memory limits.")
    parser.add_argument("--version", action="version", version=f"kvopt {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for module in VERBS:
        importlib.import_module(module).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return 2
    return args.run(args)
