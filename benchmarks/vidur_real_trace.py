"""Notebook 02's headline (MC-SF's mean latency against MC-Benchmark) with Vidur-faithful baselines.

    python benchmarks/vidur_real_trace.py [--requests 2000] [--seed 0]

fidelity=vidur replays in unit rounds, so the A100 traces of notebook 02 (kvopt.generate.a100_trace, the
paper's two rates) are put in rounds first: R = MC-SF's executed batches per second of its clock-mode run
(kvopt.clock.in_rounds), then every policy runs in unit rounds on that round instance. Mean latency in
rounds; the vidur-mode contender is MC-Benchmark as Vidur runs it (its LightLLM scheduler).
"""

from __future__ import annotations

import argparse
import time

from kvopt.clock import in_rounds
from kvopt.experiments.paper import REAL_TRACE
from kvopt.generate import a100_trace
from kvopt.instance import Instance
from kvopt.policies import make_policy
from kvopt.policies.vidur_replica import replay_policy
from kvopt.sim.run import simulate

CONTENDERS = (("mcsf", {"lengths": "exact"}), ("mc-benchmark", {"lengths": "exact"}),
              ("mc-benchmark", {"fidelity": "vidur"}), ("vllm", {}), ("vllm", {"fidelity": "vidur"}))


def mean_latency(instance: Instance, name: str, options: dict) -> float:
    policy = make_policy(name, options)
    if options.get("fidelity", "native") != "native":
        replay = replay_policy(instance, policy)
        if replay.outcome != "done":
            return float("nan")
        return replay.total_latency / len(instance.requests)
    return simulate(instance, policy).objective / len(instance.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("| rate (req/s) | rounds/s | " + " | ".join(f"{n} {o.get('fidelity', 'native')}" for n, o in CONTENDERS)
          + " | MC-SF below MC-Benchmark: native, vidur |")
    print("|---|---:|" + "---:|" * (len(CONTENDERS) + 1))
    for rate in REAL_TRACE["rates"]:
        trace = a100_trace(rate, args.requests, seed=args.seed)
        clocked = simulate(trace, make_policy("mcsf", {"lengths": "exact"}))
        per_second = len(clocked.round_table["period"]) / float(clocked.round_table["clock"][-1])
        rounds = in_rounds(trace, per_second)
        unit = Instance(rounds.memory, rounds.requests, name=rounds.name)
        means = [mean_latency(unit, name, options) for name, options in CONTENDERS]
        cut = [1 - means[0] / means[1], 1 - means[0] / means[2]]
        print(f"| {rate:g} | {per_second:.2f} | " + " | ".join(f"{m:.1f}" for m in means)
              + f" | {100 * cut[0]:.1f}%, {100 * cut[1]:.1f}% |", flush=True)


if __name__ == "__main__":
    clock = time.perf_counter()
    main()
    print(f"({time.perf_counter() - clock:.0f} s)")
