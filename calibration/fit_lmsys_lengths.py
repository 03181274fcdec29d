"""Fit the LMSYS-Chat-1M prompt and output length distributions used by `kvopt generate a100`.

The MC-SF paper's real-data experiment (arXiv 2502.07115 v5) used a 10,000-conversation LMSYS-Chat-1M subset,
counting words as tokens: prompt mean 40.62 / median 11, output mean 85.32 / median 45. The subset itself
is not public. The reference file ../shared/data/lmsys_chat_1m_word_lengths_lt257.csv (662,534
conversations, both lengths < 257 words; from Luoxiaogan/vidur_or, arXiv 2504.11320) is a different
selection (mean 42.8 / median 18 and 94.1 / 75), so it cannot supply the paper's distribution directly.
This script therefore

1. checks the distribution family on the file: a discretised log-normal, L = max(1, round(Y)),
   log Y ~ N(mu, sigma^2), truncated to the file's range 1..256, fitted by maximum likelihood to each
   column (zero-length rows dropped and counted); it reports the Kolmogorov-Smirnov distance and
   quantiles, and the prompt/output correlation that justifies sampling the two independently;
2. calibrates the same family to the paper's four statistics: mu = ln(median) and sigma solved so that
   the exact mean of the discretised distribution, truncated to 1..4096 (Llama-2's context length, so a
   request always fits in M = 16,492), equals the paper's mean;
3. writes the parameters and the report to kvopt/generate/lmsys_fit.py.

Run: PYTHONPATH=. python calibration/fit_lmsys_lengths.py [--data DIR] [--check]
(reads $KVOPT_SHARED_DATA or ../shared/data; --check compares with the committed file, writes nothing).
"""

from __future__ import annotations

import pprint
from pathlib import Path

import numpy as np

from generated import ROOT, run
from kvopt.generate.lengths import LogNormalLengths

TARGET = ROOT / "kvopt" / "generate" / "lmsys_fit.py"
FILE = "lmsys_chat_1m_word_lengths_lt257.csv"
PAPER = {"prompt": {"mean": 40.62, "median": 11}, "output": {"mean": 85.32, "median": 45}}
MAX_LENGTH = 4096
FILE_MAX = 256


def load(data: Path) -> tuple[np.ndarray, np.ndarray]:
    table = np.loadtxt(data / FILE, delimiter=",", skiprows=1, dtype=np.int64)
    return table[:, 0], table[:, 1]


def fit_to_file(lengths: np.ndarray) -> tuple[LogNormalLengths, dict]:
    from scipy.optimize import minimize
    counts = np.bincount(lengths[lengths > 0], minlength=FILE_MAX + 1)[1:]

    def negative_log_likelihood(theta):
        _, pmf = LogNormalLengths(theta[0], float(np.exp(theta[1])), FILE_MAX).pmf()
        return -float(counts @ np.log(pmf + 1e-300))
    start = [float(np.log(np.median(lengths))), 0.0]
    best = minimize(negative_log_likelihood, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-6})
    fitted = LogNormalLengths(float(best.x[0]), float(np.exp(best.x[1])), FILE_MAX)
    return fitted, compare(fitted, counts)


def compare(distribution: LogNormalLengths, counts: np.ndarray) -> dict:
    """KS distance and quantiles of `distribution` against the file's counts of lengths 1..256."""
    lengths, pmf = distribution.pmf()
    pmf = pmf[:FILE_MAX] / pmf[:FILE_MAX].sum()  # conditioned on the file's range
    data_cdf, model_cdf = np.cumsum(counts) / counts.sum(), np.cumsum(pmf)
    quantiles = {}
    for q in (0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
        quantiles[str(q)] = [int(lengths[np.searchsorted(cdf, q)]) for cdf in (data_cdf, model_cdf)]
    return {"ks_distance": round(float(np.abs(data_cdf - model_cdf).max()), 4),
            "quantiles_file_vs_model": quantiles,
            "file_mean": round(float(counts @ lengths[:FILE_MAX] / counts.sum()), 3),
            "model_mean_on_1_256": round(float(pmf @ lengths[:FILE_MAX]), 3)}


def calibrate(mean: float, median: int) -> LogNormalLengths:
    from scipy.optimize import brentq
    mu = float(np.log(median))
    sigma = brentq(lambda s: LogNormalLengths(mu, s, MAX_LENGTH).mean() - mean, 0.05, 5.0, xtol=1e-12)
    return LogNormalLengths(round(mu, 10), round(float(sigma), 10), MAX_LENGTH)


def fit(data: Path) -> dict:
    prompts, outputs = load(data)
    report = {"rows": int(prompts.size), "zero_prompt_rows": int((prompts == 0).sum()),
              "zero_output_rows": int((outputs == 0).sum()),
              "prompt_output_correlation": round(float(np.corrcoef(prompts, outputs)[0, 1]), 4)}
    parameters = {}
    for name, column in (("prompt", prompts), ("output", outputs)):
        fitted, shape = fit_to_file(column)
        report[f"{name}_file_fit"] = {"mu": round(fitted.mu, 4), "sigma": round(fitted.sigma, 4), **shape}
        calibrated = calibrate(**PAPER[name])
        parameters[name.upper()] = (calibrated.mu, calibrated.sigma)
        counts = np.bincount(column[column > 0], minlength=FILE_MAX + 1)[1:]
        report[f"{name}_calibrated"] = {
            "target_mean": PAPER[name]["mean"], "target_median": PAPER[name]["median"],
            "mean": round(calibrated.mean(), 4), "median": calibrated.median(),
            "std": round(calibrated.std(), 3),
            "p_above_256": round(float(calibrated.pmf()[1][FILE_MAX:].sum()), 4),
            "against_file_on_1_256": compare(calibrated, counts)}
    return {"MAX_LENGTH": MAX_LENGTH, **parameters, "FIT_REPORT": report}


DOCSTRING = ["LMSYS-Chat-1M length distributions for `kvopt generate a100` (words as tokens, arXiv 2502.07115 v5).",
             "",
             "Generated by calibration/fit_lmsys_lengths.py; do not edit. PROMPT and OUTPUT are (mu, sigma) of",
             "discretised log-normals L = max(1, round(Y)), log Y ~ N(mu, sigma^2), truncated to 1..MAX_LENGTH,",
             "calibrated to the paper's statistics (prompt mean 40.62 / median 11, output mean 85.32 /",
             "median 45).",
             "FIT_REPORT: the family's fit to the reference file and the calibrated distributions' statistics."]


if __name__ == "__main__":
    run(__doc__.splitlines()[0], fit, TARGET, DOCSTRING,
        lambda result: pprint.pprint(result, width=110, sort_dicts=False), sort=False)
