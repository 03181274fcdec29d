"""kvopt verify INSTANCE SCHEDULE: is the schedule feasible, and what does it cost?"""

from __future__ import annotations

import argparse

from kvopt.cli.common import (EXIT_NEGATIVE, EXIT_OK, add_instance_arguments, add_json_flag, guarded,
                              load_instance, print_json, read_schedule_for, warn)
from kvopt.cli.outputs import declare_input
from kvopt.verify import verify

NAME = "verify"
HELP = "check a schedule against an instance (exit 0 feasible, 1 infeasible, 2 unreadable input)"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + ". For an instance with clock-time "
                                   "arrivals (arrival_unit_s), the schedule's clock record says when each "
                                   "batch ran; every batch is re-timed from it (kvopt/clock.py).")
    add_instance_arguments(parser)
    parser.add_argument("schedule", help='schedule file: JSON {"starts": {"r0": 0, ...}}')
    declare_input(parser, "schedule")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args)
    schedule = read_schedule_for(args.schedule, instance)
    report = verify(instance, schedule)
    for note in report.notes:
        warn(f"{args.schedule}: {note}")
    if args.json:
        print_json({"instance": instance.name, **report.as_dict()})
    elif report.feasible:
        print(f"feasible: yes\nobjective: {report.objective} (total latency of {report.requests} "
              f"requests; mean {report.objective / report.requests:.3f})\n"
              f"peak memory: {report.peak_memory} of {report.memory} in round {report.peak_round}; "
              f"makespan {report.makespan}"
              + (f"\nevictions: {report.evictions} ({report.tokens_lost} tokens lost)"
                 if report.evictions else ""))
        if report.clock is not None:
            print(f"clock: {report.clock.describe()}; rounds are batches, arrivals as experienced; latency "
                  f"{report.latency_seconds:.3f} s in all (mean {report.latency_seconds / report.requests:.4f} s)")
    else:
        print(f"feasible: no ({report.violation_count} violation(s))")
        for violation in report.violations:
            print(f"  {violation.kind}: {violation.message}")
    return EXIT_OK if report.feasible else EXIT_NEGATIVE
