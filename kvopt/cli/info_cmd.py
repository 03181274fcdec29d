"""kvopt info INSTANCE...: size, memory, length statistics and the trivial lower bound."""

from __future__ import annotations

import argparse

from kvopt.cli.common import EXIT_OK, add_instance_arguments, add_json_flag, guarded, load_instance, print_json
from kvopt.stats import instance_stats

NAME = "info"
HELP = "describe instances: size, memory, length statistics, trivial lower bound"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + ". With several files, --json prints "
                                   '{"instances": [...]}, one object per file.')
    add_instance_arguments(parser, several=True)
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def print_stats(stats: dict) -> None:
    print(f"instance: {stats['instance']}\nrequests: {stats['requests']}\nmemory M: {stats['memory']}")
    if stats["arrival_unit_s"] is not None:
        print(f"arrivals: clock times in units of {stats['arrival_unit_s']:g} s (batch_time arrival_unit_s)")
    for key in ("arrival", "prompt", "output", "peak_memory"):
        d = stats[key]
        print(f"{key:>11}: min {d['min']}  mean {d['mean']}  median {d['median']}  p90 {d['p90']}  "
              f"max {d['max']}")
    print(f"all at round 0: {'yes' if stats['all_at_zero'] else 'no'}; identical prompts: "
          f"{'yes' if stats['identical_prompts'] else 'no'}")
    print(f"total volume / M: {stats['volume_over_memory']} rounds")
    print(f"trivial lower bound (sum of outputs): {stats['trivial_lower_bound']}")


def run(args: argparse.Namespace) -> int:
    everything = [instance_stats(load_instance(args, given=given)) for given in args.instance]
    if args.json:
        print_json(everything[0] if len(everything) == 1 else {"instances": everything})
        return EXIT_OK
    for k, stats in enumerate(everything):
        if k:
            print()
        print_stats(stats)
    return EXIT_OK
