"""Profile operations of the exact search against their definitions, round by round."""

from __future__ import annotations

import numpy as np

from kvopt.exact.profile import add_request, advance, earliest_offset, fits


def naive_fits(profile, prompt, output, memory, offset):
    return all((profile[j] if j < len(profile) else 0) + (j - offset) + prompt + 1 <= memory
               for j in range(offset, offset + output))


def random_profile(rng, memory):
    profile, ends = (), ()
    for _ in range(int(rng.integers(0, 4))):
        prompt = int(rng.integers(1, 4))
        output = int(rng.integers(1, min(8, memory - prompt) + 1))
        delay = int(rng.integers(0, 4))
        profile, ends = advance(profile, ends, delay) if delay else (profile, ends)
        if fits(profile, ends, prompt, output, memory):
            profile, ends = add_request(profile, ends, tuple(range(prompt + 1, prompt + output + 1)))
    return profile, ends


def test_fits_and_earliest_offset_match_the_definition():
    rng = np.random.default_rng(3)
    for _ in range(400):
        memory = int(rng.integers(8, 30))
        profile, ends = random_profile(rng, memory)
        assert max(profile, default=0) <= memory
        prompt = int(rng.integers(1, 4))
        output = int(rng.integers(1, memory - prompt + 1))
        for offset in range(0, len(profile) + 2):
            assert fits(profile, ends, prompt, output, memory, offset) == \
                naive_fits(profile, prompt, output, memory, offset)
        first = int(rng.integers(0, 4))
        expected = next(d for d in range(first, first + len(profile) + 2)
                        if naive_fits(profile, prompt, output, memory, d))
        assert earliest_offset(profile, ends, prompt, output, memory, first) == expected


def test_add_and_advance_track_completion_positions():
    profile, ends = add_request((), (), (2, 3, 4))          # s = 1, o = 3
    profile, ends = add_request(profile, ends, (3, 4))       # s = 2, o = 2
    assert profile == (5, 7, 4) and ends == (1, 2)
    assert advance(profile, ends, 2) == ((4,), (0,))
