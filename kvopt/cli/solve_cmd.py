"""kvopt solve INSTANCE --method NAME: run a method; its schedule is verified before anything is printed."""

from __future__ import annotations

import argparse
import sys

from kvopt.catalogue import get_method
from kvopt.cli.arguments import add_rule_arguments, add_solver_arguments, initial_schedule, with_rules
from kvopt.cli.common import (EXIT_INTERRUPTED, EXIT_NEGATIVE, EXIT_OK, add_instance_arguments, add_json_flag,
                              error, guarded, load_instance, parse_options, print_json, result_json)
from kvopt.cli.energy import add_energy_argument, energy_line, headline, schedule_energy
from kvopt.cli.outputs import add_output
from kvopt.cli.progress import live_lines, terminal_progress
from kvopt.errors import InputError
from kvopt.io import write_schedule
from kvopt.result import Result, Status
from kvopt.schedule import Schedule
from kvopt.solve import solve

NAME = "solve"
HELP = "solve an instance with a method (see `kvopt methods`) and print the verified result"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + ". Ctrl-C stops an exact method with "
                                   "its best schedule so far: printed and written marked interrupted, exit 130.")
    add_instance_arguments(parser)
    add_solver_arguments(parser, "method name (`kvopt methods` lists them)")
    add_rule_arguments(parser)
    add_energy_argument(parser)
    add_output(parser, "--out", help="write the schedule to this JSON file (only if one was found)")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def schedule_with_result(result: Result, instance_name: str | None) -> Schedule:
    metadata = {"instance": instance_name, **result.summary()}
    return Schedule(result.schedule.starts, result.schedule.runs, metadata)


def print_result(result: Result, instance_name: str | None, as_json: bool, verbose: bool,
                 energy: dict | None = None) -> None:
    if verbose:  # with --json the log goes to stderr, so that stdout is one JSON object
        for line in result.log:
            print(line, file=sys.stderr if as_json else sys.stdout)
    if as_json:
        print_json(result_json(result, instance_name) | ({"energy": energy} if energy else {}))
        return
    print(f"method: {result.method}\nstatus: {result.status}" + (" (interrupted)" if result.interrupted else ""))
    if result.objective is not None:
        print(f"objective: {result.objective}")
    if result.lower_bound is not None:
        source = result.info.get("lower_bound_source")
        print(f"lower bound: {result.lower_bound}" + (f" ({source})" if source else ""))
    if result.gap is not None and result.objective is not None:
        print(f"gap: {100 * result.gap:.3f}%")
    if energy:
        print(energy_line(energy))
    print(f"runtime: {result.runtime_s:.3f} s")


def run(args: argparse.Namespace) -> int:
    if args.out and get_method(args.method).kind == "bound":
        raise InputError(f"method {args.method!r} computes a bound, not a schedule: nothing to write", "--out")
    instance = load_instance(args)
    progress = terminal_progress()
    result = solve(instance, args.method, time_limit=args.time_limit, seed=args.seed, threads=args.threads,
                   initial_schedule=initial_schedule(args, instance), progress=live_lines(progress, args.method),
                   **with_rules(args, parse_options(args.option)))
    if progress is not None:
        progress.clear()
    if args.out and result.schedule is not None:
        schedule = schedule_with_result(result, instance.name)
        args.outputs.add(args.out, lambda path: write_schedule(path, schedule))
        args.outputs.commit()
    energy = None
    if result.schedule is not None and not result.schedule.resumes_progress:
        from kvopt.hardware.energy import load
        energy = headline(schedule_energy(instance, result.schedule, load(args.energy)).summary())
    print_result(result, instance.name, args.json, args.verbose, energy)
    if result.interrupted:
        kept = (f"; the best schedule so far is in {args.out}, marked interrupted"
                if args.out and result.schedule is not None else "")
        error(f"interrupted: method {args.method!r} stopped early, the result above is its best so far{kept}")
        return EXIT_INTERRUPTED
    if result.schedule is None:
        if result.status is Status.TIMEOUT:
            error(f"method {args.method!r} reached the time limit of {args.time_limit} s without a schedule")
            return EXIT_NEGATIVE
        if result.status is Status.INFEASIBLE:
            error(f"method {args.method!r} proved the instance infeasible")
            return EXIT_NEGATIVE
    return EXIT_OK
