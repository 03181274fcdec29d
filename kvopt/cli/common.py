"""What every CLI verb shares: reading instances (JSON or CSV trace), --json output, error handling.

Exit codes: 0 success; 1 the answer is negative or no valid result exists (infeasible schedule, time
limit without a schedule, a method whose schedule the verifier rejects, out of memory); 2 bad input or
usage; 3 no evidence either way (check-claim decided no trial); 130 interrupted (Ctrl-C); 141 stdout was
closed early (not reported).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kvopt import instances as bundled_instances

from kvopt.cli.outputs import Outputs, declare_input
from kvopt.cli.values import positive_float, positive_int, seed
from kvopt.errors import InputError, SolveError
from kvopt.instance import Instance
from kvopt.io import read_instance, read_schedule
from kvopt.result import Result
from kvopt.schedule import Schedule

EXIT_OK, EXIT_NEGATIVE, EXIT_INPUT, EXIT_UNDECIDED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_BROKEN_PIPE = 141  # as if killed by SIGPIPE, like other command-line tools


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second BrokenPipeError."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def add_instance_arguments(parser: argparse.ArgumentParser, name: str = "instance", several: bool = False) -> None:
    declare_input(parser, name)
    parser.add_argument(name, nargs="+" if several else None,
                        help="instance file: canonical .json, or a .csv trace (Vidur/Azure "
                             "arrived_at,num_prefill_tokens,num_decode_tokens or LMSYS "
                             "question_length,answer_length), or a bundled instance SET/NAME "
                             "(e.g. small/homogeneous_m9_s1_o3_n5)")
    trace = parser.add_argument_group("CSV trace options")
    trace.add_argument("--memory", type=positive_int, help="KV-cache capacity M in tokens (required for .csv)")
    trace.add_argument("--rounds-per-second", type=positive_float,
                       help="time scale for traces with arrival times in seconds (round = "
                            "floor(arrived_at * RPS)), and for JSON instances with clock-time arrivals "
                            "(round = floor(arrival * arrival_unit_s * RPS))")
    trace.add_argument("--arrival-rate", type=positive_float,
                       help="traces without arrival times: Poisson arrivals at this many requests per "
                            "round (default: all at round 0)")
    trace.add_argument("--trace-seed", type=seed, help="seed of the Poisson arrivals (default 0)")
    trace.add_argument("--max-requests", type=positive_int, help="use only the first N usable rows")
    trace.add_argument("--drop-invalid", action="store_true",
                       help="drop rows with zero sizes or prompt + output > M (counted in metadata) "
                            "instead of failing")


def load_instance(args: argparse.Namespace, name: str = "instance", given: str | None = None) -> Instance:
    """The instance file (argument `name`, or `given`), or the bundled instance SET/NAME (kvopt.instances)
    when no such file exists."""
    given = given or getattr(args, name)
    bundled = None if Path(given).exists() else bundled_instances.resolve(given)
    instance = read_instance(bundled or given, memory=args.memory, rounds_per_second=args.rounds_per_second,
                             arrival_rate=args.arrival_rate, seed=args.trace_seed,
                             max_requests=args.max_requests, drop_invalid=args.drop_invalid)
    if args.rounds_per_second is not None and Path(bundled or given).suffix.lower() == ".json":
        note(f"{given}: clock-time arrivals converted to rounds: {instance.metadata['arrivals_converted']}")
    gc.freeze()  # the instance lives as long as the command: the cyclic collector need not walk its requests
    return instance


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


def result_json(result: Result, instance_name: str | None) -> dict[str, Any]:
    """A method's result as `--json` prints it: the instance name under "instance", as in every verb."""
    return {"instance": instance_name, **result.summary()}


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped (\\n, \\x1b, ...): a message that
    quotes a file's content stays one line and cannot move a terminal's cursor."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def error(message: str) -> None:
    print(f"kvopt: error: {one_line(message)}", file=sys.stderr)


def warn(message: str) -> None:
    print(f"kvopt: warning: {one_line(message)}", file=sys.stderr)


def note(message: str) -> None:
    print(f"kvopt: note: {one_line(message)}", file=sys.stderr)


def read_schedule_for(path: str, instance: Instance) -> Schedule:
    """A schedule file, with a warning when its "instance" names another instance than `instance`."""
    schedule = read_schedule(path)
    named = schedule.metadata.get("instance")
    if named is not None and instance.name is not None and named != instance.name:
        warn(f"{path}: the schedule was written for instance {named!r}, not {instance.name!r}")
    return schedule


def guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Check the output targets (kvopt.cli.outputs) before `run`, commit the files it staged after it, and
    turn kvopt errors into one-line messages and exit codes; on any error nothing staged is written."""
    def wrapper(args: argparse.Namespace) -> int:
        args.outputs = None
        try:
            args.outputs = Outputs.checked(args)
            code = run(args)
            args.outputs.commit()
            return code
        except InputError as problem:
            error(str(problem))
            return EXIT_INPUT
        except SolveError as problem:
            error(str(problem))
            return EXIT_NEGATIVE
        except KeyboardInterrupt:
            written = args.outputs is not None and args.outputs.written
            error("interrupted" + ("" if written else "; nothing written"))
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # the reader of stdout stopped early (`kvopt methods | head`): not an error
            silence_stdout()
            return EXIT_BROKEN_PIPE
        except MemoryError:
            error("out of memory: the instance or schedule is too large for this command")
            return EXIT_NEGATIVE
        except OSError as problem:  # e.g. the disk filled up while writing
            where = f"{problem.filename}: " if problem.filename else ""
            error(f"{where}{problem.strerror or problem}")
            return EXIT_INPUT
        finally:
            if args.outputs is not None:
                args.outputs.discard()
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
