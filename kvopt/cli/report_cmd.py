"""kvopt report RESULTS: paper-ready tables (Markdown, LaTeX, CSV) and plots from a sweep's results file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kvopt.cli.common import EXIT_OK, guarded

NAME = "report"
HELP = "tables (ratio to best bound and best known, count optimal, runtime) and plots of a results file"
FORMATS = ("markdown", "latex", "csv")  # kvopt.report.tables.FORMATS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("results", help="SQLite results file written by `kvopt sweep`")
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="table format (default markdown)")
    parser.add_argument("--out", help="write the table to this file instead of printing it")
    parser.add_argument("--plots", metavar="DIR", help="also write PNG plots into DIR")
    parser.add_argument("--instance", help="with --plots: the instance whose schedules are drawn "
                                           "(default: the first by name)")
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    from kvopt.errors import InputError
    from kvopt.report.tables import render, summarize
    from kvopt.sweep.store import ResultsStore

    with ResultsStore(args.results, create=False) as store:
        rows = store.rows()
        if not rows:
            raise InputError("the results file holds no job", args.results)
        table = render(summarize(rows), args.format)
        written = []
        if args.plots:
            from kvopt.report.results_plots import plot_results
            written = plot_results(store, args.plots, args.instance)
    if args.out:
        Path(args.out).write_text(table, encoding="utf-8")
    else:
        print(table, end="")
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK
