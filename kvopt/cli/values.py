"""argparse value types: every number a command line gives is checked where it is parsed, so that no
solver library meets an infinite time limit, a negative seed or a 20-digit thread count."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer
MAX_THREADS = 1024
MAX_INTEGER = 10**12  # kvopt.instance.MAX_INTEGER


def integer_in(minimum: int, maximum: int, kind: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {value}")
        return value
    return parse


def integer_at_least(minimum: int, kind: str) -> Callable[[str], int]:
    return integer_in(minimum, MAX_INTEGER, kind)


positive_int = integer_at_least(1, "a positive integer")
nonnegative_int = integer_at_least(0, "an integer >= 0")
seed = integer_in(0, MAX_SEED, f"a seed in 0..{MAX_SEED}")
threads = integer_in(1, MAX_THREADS, f"a thread count in 1..{MAX_THREADS}")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value
