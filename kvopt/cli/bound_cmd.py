"""kvopt bound INSTANCE --method NAME: a proven lower bound on the optimal total latency."""

from __future__ import annotations

import argparse
import sys

from kvopt.catalogue import all_methods, get_method
from kvopt.cli.arguments import add_solver_arguments, initial_schedule
from kvopt.cli.common import (EXIT_INTERRUPTED, EXIT_NEGATIVE, EXIT_OK, add_instance_arguments, add_json_flag,
                              error, guarded, load_instance, parse_options, print_json)
from kvopt.cli.progress import live_lines, terminal_progress
from kvopt.errors import InputError
from kvopt.result import Status, as_number, integer_bound
from kvopt.solve import solve

NAME = "bound"
HELP = "compute a lower bound on the optimal total latency with a bound method (`kvopt methods --kind bound`)"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    add_instance_arguments(parser)
    add_solver_arguments(parser, "bound method, e.g. lp or trivial")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    spec = get_method(args.method)
    if spec.kind != "bound":
        names = ", ".join(s.name for s in all_methods("bound"))
        raise InputError(f"{args.method!r} is a method of kind {spec.kind}, not a bound method (bound "
                         f"methods: {names}); use `kvopt solve` for it")
    instance = load_instance(args)
    progress = terminal_progress()
    result = solve(instance, args.method, time_limit=args.time_limit, seed=args.seed, threads=args.threads,
                   initial_schedule=initial_schedule(args, instance), progress=live_lines(progress, args.method),
                   **parse_options(args.option))
    if progress is not None:
        progress.clear()
    if args.verbose:
        for line in result.log:
            print(line, file=sys.stderr if args.json else sys.stdout)
    if result.status is Status.TIMEOUT:
        if result.interrupted:
            error(f"interrupted: method {args.method!r} stopped before it had a bound")
            return EXIT_INTERRUPTED
        error(f"method {args.method!r} reached the time limit of {args.time_limit} s without a bound")
        return EXIT_NEGATIVE
    bound = result.lower_bound
    rounded = integer_bound(bound)  # latencies are integers, so the ceiling is a bound too
    if args.json:
        print_json({"instance": instance.name, "method": result.method, "lower_bound": as_number(bound),
                    "integer_lower_bound": rounded, "runtime_s": round(result.runtime_s, 6),
                    **({"interrupted": True} if result.interrupted else {}),
                    **({"info": dict(result.info)} if result.info else {})})
    else:
        print(f"method: {result.method}")
        if rounded != bound:
            print(f"lower bound: {bound:.6f} (rounded up: {rounded}; total latencies are integers)")
        else:
            print(f"lower bound: {rounded}")
        print(f"runtime: {result.runtime_s:.3f} s")
    if result.interrupted:
        error(f"interrupted: method {args.method!r} stopped early; the bound above is valid, from what it "
              f"had computed by then")
        return EXIT_INTERRUPTED
    return EXIT_OK
