"""`volume` and `volume-dff`: the memory is a single machine of speed M, each request a preemptible job.

Proofs: formulations/lower-bounds.md §2 (memory-volume bound) and §3 (dual-feasible transforms).

Any feasible schedule, read round by round, processes request i's memory s_i + age in round t; so with a
*dual feasible function* F (integer-valued on 1..M with F-values of the items of every round summing to
at most D whenever their memory sums to at most M) request i brings work w_i = sum_j F(s_i + j) to a
machine of speed D, cannot be worked on before its first round with F > 0, and its work is finished by
its completion round C_i. The k-th smallest completion time of the schedule is therefore at least the
k-th completion time of SRPT on these jobs (SRPT maximises the number of finished jobs at every instant:
Schrage 1968, Oper. Res. 16:687-690), and at least the k-th smallest a_i + o_i. Taking the best of these
order-statistic bounds position by position is valid because they all bound the same order statistic.

Everything is exact integer arithmetic: time is measured in units of 1/D rounds.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

import numpy as np

from kvopt.instance import Instance
from kvopt.method import Outcome, Settings, register
from kvopt.result import Status

Transform = Callable[[np.ndarray], np.ndarray]  # memory values 1..M -> integer work per round


def srpt_completions(releases: Sequence[int], work: Sequence[int]) -> list[int]:
    """Completion times of SRPT on one unit-speed machine (jobs with zero work complete at release).

    Integer inputs give integer outputs. Sorted ascending (only the order statistics matter here).
    """
    jobs = sorted(zip(releases, work))
    done: list[int] = []
    queue: list[int] = []  # remaining work of released, unfinished jobs
    now = 0
    k = 0
    while k < len(jobs) or queue:
        if not queue and now < jobs[k][0]:
            now = jobs[k][0]
        while k < len(jobs) and jobs[k][0] <= now:
            if jobs[k][1] == 0:
                done.append(jobs[k][0])
            else:
                heapq.heappush(queue, jobs[k][1])
            k += 1
        if not queue:
            continue
        remaining = heapq.heappop(queue)
        next_release = jobs[k][0] if k < len(jobs) else None
        if next_release is None or now + remaining <= next_release:
            now += remaining
            done.append(now)
        else:  # run until the next release, then reconsider
            heapq.heappush(queue, remaining - (next_release - now))
            now = next_release
    return sorted(done)


def identity_transform(memory: int) -> tuple[Transform, int]:
    """F(w) = w with machine speed M: the plain memory-volume bound."""
    return (lambda w: w), memory


def threshold_transform(memory: int, e: int) -> tuple[Transform, int]:
    """Fekete-Schepers U^(e): F(w) = M if w > M - e, w if e <= w <= M - e, 0 if w < e (1 <= e <= M/2).

    Valid: an item above M - e leaves less than e for the others, which all map to 0; otherwise F(w) <= w.
    """
    def transform(w: np.ndarray) -> np.ndarray:
        return np.where(w > memory - e, memory, np.where(w >= e, w, 0))
    return transform, memory


def half_transform(memory: int) -> tuple[Transform, int]:
    """F(w) = 2 if w > M/2, 1 if w = M/2, 0 otherwise, speed 2: at most one item above half of M."""
    def transform(w: np.ndarray) -> np.ndarray:
        return np.where(2 * w > memory, 2, np.where(2 * w == memory, 1, 0))
    return transform, 2


MAX_THRESHOLDS = 64  # U^(e) for every e up to this many; evenly spread e beyond (any subset is valid)


def transforms(memory: int) -> list[tuple[str, Transform, int]]:
    """The family used by `volume-dff`: identity, half, and U^(e) for 2 <= e <= M/2 (all of them for
    M/2 <= MAX_THRESHOLDS + 1, else MAX_THRESHOLDS evenly spread values, so that large M stays fast)."""
    family = [("volume", *identity_transform(memory)), ("half", *half_transform(memory))]
    thresholds = np.arange(2, memory // 2 + 1)
    if thresholds.size > MAX_THRESHOLDS:
        thresholds = np.unique(np.linspace(2, memory // 2, MAX_THRESHOLDS).round().astype(int))
    family += [(f"U{e}", *threshold_transform(memory, int(e))) for e in thresholds]
    return family


DOMAIN_LIMIT = 10_000_000  # tabulate F on 1..max(s + o) up to this size; beyond, request by request


def transformed_jobs(instance: Instance, transform: Transform, speed: int) -> tuple[np.ndarray, np.ndarray]:
    """(release, work) of every request as an SRPT job: work sum_j F(s + j), released (in units of 1/speed
    rounds) at its first round with F > 0 (after its last round if there is none). F is tabulated once on
    the memory values the requests reach, so this costs O(n + max(s + o)), not O(sum of o)."""
    prompts, outputs, arrivals = instance.prompts, instance.outputs, instance.arrivals
    top = int((prompts + outputs).max())
    if top > DOMAIN_LIMIT:
        return _jobs_one_by_one(instance, transform, speed)
    domain = np.arange(top + 2, dtype=np.int64)
    values = np.array(transform(domain), dtype=np.int64)  # a copy: F may return its argument
    values[0] = values[-1] = 0  # F(0) is never used; top + 1 is a sentinel
    prefix = np.cumsum(values)
    work = prefix[prompts + outputs] - prefix[prompts]
    beyond = np.iinfo(np.int64).max
    positions = np.where(values > 0, domain, beyond)
    next_positive = np.minimum.accumulate(positions[::-1])[::-1]  # smallest w' >= w with F(w') > 0
    first = np.minimum(next_positive[prompts + 1] - (prompts + 1), outputs)
    return (arrivals + first) * speed, work


def _jobs_one_by_one(instance: Instance, transform: Transform, speed: int) -> tuple[np.ndarray, np.ndarray]:
    releases, work = [], []
    for request in instance.requests:
        values = transform(request.prompt + np.arange(1, request.output + 1, dtype=np.int64))
        positive = np.flatnonzero(values > 0)
        first = int(positive[0]) if positive.size else request.output  # rounds before any F-work
        releases.append((request.arrival + first) * speed)
        work.append(int(values.sum()))
    return np.array(releases, np.int64), np.array(work, np.int64)


def transformed_completions(instance: Instance, transform: Transform, speed: int) -> np.ndarray:
    """Lower bounds (in rounds, as exact fractions numerator/speed) on every order statistic of C."""
    releases, work = transformed_jobs(instance, transform, speed)
    return _completions(releases, work)


def _completions(releases: np.ndarray, work: np.ndarray) -> np.ndarray:
    if not work.any():  # every job completes at its release
        return np.sort(releases)
    return np.array(srpt_completions(releases.tolist(), work.tolist()), dtype=np.int64)


def order_statistic_bounds(instance: Instance, family: list[tuple[str, Transform, int]]
                           ) -> tuple[np.ndarray, list[str]]:
    """Per position k the best integer lower bound on the k-th smallest completion time, and which
    transform (or 'arrival+output') gave it. Transforms that give the same jobs (at large M most
    thresholds map every memory value a request reaches to 0) share one SRPT run."""
    best = np.sort(instance.arrivals + instance.outputs)
    source = ["arrival+output"] * len(best)
    seen: dict[tuple[int, bytes, bytes], np.ndarray] = {}
    for name, transform, speed in family:
        releases, work = transformed_jobs(instance, transform, speed)
        key = (speed, releases.tobytes(), work.tobytes())
        if key not in seen:
            seen[key] = -(-_completions(releases, work) // speed)  # ceil: completion rounds are integers
        rounds = seen[key]
        better = rounds > best
        for k in np.flatnonzero(better):
            source[k] = name
        best = np.maximum(best, rounds)
    return best, source


def family_bound(instance: Instance, family: list[tuple[str, Transform, int]]) -> tuple[int, dict]:
    """The bound on OPT from `order_statistic_bounds`, and how many positions each transform decided."""
    best, source = order_statistic_bounds(instance, family)
    value = int(best.sum() - instance.arrivals.sum())
    counts: dict[str, int] = {}
    for name in source:
        counts[name] = counts.get(name, 0) + 1
    return value, {"positions_by_source": counts}


@register("volume", kind="bound",
          summary="memory-volume bound: k-th completion >= SRPT on volumes s*o+o(o+1)/2 at speed M "
                  "(and >= k-th smallest a+o)")
def volume(instance: Instance, settings: Settings) -> Outcome:
    value, info = family_bound(instance, [("volume", *identity_transform(instance.memory))])
    return Outcome(schedule=None, status=Status.BOUND, lower_bound=value, info=info)


@register("volume-dff", kind="bound",
          summary="memory-volume bound strengthened by dual-feasible functions (half, U^e), best per "
                  "completion position")
def volume_dff(instance: Instance, settings: Settings) -> Outcome:
    value, info = family_bound(instance, transforms(instance.memory))
    return Outcome(schedule=None, status=Status.BOUND, lower_bound=value, info=info)
