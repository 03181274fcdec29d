"""kvopt simulate INSTANCE --policy NAME: run an online policy in the round-based simulator.

The schedule it produces (starts, and the executed runs of evicted requests) is verified before anything
is printed; --out writes it, --metrics-out writes every metric with per-round and per-request arrays,
--trace-out writes the decision trace (starts, refusals with reasons, evictions) as JSON lines, and
--perfetto-out the run as a Chrome trace (kvopt/sim/chrome_trace.py). A run longer than two seconds
shows its progress on stderr (a terminal, or KVOPT_PROGRESS=1): rounds, requests finished, ETA.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from kvopt.clock import CLOCK_KEY
from kvopt.cli.arguments import add_option_argument, add_rule_arguments, with_rules
from kvopt.cli.energy import add_energy_argument, energy_line, headline, simulation_energy
from kvopt.cli.common import (EXIT_OK, add_instance_arguments, add_json_flag, guarded, load_instance,
                              parse_options, print_json)
from kvopt.cli.outputs import add_output, declare_input
from kvopt.cli.progress import Progress, terminal_progress
from kvopt.cli.values import seed
from kvopt.errors import InputError
from kvopt.io import write_json, write_schedule
from kvopt.io.json_files import load_json, parse_json
from kvopt.schedule import Schedule
from kvopt.sim.metrics import round_arrays

NAME = "simulate"
HELP = "run an online policy in the round-based simulator (see `kvopt methods --kind policy`)"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP)
    add_instance_arguments(parser)
    parser.add_argument("--policy", "-p", required=True, help="policy name (mcsf, mc-benchmark, vllm, ...)")
    add_option_argument(parser, "policy option, repeatable (listed by `kvopt methods --kind policy`)")
    add_rule_arguments(parser)
    parser.add_argument("--batch-time", metavar="SPEC",
                        help="batch-time model: a JSON file, inline JSON, or NAME[:KEY=VALUE,...] "
                             "(e.g. linear:base=0.02,per_kv_token=1e-6); default the instance's, else unit")
    declare_input(parser, "batch_time")
    add_energy_argument(parser)
    parser.add_argument("--predictions", metavar="MODEL",
                        help="add predictions first: point:EPS, over:ALPHA, interval:ALPHA or exact")
    parser.add_argument("--prediction-seed", type=seed, default=0, help="seed of --predictions (default 0)")
    add_output(parser, "--out", help="write the verified schedule (with runs of evicted requests)")
    add_output(parser, "--metrics-out", help="write all metrics, per-round and per-request arrays (JSON)")
    add_output(parser, "--trace-out", help="write the decision trace as JSON lines")
    add_output(parser, "--perfetto-out", help="write the run as a Chrome trace (JSON for ui.perfetto.dev or "
                                              "chrome://tracing): runs, evictions, restarts, memory")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def parse_batch_time(text: str | None) -> dict[str, Any] | None:
    """A batch-time spec from a file, inline JSON or NAME[:KEY=VALUE,...]."""
    if text is None:
        return None
    if text.lstrip().startswith("{"):
        spec = parse_json(text, "--batch-time")
    elif Path(text).is_file():
        spec = load_json(text)
    else:
        name, _, rest = text.partition(":")
        spec = {"model": name}
        for pair in filter(None, rest.split(",")):
            key, sep, value = pair.partition("=")
            if not sep:
                raise InputError(f"expected KEY=VALUE, got {pair!r}", "--batch-time")
            try:
                spec[key.strip()] = float(value)
            except ValueError:
                raise InputError(f"{key.strip()} must be a number, got {value!r}", "--batch-time") from None
    if not isinstance(spec, dict):
        raise InputError("a batch-time spec must be a JSON object", "--batch-time")
    from kvopt.timing import check_spec
    return check_spec(spec)


def _progress_lines(progress: Progress, total: int):
    """The engine's progress callback: one live line (period, rounds, requests finished, ETA), from two
    seconds into the run."""
    began = time.monotonic()

    def show(engine) -> None:
        elapsed = time.monotonic() - began
        if elapsed < 2.0:
            return
        done = engine.finished
        eta = f"ETA {elapsed * (total - done) / done:.0f} s" if done else "ETA unknown"
        progress.live(f"simulate {engine.policy.name}: period {engine.state.period:,}, {engine.rounds_done:,} "
                      f"rounds, {done:,} of {total:,} requests finished, {elapsed:.0f} s, {eta}")
    return show


def _headline(metrics: dict[str, Any]) -> dict[str, Any]:
    out = {key: value for key, value in metrics.items() if not key.startswith("throughput_windows")}
    if "energy" in out:
        out["energy"] = headline(out["energy"])
    return out


def run(args: argparse.Namespace) -> int:
    from kvopt.policies import make_policy
    from kvopt.predictions import apply_predictions
    from kvopt.sim import DecisionTrace, simulate

    instance = load_instance(args)
    if args.predictions:
        instance = apply_predictions(instance, args.predictions, args.prediction_seed)
    options = with_rules(args, parse_options(args.option))
    eviction, victim = options.pop("eviction", None), options.pop("victim", None)
    policy = make_policy(args.policy, options)
    if getattr(policy, "fidelity", "native") != "native":
        return _replay(args, instance, policy, eviction or victim)
    batch_time = parse_batch_time(args.batch_time)
    trace = DecisionTrace() if args.trace_out else None
    progress = terminal_progress()
    simulation = simulate(instance, policy, eviction=eviction, victim=victim, batch_time=batch_time,
                          observers=[trace] if trace else (),
                          progress=None if progress is None else _progress_lines(progress, len(instance)))
    if progress is not None:
        progress.clear()
    energy = simulation_energy(instance, simulation, args.energy)
    metrics = {**simulation.metrics, "energy": energy.summary()}
    summary = {"instance": instance.name, **simulation.policy, "lengths": simulation.lengths,
               "eviction": simulation.eviction, "victim": simulation.victim,
               "batch_time": simulation.batch_time, "verified": simulation.report.feasible,
               "objective": simulation.objective, "metrics": _headline(metrics)}
    if args.out:
        schedule = simulation.schedule
        clock = {CLOCK_KEY: simulation.clock.as_dict()} if simulation.clock else {}
        written = Schedule(schedule.starts, schedule.runs, {
            "instance": instance.name, "method": f"simulate {policy.name}", "objective": simulation.objective,
            "eviction": simulation.eviction, "victim": simulation.victim, **clock})
        args.outputs.add(args.out, lambda path: write_schedule(path, written))
    if args.metrics_out:
        requests = simulation.requests
        metrics_file = {
            **summary, "metrics": metrics,
            "rounds": {k: v.tolist() for k, v in round_arrays(simulation).items()},
            "requests": {"id": list(simulation.instance.ids),
                         **{k: [None if x != x else x for x in v.tolist()] for k, v in requests.items()},
                         "energy": energy.per_request.tolist()},
            "batches": energy.table(),
        }
        args.outputs.add(args.metrics_out, lambda path: write_json(path, metrics_file))
    if args.perfetto_out:
        from kvopt.sim.chrome_trace import write_chrome_trace
        args.outputs.add(args.perfetto_out, lambda path: write_chrome_trace(path, simulation))
    if trace is not None:
        args.outputs.add(args.trace_out, lambda path: path.write_text(
            "".join(json.dumps(event) + "\n" for event in trace.events), encoding="utf-8"))
    args.outputs.commit()
    if args.json:
        print_json(summary)
        return EXIT_OK
    _print_text(summary, metrics)
    return EXIT_OK


def _replay(args: argparse.Namespace, instance, policy, rules: bool) -> int:
    """fidelity=vidur: Vidur's scheduler replayed in unit rounds (kvopt.policies.vidur_replica); its record
    is not a kvopt schedule, so only --metrics-out and --json are served."""
    from kvopt.policies.vidur_replica import replay_policy

    refused = [flag for flag, given in (("--eviction/--victim", rules), ("--batch-time", args.batch_time),
                                        ("--out", args.out), ("--perfetto-out", args.perfetto_out),
                                        ("--trace-out", args.trace_out)) if given]
    if refused:
        raise InputError(f"{', '.join(refused)} not available with fidelity={policy.fidelity} (Vidur's scheduler "
                         "in unit rounds, its own preemption rule, no kvopt schedule)", f"policy {policy.name!r}")
    replay = replay_policy(instance, policy)
    summary = {"instance": instance.name, **policy.describe(), "outcome": replay.outcome,
               "objective": replay.total_latency, "rounds": replay.rounds,
               "preemptions": sum(replay.preemptions),
               "completed": sum(c is not None for c in replay.completions), "requests": len(replay.ids)}
    if args.metrics_out:
        args.outputs.add(args.metrics_out, lambda path: write_json(path, {**summary, "ids": list(replay.ids),
                                                                           **replay.as_dict()}))
    args.outputs.commit()
    if args.json:
        print_json(summary)
        return EXIT_OK
    print(f"policy: {policy.name} (fidelity {policy.fidelity}: Vidur's scheduler, unit rounds)")
    print(f"outcome: {replay.outcome}; {summary['completed']} of {summary['requests']} requests completed "
          f"in {replay.rounds} batches, {summary['preemptions']} preemptions")
    if replay.total_latency is not None:
        print(f"total latency: {replay.total_latency} rounds (mean {replay.total_latency / len(replay.ids):.3f})")
    return EXIT_OK


def _print_text(summary: dict[str, Any], metrics: dict[str, Any]) -> None:
    latency = metrics["latency_rounds"]
    print(f"policy: {summary['policy']} (lengths {summary['lengths']}; eviction {summary['eviction']}, "
          f"victim {summary['victim']})")
    print(f"verified: {'yes' if summary['verified'] else 'no'}")
    print(f"total latency: {metrics['objective']} rounds over {metrics['requests']} requests "
          f"(mean {latency['mean']:.3f}; p50 {latency['p50']:g}, p90 {latency['p90']:g}, "
          f"p99 {latency['p99']:g})")
    print(f"time to first token: mean {metrics['ttft_rounds']['mean']:.3f} rounds")
    if "latency_seconds" in metrics:
        seconds = metrics["latency_seconds"]
        print(f"latency in seconds: mean {seconds['mean']:.4f}; p50 {seconds['p50']:.4f}, p90 "
              f"{seconds['p90']:.4f}, p99 {seconds['p99']:.4f}; TTFT mean "
              f"{metrics['ttft_seconds']['mean']:.4f}; makespan {metrics['makespan_seconds']:.3f} s")
    usage = metrics["memory_utilisation"]
    print(f"makespan: {metrics['makespan_rounds']} rounds; memory utilisation mean {usage['mean']:.3f}, "
          f"max {usage['max']:.3f}")
    print(energy_line(metrics["energy"]))
    print(f"evictions: {metrics['evictions']} ({metrics['tokens_lost']} tokens lost, "
          f"{metrics['tokens_recomputed']} recomputed)")
    slope = metrics["queue"]["slope_per_round"]
    print(f"queue: mean {metrics['queue']['mean']:.2f}, max {metrics['queue']['max']}, slope "
          f"{'n/a' if slope is None else f'{slope:.4g}'} per round")
