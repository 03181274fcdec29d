"""`separation`: requests with large peaks behave like jobs on one machine; mixed with the memory volume.

Two requests f, g that overlap in time are both active in the round min(C_f, C_g), where the first to
finish holds its peak P = s + o and the other P_g - |C_f - C_g|; so |C_f - C_g| >= P_f + P_g - M. If they
do not overlap, the later one g satisfies C_g - C_f >= o_g. Within a set B this makes the windows
(C_g - q_g, C_g] pairwise disjoint, with q_g = max(0, min(o_g, P_g + min_{f in B, f != g} P_f - M)):
in every round at most one request of B is inside its window. Every round also holds at most M memory.
Any convex combination of the two per-round capacities is again one: with weight lam in [0, 1],
    sum_{g in B} lam * M * [t in window of g] + sum_i (1 - lam) * mem_i(t) <= M,
so request i is a preemptible job of work lam*M*q_i*[i in B] + (1-lam)*vol_i on a machine of speed M,
released at a_i, finished by C_i; SRPT bounds every completion order statistic (see volume.py).
Proof: formulations/lower-bounds.md §5. B ranges over the sets {P >= theta} (theta a big peak), lam over a grid.
"""

from __future__ import annotations

import numpy as np

from kvopt.bounds.volume import half_transform, identity_transform, order_statistic_bounds, \
    srpt_completions
from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.method import Option, Outcome, Settings, register
from kvopt.result import Status


def machine_lengths(instance: Instance, members: np.ndarray) -> np.ndarray:
    """q_g for every g in `members` (indices into instance.requests); 0 for a set of fewer than two."""
    peaks = instance.prompts[members] + instance.outputs[members]
    if members.size < 2:
        return np.zeros(members.size, np.int64)
    order = np.sort(peaks)
    smallest_other = np.where(peaks == order[0], order[1], order[0])
    return np.maximum(0, np.minimum(instance.outputs[members], peaks + smallest_other - instance.memory))


def mixed_completions(instance: Instance, members: np.ndarray, steps: int, k: int) -> np.ndarray:
    """Integer lower bounds on the sorted completion rounds, weight lam = k/steps on the machine."""
    memory = instance.memory
    volumes = instance.prompts * instance.outputs + instance.outputs * (instance.outputs + 1) // 2
    lengths = np.zeros(len(instance), np.int64)
    lengths[members] = machine_lengths(instance, members)
    work = k * memory * lengths + (steps - k) * volumes
    speed = steps * memory
    done = np.array(srpt_completions((instance.arrivals * speed).tolist(), work.tolist()), np.int64)
    return -(-done // speed)


MAX_THRESHOLDS = 32  # sets B = {P >= theta}: every big peak up to this many, else evenly spread quantiles


def big_peak_thresholds(peaks: np.ndarray, memory: int) -> np.ndarray:
    """The distinct peaks above M/2 (at most MAX_THRESHOLDS of them; any choice of sets is valid)."""
    distinct = np.unique(peaks[2 * peaks > memory])
    if distinct.size > MAX_THRESHOLDS:
        distinct = distinct[np.unique(np.linspace(0, distinct.size - 1, MAX_THRESHOLDS).round().astype(int))]
    return distinct


def separation_bound(instance: Instance, steps: int = 10) -> tuple[int, dict]:
    family = [("volume", *identity_transform(instance.memory)), ("half", *half_transform(instance.memory))]
    best, _ = order_statistic_bounds(instance, family)
    chosen = {"peak_threshold": None, "machine_weight": 0.0}
    total = int(best.sum())
    peaks = instance.prompts + instance.outputs
    for theta in big_peak_thresholds(peaks, instance.memory):
        members = np.flatnonzero(peaks >= theta)
        for k in range(1, steps + 1):
            candidate = np.maximum(best, mixed_completions(instance, members, steps, k))
            if int(candidate.sum()) > total:
                total = int(candidate.sum())
                chosen = {"peak_threshold": int(theta), "machine_weight": k / steps}
    return total - int(instance.arrivals.sum()), chosen


@register("separation", kind="bound",
          summary="large-peak requests as one-machine jobs (completion separation) mixed with memory "
                  "volume, SRPT per position",
          options=(Option("steps", int, 10, "grid size for the machine weight lam = k/steps"),))
def separation(instance: Instance, settings: Settings) -> Outcome:
    steps = settings.options["steps"]
    if steps < 1:
        raise InputError(f"steps must be positive, got {steps}", "method 'separation' option 'steps'")
    value, info = separation_bound(instance, steps)
    return Outcome(schedule=None, status=Status.BOUND, lower_bound=value, info=info)
