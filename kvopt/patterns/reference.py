"""The pricing dynamic program in pure Python: the same algorithm as _pricing.c (its docstring), used where
the C extension is not built and by the tests, which check that both give the same values."""

from __future__ import annotations

import math
import time


def price(memory: int, arrival, prompt, output, copies, last, reduced, width: int = 0,
          max_states: int = 1_000_000, seconds: float | None = None, elementary=()):
    """(value, status, states, largest_round, starts): as kvopt.patterns._pricing.price."""
    n = len(arrival)
    length = max([1, *map(int, output)])

    def useful(k: int, t: int) -> bool:
        return arrival[k] <= t <= last[k] and t + reduced[k] < 0

    horizon = [min(int(last[k]), math.ceil(-reduced[k]) - 1) for k in range(n)]
    rounds = sorted({t for k in range(n) for t in range(int(arrival[k]), horizon[k] + 1) if useful(k, t)})
    deadline = None if not seconds else time.monotonic() + seconds
    once = set(elementary)  # classes that may start at most once: the state also holds those started
    current = {((0,) * length, frozenset()): (0.0, ())}  # (profile, started once-classes) -> (cost, starts)
    states, largest = 0, 1
    for position, t in enumerate(rounds):
        delta = (rounds[position + 1] if position + 1 < len(rounds) else t + length) - t
        entries = []  # (class, first copy?) in class order, one per copy that may start now
        for k in range(n):
            if useful(k, t):
                cap = min(int(copies[k]), memory // (int(prompt[k]) + 1))
                entries += [(k, c == 0) for c in range(cap)]
        following: dict[tuple, tuple] = {}

        def search(profile: list[int], started: frozenset, last_entry: int, cost: float, starts: tuple) -> None:
            nonlocal states
            states += 1
            key = (tuple(profile[delta:] + [0] * min(delta, length))[:length], started)
            if key not in following and len(following) >= max_states:
                raise OverflowError
            if key not in following or cost < following[key][0]:
                following[key] = (cost, starts)
            for e in range(last_entry + 1, len(entries)):
                k, first = entries[e]
                if not first and e != last_entry + 1 or k in started:
                    continue
                s, o = int(prompt[k]), int(output[k])
                if any(profile[j] + s + 1 + j > memory for j in range(o)):
                    continue
                child = [profile[j] + (s + 1 + j if j < o else 0) for j in range(length)]
                search(child, started | ({k} & once), e, cost + t + reduced[k], starts + ((k, t),))

        try:
            for (profile, started), (cost, starts) in current.items():
                search(list(profile), started, -1, cost, starts)
                if deadline is not None and time.monotonic() > deadline:
                    return 0.0, 2, states, largest, []
        except OverflowError:
            return 0.0, 1, states, largest, []
        if width > 0 and len(following) > width:
            following = dict(sorted(following.items(), key=lambda item: item[1][0])[:width])
        largest = max(largest, len(following))
        current = following
    cost, starts = min(current.values(), key=lambda value: value[0])
    return cost, 0, states, largest, list(reversed(starts))
