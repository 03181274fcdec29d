"""Sorted-F (Wang, Ye, Zhou, arXiv 2508.06133): batches chosen by the metric
F(X) = (sum of output lengths in X) / |X|^2, proven <= 48-competitive for all-at-0 instances with
heterogeneous prompts [SRC-2nd].

The metric and the guarantee are sourced; the mechanics are our reconstruction [INF]:
  continuous (default): every period, start the argmin-F set among the waiting requests that fits next
      to the running ones (on the paper-synthetic sample it is much better than sequential batches);
  sequential: whenever nothing runs, start the memory-feasible set X of waiting requests with
      the smallest F (feasible together: the future-peak check of MC-SF with all of X starting now); the
      batch runs until its last member finishes. On an all-at-0 instance this is the paper's loop "form
      X* = argmin F, remove it, repeat", the batches processed in the order they were formed.
argmin F is searched heuristically (the paper's exact/DP and local-search variants are not reproduced):
for each of three orders of the waiting requests (output, prompt + output, memory volume; at most `pool`
of each), a greedy pass adds every request that keeps the set feasible and records F after each addition;
the best set seen wins (ties: smaller total output, then more requests). Length information as MC-SF
(exact or predicted output lengths).

Known behaviour: on the fat/thin family (kvopt.generate.families.fat_thin) it runs the many thin requests in one batch
before the fat ones, where shortest-first (MC-SF) runs the fat ones first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.method import Option
from tests.reference.policies.peak_load import PeakLoad
from tests.reference.policies.registry import register_policy
from tests.reference.sim.policy import Policy, length_estimate
from tests.reference.sim.state import RequestView, SimState


@register_policy("sorted-f", "Sorted-F: batches of minimum sum(o)/|X|^2 that fit together (2508.06133, "
                             "reconstructed)",
                 (Option("mode", str, "continuous", "continuous admission, or sequential batches",
                         ("continuous", "sequential")),
                  Option("pool", int, 512, "waiting requests considered per order when forming a batch")),
                 kind="heuristic")
class SortedF(Policy):
    lengths_allowed = ("auto", "exact", "predicted")
    default_eviction = "restart"
    default_victim = "most-recent-start"

    def __init__(self, lengths: str | None = None, mode: str = "continuous", pool: int = 512):
        super().__init__(lengths)
        if mode not in ("sequential", "continuous"):
            raise InputError(f"mode must be sequential or continuous, got {mode!r}", f"policy {self.name!r}")
        if pool < 1:
            raise InputError(f"pool must be positive, got {pool}", f"policy {self.name!r}")
        self.mode = mode
        self.pool = pool

    def default_rules(self, lengths: str) -> tuple[str, str]:
        return ("none", "latest-arrived") if lengths == "exact" else super().default_rules(lengths)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "mode": self.mode, "pool": self.pool}

    def estimate(self, view: RequestView) -> int:
        return length_estimate(view, self.context.lengths, self.context.memory)

    def admit(self, state: SimState) -> Iterable[RequestView]:
        if not state.waiting or (self.mode == "sequential" and state.running):
            return ()
        return self.best_batch(state)

    def best_batch(self, state: SimState) -> list[RequestView]:
        t, memory = state.period, state.memory
        running = list(state.running.values())
        background = PeakLoad.from_runs(  # overdue runs are assumed to end in the coming round
            np.array([v.index for v in running], np.int64),
            np.array([v.held0 - v.run_start for v in running], np.int64),
            np.array([max(v.run_start + self.estimate(v) - v.kept, t + 1) for v in running], np.int64))
        waiting = list(state.waiting.values())
        remaining = np.array([self.estimate(v) - v.kept for v in waiting], np.int64)
        held0 = np.array([v.held0 for v in waiting], np.int64)
        # Only requests that fit on their own next to the running ones can be part of a batch.
        fits = (state.memory_next + held0 + 1 <= memory) & \
            (background.peaks_with_each(held0 - t, t + remaining) <= memory)
        eligible = np.flatnonzero(fits)
        if eligible.size == 0:
            if state.observers:
                state.explain(waiting[0], "no waiting request fits next to the running ones")
            return []
        arrival = np.array([v.arrival for v in waiting], np.int64)[eligible]
        r, h = remaining[eligible], held0[eligible]
        orders = (np.lexsort((arrival, h, r)), np.lexsort((arrival, h + r)),
                  np.lexsort((arrival, h * r + r * (r + 1) // 2)))
        best_key, best = None, []
        for order in orders:
            loads = background.copy()
            next_round, chosen, total = state.memory_next, [], 0
            for k in eligible[order[: self.pool]]:
                view, base, end = waiting[k], int(held0[k]) - t, t + int(remaining[k])
                need_next = next_round + int(held0[k]) + 1
                if need_next > memory or loads.peak_with(base, end) > memory:
                    continue
                loads.add(view.index, base, end)
                next_round = need_next
                chosen.append(view)
                total += int(remaining[k])
                key = (total / len(chosen) ** 2, total, -len(chosen))
                if best_key is None or key < best_key:
                    best_key, best = key, list(chosen)
        return best
