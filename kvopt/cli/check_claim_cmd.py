"""kvopt check-claim --method NAME --family FAMILY --trials N: search for instances where a method is not
optimal (or exceeds a claimed ratio), shrink each to a minimal counterexample and write the evidence."""

from __future__ import annotations

import argparse
from pathlib import Path

from kvopt.claims import FAMILIES, ClaimReport, check_claim
from kvopt.cli.common import (EXIT_INTERRUPTED, EXIT_NEGATIVE, EXIT_OK, EXIT_UNDECIDED, add_json_flag, error,
                              guarded, print_json)
from kvopt.cli.outputs import FOLDER, Outputs, add_output
from kvopt.cli.progress import terminal_progress
from kvopt.cli.values import positive_float, positive_int, seed
from kvopt.io import write_instance, write_json, write_schedule
from kvopt.schedule import Schedule

NAME = "check-claim"
HELP = "search a family for instances where a method is not optimal (or exceeds --ratio); shrink and save them"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + ". Exit 0 if the claim held on every "
                                   "decided instance (at least one), 1 if a counterexample was found, 3 if no "
                                   "trial was decided (no evidence either way), 130 if interrupted.")
    parser.add_argument("--method", "-m", "--policy", dest="method", required=True,
                        help="the method whose claim is checked (any `kvopt solve` method; --policy is an alias)")
    parser.add_argument("--family", required=True, choices=sorted(FAMILIES),
                        help="; ".join(f"{k}: {v[2]}" for k, v in FAMILIES.items()))
    parser.add_argument("--trials", type=positive_int, default=100, help="instances to try (default 100)")
    parser.add_argument("--ratio", type=float, default=1.0,
                        help="claimed bound on method/optimum (default 1: the method is optimal)")
    parser.add_argument("--reference", default="exact", help="method that proves optima (default exact)")
    parser.add_argument("--time-limit", type=positive_float, default=10.0,
                        help="seconds per solve; an optimum not proven in time leaves the instance undecided")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the random families (default 0)")
    parser.add_argument("--counterexamples", type=positive_int, default=1, help="stop after this many (default 1)")
    parser.add_argument("--no-shrink", action="store_true", help="keep counterexamples as found")
    add_output(parser, "--out", kind=FOLDER, help="folder for the counterexamples (instance + both schedules + "
               "claim.json); created if missing, in an existing folder")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def stage(outputs: Outputs, folder: str, report: ClaimReport) -> list[str]:
    """Every counterexample (instance and both schedules) and claim.json, staged into `folder`."""
    written = []
    for found in report.counterexamples:
        stem = f"{report.family}-trial{found.trial}-n{len(found.instance)}"
        instance = found.instance.replace_requests(found.instance.requests, name=stem)
        outputs.add(folder, lambda path, instance=instance: write_instance(path, instance), name=f"{stem}.json")
        for label, result in ((report.method, found.method), ("optimal", found.optimum)):
            schedule = Schedule(result.schedule.starts, result.schedule.runs, {"instance": stem, **result.summary()})
            outputs.add(folder, lambda path, schedule=schedule: write_schedule(path, schedule),
                        name=f"{stem}.{label}.schedule.json")
        written.append(stem)
    outputs.add(folder, lambda path: write_json(path, report.as_dict()), name="claim.json")
    return written


def summary_line(report: ClaimReport) -> str:
    return (f"{report.method} on {report.family}: {report.trials} trials, {report.decided} with a proven optimum "
            f"({report.undecided} undecided); claim ratio <= {report.ratio:g} held on {report.holds}; worst "
            f"ratio seen {report.worst_ratio:.4f}")


def run(args: argparse.Namespace) -> int:
    progress = terminal_progress()
    report = check_claim(args.method, args.family, args.trials, ratio=args.ratio, reference=args.reference,
                         seed=args.seed, time_limit=args.time_limit, shrink_found=not args.no_shrink,
                         stop_after=args.counterexamples,
                         progress=None if progress is None else lambda r: progress.live(
                             f"trial {r.trials}/{args.trials}: {r.decided} decided, {r.undecided} undecided, "
                             f"{len(r.counterexamples)} counterexample(s)"))
    if progress is not None:
        progress.clear()
    written = stage(args.outputs, args.out, report) if args.out else []
    args.outputs.commit()
    if args.json:
        print_json(report.as_dict() | {"written": written})
    else:
        print(summary_line(report))
        for found in report.counterexamples:
            print(f"counterexample (trial {found.trial}, {found.original_size} -> {len(found.instance)} requests "
                  f"after {found.shrink_steps} shrink steps): M = {found.instance.memory}, "
                  f"{args.method} {found.method.objective} vs optimum {found.optimum.objective} "
                  f"(ratio {found.ratio:.4f})")
            for r in found.instance.requests:
                print(f"  {r.id}: arrival {r.arrival}, prompt {r.prompt}, output {r.output}; starts "
                      f"{found.method.schedule.starts[r.id]} ({args.method}) vs {found.optimum.schedule.starts[r.id]} "
                      f"(optimal)")
        for stem in written:
            print(f"wrote {Path(args.out) / stem}.json and its two schedules")
    if report.interrupted:
        error(f"interrupted after {report.trials} trial(s); the counts above are theirs"
              + (f"; {Path(args.out) / 'claim.json'} is marked interrupted" if args.out else ""))
        return EXIT_INTERRUPTED
    if report.counterexamples:
        return EXIT_NEGATIVE
    if report.decided == 0:
        error(f"no evidence: the reference {args.reference!r} proved no optimum within --time-limit "
              f"{args.time_limit:g} s on any of the {report.trials} trial(s), so the claim was not tested")
        return EXIT_UNDECIDED
    return EXIT_OK
