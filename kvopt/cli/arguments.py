"""Command-line arguments shared by several verbs: the solver arguments of `solve` and `bound`, the
eviction rules of `solve` and `simulate`, and reading an initial schedule (value types: kvopt.cli.values)."""

from __future__ import annotations

import argparse
from typing import Any

from kvopt.cli.common import read_schedule_for
from kvopt.cli.outputs import declare_input
from kvopt.cli.values import positive_float, seed, threads
from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.schedule import Schedule
from kvopt.sim.rules import EVICTION_RULES, VICTIM_RULES
from kvopt.verify import check_initial_schedule


def add_option_argument(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--option", "-o", action="append", metavar="KEY=VALUE", help=help)


def add_solver_arguments(parser: argparse.ArgumentParser, method_help: str) -> None:
    """--method, --time-limit, --seed, --threads, -o, --initial and --verbose (`solve` and `bound`)."""
    parser.add_argument("--method", "-m", required=True, help=method_help)
    add_run_arguments(parser, "seconds (default: none)")
    add_option_argument(parser, "method-specific option, repeatable")
    parser.add_argument("--initial", metavar="SCHEDULE",
                        help="a schedule file (e.g. from `kvopt solve --out`) the method starts from; "
                             "verified first (methods that take one: kvopt methods)")
    declare_input(parser, "initial")
    parser.add_argument("--verbose", "-v", action="store_true", help="print the method's log")


def add_run_arguments(parser: argparse.ArgumentParser, time_help: str, *time_aliases: str,
                      default_time: float | None = None) -> None:
    """--time-limit (and aliases), --seed and --threads."""
    parser.add_argument("--time-limit", *time_aliases, dest="time_limit", type=positive_float,
                        default=default_time, help=time_help)
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    parser.add_argument("--threads", type=threads, default=1, help="solver threads (default 1)")


def add_rule_arguments(parser: argparse.ArgumentParser) -> None:
    """--eviction and --victim, the same in `simulate` and `solve` (there also `-o eviction=...`)."""
    parser.add_argument("--eviction", choices=EVICTION_RULES, help="overflow rule (default: the policy's own)")
    parser.add_argument("--victim", choices=sorted(VICTIM_RULES),
                        help="eviction victim rule (default: the policy's own)")


def with_rules(args: argparse.Namespace, options: dict[str, Any]) -> dict[str, Any]:
    """`options` with --eviction / --victim merged in (given both ways, they must agree)."""
    merged = dict(options)
    for name in ("eviction", "victim"):
        flag = getattr(args, name, None)
        if flag is None:
            continue
        if merged.get(name, flag) != flag:
            raise InputError(f"--{name} {flag} contradicts -o {name}={merged[name]}")
        merged[name] = flag
    return merged


def initial_schedule(args: argparse.Namespace, instance: Instance) -> Schedule | None:
    """The schedule of --initial, read and checked against `instance` (errors name the file)."""
    if not getattr(args, "initial", None):
        return None
    schedule = read_schedule_for(args.initial, instance)
    try:
        check_initial_schedule(instance, schedule)
    except InputError as error:
        raise InputError(error.message, args.initial) from None
    return Schedule(schedule.starts, schedule.runs, {"method": schedule.metadata.get("method") or args.initial})
