"""Fit the Llama-2-70B-on-A100 batch-time model (kvopt.hardware.a100) to Vidur's measured profiles.

Reads ../shared/data/a100_llama2_70b_mlp_profile.csv (per-operator GPU times of the linear layers by batch
tokens n and tensor-parallel degree) and ../shared/data/a100_pairwise_nvlink_all_reduce.csv (all-reduce
times by message size), both from microsoft/vidur (MIT; $KVOPT_SHARED_DATA or --data names another
folder), and writes the coefficients to
kvopt/hardware/a100_fit.py. The data stay outside the repository; the model works from the constants.

Linear part, per layer, per TP degree: the median times of the operators Vidur sums for a transformer
block (input and post-attention norms, QKV and output projections, rope, MLP up/act/down, residual add)
are fitted by non-negative least squares, weighted to minimise relative error, as
    t(n) = c0 + c1 * n + c2 * ceil(n / 128)        (ms; the ceil term is the GEMM tile staircase).
All-reduce, per number of GPUs: t(bytes) = max(floor, a + b * bytes), least squares on relative error, on
messages up to 8,192 tokens (2^27 bytes).
Run: PYTHONPATH=. python calibration/fit_a100_timing.py [--data DIR] [--check]
(--check compares the fit with the committed constants instead of writing them.)
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from generated import ROOT, run

TARGET = ROOT / "kvopt" / "hardware" / "a100_fit.py"
MLP_FILE = "a100_llama2_70b_mlp_profile.csv"
ALL_REDUCE_FILE = "a100_pairwise_nvlink_all_reduce.csv"
OPERATORS = ("input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj", "post_attention_layernorm",
             "mlp_up_proj", "mlp_act", "mlp_down_proj", "add")
HIDDEN = 8192
MAX_FIT_BYTES = 8192 * HIDDEN * 2


def linear_profile(data: Path) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """TP degree -> (batch tokens, per-layer ms of the linear operators, median of the repetitions)."""
    with open(data / MLP_FILE, newline="") as handle:
        rows = list(csv.DictReader(handle))
    profile = {}
    for tp in sorted({int(r["num_tensor_parallel_workers"]) for r in rows}):
        chosen = sorted((r for r in rows if int(r["num_tensor_parallel_workers"]) == tp),
                        key=lambda r: int(r["num_tokens"]))
        tokens = np.array([int(r["num_tokens"]) for r in chosen], float)
        ms = np.array([sum(float(r[f"time_stats.{op}.median"]) for op in OPERATORS) for r in chosen])
        profile[tp] = (tokens, ms)
    return profile


def all_reduce_profile(data: Path) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Number of GPUs -> (message bytes, ms), rank 0, messages up to MAX_FIT_BYTES."""
    with open(data / ALL_REDUCE_FILE, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["collective"] == "all_reduce" and r["rank"] == "0"]
    profile = {}
    for gpus in sorted({int(r["num_workers"]) for r in rows}):
        chosen = sorted((r for r in rows if int(r["num_workers"]) == gpus and int(r["size"]) <= MAX_FIT_BYTES),
                        key=lambda r: int(r["size"]))
        profile[gpus] = (np.array([int(r["size"]) for r in chosen], float),
                         np.array([float(r["time_stats.all_reduce.median"]) for r in chosen]))
    return profile


def linear_features(tokens: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(tokens), tokens, np.ceil(tokens / 128)], axis=1)


def fit_linear(tokens: np.ndarray, ms: np.ndarray) -> tuple[float, float, float]:
    from scipy.optimize import nnls
    weights = 1 / ms
    coefficients, _ = nnls(linear_features(tokens) * weights[:, None], ms * weights)
    return tuple(float(c) for c in coefficients)


def fit_all_reduce(size: np.ndarray, ms: np.ndarray) -> tuple[float, float, float]:
    from scipy.optimize import least_squares

    def relative(p):
        return np.maximum(p[0], p[1] + p[2] * size) / ms - 1
    start = [float(np.median(ms[size < 4e6])), 0.0, float(ms[-1] / size[-1])]
    fit = least_squares(relative, start, bounds=([0, 0, 0], [np.inf, np.inf, np.inf]), loss="soft_l1")
    return tuple(float(p) for p in fit.x)


def errors(predicted: np.ndarray, measured: np.ndarray) -> dict[str, float]:
    relative = np.abs(predicted / measured - 1)
    return {"median_rel_error": round(float(np.median(relative)), 4),
            "max_abs_error_ms": round(float(np.abs(predicted - measured).max()), 4),
            "p90_rel_error": round(float(np.percentile(relative, 90)), 4),
            "max_rel_error": round(float(relative.max()), 4), "points": int(measured.size)}


def fit(data: Path) -> dict:
    linear, all_reduce, report = {}, {}, {}
    for tp, (tokens, ms) in linear_profile(data).items():
        linear[tp] = tuple(round(c, 8) for c in fit_linear(tokens, ms))
        report[f"linear_tp{tp}"] = errors(linear_features(tokens) @ np.array(linear[tp]), ms)
    reduce_profile = all_reduce_profile(data)
    for gpus, (size, ms) in reduce_profile.items():
        all_reduce[gpus] = tuple(float(f"{p:.6g}") for p in fit_all_reduce(size, ms))
        floor, intercept, slope = all_reduce[gpus]
        report[f"all_reduce_{gpus}gpus"] = errors(np.maximum(floor, intercept + slope * size), ms)
    # Whole layer without attention (linear operators + two all-reduces), where both were measured.
    for tp, (tokens, ms) in linear_profile(data).items():
        if tp not in reduce_profile:
            continue
        size, reduce_ms = reduce_profile[tp]
        measured_reduce = dict(zip(size, reduce_ms))
        both = np.array([n * HIDDEN * 2 in measured_reduce for n in tokens])
        measured = ms[both] + 2 * np.array([measured_reduce[n * HIDDEN * 2] for n in tokens[both]])
        floor, intercept, slope = all_reduce[tp]
        predicted = (linear_features(tokens[both]) @ np.array(linear[tp])
                     + 2 * np.maximum(floor, intercept + slope * tokens[both] * HIDDEN * 2))
        report[f"layer_tp{tp}"] = errors(predicted, measured)
    return {"LINEAR_MS": linear, "ALL_REDUCE_MS": all_reduce, "FIT_REPORT": report}


DOCSTRING = ["Coefficients of the Llama-2-70B-on-A100 batch-time model (kvopt.hardware.a100).",
             "",
             "Generated by calibration/fit_a100_timing.py from microsoft/vidur's A100 profiles; do not edit.",
             "LINEAR_MS[tp] = (c0, c1, c2): per-layer ms of the linear operators, c0 + c1*n + c2*ceil(n/128).",
             "ALL_REDUCE_MS[gpus] = (floor, a, b): ms of one all-reduce of B bytes, max(floor, a + b*B).",
             "FIT_REPORT: relative errors of the fit on the profile points."]


def show(result: dict) -> None:
    for name, figures in result["FIT_REPORT"].items():
        print(f"{name:>18}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


if __name__ == "__main__":
    run(__doc__.splitlines()[0], fit, TARGET, DOCSTRING, show)
