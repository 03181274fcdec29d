"""The paper-synthetic generator: ranges, determinism, and the bundled 20-instance sample."""

from pathlib import Path

import pytest

from kvopt import InputError, read_instance
from kvopt.generate import paper_synthetic, paper_synthetic_set

SAMPLE = Path(__file__).resolve().parents[2] / "instances" / "paper-sample"


@pytest.mark.parametrize("model", [1, 2])
def test_ranges(model):
    for instance in paper_synthetic_set(model, count=30, seed=3):
        assert 30 <= instance.memory <= 50
        for r in instance.requests:
            assert 1 <= r.prompt <= 5 and 1 <= r.output <= instance.memory - r.prompt
        if model == 1:
            assert 40 <= len(instance) <= 60 and {r.arrival for r in instance.requests} == {0}
        else:
            assert max(r.arrival for r in instance.requests) < instance.metadata["periods"] <= 60


def test_deterministic_per_seed_and_index():
    assert paper_synthetic(2, 5, 7) == paper_synthetic(2, 5, 7)
    assert paper_synthetic(2, 5, 7) != paper_synthetic(2, 5, 8)
    assert paper_synthetic(1, 0, 3) == paper_synthetic_set(1, count=4)[3]
    with pytest.raises(InputError):
        paper_synthetic(3)


def test_bundled_sample_is_regenerated_exactly():
    files = sorted(SAMPLE.glob("paper-m*.json"))
    assert len(files) == 20
    for path in files:
        stored = read_instance(path)
        model, seed, index = stored.metadata["model"], stored.metadata["seed"], stored.metadata["index"]
        assert stored == paper_synthetic(model, seed, index)
