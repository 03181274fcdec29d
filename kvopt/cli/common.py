"""What every CLI verb shares: reading instances (JSON or CSV trace), --json output, error handling.

Exit codes: 0 success; 1 the answer is negative or no valid result exists (infeasible schedule, time
limit without a schedule, a method whose schedule the verifier rejects); 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kvopt import instances as bundled_instances

from kvopt.errors import InputError, SolveError
from kvopt.instance import Instance
from kvopt.io import read_instance

EXIT_OK, EXIT_NEGATIVE, EXIT_INPUT = 0, 1, 2


def add_instance_arguments(parser: argparse.ArgumentParser, name: str = "instance") -> None:
    parser.add_argument(name, help="instance file: canonical .json, or a .csv trace (Vidur/Azure "
                                   "arrived_at,num_prefill_tokens,num_decode_tokens or LMSYS "
                                   "question_length,answer_length), or a bundled instance SET/NAME "
                                   "(e.g. small/homogeneous_m9_s1_o3_n5)")
    trace = parser.add_argument_group("CSV trace options")
    trace.add_argument("--memory", type=int, help="KV-cache capacity M in tokens (required for .csv)")
    trace.add_argument("--rounds-per-second", type=float,
                       help="time scale for traces with arrival times in seconds: round = "
                            "floor(arrived_at * RPS)")
    trace.add_argument("--arrival-rate", type=float,
                       help="traces without arrival times: Poisson arrivals at this many requests per "
                            "round (default: all at round 0)")
    trace.add_argument("--trace-seed", type=int, help="seed of the Poisson arrivals (default 0)")
    trace.add_argument("--max-requests", type=int, help="use only the first N usable rows")
    trace.add_argument("--drop-invalid", action="store_true",
                       help="drop rows with zero sizes or prompt + output > M (counted in metadata) "
                            "instead of failing")


def load_instance(args: argparse.Namespace, name: str = "instance") -> Instance:
    """The instance file, or the bundled instance SET/NAME (kvopt.instances) when no such file exists."""
    given = getattr(args, name)
    bundled = None if Path(given).exists() else bundled_instances.resolve(given)
    return read_instance(bundled or given, memory=args.memory, rounds_per_second=args.rounds_per_second,
                         arrival_rate=args.arrival_rate, seed=args.trace_seed,
                         max_requests=args.max_requests, drop_invalid=args.drop_invalid)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one machine-readable JSON object")


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf become null, tuples lists, numpy scalars Python numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return _clean(value.item())
    if hasattr(value, "items") and callable(value.items):
        return _clean(dict(value.items()))
    return value


def print_json(data: dict[str, Any]) -> None:
    print(json.dumps(_clean(data), sort_keys=False))


def error(message: str) -> None:
    print(f"kvopt: error: {message}", file=sys.stderr)


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn kvopt errors into one-line messages and exit codes."""
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except InputError as problem:
            error(str(problem))
            return EXIT_INPUT
        except SolveError as problem:
            error(str(problem))
            return EXIT_NEGATIVE
        except KeyboardInterrupt:
            error("interrupted")
            return 130
    return wrapper


def parse_options(pairs: list[str] | None) -> dict[str, str]:
    """--option KEY=VALUE pairs as a dict (values are parsed by the method's option types)."""
    options: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--option expects KEY=VALUE, got {pair!r}")
        options[key.strip().replace("-", "_")] = value
    return options
