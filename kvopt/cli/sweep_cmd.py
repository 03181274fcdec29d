"""kvopt sweep CONFIG.toml: run an experiment grid on local processes or a Dask cluster, resumably."""

from __future__ import annotations

import argparse
from pathlib import Path

from kvopt.cli.common import EXIT_NEGATIVE, EXIT_OK, add_json_flag, error, guarded, print_json
from kvopt.cli.outputs import OutputSpec, check_output, declare_input

NAME = "sweep"
HELP = "run the jobs of a sweep config (TOML) not yet in its results file"
EXECUTORS = ("local", "dask", "dask-local")  # kvopt.sweep.executors.EXECUTORS, without importing it here


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help=HELP, description=HELP + ". Jobs already recorded are never run again, so running the "
        "same command after an interruption resumes the sweep.")
    parser.add_argument("config", help="sweep config: instances, methods, options, seeds, time limits")
    declare_input(parser, "config")
    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="local processes (default), a Dask cluster (with --scheduler), or a Dask "
                             "LocalCluster started for this sweep")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://host:8786")
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes for local and dask-local "
                                                     "(default: one per core)")
    parser.add_argument("--results", metavar="PATH", help="SQLite results file (default: the config's "
                                                          "'results', else NAME.sqlite beside the config)")
    parser.add_argument("--retry-failed", action="store_true",
                        help="run again the jobs recorded with an error (raised, crashed, killed by the guard)")
    parser.add_argument("--dry-run", action="store_true", help="count the jobs to run, run nothing")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    from kvopt.sweep import load_config, run_sweep
    from kvopt.sweep.runner import results_path

    config = load_config(args.config)
    results = results_path(config, args.results)  # a database written in place, so checked, not staged
    check_output(OutputSpec("results", "--results"), str(results), [Path(args.config)])
    try:
        summary = run_sweep(config, args.results, executor=args.executor, scheduler=args.scheduler,
                            workers=args.workers, retry_failed=args.retry_failed,
                            progress=not (args.quiet or args.json), dry_run=args.dry_run)
    except KeyboardInterrupt:
        error(f"interrupted; the jobs finished so far are recorded in {results_path(config, args.results)}: "
              f"run the same command to resume")
        return 130
    todo = summary.jobs - summary.recorded
    if args.json:
        print_json({"results": str(summary.results), "jobs": summary.jobs, "recorded": summary.recorded,
                    "to_run": todo, "executed": summary.executed, "errors": summary.errors,
                    "statuses": dict(summary.statuses), "executor": summary.executor or None})
    else:
        print(f"{config.name}: {summary.jobs} jobs, {summary.recorded} already recorded in {summary.results}")
        if args.dry_run:
            print(f"{todo} to run (dry run: nothing run)")
        elif summary.executed:
            statuses = ", ".join(f"{count} {status}" for status, count in sorted(summary.statuses.items()))
            print(f"ran {summary.executed} on {summary.executor} in {summary.run_s:.1f} s "
                  f"(+{summary.startup_s:.1f} s start-up): {statuses}")
            if summary.errors:
                print(f"{summary.errors} job(s) recorded with an error; see the 'error' column "
                      f"(`kvopt sweep --retry-failed` runs them again)")
    return EXIT_NEGATIVE if summary.errors else EXIT_OK
