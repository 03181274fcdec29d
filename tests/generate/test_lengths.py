"""LMSYS length distributions: the paper's four statistics, sampling, and the fit script."""

import math
import subprocess
import sys

import numpy as np
import pytest

from kvopt.errors import InputError
from kvopt.generate.lengths import LogNormalLengths, lmsys_lengths, trace_lengths
from conftest import ROOT, shared_file

PAPER = {"prompt": (40.62, 11), "output": (85.32, 45)}  # arXiv 2502.07115 v5: mean / median, words as tokens


def test_exact_statistics_are_the_papers():
    for (name, (mean, median)), distribution in zip(PAPER.items(), lmsys_lengths()):
        lengths, pmf = distribution.pmf()
        assert pmf.sum() == pytest.approx(1.0) and lengths[0] == 1 and lengths[-1] == distribution.max_length
        assert distribution.mean() == pytest.approx(mean, abs=1e-6), name
        assert distribution.median() == median, name


def test_sampled_statistics_within_sampling_error():
    """A 20,000-request sample: the mean within 4 standard errors (sd / sqrt(n)) of the paper's mean,
    the median in the range the exact CDF allows at +-4 standard errors of the 50% point."""
    n = 20_000
    rng = np.random.default_rng(2024)
    for (name, (mean, _)), distribution in zip(PAPER.items(), lmsys_lengths()):
        sample = distribution.sample(rng, n)
        assert sample.min() >= 1 and sample.max() <= distribution.max_length
        assert abs(sample.mean() - mean) <= 4 * distribution.std() / math.sqrt(n), name
        lengths, pmf = distribution.pmf()
        cdf = np.cumsum(pmf)
        slack = 4 * math.sqrt(0.25 / n)
        low, high = lengths[np.searchsorted(cdf, 0.5 - slack)], lengths[np.searchsorted(cdf, 0.5 + slack)]
        assert low <= np.median(sample) <= high, (name, low, np.median(sample), high)


def test_sampling_is_deterministic_and_respects_the_cap():
    distribution = LogNormalLengths(5.0, 2.0, 50)   # most draws exceed the cap and are redrawn
    first = distribution.sample(np.random.default_rng(1), 1000)
    assert np.array_equal(first, distribution.sample(np.random.default_rng(1), 1000))
    assert first.max() <= 50 and first.min() >= 1
    with pytest.raises(InputError):
        LogNormalLengths(1.0, 0.0, 10)


def test_trace_lengths(tmp_path):
    trace = tmp_path / "words.csv"
    trace.write_text("question_length,answer_length\n3,4\n0,5\n7,8\n9,10\n200,1\n")
    prompts, outputs, metadata = trace_lengths(trace, 100, 3, np.random.default_rng(0))
    assert sorted(zip(prompts.tolist(), outputs.tolist())) == [(3, 4), (7, 8), (9, 10)]
    assert metadata["trace_rows_dropped"] == {"nonpositive": 1, "too_large": 1}
    with pytest.raises(InputError, match="only 3 usable rows"):
        trace_lengths(trace, 100, 4, np.random.default_rng(0))


def test_committed_parameters_are_the_fit():
    data = shared_file("lmsys_chat_1m_word_lengths_lt257.csv").parent
    result = subprocess.run([sys.executable, "calibration/fit_lmsys_lengths.py", "--data", str(data), "--check"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
