"""kvopt plot INSTANCE SCHEDULE --out FILE.png: a Gantt chart or the memory profile of one schedule."""

from __future__ import annotations

import argparse
import sys

from kvopt.cli.common import EXIT_OK, add_instance_arguments, guarded, load_instance

NAME = "plot"
HELP = "draw one schedule: a Gantt chart of the requests, or memory per round against M"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    add_instance_arguments(parser)
    parser.add_argument("schedule", help='schedule file: JSON {"starts": {"r0": 0, ...}}')
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument("--kind", choices=("gantt", "memory"), default="gantt", help="default gantt")
    parser.add_argument("--title", help="figure title (default: instance, size and M)")
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    from kvopt.io import read_schedule
    from kvopt.report import plots
    from kvopt.verify import verify

    instance = load_instance(args)
    schedule = read_schedule(args.schedule)
    draw = plots.gantt if args.kind == "gantt" else plots.memory_profile
    draw(instance, schedule, args.out, title=args.title)
    report = verify(instance, schedule)
    if not report.feasible:
        print(f"kvopt: warning: the schedule is infeasible ({report.first_problem()}); plotted as given",
              file=sys.stderr)
    print(f"wrote {args.out}")
    return EXIT_OK
