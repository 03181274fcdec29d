"""A deliberately naive token-by-token simulation of a schedule, written only for the tests.

It shares no code with kvopt.verify: it replays the schedule round by round with Python dicts.
"""

from __future__ import annotations

from kvopt import Instance, Schedule


def memory_per_round(instance: Instance, schedule: Schedule) -> dict[int, int]:
    """Memory held in each round t >= 1 (rounds where nothing runs are absent)."""
    usage: dict[int, int] = {}
    for request in instance.requests:
        runs = schedule.runs.get(request.id)
        attempts = [(run.start, run.tokens, run.kept) for run in runs] if runs else \
            [(schedule.starts[request.id], request.output, 0)]
        for start, tokens, kept in attempts:
            held = request.prompt + kept
            for token in range(1, tokens + 1):   # the token-th token of this run is made in round start+token
                held += 1
                usage[start + token] = usage.get(start + token, 0) + held
    return usage


def total_latency(instance: Instance, schedule: Schedule) -> int:
    total = 0
    for request in instance.requests:
        runs = schedule.runs.get(request.id)
        end = runs[-1].start + runs[-1].tokens if runs else schedule.starts[request.id] + request.output
        total += end - request.arrival
    return total
