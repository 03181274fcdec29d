"""kvopt plot INSTANCE SCHEDULE --out FILE.png: a Gantt chart, the memory profile or the power over time
(next to memory) of one schedule."""

from __future__ import annotations

import argparse

from kvopt.cli.common import EXIT_OK, add_instance_arguments, add_json_flag, guarded, load_instance, print_json, warn
from kvopt.cli.energy import add_energy_argument
from kvopt.cli.outputs import add_output, declare_input

NAME = "plot"
HELP = "draw one schedule: a Gantt chart of the requests, memory per round against M, or power over time"
SUFFIXES = (".png", ".pdf", ".svg")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    add_instance_arguments(parser)
    parser.add_argument("schedule", help='schedule file: JSON {"starts": {"r0": 0, ...}}')
    declare_input(parser, "schedule")
    add_output(parser, "--out", required=True, suffixes=SUFFIXES,
               help="image file to write (.png, .pdf or .svg), in an existing folder")
    parser.add_argument("--kind", choices=("gantt", "memory", "power"), default="gantt",
                        help="default gantt; power: every batch's power over time (seconds on the clock of a "
                             "clock-time schedule) with memory held on a second axis")
    add_energy_argument(parser)
    parser.add_argument("--title", help="figure title (default: instance, size and M)")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    from kvopt.cli.common import read_schedule_for
    from kvopt.errors import InputError
    from kvopt.report import plots
    from kvopt.schedule import Schedule
    from kvopt.verify import verify

    instance = load_instance(args)
    schedule = read_schedule_for(args.schedule, instance)
    report = verify(instance, schedule)
    if args.kind == "power":
        from kvopt.hardware.energy import load
        model = load(args.energy)
        if not report.feasible:
            raise InputError(f"the schedule is infeasible ({report.first_problem()}): no energy to draw", args.schedule)
        args.outputs.add(args.out, lambda path: plots.power_profile(instance, schedule, path, args.title, model))
    else:
        draw = plots.gantt if args.kind == "gantt" else plots.memory_profile
        in_rounds = Schedule(schedule.starts, schedule.runs)  # against report.instance: arrivals as experienced
        args.outputs.add(args.out, lambda path: draw(report.instance, in_rounds, path, title=args.title))
    args.outputs.commit()
    if not report.feasible:
        warn(f"the schedule is infeasible ({report.first_problem()}); plotted as given")
    if args.json:
        print_json({"instance": instance.name, "out": args.out, "kind": args.kind, "feasible": report.feasible})
    else:
        print(f"wrote {args.out}")
    return EXIT_OK
