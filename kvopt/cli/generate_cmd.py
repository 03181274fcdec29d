"""kvopt generate FAMILY [options] --out DIR: write a family's instances and a manifest.json."""

from __future__ import annotations

import argparse
import shlex

from kvopt.cli.common import EXIT_OK, add_json_flag, guarded, print_json
from kvopt.generate.commands import FAMILIES, add_family_parsers, canonical_command
from kvopt.generate.manifest import MANIFEST, write_set

NAME = "generate"
HELP = "generate instances of a family (paper-synthetic, a100, adversarial and structured families)"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="folder to write the instances and manifest.json into")
    add_json_flag(parser)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + ". Deterministic for a seed; "
                                   "`kvopt generate FAMILY --help` lists a family's options.")
    families = parser.add_subparsers(dest="family", metavar="FAMILY", required=True)
    add_family_parsers(families, _common)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    instances = FAMILIES[args.family].build(args)
    command = "kvopt generate " + shlex.join(canonical_command(args))
    entries = write_set(args.out, instances, command)
    if args.json:
        print_json({"out": args.out, "command": command, "instances": entries})
    else:
        print(f"wrote {len(entries)} instance(s) to {args.out} (listed in {MANIFEST})\ncommand: {command}")
    return EXIT_OK
