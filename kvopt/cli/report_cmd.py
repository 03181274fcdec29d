"""kvopt report RESULTS: paper-ready tables (Markdown, LaTeX, CSV) and plots from a sweep's results file."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from kvopt.cli.common import EXIT_OK, add_json_flag, guarded, print_json
from kvopt.cli.outputs import FOLDER, add_output, declare_input

NAME = "report"
HELP = "tables (ratio to best bound and best known, count optimal, runtime) and plots of a results file"
FORMATS = ("markdown", "latex", "csv")  # kvopt.report.tables.FORMATS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    parser.add_argument("results", help="SQLite results file written by `kvopt sweep`")
    declare_input(parser, "results")
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="table format (default markdown)")
    parser.add_argument("--table", choices=("latency", "energy"), default="latency",
                        help="latency: ratios to the best bound and best known (default); energy: each method's "
                             "energy (kvopt.energy, default power model), its ratio to the least recorded and "
                             "how many schedules lie on their instance's latency-energy Pareto front")
    add_output(parser, "--out", help="write the table to this file instead of printing it")
    add_output(parser, "--plots", kind=FOLDER, metavar="DIR", help="also write PNG plots into DIR (created if "
               "missing, in an existing folder)")
    parser.add_argument("--instance", help="with --plots: the instance whose schedules are drawn "
                                           "(default: the first by name)")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    from kvopt.errors import InputError
    from kvopt.report.tables import energy_summary, render, render_energy, summarize
    from kvopt.sweep.store import ResultsStore

    if args.instance and not args.plots:
        raise InputError("--instance chooses the schedules drawn by --plots; give --plots DIR too")
    with ResultsStore(args.results, create=False) as store:
        rows = store.rows()
        if not rows:
            raise InputError("the results file holds no job", args.results)
        if args.table == "energy":
            lines = energy_summary(rows)
            if not lines:
                raise InputError("no job in the results file has an energy figure (recorded before kvopt "
                                 "computed energy?)", args.results)
            table = render_energy(lines, args.format)
        else:
            lines = summarize(rows)
            table = render(lines, args.format)
        written = []
        if args.plots:
            from kvopt.report.results_plots import planned_plots
            written = [args.outputs.add(args.plots, draw, name=name)
                       for name, draw in planned_plots(store, args.instance)]
    if args.out:
        args.outputs.add(args.out, lambda path: path.write_text(table, encoding="utf-8"))
    args.outputs.commit()
    if args.json:
        print_json({"results": args.results, "lines": [dataclasses.asdict(line) for line in lines],
                    **({"table": str(args.out)} if args.out else {}), "plots": [str(p) for p in written]})
    elif not args.out:
        print(table, end="")
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK
