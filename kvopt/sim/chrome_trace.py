"""A simulation as a Chrome trace (the Trace Event Format that chrome://tracing and ui.perfetto.dev
read; Vidur writes one): every executed run of every request as a slice, evictions and restarts as
instant events, and memory and queue length per batch as counters.

Times are the simulation's clock in microseconds (unit rounds: one round is one second). Runs are laid
on lanes (threads of the "worker" process) so that slices on one lane never overlap: a run takes the
free lane of lowest number. A request's slices carry its id, so searching for it in the viewer shows all
its runs. The file is written event by event (`write_chrome_trace`), never held whole in memory.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from kvopt.schedule import Run

WORKER, REQUESTS = 1, 2


def _runs(simulation) -> Iterator[tuple[int, str, tuple[Run, ...]]]:
    requests, runs = simulation.instance.requests, simulation.schedule.runs
    starts = simulation.schedule.starts
    for index, request in enumerate(requests):
        yield index, request.id, runs.get(request.id) or (Run(starts[request.id], request.output),)


def trace_events(simulation) -> Iterator[dict[str, Any]]:
    """The trace's events, in order of the runs' starts within each kind."""
    table = simulation.round_table
    periods, ends, seconds = table["period"], table["clock"], table["seconds"]
    begin = ends - seconds

    def at(period: int) -> int:
        return int(np.searchsorted(periods, period))

    yield {"ph": "M", "pid": WORKER, "name": "process_name", "args": {"name": f"worker (M = {simulation.instance.memory})"}}
    name = simulation.policy.get("policy", "policy")
    yield {"ph": "M", "pid": WORKER, "name": "process_labels", "args": {"labels": f"policy {name}"}}
    for row in range(periods.size):
        ts = round(float(begin[row]) * 1e6, 3)
        yield {"ph": "C", "pid": WORKER, "name": "memory", "ts": ts, "args": {"KV tokens": int(table["memory"][row])}}
        yield {"ph": "C", "pid": WORKER, "name": "queue", "ts": ts, "args": {"waiting": int(table["waiting"][row])}}
    all_runs = sorted((run.start, index, rid, number, runs)
                      for index, rid, runs in _runs(simulation) for number, run in enumerate(runs))
    free: list[int] = []
    busy: list[tuple[int, int]] = []  # (period the run ends, lane)
    lanes = 0
    prompts = [r.prompt for r in simulation.instance.requests]
    for start, index, rid, number, runs in all_runs:
        run, count = runs[number], len(runs)
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane, lanes = lanes, lanes + 1
            yield {"ph": "M", "pid": WORKER, "tid": lane, "name": "thread_name", "args": {"name": f"lane {lane}"}}
        heapq.heappush(busy, (run.start + run.tokens, lane))
        first, last = at(run.start), at(run.start + run.tokens - 1)
        ts, end = round(float(begin[first]) * 1e6, 3), round(float(ends[last]) * 1e6, 3)
        evicted = number < count - 1
        args = {"request": rid, "prompt": prompts[index], "kept": run.kept, "tokens": run.tokens,
                "run": number + 1, "of": count}
        yield {"ph": "X", "pid": WORKER, "tid": lane, "name": rid, "cat": "evicted run" if evicted else "run",
               "ts": ts, "dur": round(end - ts, 3), "args": args}
        if number:
            kind = "recompute" if run.kept else "restart"
            yield {"ph": "i", "s": "t", "pid": WORKER, "tid": lane, "name": f"{kind} {rid}", "cat": kind,
                   "ts": ts, "args": {"request": rid, "kept": run.kept}}
        if evicted:
            yield {"ph": "i", "s": "t", "pid": WORKER, "tid": lane, "name": f"evict {rid}", "cat": "evict",
                   "ts": end, "args": {"request": rid, "tokens": run.tokens,
                                       "tokens_lost": 0 if runs[number + 1].kept else run.kept + run.tokens}}


def write_chrome_trace(path: Path, simulation) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"displayTimeUnit": "ms", "traceEvents": [\n')
        first = True
        for event in trace_events(simulation):
            out.write(("" if first else ",\n") + json.dumps(event, separators=(",", ":")))
            first = False
        out.write("\n]}\n")
