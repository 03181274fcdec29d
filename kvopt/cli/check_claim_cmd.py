"""kvopt check-claim --method NAME --family FAMILY --trials N: search for instances where a method is not
optimal (or exceeds a claimed ratio), shrink each to a minimal counterexample and write the evidence."""

from __future__ import annotations

import argparse
from pathlib import Path

from kvopt.claims import FAMILIES, check_claim
from kvopt.cli.common import EXIT_NEGATIVE, EXIT_OK, add_json_flag, guarded, print_json
from kvopt.io import write_instance, write_json, write_schedule
from kvopt.schedule import Schedule

NAME = "check-claim"
HELP = "search a family for instances where a method is not optimal (or exceeds --ratio); shrink and save them"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + ". Exit 0 if the claim held on every "
                                   "decided instance, 1 if a counterexample was found.")
    parser.add_argument("--method", "-m", "--policy", dest="method", required=True,
                        help="the method whose claim is checked (any `kvopt solve` method; --policy is an alias)")
    parser.add_argument("--family", required=True, choices=sorted(FAMILIES),
                        help="; ".join(f"{k}: {v[2]}" for k, v in FAMILIES.items()))
    parser.add_argument("--trials", type=int, default=100, help="instances to try (default 100)")
    parser.add_argument("--ratio", type=float, default=1.0,
                        help="claimed bound on method/optimum (default 1: the method is optimal)")
    parser.add_argument("--reference", default="exact", help="method that proves optima (default exact)")
    parser.add_argument("--time-limit", type=float, default=10.0,
                        help="seconds per solve; an optimum not proven in time leaves the instance undecided")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random families (default 0)")
    parser.add_argument("--counterexamples", type=int, default=1, help="stop after this many (default 1)")
    parser.add_argument("--no-shrink", action="store_true", help="keep counterexamples as found")
    parser.add_argument("--out", help="directory for the counterexamples (instance + both schedules + summary)")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def _save(directory: Path, report) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for found in report.counterexamples:
        stem = f"{report.family}-trial{found.trial}-n{len(found.instance)}"
        instance = found.instance.replace_requests(found.instance.requests, name=stem)
        write_instance(directory / f"{stem}.json", instance)
        for label, result in ((report.method, found.method), ("optimal", found.optimum)):
            schedule = result.schedule
            write_schedule(directory / f"{stem}.{label}.schedule.json",
                           Schedule(schedule.starts, schedule.runs, {"instance": stem, **result.summary()}))
        written.append(stem)
    write_json(directory / "claim.json", report.as_dict())
    return written


def run(args: argparse.Namespace) -> int:
    report = check_claim(args.method, args.family, args.trials, ratio=args.ratio, reference=args.reference,
                         seed=args.seed, time_limit=args.time_limit, shrink_found=not args.no_shrink,
                         stop_after=args.counterexamples)
    written = _save(Path(args.out), report) if args.out else []
    if args.json:
        print_json(report.as_dict() | {"written": written})
    else:
        print(f"{args.method} on {report.family}: {report.trials} trials, {report.decided} with a proven optimum "
              f"({report.undecided} undecided); claim ratio <= {report.ratio:g} held on {report.holds}; worst "
              f"ratio seen {report.worst_ratio:.4f}")
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
            print(f"wrote {args.out}/{stem}.json and its two schedules")
    return EXIT_NEGATIVE if report.counterexamples else EXIT_OK
