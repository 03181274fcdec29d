"""Check an optimality (or ratio) claim about a method: search instances of a family for a case where the
method's verified objective exceeds `ratio` times the proven optimum, shrink each such counterexample to a
minimal one, and keep both schedules as evidence.

An instance counts only when the reference method proves its optimum (status optimal); otherwise it is
recorded as undecided, never as support for the claim. Shrinking tries, in order, structure-preserving
moves of the family (for homogeneous instances: fewer requests, less memory, shorter outputs, smaller
prompts) or, for general instances, removing one request, lowering M, shortening one output or prompt,
and moving one arrival earlier; a move is kept when the smaller instance is still a proven
counterexample. The result is minimal with respect to these moves.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kvopt.errors import InputError
from kvopt.instance import Instance, Request
from kvopt.result import Result, Status
from kvopt.solve import solve

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Counterexample:
    """A proven counterexample: the method's result and the reference optimum on `instance`."""

    instance: Instance
    method: Result
    optimum: Result
    trial: int
    original_size: int
    shrink_steps: int

    @property
    def ratio(self) -> float:
        return self.method.objective / self.optimum.objective

    def as_dict(self) -> dict[str, Any]:
        return {"instance": self.instance.name, "requests": len(self.instance), "memory": self.instance.memory,
                "method_objective": self.method.objective, "optimum": self.optimum.objective,
                "ratio": self.ratio, "trial": self.trial, "original_requests": self.original_size,
                "shrink_steps": self.shrink_steps}


@dataclass
class ClaimReport:
    method: str
    family: str
    ratio: float
    reference: str
    trials: int = 0
    decided: int = 0
    undecided: int = 0
    holds: int = 0
    worst_ratio: float = 1.0
    counterexamples: list[Counterexample] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C ended the search; the counts are those of the trials finished

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "family": self.family, "claimed_ratio": self.ratio,
                "reference": self.reference, "trials": self.trials, "decided": self.decided,
                "undecided": self.undecided, "claim_holds_on": self.holds, "worst_ratio": self.worst_ratio,
                "refuted": bool(self.counterexamples), "interrupted": self.interrupted,
                "counterexamples": [c.as_dict() for c in self.counterexamples]}


# ---- families: trial index -> instance, and the shrink moves that keep an instance in its family ----

def _homogeneous_grid() -> list[tuple[int, int, int, int]]:
    """Every (M, s, o, n) with M 4-15, s 1-3, o 1-5, n 1-6 (the 966 homogeneous tuples), smallest n and M
    first."""
    grid = [(m, s, o, n) for n in range(1, 7) for m in range(4, 16) for o in range(1, 6) for s in range(1, 4)
            if s + o <= m]
    return grid


def _homogeneous(memory: int, prompt: int, output: int, n: int) -> Instance:
    from kvopt.generate import homogeneous
    return homogeneous(memory, prompt, output, n)


def _homogeneous_moves(instance: Instance) -> Iterator[Instance]:
    r = instance.requests[0]
    memory, prompt, output, n = instance.memory, r.prompt, r.output, len(instance)
    for candidate in ((memory, prompt, output, n - 1), (memory - 1, prompt, output, n),
                      (memory, prompt, output - 1, n), (memory, prompt - 1, output, n)):
        m, s, o, k = candidate
        if k >= 1 and s >= 1 and o >= 1 and s + o <= m:
            yield _homogeneous(m, s, o, k)


def _general_moves(instance: Instance) -> Iterator[Instance]:
    requests = list(instance.requests)
    name = instance.name or "instance"

    def variant(items: list[Request], memory: int | None = None) -> Instance:
        shift = min(r.arrival for r in items)
        items = [Request(r.id, r.arrival - shift, r.prompt, r.output) for r in items]
        return Instance(memory or instance.memory, tuple(items), name=name, source=instance.source,
                        metadata={"shrunk_from": instance.metadata.get("shrunk_from", name)})

    if len(requests) > 1:
        for k in range(len(requests)):
            yield variant(requests[:k] + requests[k + 1:])
    if max(r.peak_memory for r in requests) <= instance.memory - 1:
        yield variant(requests, instance.memory - 1)
    for k, r in enumerate(requests):
        changes = []
        if r.output > 1:
            changes.append(Request(r.id, r.arrival, r.prompt, r.output - 1))
        if r.prompt > 1:
            changes.append(Request(r.id, r.arrival, r.prompt - 1, r.output))
        if r.arrival > 0:
            changes.append(Request(r.id, r.arrival - 1, r.prompt, r.output))
        for changed in changes:
            yield variant(requests[:k] + [changed] + requests[k + 1:])


def _random(arrivals: str, prompts: str) -> Callable[[int, int], Instance]:
    def make(seed: int, trial: int) -> Instance:
        from kvopt.generate import random_small
        return random_small(seed, trial, arrivals=arrivals, prompts=prompts)
    return make


def _fat_thin(seed: int, trial: int) -> Instance:
    from kvopt.generate import fat_thin
    return fat_thin(3 + trial)


def _paper(model: int) -> Callable[[int, int], Instance]:
    def make(seed: int, trial: int) -> Instance:
        from kvopt.generate import paper_synthetic
        return paper_synthetic(model, seed, trial)
    return make


GRID = _homogeneous_grid()
FAMILIES: dict[str, tuple[Callable[[int, int], Instance], Callable[[Instance], Iterator[Instance]], str]] = {
    "homogeneous": (lambda seed, trial: _homogeneous(*GRID[trial]), _homogeneous_moves,
                    f"identical requests at round 0, the {len(GRID)} (M, s, o, n) with M 4-15, s 1-3, o 1-5, n 1-6 in "
                    f"order of n, then M"),
    "random": (_random("zero", "heterogeneous"), _general_moves,
               "small random heterogeneous instances, all at round 0"),
    "random-identical-prompts": (_random("zero", "identical"), _general_moves,
                                 "small random instances with one prompt size, all at round 0"),
    "random-arrivals": (_random("spread", "heterogeneous"), _general_moves,
                        "small random heterogeneous instances with arrivals"),
    "fat-thin": (_fat_thin, _general_moves, "fat/thin instances (after arXiv 2508.06133), M = 3, 4, ..."),
    "paper-synthetic-1": (_paper(1), _general_moves, "the paper's synthetic model 1 (n 40-60, all at 0)"),
    "paper-synthetic-2": (_paper(2), _general_moves, "the paper's synthetic model 2 (Poisson arrivals)"),
}


def family_trials(family: str) -> int | None:
    """How many distinct trials a family has (None: unbounded)."""
    return len(GRID) if family == "homogeneous" else None


def _evaluate(instance: Instance, method: str, reference: str, time_limit: float | None,
              ) -> tuple[Result, Result] | None:
    """(method result, proven optimum) or None when the reference proves no optimum in time."""
    optimum = solve(instance, reference, time_limit=time_limit)
    if optimum.status is not Status.OPTIMAL:
        return None
    return solve(instance, method, time_limit=time_limit), optimum


def _violates(pair: tuple[Result, Result] | None, ratio: float) -> bool:
    if pair is None:
        return False
    method, optimum = pair
    return method.objective > ratio * optimum.objective + TOLERANCE


def shrink(instance: Instance, moves: Callable[[Instance], Iterator[Instance]], method: str, reference: str,
           ratio: float, time_limit: float | None) -> tuple[Instance, tuple[Result, Result], int]:
    """Apply moves while the instance stays a proven counterexample; return it, its results, the steps."""
    pair = _evaluate(instance, method, reference, time_limit)
    steps = 0
    improved = True
    while improved:
        improved = False
        for candidate in moves(instance):
            candidate_pair = _evaluate(candidate, method, reference, time_limit)
            if _violates(candidate_pair, ratio):
                instance, pair, steps, improved = candidate, candidate_pair, steps + 1, True
                break
    return instance, pair, steps


def check_claim(method: str, family: str, trials: int, ratio: float = 1.0, reference: str = "exact",
                seed: int = 0, time_limit: float | None = 10.0, shrink_found: bool = True,
                stop_after: int = 1, progress: Callable[[ClaimReport], None] | None = None) -> ClaimReport:
    """Test "method is within `ratio` of the optimum" on `trials` instances of `family`; `progress` is
    called with the report after every trial. Ctrl-C ends the search with the report so far (marked
    interrupted; the trial running then is not counted)."""
    if family not in FAMILIES:
        raise InputError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    if trials < 1:
        raise InputError(f"trials must be positive, got {trials}")
    if not ratio >= 1 or ratio == float("inf"):
        raise InputError(f"a claimed ratio below 1 is refuted by any optimal schedule, and it must be finite; "
                         f"got {ratio}")
    if time_limit is not None and not time_limit > 0:
        raise InputError(f"time limit must be positive, got {time_limit}")
    if stop_after < 1:
        raise InputError(f"the number of counterexamples to stop after must be positive, got {stop_after}")
    limit = family_trials(family)
    if limit is not None and trials > limit:
        raise InputError(f"family {family!r} has {limit} distinct instances, asked for {trials} trials")
    make, moves, _ = FAMILIES[family]
    report = ClaimReport(method, family, ratio, reference)
    for trial in itertools.islice(itertools.count(), trials):
        instance = make(seed, trial)
        try:
            pair = _evaluate(instance, method, reference, time_limit)
        except KeyboardInterrupt:
            report.interrupted = True
            break
        report.trials += 1
        try:
            if pair is None:
                report.undecided += 1
                continue
            report.decided += 1
            report.worst_ratio = max(report.worst_ratio, pair[0].objective / pair[1].objective)
            if not _violates(pair, ratio):
                report.holds += 1
                continue
            original = len(instance)
            steps = 0
            if shrink_found:
                try:
                    instance, pair, steps = shrink(instance, moves, method, reference, ratio, time_limit)
                except KeyboardInterrupt:  # the counterexample stands, unshrunk
                    report.interrupted = True
            report.counterexamples.append(Counterexample(instance, pair[0], pair[1], trial, original, steps))
            if report.interrupted or len(report.counterexamples) >= stop_after:
                break
        finally:
            if progress is not None:
                progress(report)
    return report
