"""Future memory profiles of the running requests.

At decision time t a profile is a tuple P with P[j] = memory held in round t + 1 + j by the requests
already started (no further starts); it ends with the last completion. Starting a request (s, o) at t
adds s + 1 + j to P[j] for j < o. Advancing to t + d drops the first d entries.

Future-peak check: the requests of P stay within M in every future round iff max P <= M. Between two
consecutive completions the active set is fixed and each active request grows by one per round, so P
is increasing there; its maxima are at completion rounds (formulations/exact-solver.md, Lemma 1).
"""

from __future__ import annotations


def add_request(profile: tuple[int, ...], ramp: tuple[int, ...]) -> tuple[int, ...]:
    """The profile after starting, at the current time, a request whose memory per round is `ramp`
    (s + 1, ..., s + o)."""
    n, m = len(profile), len(ramp)
    if n >= m:
        return tuple([profile[j] + ramp[j] for j in range(m)]) + profile[m:]
    return tuple([profile[j] + ramp[j] for j in range(n)]) + ramp[n:]


def fits(profile: tuple[int, ...], prompt: int, output: int, memory: int, offset: int = 0) -> bool:
    """Can a request (prompt, output) start `offset` periods from now on top of `profile`?"""
    limit = memory - prompt - 1 + offset          # need profile[k] + (k - offset) + prompt + 1 <= memory
    end = min(len(profile), offset + output)
    for k in range(offset, end):
        if profile[k] + k > limit:
            return False
    return True


def earliest_offset(profile: tuple[int, ...], prompt: int, output: int, memory: int, offset: int = 0) -> int:
    """The smallest d >= offset at which a request (prompt, output) fits on `profile` (alone)."""
    size = len(profile)
    need = prompt + 1 - memory
    while offset < size:
        end = min(size, offset + output)
        blocked = -1
        for k in range(offset, end):
            if profile[k] + k - offset + need > 0:
                blocked = k
                break
        if blocked < 0:
            return offset
        # a start d <= blocked is blocked at round `blocked` unless d >= profile[blocked] + blocked + need
        offset = max(offset + 1, min(blocked + 1, profile[blocked] + blocked + need))
    return offset
