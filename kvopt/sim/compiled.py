"""The compiled round loop (kvopt/sim/_admission.c) for every policy of kvopt.policies: MC-SF, MC-Benchmark,
fluid, vllm, alpha-greedy, alpha-clearing, sorted-f, lightllm (native fidelity: MC-Benchmark's future-peak
admission), amax / amin (MC-SF on an interval end), orca / faster-transformer (native fidelity: the slots
of a worst-case reservation), wait and nested-wait (their thresholds computed here by the policy's own
`start`): the engine of kvopt/sim/engine.py on arrays, with the same schedule, rounds and figures.

`run_compiled` is tried first by kvopt.sim.run.simulate; it returns None (and the Python engine runs) when
the extension is not built, when something needs Python during the run (observers, an adaptive arrival
source, a batch-time model other than unit rounds, clock-time arrivals, a subclass of these policies, the
future-peak check "direct", kept as the reference), or when the run ends in an error (an overflow under
rule none, a livelock, a policy that starts nothing, a request above orca's max_tokens, a WAIT types file
that does not load): the Python engine then runs the instance again and raises that error with its message. The per-request Python objects of the Python engine (views, queue
entries, PeakLoad rows, Run objects) are not built: that is where the time and memory of a long trace went.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from kvopt import timing
from kvopt.errors import KvoptError
from kvopt.policies.amax import AMax
from kvopt.policies.amin import AMin
from kvopt.policies.fluid import Fluid
from kvopt.policies.future_peak import FuturePeakPolicy
from kvopt.policies.lightllm import LightLLM
from kvopt.policies.mc_benchmark import MCBenchmark
from kvopt.policies.mcsf import MCSF
from kvopt.policies.nested_wait import NestedWait
from kvopt.policies.reservation import FasterTransformer, Orca, Reservation
from kvopt.policies.sorted_f import SortedF
from kvopt.policies.vllm import VLLM
from kvopt.policies.wait import ThresholdPolicy, Wait
from kvopt.policies.watermark import AlphaClearing, AlphaGreedy
from kvopt.sim.arrivals import InstanceArrivals
from kvopt.sim.policy import Policy, SimContext
from kvopt.sim.rules import VICTIM_RULES

try:
    import kvopt.sim._admission as _admission
except ImportError:  # built without a C compiler: the Python engine, slower
    _admission = None

# policy type -> (kind, queue key) of _admission.c; LightLLM (native fidelity, exact lengths) is
# MC-Benchmark's future-peak test against M written as Vidur's look-ahead sum (kvopt/policies/lightllm.py)
KINDS = {MCSF: (0, 1), MCBenchmark: (0, 0), LightLLM: (0, 0), AMax: (0, 1), AMin: (0, 1), Fluid: (1, 2),
         VLLM: (2, 3), AlphaGreedy: (2, 0), AlphaClearing: (2, 0), SortedF: (3, 0), Orca: (4, 0),
         FasterTransformer: (4, 0), Wait: (5, 0), NestedWait: (6, 0)}
# the length sources of the C loop's estimate: exact, or a guess per request (raised to generated + 1)
GUESSED = ("predicted", "interval-lo", "interval-hi")
EVICTIONS = {"none": 0, "restart": 1, "recompute": 2}
VICTIMS = {name: k for k, name in enumerate(VICTIM_RULES)}
EXACT_FLOATS = 2**53


def available() -> bool:
    return _admission is not None


class CompiledRun:
    """What kvopt.sim.run reads from an Engine after its run, from the compiled loop's arrays."""

    clock_mode = False
    idle_seconds = 1.0
    waits: dict[int, float] = {}

    def __init__(self, source: InstanceArrivals, policy: Policy, arrays: dict[str, np.ndarray],
                 rounds: tuple[np.ndarray, ...], runs: np.ndarray, idle: np.ndarray):
        self.source, self.policy, self.memory = source, policy, source.memory
        self.arrival, self.first_start = arrays["arrived"], arrays["first_start"]
        self.completion_at, self.evictions = arrays["completion"], arrays["evictions"]
        self.tokens_lost, self.recomputed = arrays["tokens_lost"], arrays["recomputed"]
        self.rounds = rounds
        self.evicted, self.run_counts, self.run_columns = _runs_by_request(runs.reshape(-1, 4))
        self.idle = [tuple(row) for row in idle.reshape(-1, 3).tolist()]

    @property
    def rounds_done(self) -> int:
        return len(self.rounds[0])

    # built when asked, after the verification (the peak of memory): clock = period in unit rounds
    @property
    def columns(self) -> tuple[np.ndarray, ...]:
        periods = self.rounds[0]
        return (*self.rounds, np.ones(len(periods)), (periods + 1).astype(float))

    @property
    def completion_s(self) -> np.ndarray:
        return self.completion_at.astype(float)

    @property
    def first_token_s(self) -> np.ndarray:
        return (self.first_start + 1).astype(float)


def _runs_by_request(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """Rows (request index, start, tokens, kept) in the order they ran, as the evicted requests (their
    indices, ascending), the number of runs of each, and the columns (start, tokens, kept) of their runs
    request by request, each request's in the order they ran: arrays, no Run objects."""
    order = np.argsort(rows[:, 0], kind="stable")
    index, start, tokens, kept = (rows[order, column] for column in range(4))
    evicted, counts = np.unique(index, return_counts=True)
    return evicted, counts, (start, tokens, kept)


class _Progress:
    """The engine attributes a progress callback reads (kvopt simulate's live line)."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.state = type("State", (), {"period": 0})()
        self.rounds_done = self.finished = 0


def _params(policy: Policy, lengths: str, eviction: str, victim: str, memory: int,
            longest: int) -> tuple | None:
    """The C loop's settings (its header), or None; longest: the workload's largest prompt + output."""
    kind, key = KINDS[type(policy)]
    sequential, pool = 0, 0
    if isinstance(policy, SortedF):
        if lengths not in ("exact", "predicted"):
            return None
        limit, clear, most = memory, memory, -1
        sequential, pool = int(policy.mode == "sequential"), min(policy.pool, 2**62)
    elif isinstance(policy, FuturePeakPolicy):
        if policy.check != "incremental" or lengths not in ("exact", *GUESSED):
            return None
        limit, clear, most = math.floor((1.0 - policy.reserve) * memory), memory, -1
    elif isinstance(policy, LightLLM):
        if policy.fidelity != "native" or lengths != "exact":
            return None
        limit, clear, most = memory, memory, -1
    elif isinstance(policy, Reservation):  # the slots of Reservation.start
        if policy.fidelity != "native" or (policy.max_tokens or longest) < longest or not longest:
            return None  # a request above max_tokens: the Python engine raises the policy's error
        slots = memory // (policy.max_tokens or longest)
        most = slots if policy.max_running is None else min(slots, policy.max_running)
        limit, clear = memory, memory
        sequential = int(policy.static_batches)
    elif isinstance(policy, ThresholdPolicy):  # its thresholds: _thresholds
        limit, clear, most = memory, memory, -1
    else:
        limit = math.floor((1.0 - policy.alpha) * memory)
        clear = math.floor((1.0 - policy.beta) * memory)
        most = -1 if policy.max_running is None else policy.max_running
    return (kind, key, memory, limit, clear, most, EVICTIONS[eviction], VICTIMS[victim],
            int(lengths in GUESSED), sequential, pool)


def run_compiled(source: Any, policy: Policy, lengths: str, eviction: str, victim: str,
                 model: timing.BatchTimeModel, clock_mode: bool, observers: list,
                 progress: Callable[[Any], None] | None = None) -> CompiledRun | None:
    """The finished run, or None where the Python engine must run (the module docstring)."""
    if _admission is None or observers or clock_mode or type(source) is not InstanceArrivals \
            or not isinstance(model, timing.UnitRounds) or type(policy) not in KINDS:
        return None
    memory = source.memory
    instance = source.instance
    n = len(instance)
    if memory >= 2**31:
        return None
    arrival, prompt, output = (instance.column(name) for name in ("arrival", "prompt", "output"))
    params = _params(policy, lengths, eviction, victim, memory, int((prompt + output).max(initial=0)))
    if params is None:
        return None
    guess = _guesses(instance.requests, lengths) if lengths in GUESSED else output
    if guess is None:
        return None  # the Python engine names the request without one
    if isinstance(policy, Fluid) and not _fluid_sums_exact(params[3], prompt, guess, memory, n):
        return None
    segment, types = (0, 1), None
    if isinstance(policy, ThresholdPolicy):
        thresholds = _thresholds(policy, source, lengths, prompt, guess)
        if thresholds is None:
            return None
        segment, types = thresholds
    order = np.argsort(arrival, kind="stable")
    names = ("first_start", "completion", "evictions", "tokens_lost", "recomputed", "arrived")
    arrays = {name: np.zeros(n, np.int64) for name in names}
    tick = None
    if progress is not None:
        shown = _Progress(policy)

        def tick(period: int, rounds: int, finished: int) -> None:
            shown.state.period, shown.rounds_done, shown.finished = period, rounds, finished
            progress(shown)

    status, rounds, runs, idle = _admission.run(
        (*params, *segment), float(getattr(policy, "burst", 0.0)), order, arrival, prompt, output, guess,
        *(arrays[name] for name in names), tick, types)
    if status:
        return None
    rounds = tuple(np.frombuffer(column, np.int64) for column in rounds)  # writable: bytearrays
    return CompiledRun(source, policy, arrays, rounds, *(np.frombuffer(b, np.int64) for b in (runs, idle)))


def _thresholds(policy: ThresholdPolicy, source: InstanceArrivals, lengths: str, prompt: np.ndarray,
                guess: np.ndarray) -> tuple[tuple[int, int], tuple | None] | None:
    """Nested WAIT's segment 1 (budget, length) and WAIT's types (type of each request, booking, per_stage)
    as the policy's start computes them (called here as the engine calls it), or None."""
    memory = source.memory
    try:
        policy.start(SimContext(memory, lengths, source.workload()))
    except KvoptError:
        return None  # the Python engine raises it
    if isinstance(policy, NestedWait):
        segment = (policy.budget, policy.segment1)
        return (segment, None) if max(segment) < 2**62 and min(segment) >= 1 else None
    if max(policy.booking) >= 2**62:
        return None
    # the type each request joins on arrival (Wait._queue): its estimate before it ran
    estimate = guess if lengths == "exact" else np.minimum(np.maximum(guess, 1), memory - prompt)
    type_of = np.minimum(np.searchsorted(policy.outputs, estimate), len(policy.outputs) - 1).astype(np.int64)
    return (0, 1), (type_of, np.array(policy.booking, np.int64), np.array(policy.per_stage, np.int64))


def _guesses(requests: tuple, lengths: str) -> np.ndarray | None:
    """Each request's point prediction or interval end, or None if one lacks it."""
    if lengths == "predicted":
        values = [r.predicted_output for r in requests]
    else:
        end = 0 if lengths == "interval-lo" else 1
        values = [None if r.output_interval is None else r.output_interval[end] for r in requests]
    if any(value is None for value in values):
        return None
    return np.array(values, np.int64)


def _fluid_sums_exact(limit: int, prompt: np.ndarray, guess: np.ndarray, memory: int, n: int) -> bool:
    """The fluid rate divides sums of volumes: exact in floats (as Python's integers are) below 2**53."""
    remaining = np.minimum(np.maximum(guess, 1), memory - prompt).astype(float)
    total = float((prompt * remaining + remaining * (remaining + 1) / 2).sum())
    return limit * max(n, 1) < EXACT_FLOATS and total < EXACT_FLOATS / 2
