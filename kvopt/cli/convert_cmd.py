"""kvopt convert TRACE.csv --memory M --out INSTANCE.json: a CSV trace as a canonical instance file."""

from __future__ import annotations

import argparse

from kvopt.cli.common import EXIT_OK, add_instance_arguments, guarded, load_instance
from kvopt.io import write_instance

NAME = "convert"
HELP = "write any readable instance (e.g. a CSV trace) as a canonical JSON instance file"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    add_instance_arguments(parser)
    parser.add_argument("--out", required=True, help="JSON instance file to write")
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args)
    write_instance(args.out, instance)
    print(f"wrote {args.out}: {len(instance)} requests, memory {instance.memory}")
    return EXIT_OK
