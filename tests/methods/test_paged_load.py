"""kvopt.heuristics.PagedLoad (the load of list scheduling): the same as a dense per-round array for
windows and additions across page boundaries."""

import numpy as np
import pytest

from kvopt.heuristics import PagedLoad


@pytest.mark.parametrize("seed", range(5))
def test_paged_load_matches_a_dense_array(seed):
    rng = np.random.default_rng(seed)
    size = 3 * PagedLoad.PAGE + 17
    dense, paged = np.zeros(size, np.int64), PagedLoad()
    for _ in range(200):
        first = int(rng.integers(0, size - 600))
        values = rng.integers(0, 9, int(rng.integers(1, 600)))
        dense[first: first + values.size] += values
        paged.add(first, values)
        lo = int(rng.integers(0, size - 700))
        length = int(rng.integers(1, 700))
        assert paged.window(lo, length).tolist() == dense[lo: lo + length].tolist()
    assert len(paged.pages) <= 4
