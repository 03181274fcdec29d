"""kvopt convert TRACE.csv --memory M --out INSTANCE.json: a CSV trace as a canonical instance file."""

from __future__ import annotations

import argparse

from kvopt.cli.common import EXIT_OK, add_instance_arguments, add_json_flag, guarded, load_instance, print_json
from kvopt.cli.outputs import add_output
from kvopt.io import write_instance

NAME = "convert"
HELP = "write any readable instance (e.g. a CSV trace) as a canonical JSON instance file"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + "; with --rounds-per-second, a "
                                   "clock-time JSON instance becomes one in rounds")
    add_instance_arguments(parser)
    add_output(parser, "--out", required=True, help="JSON instance file to write (never one of the inputs)")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args)
    args.outputs.add(args.out, lambda path: write_instance(path, instance))
    args.outputs.commit()
    if args.json:
        print_json({"instance": instance.name, "out": args.out, "requests": len(instance),
                    "memory": instance.memory, "metadata": dict(instance.metadata)})
    else:
        print(f"wrote {args.out}: {len(instance)} requests, memory {instance.memory}")
    return EXIT_OK
