"""kvopt export INSTANCE --out model.mps: the time-indexed IP of `kvopt solve --method ip` as an MPS or
LP file for other solvers; with --solution, a solver's solution of that file back to a schedule."""

from __future__ import annotations

import argparse
from pathlib import Path

from kvopt.cli.arguments import add_option_argument, initial_schedule
from kvopt.cli.common import (EXIT_NEGATIVE, EXIT_OK, add_instance_arguments, add_json_flag, error, guarded,
                              load_instance, parse_options, print_json)
from kvopt.cli.outputs import add_output, declare_input
from kvopt.cli.progress import live_lines, terminal_progress
from kvopt.cli.values import positive_float, threads
from kvopt.errors import InputError
from kvopt.formulations.export import model_for_export, read_solution_file, write_model
from kvopt.io import write_schedule
from kvopt.schedule import Schedule
from kvopt.verify import verify

NAME = "export"
HELP = ("write the time-indexed IP (the `ip` method's model) as an MPS/LP file for Gurobi, CPLEX, SCIP, "
        "...; or, with --solution, turn a solver's solution of it into a schedule file")
NAMES = ("variables: x_K_T = 1 if the request at file position K (0-based) starts at period T; "
         "n_K_T = number of the identical requests headed by position K that start at T; late_K = number "
         "starting after the horizon (an optimum with all late_K = 0 is an optimal schedule)")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=f"{HELP}. {NAMES}.")
    add_instance_arguments(parser)
    add_output(parser, "--out", required=True,
               help="model file (.mps or .lp); with --solution: the schedule JSON to write")
    parser.add_argument("--format", choices=("mps", "lp"), help="model format (default: from --out)")
    parser.add_argument("--solution", metavar="SOL",
                        help="read this solution of an exported model (Gurobi/SCIP/HiGHS/CBC text or "
                             "CPLEX XML) and write the verified schedule to --out")
    declare_input(parser, "solution", "initial")
    add_option_argument(parser, "model option of the `ip` method (symmetry, cuts, cut_rounds, horizon, "
                                "incumbent, reductions), repeatable")
    parser.add_argument("--initial", metavar="SCHEDULE",
                        help="a schedule file the model's horizon, eliminations and start values come from "
                             "(as `kvopt solve -m ip --initial`); verified first")
    parser.add_argument("--time-limit", type=positive_float, help="seconds for the root LP and its cut loop (default: "
                        "none; on a paper-sized instance the loop can run for minutes)")
    parser.add_argument("--threads", type=threads, default=1, help="HiGHS threads for the cut loop")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def model_format(args: argparse.Namespace) -> str:
    suffix = Path(args.out).suffix.lower().lstrip(".")
    if args.format is None:
        if suffix not in ("mps", "lp"):
            raise InputError("cannot tell the format from the file name; use --format mps|lp or a .mps/.lp "
                             "name", args.out)
        return suffix
    if suffix != args.format:
        raise InputError(f"--format {args.format} but the file name ends in .{suffix or '(nothing)'}; HiGHS "
                         f"picks the writer by extension", args.out)
    return args.format


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args)
    if args.solution:
        return write_schedule_from_solution(args, instance)
    file_format = model_format(args)
    progress = terminal_progress()
    model, info = model_for_export(instance, parse_options(args.option), time_limit=args.time_limit,
                                   threads=args.threads, initial_schedule=initial_schedule(args, instance),
                                   progress=live_lines(progress, "export"))
    if progress is not None:
        progress.clear()
    args.outputs.add(args.out, lambda path: write_model(model, path, file_format))
    args.outputs.commit()
    sizes = model.sizes()
    if args.json:
        print_json({"instance": instance.name, "out": args.out, "format": file_format, "horizon": model.horizon,
                    "sizes": sizes, "incumbent_objective": info.get("incumbent_objective"),
                    "incumbent_method": info.get("incumbent_method"), "root_bound": info.get("root_bound"),
                    "cut_loop": info.get("cut_loop")})
        return EXIT_OK
    print(f"wrote {args.out}: {sizes['variables']} integer variables, {sizes['rows']} rows, "
          f"{sizes['nonzeros']} nonzeros (horizon {model.horizon}, {sizes['late_columns']} late columns, "
          f"{sizes.get('cut_rows', 0)} cuts)")
    if info.get("incumbent_objective") is not None:
        print(f"incumbent: total latency {info['incumbent_objective']} ({info['incumbent_method']})")
    print(NAMES)
    return EXIT_OK


def write_schedule_from_solution(args: argparse.Namespace, instance) -> int:
    if args.option or args.format or args.initial:
        raise InputError("--option, --format and --initial apply to writing a model, not to reading --solution")
    schedule = read_solution_file(instance, args.solution)
    report = verify(instance, schedule)
    if not report.feasible:
        error(f"{args.solution}: the solution is not a feasible schedule: {report.first_problem()}")
        return EXIT_NEGATIVE
    written = Schedule(schedule.starts, metadata={"instance": instance.name, "source": args.solution,
                                                  "objective": report.objective})
    args.outputs.add(args.out, lambda path: write_schedule(path, written))
    args.outputs.commit()
    if args.json:
        print_json({"instance": instance.name, "out": args.out, "feasible": True, "objective": report.objective})
    else:
        print(f"wrote {args.out}: feasible schedule, total latency {report.objective}")
    return EXIT_OK
