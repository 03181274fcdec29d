"""Vidur's replica schedulers in unit rounds: the `fidelity=vidur` mode of vllm, lightllm, mc-benchmark,
orca and faster-transformer (kvopt's own reading of microsoft/vidur at commit 7d47513,
`vidur/scheduler/replica_scheduler/*.py` with `vidur/entities/request.py`; no Vidur code is used here).

Unit rounds, as the parity harness drives Vidur (tests/golden/make_vidur_golden.py): one replica, one
pipeline stage, block_size 1, num_blocks = M, every batch lasts one round; at time t the batch that ran
since t - 1 ends, the requests arriving at t are queued, then, if no batch runs, the scheduler forms the
next one. A request's first batch is its prefill: it holds its P prompt blocks and yields its first token;
each later batch it is in yields one token and (vllm, lightllm) allocates one block, so it holds
P + j - 1 blocks in its j-th batch (kvopt's native model counts prompt + j). Vidur's batches may leave
out running requests (vllm and lightllm form prefill-only batches when they admit): those requests keep
their blocks and produce nothing that round. A request preempted by vllm restarts with its processed
tokens as its new prompt (recompute) and re-enters the front of the queue.

The result is a `VidurReplay` (per-request run starts, preemptions, completion), not a kvopt Simulation:
Vidur's block accounting (one block less per request, blocks held through rounds a request sits out) is
not kvopt's memory model, so kvopt.verify cannot check the schedule; the replay asserts its own block
count never exceeds M. A request Vidur never completes (vllm: a prompt above M - watermark on an idle
replica; lightllm: a look-ahead need of M or more) leaves the replay `stuck`; lightllm's
"OOM handling not implemented" and a livelock end it with `error`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from kvopt.errors import InputError
from kvopt.instance import Instance
from kvopt.method import Option

UNCAPPED = 10 ** 9  # Vidur's batch_size_cap / max_tokens_in_batch when not modelled


class VRequest:
    """One request as Vidur tracks it: prefill and decode token counts (changed by a restart), processed
    tokens, and what the replay records (run starts, restarts, completion)."""

    def __init__(self, index: int, id: str, arrival: int, prompt: int, output: int):
        self.index, self.id, self.arrival = index, id, arrival
        self.prefill, self.decode = prompt, output
        self.processed = 0
        self.scheduled = self.prefilled = self.completed = False
        self.restarts = 0
        self.starts: list[int] = []
        self.completion: int | None = None

    def next_tokens(self) -> int:
        return 1 if self.prefilled else self.prefill

    def batch_end(self, tokens: int, time: int) -> None:
        self.processed += tokens
        if self.processed == self.prefill:  # the prefill yields the first output token
            self.prefilled = True
            self.processed += 1
        if self.processed == self.prefill + self.decode:
            self.completed, self.completion = True, time

    def restart(self) -> None:
        """Recompute: every processed token becomes prompt."""
        total = self.prefill + self.decode
        self.prefill, self.decode = self.processed, total - self.processed
        self.processed = 0
        self.scheduled = self.prefilled = self.completed = False
        self.restarts += 1


class Batch:
    numbers = itertools.count()

    def __init__(self, requests: list[VRequest]):
        self.number = next(Batch.numbers)
        self.requests = requests
        self.tokens = [r.next_tokens() for r in requests]


class Replica:
    """Block bookkeeping and the queue of a Vidur replica scheduler."""

    def __init__(self, memory: int, max_tokens: int, cap: int | None):
        self.num_blocks = memory
        self.max_blocks = max_tokens  # blocks per sequence (block_size 1)
        self.cap = UNCAPPED if cap is None else cap
        self.queue: list[VRequest] = []
        self.allocated = 0
        self.held: dict[int, int] = {}
        self.running: list[VRequest] = []  # Vidur's _preempted_requests: unfinished, between batches

    def can_allocate(self, blocks: int) -> bool:
        return self.num_blocks - self.allocated >= blocks

    def allocate(self, request: VRequest, blocks: int) -> None:
        self.allocated += blocks
        self.held[request.index] = self.held.get(request.index, 0) + blocks
        if self.allocated > self.num_blocks:
            raise AssertionError(f"{self.allocated} blocks allocated > num_blocks = {self.num_blocks}")

    def free(self, *requests: VRequest) -> None:
        for request in requests:
            self.allocated -= self.held.pop(request.index)

    def batch_end(self, batch: Batch) -> None:
        for request in batch.requests:
            if request.completed:
                self.free(request)
            else:
                self.running.append(request)

    def next_batch(self) -> Batch | None:
        raise NotImplementedError


class VLLMReplica(Replica):
    """Prefill-only batches of new requests while `free - P >= int(watermark * M)`; otherwise a decode
    batch of the running requests in arrival order, each needing one free block, restarting the
    latest-arrived running request (or itself, if alone) when none is free."""

    def __init__(self, memory: int, max_tokens: int, cap: int | None, watermark: float):
        super().__init__(memory, max_tokens, cap)
        self.watermark = int(watermark * memory)

    def fits(self, request: VRequest) -> bool:
        if request.index not in self.held:
            return self.num_blocks - self.allocated - request.prefill >= self.watermark
        return self.num_blocks - self.allocated >= 1

    def grow(self, request: VRequest) -> None:
        if request.index not in self.held:
            self.allocate(request, request.prefill)
        elif request.processed > self.held[request.index]:
            self.allocate(request, 1)

    def next_batch(self) -> Batch | None:
        admitted: list[VRequest] = []
        while self.queue and self.fits(self.queue[0]) and len(self.held) < self.cap and \
                len(admitted) < self.cap:
            request = self.queue.pop(0)
            self.grow(request)
            admitted.append(request)
        if admitted:
            return Batch(admitted)
        self.running.sort(key=lambda r: r.arrival)  # stable: ties keep their order
        chosen: list[VRequest] = []
        while self.running and len(chosen) < self.cap:
            request = self.running.pop(0)
            while not self.fits(request):
                victim = self.running.pop() if self.running else request
                victim.restart()
                self.free(victim)
                self.queue.insert(0, victim)
                if victim is request:
                    break
            else:
                self.grow(request)
                chosen.append(request)
        return Batch(chosen) if chosen else None


class LightLLMReplica(Replica):
    """Prefill-only batches when nothing runs or after `max_waiting_iters` decode batches, admitting while
    Vidur's look-ahead need is below M (strictly); otherwise a decode batch of every running request."""

    def __init__(self, memory: int, max_tokens: int, cap: int | None, max_waiting_iters: int = 10):
        super().__init__(memory, max_tokens, cap)
        self.max_waiting_iters = max_waiting_iters
        self.waiting_iters = 0

    @staticmethod
    def need_tuple(request: VRequest) -> tuple[int, int]:
        if request.scheduled:
            held, left = request.processed, request.decode - (request.processed - request.prefill) - 1
        else:
            held, left = request.prefill + 1, request.decode - 2
        return held, max(0, left)

    def prefill_batch(self) -> Batch | None:
        pairs = [self.need_tuple(r) for r in self.running]
        admitted: list[VRequest] = []
        while self.queue and len(self.held) < self.cap and len(admitted) < self.cap:
            request = self.queue[0]
            pairs.append(self.need_tuple(request))
            pairs.sort(key=lambda pair: -pair[1])
            left = np.array([pair[1] for pair in pairs])
            need = (left * np.arange(1, len(pairs) + 1) + np.cumsum([pair[0] for pair in pairs])).max()
            if need >= self.num_blocks:
                break
            self.queue.pop(0)
            self.allocate(request, request.prefill)
            admitted.append(request)
        return Batch(admitted) if admitted else None

    def next_batch(self) -> Batch | None:
        if not self.running:
            batch = self.prefill_batch()
            if batch:
                self.waiting_iters = 0
            return batch
        if self.waiting_iters >= self.max_waiting_iters:
            self.waiting_iters = 0
            batch = self.prefill_batch()
            if batch:
                return batch
        if not self.can_allocate(len(self.running)):
            raise RuntimeError("OOM handling not implemented yet (Vidur's LightLLM scheduler)")
        self.waiting_iters += 1
        chosen, self.running = self.running, []
        for request in chosen:
            self.allocate(request, 1)
        return Batch(chosen)


class OrcaReplica(Replica):
    """Every running request, then new ones while max_tokens blocks are free (mixed batches)."""

    def next_batch(self) -> Batch | None:
        chosen = self.running[:self.cap]
        self.running = self.running[self.cap:]
        while self.queue and len(chosen) < self.cap and self.can_allocate(self.max_blocks):
            request = self.queue.pop(0)
            self.allocate(request, self.max_blocks)
            chosen.append(request)
        return Batch(chosen) if chosen else None


class FasterTransformerReplica(Replica):
    """Static batches: a batch of new requests (max_tokens blocks each) when none is unfinished, then its
    unfinished members until all are done. `leak`: Vidur frees only the members of the last batch of the
    chain (its `_pending_free_map` is never written), so blocks of members that finished earlier are
    never freed; without it they are freed when the last member finishes (what the map is for)."""

    def __init__(self, memory: int, max_tokens: int, cap: int | None, leak: bool = True):
        super().__init__(memory, max_tokens, cap)
        self.leak = leak
        self.unfinished: list[tuple[Batch, list[VRequest]]] = []
        self.finished_early: dict[int, list[VRequest]] = {}

    def batch_end(self, batch: Batch) -> None:
        if all(r.completed for r in batch.requests):
            self.free(*batch.requests)
            self.free(*self.finished_early.pop(batch.number, []))
        else:
            self.unfinished.append((batch, [r for r in batch.requests if r.completed]))

    def next_batch(self) -> Batch | None:
        if self.unfinished:
            batch, done = self.unfinished.pop(0)
            follow = Batch([r for r in batch.requests if not r.completed])
            if not self.leak:
                self.finished_early[follow.number] = self.finished_early.pop(batch.number, []) + done
            return follow
        chosen: list[VRequest] = []
        while self.queue and len(chosen) < self.cap and self.can_allocate(self.max_blocks):
            request = self.queue.pop(0)
            self.allocate(request, self.max_blocks)
            chosen.append(request)
        return Batch(chosen) if chosen else None


@dataclass(frozen=True)
class VidurReplay:
    """What a unit-round Vidur replay gives, per request in instance order: run starts (the time of each
    prefill, restarts included), preemptions (restarts), completion time (None if never);
    outcome: "done", "stuck" (requests wait forever) or "error: ..."; rounds: batches run."""

    policy: str
    ids: tuple[str, ...]
    arrivals: tuple[int, ...]
    starts: tuple[tuple[int, ...], ...]
    preemptions: tuple[int, ...]
    completions: tuple[int | None, ...]
    outcome: str
    rounds: int

    @property
    def total_latency(self) -> int | None:
        """Sum of completion - arrival; None unless every request completed."""
        if self.outcome != "done":
            return None
        return sum(c - a for c, a in zip(self.completions, self.arrivals))

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "starts": [list(s) for s in self.starts],
                "preemptions": list(self.preemptions), "completions": list(self.completions)}


def replay(instance: Instance, replica: Replica, policy: str = "vidur") -> VidurReplay:
    """Drive `replica` on `instance` in unit rounds (the module docstring's conventions)."""
    requests = [VRequest(k, r.id, r.arrival, r.prompt, r.output) for k, r in enumerate(instance.requests)]
    pending = sorted(requests, key=lambda r: (r.arrival, r.index))
    budget = 10 * sum(r.prompt + r.output for r in instance.requests) + 1000
    t, next_due, batch, rounds, outcome = 0, 0, None, 0, "done"
    try:
        while True:
            if batch is not None:
                for request, tokens in zip(batch.requests, batch.tokens):
                    request.batch_end(tokens, t)
                replica.batch_end(batch)
                batch = None
            while next_due < len(pending) and pending[next_due].arrival <= t:
                replica.queue.append(pending[next_due])
                next_due += 1
            batch = replica.next_batch()
            if batch is None:
                if next_due < len(pending):
                    t = pending[next_due].arrival
                    continue
                if not all(r.completed for r in requests):
                    outcome = "stuck"
                break
            for request in batch.requests:
                if not request.prefilled:
                    request.starts.append(t)
                request.scheduled = True
            rounds += 1
            t += 1
            if rounds > budget:
                raise RuntimeError(f"livelock: {rounds} batches")
    except (RuntimeError, AssertionError) as error:
        outcome = f"error: {error}"
    return VidurReplay(policy, tuple(r.id for r in requests), tuple(r.arrival for r in requests),
                       tuple(tuple(r.starts) for r in requests), tuple(r.restarts for r in requests),
                       tuple(r.completion for r in requests), outcome, rounds)


def check_unit_rounds(instance: Instance, policy: str) -> None:
    if instance.batch_time is not None and instance.batch_time.get("model", "unit") != "unit":
        raise InputError("fidelity=vidur replays Vidur's scheduler in unit rounds only; this instance has "
                         f"batch_time model {instance.batch_time.get('model')!r}", f"policy {policy!r}")


def fidelity_option(choices: tuple[str, ...] = ("native", "vidur")) -> Option:
    fixed = "; vidur-fixed: the same with Vidur's block leak repaired" if "vidur-fixed" in choices else ""
    return Option("fidelity", str, "native",
                  "native: kvopt's round model; vidur: Vidur's replica scheduler replayed in unit rounds "
                  f"(kvopt.policies.vidur_replica; no kvopt schedule){fixed}", choices)


def check_fidelity(policy: str, fidelity: str, choices: tuple[str, ...] = ("native", "vidur")) -> str:
    if fidelity not in choices:
        raise InputError(f"fidelity must be one of {', '.join(choices)}, got {fidelity!r}", f"policy {policy!r}")
    return fidelity


def replay_policy(instance: Instance, policy) -> VidurReplay:
    """Vidur's schedule of `instance` under `policy` (built with fidelity=vidur or vidur-fixed)."""
    if getattr(policy, "fidelity", "native") == "native":
        raise InputError("replay_policy needs a policy built with -o fidelity=vidur", f"policy {policy.name!r}")
    check_unit_rounds(instance, policy.name)
    max_tokens = getattr(policy, "max_tokens", None) or max(r.prompt + r.output for r in instance.requests)
    return replay(instance, policy.vidur_replica(instance.memory, max_tokens), policy.name)
