"""kvopt certify INSTANCE: best verified schedule, best proven lower bound, gap, and who proved what."""

from __future__ import annotations

import argparse
import os
import sys

from kvopt.certify import Attempt, Certificate, certify
from kvopt.cli.arguments import add_run_arguments
from kvopt.cli.values import integer_in
from kvopt.cli.energy import add_energy_argument, certify_energy, certify_energy_lines
from kvopt.cli.common import (EXIT_INTERRUPTED, EXIT_NEGATIVE, EXIT_OK, add_instance_arguments, add_json_flag,
                              error, guarded, load_instance, print_json, warn)
from kvopt.cli.outputs import add_output
from kvopt.cli.progress import terminal_progress
from kvopt.io import write_schedule
from kvopt.result import Status
from kvopt.schedule import Schedule

NAME = "certify"
HELP = "run heuristics, bounds and exact methods within a budget; print the best schedule, bound and gap"
HEADER = f"{'method':<16} {'kind':<10} {'status':<10} {'objective':>10} {'bound':>12} {'time s':>8}  note"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + ". Ctrl-C stops the portfolio: what "
                                   "finished is printed (and --out written, marked interrupted), exit 130.")
    add_instance_arguments(parser)
    add_run_arguments(parser, "seconds in all, the budget the methods share (default 60)", "--budget",
                      default_time=60.0)
    parser.add_argument("--methods", help="comma-separated methods to run, in order (default: all "
                                          "registered: heuristics and policies, bounds, exact methods, "
                                          "with ip last and most of the time; lp is left out as ip's root)")
    parser.add_argument("--jobs", type=integer_in(1, 2, "1 or 2"), default=None,
                        help="processes: 2 runs the schedule searches (order-search, cpsat) beside the bounds "
                             "and exact methods, each side with the whole budget (default: 2 where this "
                             "process may use 2 CPUs, else 1)")
    add_energy_argument(parser)
    add_output(parser, "--out", help="write the best schedule to this JSON file")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def attempt_line(a: Attempt) -> str:
    objective = "" if a.objective is None else a.objective
    bound = "" if a.lower_bound is None else f"{a.lower_bound:.6g}"
    notes = [f"started from {a.started_from}"] if a.started_from else []
    notes += [a.note] if a.note else []
    return (f"{a.method:<16} {a.kind:<10} {a.status:<10} {objective:>10} {bound:>12} "
            f"{a.runtime_s:>8.3f}  {'; '.join(notes)}")


def verdict(certificate: Certificate, summary: dict) -> str:
    if certificate.best is None:
        return "no schedule found" + (" before the interrupt" if certificate.interrupted else " within the budget")
    if certificate.optimal:
        return (f"optimum {certificate.objective}: schedule from {summary['objective_method']}, "
                f"optimality proved by {certificate.bound_method}")
    return (f"best {certificate.objective} ({summary['objective_method']}) >= bound "
            f"{certificate.lower_bound:.6g} ({certificate.bound_method}): gap {100 * certificate.gap:.3f}%")


def run(args: argparse.Namespace) -> int:
    instance = load_instance(args)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else None
    progress = terminal_progress()
    streamed = not args.json and sys.stdout.isatty()  # the table's rows reach the terminal as they finish

    def finished(attempt: Attempt) -> None:
        if streamed:
            if progress is not None:
                progress.clear()
            print(attempt_line(attempt), flush=True)
        elif progress is not None:
            progress.line(attempt_line(attempt))

    from kvopt.hardware.energy import load
    energy_model = load(args.energy)
    schedules: dict[str, Schedule] = {}
    if streamed:
        print(HEADER, flush=True)
    elif progress is not None:
        progress.line(HEADER)
    jobs = args.jobs or min(2, len(os.sched_getaffinity(0)))
    certificate = certify(instance, args.time_limit, methods, threads=args.threads, seed=args.seed, jobs=jobs,
                          progress=finished, method_progress=None if progress is None else
                          lambda method, text: progress.live(f"{method}: {text}"),
                          on_schedule=schedules.__setitem__)
    if progress is not None:
        progress.clear()
    summary = certificate.as_dict()
    summary["energy"] = certify_energy(instance, certificate, schedules, energy_model)
    if args.out and certificate.best is not None:
        best = certificate.best.schedule
        keys = ("instance", "status", "objective", "objective_method", "lower_bound", "bound_method", "gap")
        written = Schedule(best.starts, best.runs, {k: summary[k] for k in keys}
                           | ({"interrupted": True} if certificate.interrupted else {}))
        args.outputs.add(args.out, lambda path: write_schedule(path, written))
        args.outputs.commit()
    for failed in (a for a in certificate.attempts if a.status is Status.ERROR):
        warn(f"{failed.method} failed and was left out: {failed.note}")
    if args.json:
        print_json(summary)
    else:
        if not streamed:
            print(HEADER)
            for attempt in certificate.attempts:
                print(attempt_line(attempt))
        for line in certify_energy_lines(summary["energy"]):
            print(line)
        print(verdict(certificate, summary))
    if certificate.interrupted:
        kept = (f"; the best schedule so far is in {args.out}, marked interrupted"
                if args.out and certificate.best else "")
        error(f"interrupted: the table above holds what finished{kept}")
        return EXIT_INTERRUPTED
    return EXIT_OK if certificate.best is not None else EXIT_NEGATIVE
