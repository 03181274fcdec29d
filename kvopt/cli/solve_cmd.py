"""kvopt solve INSTANCE --method NAME: run a method; its schedule is verified before anything is printed."""

from __future__ import annotations

import argparse

from kvopt.cli.arguments import add_rule_arguments, add_solver_arguments, initial_schedule, with_rules
from kvopt.cli.common import (EXIT_NEGATIVE, EXIT_OK, add_instance_arguments, add_json_flag, error,
                              guarded, load_instance, parse_options, print_json)
from kvopt.io import write_schedule
from kvopt.result import Result, Status
from kvopt.schedule import Schedule
from kvopt.solve import solve

NAME = "solve"
HELP = "solve an instance with a method (see `kvopt methods`) and print the verified result"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    add_instance_arguments(parser)
    add_solver_arguments(parser, "method name (`kvopt methods` lists them)")
    add_rule_arguments(parser)
    parser.add_argument("--out", help="write the schedule to this JSON file (only if one was found)")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def schedule_with_result(result: Result, instance_name: str | None) -> Schedule:
    metadata = {"instance": instance_name, **result.summary()}
    return Schedule(result.schedule.starts, result.schedule.runs, metadata)


def print_result(result: Result, as_json: bool, verbose: bool) -> None:
    if verbose:
        for line in result.log:
            print(line)
    if as_json:
        print_json(result.summary())
        return
    print(f"method: {result.method}\nstatus: {result.status}")
    if result.objective is not None:
        print(f"objective: {result.objective}")
    if result.lower_bound is not None:
        source = result.info.get("lower_bound_source")
        print(f"lower bound: {result.lower_bound}" + (f" ({source})" if source else ""))
    if result.gap is not None and result.objective is not None:
        print(f"gap: {100 * result.gap:.3f}%")
    print(f"runtime: {result.runtime_s:.3f} s")


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args)
    result = solve(instance, args.method, time_limit=args.time_limit, seed=args.seed, threads=args.threads,
                   initial_schedule=initial_schedule(args, instance),
                   **with_rules(args, parse_options(args.option)))
    print_result(result, args.json, args.verbose)
    if result.schedule is None:
        if result.status is Status.TIMEOUT:
            error(f"method {args.method!r} reached the time limit of {args.time_limit} s without a schedule")
            return EXIT_NEGATIVE
        if result.status is Status.INFEASIBLE:
            error(f"method {args.method!r} proved the instance infeasible")
            return EXIT_NEGATIVE
        if args.out:
            error(f"method {args.method!r} computes a bound, not a schedule; nothing written to {args.out}")
            return EXIT_NEGATIVE
        return EXIT_OK
    if args.out:
        write_schedule(args.out, schedule_with_result(result, instance.name))
    return EXIT_OK
