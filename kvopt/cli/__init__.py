"""The `kvopt` command. Each verb is a module with NAME, HELP, add_parser(subparsers) and run(args).

`kvopt --plugin MODULE_OR_FILE.py VERB ...` imports a user's module first, so the methods it registers
are there for every verb (`kvopt --plugin my_heuristic.py solve INSTANCE -m my-heuristic`)."""

from __future__ import annotations

import argparse
import importlib

from kvopt.cli.common import EXIT_BROKEN_PIPE, EXIT_INPUT, error, silence_stdout
from kvopt.errors import InputError
from kvopt.plugins import import_plugins
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


class Parser(argparse.ArgumentParser):
    """argparse with the error contract of the other errors: one line, exit code 2 (no usage dump)."""

    def error(self, message: str):
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message} (`{self.prog} --help` for usage)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="kvopt", description="Exact optima, certified bounds and online policies for LLM inference "
                                  "scheduling under KV-cache memory limits.")
    parser.add_argument("--version", action="version", version=f"kvopt {__version__}")
    parser.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                        help="import this module (a name, or a .py file) first: it registers its own "
                             "methods, policies or generators; repeatable")
    subparsers = parser.add_subparsers(dest="verb", metavar="VERB")
    for module in VERBS:
        importlib.import_module(module).add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            verbs = ", ".join(importlib.import_module(module).NAME for module in VERBS)
            error(f"no verb given; `kvopt --help` describes them: {verbs}")
            return EXIT_INPUT
        try:
            import_plugins(args.plugin)
        except InputError as problem:
            error(str(problem))
            return EXIT_INPUT
        return args.run(args)
    except BrokenPipeError:  # e.g. `kvopt solve --help | head -1`
        silence_stdout()
        return EXIT_BROKEN_PIPE
