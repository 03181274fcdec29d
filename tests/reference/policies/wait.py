"""WAIT: fluid-guided threshold ("booking limit") control with known output lengths (Ao, Luo,
Simchi-Levi, Wang, arXiv 2504.11320; official code Luoxiaogan/vidur_or
`booking_limit_replica_scheduler.py`, `modified_booking_limit_replica_scheduler.py`).

Requests belong to types j = (output o_j, prompt p_j, arrival rate lambda_j), taken from configuration
(`-o types=FILE.json`, a list of {"output", "prompt", "rate"}) or calibrated from the workload
(`types=auto`: `type_count` quantile buckets of the output lengths, o_j = the bucket's longest output,
p_j its mean prompt, lambda_j its arrivals per round -- the paper assumes known rates). A request joins
the first type whose o_j covers its (exact or predicted) length, else the longest type.

From the official code: booking_j = L * lambda_j (o_j + 1) / sum_k lambda_k (o_k + 1) and
per_stage_j = max(1, floor(booking_j / (o_j + 1))); each period, for every type,
need_j = min(per_stage_j, floor(booking_j) - running_j), and when at least need_j >= 1 requests of the
type wait, the need_j oldest start together as a cohort (the "modified" gate: any ready type launches;
the original waits for every type and then pauses running requests, which a non-preemptive model
forbids). Cohorts of one type one stage apart keep memory level in steady state.

The total limit L (requests) defaults to what memory holds in the fluid steady state:
L = (1 - safety) M / sum_j w_j (p_j + (o_j + 1) / 2), w_j the booking shares [INF; the paper's own
formula and safety buffer are not public]. Never dropping a request (the official code's end-of-run
`force_clear` drops the stragglers): when nothing runs and no request will arrive, `flush` launches the
waiting cohorts below their thresholds. An overflow (possible when L is too large) is handled by
recompute with latest-arrived victims, as in Vidur's vLLM base scheduler.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.method import Option
from tests.reference.policies.queue import WaitingQueue
from tests.reference.policies.registry import register_policy
from tests.reference.sim.policy import Policy, SimContext, length_estimate
from tests.reference.sim.state import RequestView, SimState


@dataclass(frozen=True)
class RequestType:
    """A request type: output (decode) length, typical prompt, arrival rate (only ratios matter)."""

    output: int
    prompt: float
    rate: float


def types_from_workload(workload: Instance, count: int) -> list[RequestType]:
    """`count` quantile buckets of the workload's output lengths, with prompts and rates measured."""
    outputs, prompts = workload.outputs, workload.prompts
    span = float(workload.arrivals.max() - workload.arrivals.min() + 1)
    bounds = np.unique(np.quantile(outputs, np.linspace(0, 1, count + 1)[1:], method="higher"))
    types, lower = [], 0
    for bound in bounds:
        members = (outputs > lower) & (outputs <= bound)
        if members.any():
            types.append(RequestType(int(bound), float(prompts[members].mean()), float(members.sum()) / span))
        lower = bound
    return types


def load_types(path: str) -> list[RequestType]:
    from kvopt.io.json_files import load_json
    data = load_json(path)
    if not isinstance(data, list) or not data:
        raise InputError("request types must be a non-empty JSON list of {output, prompt, rate}", path)
    types = []
    for k, item in enumerate(data):
        where = f"{path}: types[{k}]"
        if not isinstance(item, dict) or set(item) - {"output", "prompt", "rate"} or "output" not in item \
                or "rate" not in item:
            raise InputError("expected an object with output, rate and optional prompt", where)
        output, rate, prompt = item["output"], item["rate"], item.get("prompt", 0)
        if not isinstance(output, int) or output < 1:
            raise InputError(f"output must be a positive integer, got {output!r}", where)
        for name, value in (("rate", rate), ("prompt", prompt)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise InputError(f"{name} must be a non-negative number, got {value!r}", where)
        if rate <= 0:
            raise InputError("rate must be positive", where)
        types.append(RequestType(output, float(prompt), float(rate)))
    return sorted(types, key=lambda t: t.output)


def configured_types(policy: Policy, types: str, count: int, context: SimContext) -> list[RequestType]:
    if types != "auto":
        return load_types(types)
    if count < 1:
        raise InputError(f"type_count must be positive, got {count}", f"policy {policy.name!r}")
    if context.workload is None:
        raise InputError("types=auto needs a fixed workload to calibrate on; give -o types=FILE.json",
                         f"policy {policy.name!r}")
    return types_from_workload(context.workload, count)


TYPE_OPTIONS = (
    Option("types", str, "auto", "request types: a JSON file of {output, prompt, rate}, or auto "
                                 "(calibrated on the workload)"),
    Option("type_count", int, 4, "number of types when types=auto"),
    Option("limit", float, None, "total booking limit L in requests (default: from memory)"),
    Option("safety", float, 0.1, "fraction of M left as safety buffer when L is derived from memory"),
)


class ThresholdPolicy(Policy):
    """Shared option handling of WAIT and Nested WAIT."""

    default_eviction = "recompute"
    default_victim = "latest-arrived"

    def __init__(self, lengths: str | None = None, types: str = "auto", type_count: int = 4,
                 limit: float | None = None, safety: float = 0.1):
        super().__init__(lengths)
        if limit is not None and not limit > 0:
            raise InputError(f"limit must be positive, got {limit}", f"policy {self.name!r}")
        if not 0.0 <= safety < 1.0:
            raise InputError(f"safety must be a fraction in [0, 1), got {safety}", f"policy {self.name!r}")
        self.types_option, self.type_count, self.limit, self.safety = types, type_count, limit, safety

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "types": self.types_option, "type_count": self.type_count,
                "limit": self.limit, "safety": self.safety}


@register_policy("wait", "WAIT: per-type thresholds (booking limits) from arrival rates, cohorts "
                         "launched when full (2504.11320)", TYPE_OPTIONS)
class Wait(ThresholdPolicy):
    lengths_allowed = ("exact", "predicted")

    def start(self, context: SimContext) -> None:
        super().start(context)
        self.types = configured_types(self, self.types_option, self.type_count, context)
        weights = np.array([t.rate * (t.output + 1) for t in self.types])
        weights = weights / weights.sum()
        limit = self.limit
        if limit is None:
            per_request = sum(w * (t.prompt + (t.output + 1) / 2) for w, t in zip(weights, self.types))
            limit = (1.0 - self.safety) * context.memory / per_request
        self.total_limit = float(limit)
        self.booking = [math.floor(limit * w) for w in weights]
        self.per_stage = [max(1, math.floor(limit * w / (t.output + 1))) for w, t in zip(weights, self.types)]
        self.queues = [WaitingQueue(lambda v: (v.arrival, v.index)) for _ in self.types]
        self.running = [0] * len(self.types)
        self.type_of: dict[str, int] = {}
        self.outputs = [t.output for t in self.types]

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        if hasattr(self, "per_stage"):
            out.update(total_limit=self.total_limit, per_stage=self.per_stage, booking=self.booking,
                       type_outputs=self.outputs)
        return out

    def _queue(self, view: RequestView) -> None:
        if view.id not in self.type_of:
            length = length_estimate(view, self.context.lengths, self.context.memory)
            self.type_of[view.id] = min(int(np.searchsorted(self.outputs, length)), len(self.types) - 1)
        self.queues[self.type_of[view.id]].push(view)

    def arrived(self, view: RequestView, state: SimState) -> None:
        self._queue(view)

    def rejected(self, view: RequestView, state: SimState) -> None:
        self.running[self.type_of[view.id]] -= 1
        self._queue(view)

    def evicted(self, view: RequestView, state: SimState) -> None:
        self.running[self.type_of[view.id]] -= 1
        self._queue(view)

    def completed(self, view: RequestView, state: SimState) -> None:
        self.running[self.type_of[view.id]] -= 1

    def _launch(self, state: SimState, threshold: bool) -> list[RequestView]:
        admitted = []
        for j, queue in enumerate(self.queues):
            need = min(self.per_stage[j], self.booking[j] - self.running[j])
            if not threshold:
                need = min(max(need, 1), len(queue))
            if need < 1 or len(queue) < need:
                if queue and state.observers:
                    state.explain(queue.peek(), f"type {j} (output <= {self.outputs[j]}): {len(queue)} "
                                                f"waiting, cohort of {max(need, 1)} needed")
                continue
            for _ in range(need):
                admitted.append(queue.pop())
            self.running[j] += need
        return admitted

    def admit(self, state: SimState) -> Iterable[RequestView]:
        return self._launch(state, threshold=True)

    def flush(self, state: SimState) -> Iterable[RequestView]:
        return self._launch(state, threshold=False)
