"""Pricing for the pattern relaxation: the cheapest memory-feasible multi-schedule under request prices.

A *multi-schedule* starts any number of copies of the request classes (identical (a, s, o) requests form
one class), each copy at a period t >= a_k, with at most |class| copies of a class at one period, such
that memory never exceeds M in any round; it need not start every request, and may start one more than
once. For prices pi (one per class) its reduced cost is the sum over its copies of t + o_k - a_k - pi_k,
and `price` finds the minimum by an exact dynamic program over rounds whose states are future memory
profiles (formulations/pattern-relaxation.md, Section 3). The C extension (_pricing.c) runs it where it
was built, the pure-Python program (reference.py) elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kvopt.instance import Instance

try:
    from kvopt.patterns import _pricing as _compiled
except ImportError:  # built without a C compiler: the Python program, slower
    _compiled = None

STATUS = {0: "done", 1: "state limit", 2: "time limit"}


@dataclass(frozen=True)
class Classes:
    """The request classes: members (file positions), and arrays of arrival, prompt, output, size and
    latest start worth modelling (from an upper bound on the optimum; very large without one)."""

    members: tuple[tuple[int, ...], ...]
    arrival: np.ndarray
    prompt: np.ndarray
    output: np.ndarray
    size: np.ndarray
    last: np.ndarray

    def __len__(self) -> int:
        return len(self.members)

    @classmethod
    def of(cls, instance: Instance, upper_bound: int | None = None) -> Classes:
        """Classes in the order of kvopt.formulations.timeindexed.identical_classes (the LP's assignment
        rows). With a verified upper bound UB, a start later than a_k + UB - sum o can be left out: every
        schedule of total latency <= UB starts k no later (formulations/time-indexed-ip.md, Lemma 2)."""
        from kvopt.formulations.timeindexed import identical_classes

        members = tuple(identical_classes(instance))
        first = np.array([m[0] for m in members], dtype=np.int64)
        arrival = instance.arrivals[first].astype(np.int64)
        slack = np.iinfo(np.int64).max // 4 if upper_bound is None else int(upper_bound) - int(instance.outputs.sum())
        return cls(members, arrival, instance.prompts[first].astype(np.int64),
                   instance.outputs[first].astype(np.int64),
                   np.array([len(m) for m in members], dtype=np.int64), arrival + slack)

    def counts(self, starts) -> np.ndarray:
        """Copies of each class in a multi-schedule given as (class, period) pairs."""
        count = np.zeros(len(self), dtype=np.int64)
        for k, _ in starts:
            count[k] += 1
        return count

    def cost(self, starts) -> int:
        """Total latency of the copies of a multi-schedule."""
        return int(sum(t + self.output[k] - self.arrival[k] for k, t in starts))


@dataclass(frozen=True)
class Pricing:
    """value: the least reduced cost (<= 0; None unless the program finished); exact: it is the true
    minimum (no beam); starts: the cheapest multi-schedule found, as (class, period) pairs."""

    value: float | None
    status: str
    exact: bool
    states: int
    largest_round: int
    starts: tuple[tuple[int, int], ...]


def price(classes: Classes, memory: int, prices: np.ndarray, width: int = 0, max_states: int = 2_000_000,
          seconds: float | None = None, compiled: bool = True, elementary=()) -> Pricing:
    """The cheapest multi-schedule under `prices` (one per class). width > 0 keeps only the `width`
    cheapest states per round (fast, a heuristic: its value is not a minimum). Stops at `max_states`
    states in one round or after `seconds`, with value None. `elementary`: at most 64 classes of one
    request each that may start at most once in all (a stronger relaxation, still valid)."""
    bits = np.full(len(classes), -1, dtype=np.int64)
    for bit, k in enumerate(elementary):
        bits[k] = bit
    reduced = (classes.output - classes.arrival).astype(float) - np.asarray(prices, dtype=float)
    program = _compiled.price if compiled and _compiled is not None else _python_price
    args = (int(memory), classes.arrival, classes.prompt, classes.output, classes.size, classes.last,
            np.ascontiguousarray(reduced), bits)
    value, status, states, largest, starts = program(*args, int(width), int(max_states),
                                                     0.0 if seconds is None else max(1e-3, seconds))
    done = status == 0
    return Pricing(value if done else None, STATUS[status], done and width == 0, states, largest,
                   tuple(sorted((int(k), int(t)) for k, t in starts)))


def _python_price(memory, arrival, prompt, output, copies, last, reduced, bits, width, max_states, seconds):
    from kvopt.patterns.reference import price as reference_price
    return reference_price(memory, arrival.tolist(), prompt.tolist(), output.tolist(), copies.tolist(),
                           last.tolist(), reduced.tolist(), width, max_states, seconds or None,
                           elementary=[k for k in range(len(bits)) if bits[k] >= 0])


def compiled_available() -> bool:
    return _compiled is not None


@dataclass(frozen=True)
class Through:
    """value: the least reduced cost of a multi-schedule (as Pricing.value); via[(k, t)]: the least
    reduced cost of a multi-schedule that starts a copy of class k at t, for every start worth trying
    (t <= last_k and t + o_k - a_k - pi_k < 0). None unless the program finished."""

    value: float | None
    status: str
    states: int
    via: dict


def through(classes: Classes, memory: int, prices: np.ndarray, max_states: int = 20_000_000,
            seconds: float | None = None) -> Through:
    """The pricing program forwards and backwards over all its states (they are all kept: `max_states`
    limits their total): for every start worth trying, the cheapest multi-schedule through it. Needs the
    C extension (RuntimeError otherwise)."""
    if _compiled is None:
        raise RuntimeError("the C pricing extension is not built")
    reduced = (classes.output - classes.arrival).astype(float) - np.asarray(prices, dtype=float)
    value, status, states, pairs = _compiled.through(
        int(memory), classes.arrival, classes.prompt, classes.output, classes.size, classes.last,
        np.ascontiguousarray(reduced), int(max_states), 0.0 if seconds is None else max(1e-3, seconds))
    done = status == 0
    return Through(value if done else None, STATUS[status], states,
                   {(int(k), int(t)): v for k, t, v in pairs} if done else {})
