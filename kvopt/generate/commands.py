"""The families behind `kvopt generate FAMILY`: their options and how they build instances.

Each family is a `Family(name, help, add_arguments, build)`; the CLI verb and the bundled-set builder
(kvopt.generate.bundles) both go through `instances_from_command(["FAMILY", "--option", ...])`, so a set's
manifest records the exact command that regenerates it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from kvopt.errors import InputError
from kvopt.generate import families
from kvopt.generate.a100 import PAPER_RATES, a100_trace
from kvopt.generate.paper import paper_synthetic
from kvopt.hardware.memory import PAPER_A100_KV_CAPACITY
from kvopt.instance import Instance


def _integer_at_least(minimum: int, kind: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {value}")
        return value
    return parse


positive_int = _integer_at_least(1, "a positive integer")
nonnegative_int = _integer_at_least(0, "an integer >= 0")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


@dataclass(frozen=True)
class Family:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    build: Callable[[argparse.Namespace], list[Instance]]
    random: bool = False  # takes --seed


def _paper_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=int, nargs="+", choices=(1, 2), default=[1, 2],
                        help="arrival model(s): 1 all at round 0, 2 Poisson arrivals (default: both)")
    parser.add_argument("--count", type=positive_int, default=200, help="instances per model (default 200)")
    parser.add_argument("--first-index", type=nonnegative_int, default=0,
                        help="index of the first instance (default 0); instance k depends only on "
                             "(seed, model, k)")


def _paper_build(args: argparse.Namespace) -> list[Instance]:
    return [paper_synthetic(model, args.seed, k) for model in args.model
            for k in range(args.first_index, args.first_index + args.count)]


def _a100_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rate", type=positive_float, nargs="+", default=list(PAPER_RATES),
                        help="Poisson arrival rate(s), requests per second (default: 10 50, the paper's)")
    parser.add_argument("--requests", type=positive_int, default=1000, help="requests per instance (default 1000)")
    parser.add_argument("--count", type=positive_int, default=1, help="instances per rate (default 1)")
    parser.add_argument("--memory", type=positive_int, default=PAPER_A100_KV_CAPACITY,
                        help=f"KV capacity M in tokens (default {PAPER_A100_KV_CAPACITY:,}, the paper's figure; "
                             "`kvopt hardware` derives M for other set-ups)")
    parser.add_argument("--tensor-parallel", type=int, choices=(1, 2, 4), default=2,
                        help="GPUs of the batch-time model (default 2)")
    parser.add_argument("--arrival-unit-ms", type=positive_float, default=1.0,
                        help="clock unit of the arrival times in milliseconds (default 1)")
    parser.add_argument("--trace", help="CSV trace to draw (prompt, output) pairs from instead of the LMSYS "
                                        "distributions (LMSYS question_length,answer_length or Vidur/Azure "
                                        "columns)")


def _a100_build(args: argparse.Namespace) -> list[Instance]:
    return [a100_trace(rate, args.requests, args.seed, k, memory=args.memory, tensor_parallel=args.tensor_parallel,
                       arrival_unit_s=args.arrival_unit_ms / 1000, trace=args.trace)
            for rate in args.rate for k in range(args.count)]


def _homogeneous_arguments(parser: argparse.ArgumentParser) -> None:
    for name, meaning in (("memory", "KV capacity M"), ("prompt", "prompt size s"), ("output", "output length o"),
                          ("requests", "number of requests n")):
        parser.add_argument(f"--{name}", type=positive_int, required=True, help=meaning)


def _homogeneous_build(args: argparse.Namespace) -> list[Instance]:
    return [families.homogeneous(args.memory, args.prompt, args.output, args.requests)]


def _staggering_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=positive_int, nargs="+", help="output length(s) o")
    parser.add_argument("--requests", type=positive_int, nargs="+", help="number(s) of requests n")
    parser.add_argument("--prompt", type=positive_int, default=1, help="prompt size s (default 1)")
    parser.add_argument("--memory", type=positive_int,
                        help="capacity M (default s*o + o(o+1)/2: one start per round fits exactly)")
    parser.add_argument("--known", action="store_true",
                        help="the five (M, s, o, n) of paper.md §5.4 with known optimum and greedy values")


def _staggering_build(args: argparse.Namespace) -> list[Instance]:
    if args.known:
        if args.output or args.requests:
            raise InputError("--known takes no --output/--requests", "generate staggering")
        return [families.staggering(o, n, s, m) for (m, s, o, n) in families.STAGGERING_KNOWN]
    if not args.output or not args.requests:
        raise InputError("give --output and --requests (or --known)", "generate staggering")
    return [families.staggering(o, n, args.prompt, args.memory) for o in args.output for n in args.requests]


def _adversary_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--x", type=positive_int, nargs="+", required=True, help="family parameter(s) x >= 2")
    parser.add_argument("--tau", type=nonnegative_int, nargs="+", default=[0],
                        help="round(s) tau at which the policy starts the long request; the short ones "
                             "arrive at tau + 1 (default 0)")


def _adversary_build(args: argparse.Namespace) -> list[Instance]:
    return [families.adversary(x, tau) for x in args.x for tau in args.tau]


def _fat_thin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--memory", type=positive_int, nargs="+", required=True,
                        help="capacity M (>= 3), one or more")


def _fat_thin_build(args: argparse.Namespace) -> list[Instance]:
    return [families.fat_thin(memory) for memory in args.memory]


def _random_small_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=positive_int, default=20, help="instances (default 20)")
    parser.add_argument("--first-index", type=nonnegative_int, default=0, help="index of the first instance")
    parser.add_argument("--requests", type=positive_int, nargs=2, default=[3, 8], metavar=("MIN", "MAX"),
                        help="number of requests, uniform (default 3 8)")
    parser.add_argument("--memory", type=positive_int, nargs=2, default=[6, 16], metavar=("MIN", "MAX"),
                        help="capacity M, uniform (default 6 16)")
    parser.add_argument("--max-prompt", type=positive_int, default=3, help="largest prompt (default 3)")
    parser.add_argument("--max-output", type=positive_int, default=6, help="largest output (default 6)")
    parser.add_argument("--arrivals", choices=("zero", "spread"), default="zero",
                        help="all at round 0, or each uniform on rounds 0..n-1 (default zero)")
    parser.add_argument("--prompts", choices=("identical", "heterogeneous"), default="heterogeneous",
                        help="one prompt size for all requests, or one each (default heterogeneous)")


def _random_small_build(args: argparse.Namespace) -> list[Instance]:
    return [families.random_small(args.seed, k, requests=tuple(args.requests), memory=tuple(args.memory),
                                  max_prompt=args.max_prompt, max_output=args.max_output, arrivals=args.arrivals,
                                  prompts=args.prompts)
            for k in range(args.first_index, args.first_index + args.count)]


FAMILIES = {family.name: family for family in (
    Family("paper-synthetic", "the MC-SF paper's synthetic study (paper.md §6.1)", _paper_arguments,
           _paper_build, random=True),
    Family("a100", "Llama-2-70B on two A100s: LMSYS lengths, Poisson arrivals in clock time (paper.md §6.2)",
           _a100_arguments, _a100_build, random=True),
    Family("homogeneous", "n identical requests at round 0", _homogeneous_arguments, _homogeneous_build),
    Family("staggering", "homogeneous instances where staggered starts beat greedy packing (§4.6, §5.4)",
           _staggering_arguments, _staggering_build),
    Family("adversary", "the deterministic-adversary family, static form (paper.md §5.2)", _adversary_arguments,
           _adversary_build),
    Family("fat-thin", "heterogeneous prompts that break shortest-first (paper.md §5.3)", _fat_thin_arguments,
           _fat_thin_build),
    Family("random-small", "small random instances for exact solvers", _random_small_arguments,
           _random_small_build, random=True),
)}


def add_family_parsers(subparsers: argparse._SubParsersAction,
                       common: Callable[[argparse.ArgumentParser], None] = lambda parser: None) -> None:
    """One sub-parser per family; `common` adds options every family shares (e.g. --out)."""
    for family in FAMILIES.values():
        parser = subparsers.add_parser(family.name, help=family.help, description=family.help)
        family.add_arguments(parser)
        if family.random:
            parser.add_argument("--seed", type=nonnegative_int, default=0, help="random seed (default 0)")
        common(parser)
        parser.set_defaults(family=family.name, family_parser=parser)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # a bad recorded command is an input error, not an exit
        raise InputError(message, "generate command")


def instances_from_command(argv: list[str]) -> list[Instance]:
    """The instances `kvopt generate ARGV --out DIR` writes (ARGV starts with the family name)."""
    parser = _Parser(prog="kvopt generate")
    add_family_parsers(parser.add_subparsers(dest="family", required=True, parser_class=_Parser))
    args = parser.parse_args(argv)
    return FAMILIES[args.family].build(args)


def canonical_command(args: argparse.Namespace, skip: tuple[str, ...] = ("out", "json")) -> list[str]:
    """The family name and every option with its value (defaults included), in the parser's order."""
    words = [args.family]
    for action in args.family_parser._actions:
        if not action.option_strings or action.dest in skip or action.dest == "help":
            continue
        value = getattr(args, action.dest)
        flag = action.option_strings[0]
        if isinstance(action, argparse._StoreTrueAction):
            words += [flag] if value else []
        elif value is None:
            continue
        elif isinstance(value, list):
            words += [flag, *(f"{v:g}" if isinstance(v, float) else str(v) for v in value)]
        else:
            words += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return words
