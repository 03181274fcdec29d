"""Named rules for memory overflow: what happens to an evicted request, and which request is evicted.

Overflow rules (Vidur's replica schedulers; the clearing of arXiv 2502.07115 v5's α/β baselines):
  none       the schedule must never need more than M: an overflow is an error naming the round and the
             running requests;
  restart    evict and lose all progress (the paper's "clearing"): the request re-queues and later runs
             again from its first token;
  recompute  evict but keep the tokens generated so far as part of the prompt (Vidur `Request.restart()`:
             prefill := processed tokens, decode := remaining): the next run starts holding prompt + kept
             and produces only the remaining tokens; the kept tokens are recomputed in its first round.

Victim rules (the key is largest-first; ties broken by later arrival, then later position):
  latest-arrived      vLLM / Vidur: preempt the most recently arrived running request;
  most-recent-start   the request whose current run started last (our reconstruction of β-clearing);
  fewest-generated    A_min's ordered eviction (arXiv 2508.14544): least progress first;
  largest-memory      the request holding the most memory.
"""

from __future__ import annotations

from collections.abc import Callable

from kvopt.errors import InputError, SolveError
from tests.reference.sim.state import RequestView

EVICTION_RULES = ("none", "restart", "recompute")

VictimKey = Callable[[RequestView, int], tuple]

VICTIM_RULES: dict[str, VictimKey] = {
    "latest-arrived": lambda view, period: (view.arrival, view.index),
    "most-recent-start": lambda view, period: (view.run_start, view.arrival, view.index),
    "fewest-generated": lambda view, period: (-view.generated(period), view.arrival, view.index),
    "largest-memory": lambda view, period: (view.prompt + view.generated(period), view.arrival, view.index),
}


def check_eviction_rule(rule: str) -> str:
    if rule not in EVICTION_RULES:
        raise InputError(f"unknown eviction rule {rule!r}; known: {', '.join(EVICTION_RULES)}", "eviction")
    return rule


def check_victim_rule(rule: str) -> str:
    if rule not in VICTIM_RULES:
        raise InputError(f"unknown victim rule {rule!r}; known: {', '.join(VICTIM_RULES)}", "victim")
    return rule


class MemoryOverflow(SolveError):
    """The running requests need more than M in a round and the overflow rule is `none`."""

    def __init__(self, round_: int, need: int, memory: int, request_ids: list[str], policy: str,
                 cause: str):
        self.round = round_
        self.need = need
        self.request_ids = request_ids
        shown = ", ".join(repr(i) for i in request_ids[:10])
        more = f" and {len(request_ids) - 10} more" if len(request_ids) > 10 else ""
        super().__init__(
            f"round {round_}: memory {need} would exceed M = {memory} ({cause}; {len(request_ids)} "
            f"request(s): {shown}{more}); policy {policy!r} overflows with eviction rule 'none' -- choose "
            f"--eviction restart or recompute")
