"""kvopt methods: list every registered method, its kind and its options."""

from __future__ import annotations

import argparse

from kvopt.catalogue import all_methods
from kvopt.cli.common import EXIT_OK, add_json_flag, guarded, print_json
from kvopt.method import KINDS

NAME = "methods"
HELP = "list the methods behind `kvopt solve` and `kvopt bound`, with their options"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("--kind", choices=KINDS, help="only methods of this kind")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    specs = all_methods(args.kind)
    if args.json:
        print_json({"methods": [{"name": s.name, "kind": s.kind, "summary": s.summary,
                                 "uses_initial_schedule": s.uses_initial_schedule,
                                 "options": [{"name": o.name, "type": o.type.__name__, "default": o.default,
                                              "help": o.help} for o in s.options]} for s in specs]})
        return EXIT_OK
    for spec in specs:
        starts = " (starts from --initial SCHEDULE when given)" if spec.uses_initial_schedule else ""
        print(f"{spec.name:<18} {spec.kind:<10} {spec.summary}{starts}")
        for option in spec.options:
            print(f"{'':<18}   -o {option.name}=<{option.type.__name__}> (default {option.default}): "
                  f"{option.help}")
    return EXIT_OK
