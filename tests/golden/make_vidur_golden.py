"""Golden schedules from Vidur's own replica schedulers, for tests/policies/test_vidur_parity.py.

Drives the vllm, lightllm, orca and faster_transformer replica schedulers of microsoft/vidur (commit
7d47513; PyPI's vidur 0.0.26 has neither lightllm nor faster_transformer) in unit rounds -- one replica,
one stage, block_size 1, num_blocks = M, every batch lasts one round; at time t the running batch ends,
the arrivals of t are queued, then the scheduler forms the next batch -- on edge cases and seeded random
instances, and writes each instance (request k: [arrival, prompt, output], id "r{k}") with Vidur's
per-request run starts, restart counts and completions.

    python tests/golden/make_vidur_golden.py --vidur PATH [--random 300] [--seed 15] [--out FILE]

PATH: a directory holding Vidur's `vidur` package at commit 7d47513 (a checkout of microsoft/vidur). It
needs only numpy. Two modules are stubbed, nothing else: `vidur.execution_time_predictor` (imports
scikit-learn; the schedulers use it as a type only) and the MemoryPlanner of base_replica_scheduler
(sizes the batch from the model's memory; replaced by a planner allowing batch_size_cap requests).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICIES = ("vllm", "lightllm", "orca", "faster-transformer")
BIG = 10 ** 9


def load_vidur(path: str) -> dict:
    """Vidur's scheduler classes by policy name, from the source tree at `path`."""
    sys.path.insert(0, str(Path(path).resolve()))
    stub = types.ModuleType("vidur.execution_time_predictor")
    stub.BaseExecutionTimePredictor = stub.ExecutionTimePredictorRegistry = object
    sys.modules["vidur.execution_time_predictor"] = stub
    from vidur.scheduler.replica_scheduler import base_replica_scheduler
    from vidur.scheduler.replica_scheduler.faster_transformer_replica_scheduler import \
        FasterTransformerReplicaScheduler
    from vidur.scheduler.replica_scheduler.lightllm_replica_scheduler import LightLLMReplicaScheduler
    from vidur.scheduler.replica_scheduler.orca_replica_scheduler import OrcaReplicaScheduler
    from vidur.scheduler.replica_scheduler.vllm_replica_scheduler import VLLMReplicaScheduler
    import vidur.config as config
    from vidur.entities import Request

    class Planner:
        def __init__(self, *args):
            pass

        def get_max_batch_size(self):
            return BIG

        def get_max_request_slots(self):
            return BIG

    base_replica_scheduler.MemoryPlanner = Planner
    return {"Request": Request,
            "vllm": (VLLMReplicaScheduler, config.VllmSchedulerConfig),
            "lightllm": (LightLLMReplicaScheduler, config.LightllmSchedulerConfig),
            "orca": (OrcaReplicaScheduler, config.OrcaSchedulerConfig),
            "faster-transformer": (FasterTransformerReplicaScheduler, config.FasterTransformerSchedulerConfig)}


def drive(vidur: dict, policy: str, instance: dict, options: dict) -> dict:
    """Vidur's schedule of `instance` in unit rounds: per request run starts, restarts, completion."""
    scheduler_cls, config_cls = vidur[policy]
    cap = None if policy == "lightllm" else options.get("max_running")  # kvopt's lightllm has no cap
    fields = {"batch_size_cap": cap or BIG, "block_size": 1,
              "num_blocks": instance["memory"]}
    if policy == "vllm":
        fields.update(watermark_blocks_fraction=options.get("watermark", 0.01), max_tokens_in_batch=BIG)
    if policy == "lightllm":
        fields.update(max_tokens_in_batch=BIG, max_waiting_iters=10)
    spec = instance["requests"]
    max_tokens = options.get("max_tokens") or max(r["prompt"] + r["output"] for r in spec)
    scheduler = scheduler_cls(replica_config=types.SimpleNamespace(), replica_scheduler_config=config_cls(**fields),
                              request_generator_config=types.SimpleNamespace(max_tokens=max_tokens),
                              replica=types.SimpleNamespace(id=0), num_stages=1, execution_time_predictor=None)
    requests = [vidur["Request"](float(r["arrival"]), r["prompt"], r["output"]) for r in spec]
    order = sorted(range(len(spec)), key=lambda k: (spec[k]["arrival"], k))
    starts = [[] for _ in spec]
    completions = [None] * len(spec)
    budget = 10 * sum(r["prompt"] + r["output"] for r in spec) + 1000
    t, due, batch, rounds, outcome = 0, 0, None, 0, "done"
    try:
        while True:
            if batch is not None:
                batch.on_batch_end(t)
                scheduler.on_batch_end(batch)
                for request in batch.requests:
                    k = requests.index(request)
                    if request.completed and completions[k] is None:
                        completions[k] = t
                batch = None
            while due < len(order) and spec[order[due]]["arrival"] <= t:
                scheduler.add_request(requests[order[due]])
                due += 1
            batches = scheduler.on_schedule()
            if not batches:
                if due < len(order):
                    t = spec[order[due]]["arrival"]
                    continue
                if not all(r.completed for r in requests):
                    outcome = "stuck"
                break
            (batch,) = batches
            for request in batch.requests:
                if not request.is_prefill_complete:
                    starts[requests.index(request)].append(t)
            batch.on_schedule(t)
            rounds += 1
            t += 1
            if rounds > budget:
                raise RuntimeError(f"livelock: {rounds} batches")
    except (RuntimeError, AssertionError) as error:
        outcome = f"error: {error}"
    return {"outcome": outcome, "starts": starts, "preemptions": [r.num_restarts for r in requests],
            "completions": completions}


def instance_of(memory: int, requests: list[tuple[int, int, int]]) -> dict:
    return {"memory": memory, "requests": [{"id": f"r{k}", "arrival": a, "prompt": p, "output": o}
                                           for k, (a, p, o) in enumerate(requests)]}


def compact(instance: dict) -> dict:
    """The instance as written: request k is [arrival, prompt, output] with id "r{k}"."""
    return {"memory": instance["memory"],
            "requests": [[r["arrival"], r["prompt"], r["output"]] for r in instance["requests"]]}


def edge_cases() -> list[dict]:
    """Named instances, each exercising one rule of one scheduler (docs/policies-vs-sources.md)."""
    return [
        {"name": "ft-leak", "options": {"max_tokens": 3},
         "instance": instance_of(6, [(0, 1, 1), (0, 1, 2), (0, 1, 1), (0, 1, 1)])},
        {"name": "vllm-watermark", "options": {},
         "instance": instance_of(350, [(0, 100, 50), (1, 246, 3)])},
        {"name": "vllm-prefill-only", "options": {},
         "instance": instance_of(100, [(0, 10, 5), (2, 10, 3)])},
        {"name": "vllm-prompt-blocks", "options": {},
         "instance": instance_of(40, [(0, 10, 12), (0, 10, 12), (0, 5, 20)])},
        {"name": "vllm-idle-deadlock", "options": {"watermark": 0.1},
         "instance": instance_of(100, [(0, 95, 5), (1, 10, 2)])},
        {"name": "lightllm-lookahead", "options": {},
         "instance": instance_of(59, [(0, 10, 20), (0, 10, 20)])},
        {"name": "s-plus-o-is-m", "options": {},
         "instance": instance_of(50, [(0, 30, 20), (0, 5, 5)])},
        {"name": "lightllm-period", "options": {},
         "instance": instance_of(60, [(0, 10, 30), (1, 5, 3), (2, 5, 3)])},
        {"name": "single", "options": {}, "instance": instance_of(20, [(3, 5, 7)])},
        {"name": "outputs-one", "options": {}, "instance": instance_of(20, [(0, 4, 1)] * 6)},
        {"name": "preemption-storm", "options": {},
         "instance": instance_of(30, [(0, 3, 20), (0, 3, 20), (1, 3, 20), (1, 3, 15)])},
        {"name": "capped", "options": {"max_running": 2},
         "instance": instance_of(100, [(0, 5, 6), (0, 5, 4), (0, 5, 8), (1, 5, 2)])},
        {"name": "watermark-0.1", "options": {"watermark": 0.1},
         "instance": instance_of(55, [(0, 20, 10), (0, 24, 5), (0, 6, 4)])},
    ]


def random_instance(rng: random.Random, k: int) -> dict:
    n, memory = rng.randint(5, 40), rng.randint(20, 200)
    pattern = ("together", "poisson", "bursts", "spread")[k % 4]
    shares = rng.choice(((3, 2), (8, 6), (20, 15)))  # largest prompt and output as fractions of M
    time, requests = 0, []
    for i in range(n):
        if pattern == "poisson":
            time += int(rng.expovariate(1 / rng.choice((0.5, 1, 3))))
        elif pattern == "bursts":
            time = 10 * (i * 4 // n) * rng.randint(1, 3)
        elif pattern == "spread":
            time = rng.randint(0, 2 * n)
        prompt = rng.randint(1, max(1, memory // shares[0]))
        requests.append((time, prompt, rng.randint(1, max(1, min(memory // shares[1], memory - prompt)))))
    options = {}
    if rng.random() < 0.2:
        options["max_running"] = rng.randint(1, 8)
    if rng.random() < 0.2:
        options["watermark"] = rng.choice((0.0, 0.05, 0.1, 0.25))
    if rng.random() < 0.2:
        options["max_tokens"] = min(memory, max(p + o for _, p, o in requests) + rng.randint(0, 20))
    return {"name": f"random-{k}-{pattern}", "options": options, "instance": instance_of(memory, requests)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vidur", required=True, help="directory holding Vidur's vidur package (7d47513)")
    parser.add_argument("--random", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--out", default=str(HERE / "vidur_unit_rounds.json"))
    args = parser.parse_args(argv)
    vidur = load_vidur(args.vidur)
    rng = random.Random(args.seed)
    cases = edge_cases() + [random_instance(rng, k) for k in range(args.random)]
    for case in cases:
        case["vidur"] = {policy: drive(vidur, policy, case["instance"], case["options"]) for policy in POLICIES}
        case["instance"] = compact(case["instance"])
    golden = {"source": "microsoft/vidur 7d47513, unit rounds (tests/golden/make_vidur_golden.py)",
              "command": f"python tests/golden/make_vidur_golden.py --vidur PATH --random {args.random} "
                         f"--seed {args.seed}", "cases": cases}
    Path(args.out).write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    outcomes = {p: sum(c["vidur"][p]["outcome"] == "done" for c in cases) for p in POLICIES}
    print(f"{len(cases)} instances -> {args.out}; completed by Vidur: {outcomes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
