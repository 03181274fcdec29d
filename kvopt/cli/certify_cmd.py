"""kvopt certify INSTANCE: best verified schedule, best proven lower bound, gap, and who proved what."""

from __future__ import annotations

import argparse
import sys

from kvopt.certify import certify
from kvopt.cli.arguments import add_run_arguments
from kvopt.cli.common import (EXIT_NEGATIVE, EXIT_OK, add_instance_arguments, add_json_flag, guarded,
                              load_instance, print_json)
from kvopt.io import write_schedule
from kvopt.result import Status
from kvopt.schedule import Schedule

NAME = "certify"
HELP = "run heuristics, bounds and exact methods within a budget; print the best schedule, bound and gap"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    add_instance_arguments(parser)
    add_run_arguments(parser, "seconds in all, the budget the methods share (default 60)", "--budget",
                      default_time=60.0)
    parser.add_argument("--methods", help="comma-separated methods to run, in order (default: all "
                                          "registered: heuristics and policies, bounds, exact methods, "
                                          "with ip last and most of the time; lp is left out as ip's root)")
    parser.add_argument("--out", help="write the best schedule to this JSON file")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else None
    certificate = certify(instance, args.time_limit, methods, threads=args.threads, seed=args.seed)
    summary = certificate.as_dict()
    if args.out and certificate.best is not None:
        best = certificate.best.schedule
        write_schedule(args.out, Schedule(best.starts, best.runs, {
            k: summary[k] for k in ("instance", "status", "objective", "objective_method", "lower_bound",
                                    "bound_method", "gap")}))
    for failed in (a for a in certificate.attempts if a.status is Status.ERROR):
        print(f"kvopt: warning: {failed.method} failed and was left out: {failed.note}", file=sys.stderr)
    if args.json:
        print_json(summary)
    else:
        print(f"{'method':<16} {'kind':<10} {'status':<10} {'objective':>10} {'bound':>12} {'time s':>8}  note")
        for a in certificate.attempts:
            objective = "" if a.objective is None else a.objective
            bound = "" if a.lower_bound is None else f"{a.lower_bound:.6g}"
            notes = [f"started from {a.started_from}"] if a.started_from else []
            notes += [a.note] if a.note else []
            print(f"{a.method:<16} {a.kind:<10} {a.status:<10} {objective:>10} {bound:>12} "
                  f"{a.runtime_s:>8.3f}  {'; '.join(notes)}")
        if certificate.best is None:
            print("no schedule found within the budget")
        elif certificate.optimal:
            print(f"optimum {certificate.objective}: schedule from {summary['objective_method']}, "
                  f"optimality proved by {certificate.bound_method}")
        else:
            print(f"best {certificate.objective} ({summary['objective_method']}) >= bound "
                  f"{certificate.lower_bound:.6g} ({certificate.bound_method}): gap {100 * certificate.gap:.3f}%")
    return EXIT_OK if certificate.best is not None else EXIT_NEGATIVE
