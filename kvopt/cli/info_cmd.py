"""kvopt info INSTANCE: size, memory, length statistics and the trivial lower bound."""

from __future__ import annotations

import argparse

from kvopt.cli.common import EXIT_OK, add_instance_arguments, add_json_flag, guarded, load_instance, print_json
from kvopt.stats import instance_stats

NAME = "info"
HELP = "describe an instance: size, memory, length statistics, trivial lower bound"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    add_instance_arguments(parser)
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    stats = instance_stats(load_instance(args))
    if args.json:
        print_json(stats)
        return EXIT_OK
    print(f"instance: {stats['name']}\nrequests: {stats['requests']}\nmemory M: {stats['memory']}")
    for key in ("arrival", "prompt", "output", "peak_memory"):
        d = stats[key]
        print(f"{key:>11}: min {d['min']}  mean {d['mean']}  median {d['median']}  p90 {d['p90']}  "
              f"max {d['max']}")
    print(f"all at round 0: {'yes' if stats['all_at_zero'] else 'no'}; identical prompts: "
          f"{'yes' if stats['identical_prompts'] else 'no'}")
    print(f"total volume / M: {stats['volume_over_memory']} rounds")
    print(f"trivial lower bound (sum of outputs): {stats['trivial_lower_bound']}")
    return EXIT_OK
