"""kvopt generate FAMILY [options] --out DIR: write a family's instances and a manifest.json.

The options of each family are its parameters in kvopt.generate.catalogue (underscores become dashes);
`instances_from_command` replays a command a manifest recorded.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from typing import Any

from kvopt.cli.values import nonnegative_int, positive_float, positive_int
from kvopt.cli.common import EXIT_OK, add_json_flag, guarded, print_json
from kvopt.cli.outputs import FOLDER, add_output, declare_input
from kvopt.errors import InputError
from kvopt.generate.catalogue import FAMILIES, Family, Param, command_words, generate
from kvopt.generate.manifest import MANIFEST, planned_set
from kvopt.instance import Instance

NAME = "generate"
HELP = "generate instances of a family (paper-synthetic, a100, adversarial and structured families)"


def _value_type(param: Param) -> Callable[[str], Any]:
    if param.type is int:
        return {1: positive_int, 0: nonnegative_int}.get(param.minimum, int)
    if param.type is float:
        return positive_float if param.positive else float
    return param.type


def add_family_arguments(parser: argparse.ArgumentParser, family: Family) -> None:
    for param in family.all_params():
        if param.type is bool:
            parser.add_argument(param.flag, action="store_true", help=param.help)
            continue
        extra: dict[str, Any] = {"required": True} if param.required else {"default": param.default}
        if param.values is not None:
            extra["nargs"] = param.values
        if param.choices is not None:
            extra["choices"] = param.choices
        if param.metavar is not None:
            extra["metavar"] = param.metavar
        parser.add_argument(param.flag, type=_value_type(param), help=param.help, **extra)


def add_family_parsers(subparsers: argparse._SubParsersAction,
                       common: Callable[[argparse.ArgumentParser], None] = lambda parser: None) -> None:
    """One sub-parser per family; `common` adds options every family shares (e.g. --out)."""
    for family in FAMILIES.values():
        parser = subparsers.add_parser(family.name, help=family.help, description=family.help)
        add_family_arguments(parser, family)
        common(parser)
        parser.set_defaults(family=family.name)


def family_params(args: argparse.Namespace) -> dict[str, Any]:
    return {param.name: getattr(args, param.name) for param in FAMILIES[args.family].all_params()}


def _common(parser: argparse.ArgumentParser) -> None:
    add_output(parser, "--out", kind=FOLDER, required=True,
               help="folder to write the instances and manifest.json into (created if missing, in an existing "
                    "folder; a manifest already there is added to)")
    declare_input(parser, "trace")
    add_json_flag(parser)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + ". Deterministic for a seed; "
                                   "`kvopt generate FAMILY --help` lists a family's options.")
    families = parser.add_subparsers(dest="family", metavar="FAMILY", required=True)
    add_family_parsers(families, _common)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    params = family_params(args)
    instances = generate(args.family, **params)
    command = "kvopt generate " + shlex.join(command_words(args.family, params, defaults=True))
    files, entries = planned_set(args.out, instances, command)
    for name, write in files:
        args.outputs.add(args.out, write, name=name)
    args.outputs.commit()
    if args.json:
        print_json({"out": args.out, "command": command, "instances": entries})
    else:
        print(f"wrote {len(entries)} instance(s) to {args.out} (listed in {MANIFEST})\ncommand: {command}")
    return EXIT_OK


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # a bad recorded command is an input error, not an exit
        raise InputError(message, "generate command")


def instances_from_command(argv: list[str]) -> list[Instance]:
    """The instances `kvopt generate ARGV --out DIR` writes (ARGV starts with the family name)."""
    parser = _Parser(prog="kvopt generate")
    add_family_parsers(parser.add_subparsers(dest="family", required=True, parser_class=_Parser))
    args = parser.parse_args(argv)
    return generate(args.family, **family_params(args))
