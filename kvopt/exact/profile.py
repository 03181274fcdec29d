"""Future memory profiles of the running requests.

At decision time t a profile is a tuple P with P[j] = memory held in round t + 1 + j by the requests
already started (no further starts); it ends with the last completion. `ends` lists the positions j at
which a started request holds memory for the last time (its completion round t + 1 + j), sorted.
Starting a request (s, o) at t adds s + 1 + j to P[j] for j < o and adds o - 1 to `ends`. Advancing to
t + d drops the first d entries of P and shifts `ends` by d.

Future-peak check (formulations/exact-solver.md, Lemma 1): between two consecutive completions the
active set is fixed and every active request grows by one per round, so P[j] + j increases strictly
there. A request (s, o) fits at offset d iff P[j] + (j - d) + s + 1 <= M for all j in [d, d + o); the
left side is largest at a completion position or at the window's end, so only those are checked.
"""

from __future__ import annotations

from bisect import insort


def add_request(profile: tuple[int, ...], ends: tuple[int, ...], ramp: tuple[int, ...]
                ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Profile and ends after starting now a request whose memory per round is `ramp` (s+1, ..., s+o)."""
    n, m = len(profile), len(ramp)
    if n >= m:
        profile = tuple([profile[j] + ramp[j] for j in range(m)]) + profile[m:]
    else:
        profile = tuple([profile[j] + ramp[j] for j in range(n)]) + ramp[n:]
    if m - 1 in ends:
        return profile, ends
    ends = list(ends)
    insort(ends, m - 1)
    return profile, tuple(ends)


def advance(profile: tuple[int, ...], ends: tuple[int, ...], step: int
            ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Profile and ends `step` periods later (no starts in between)."""
    return profile[step:], tuple([e - step for e in ends if e >= step])


def _violation(profile, ends, limit, offset, output) -> int:
    """A position j in [offset, offset + output) with profile[j] + j > limit, or -1."""
    last = min(len(profile), offset + output) - 1
    if last < offset:
        return -1
    if profile[last] + last > limit:
        return last
    for j in ends:
        if j > last:
            break
        if j >= offset and profile[j] + j > limit:
            return j
    return -1


def fits(profile: tuple[int, ...], ends: tuple[int, ...], prompt: int, output: int, memory: int,
         offset: int = 0) -> bool:
    """Can a request (prompt, output) start `offset` periods from now on top of `profile`?"""
    return _violation(profile, ends, memory - prompt - 1 + offset, offset, output) < 0


def earliest_offset(profile: tuple[int, ...], ends: tuple[int, ...], prompt: int, output: int, memory: int,
                    offset: int = 0) -> int:
    """The smallest d >= offset at which a request (prompt, output) fits on `profile` alone."""
    size = len(profile)
    base = memory - prompt - 1
    while offset < size:
        blocked = _violation(profile, ends, base + offset, offset, output)
        if blocked < 0:
            return offset
        # every start d' <= blocked with profile[blocked] + blocked > base + d' is blocked there too
        offset = max(offset + 1, min(blocked + 1, profile[blocked] + blocked - base))
    return offset
