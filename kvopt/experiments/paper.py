"""The MC-SF paper's published figures (arXiv 2502.07115 v5, as secondary sources
that read the full paper quote them), kept in one place so that the notebooks print them next to kvopt's own figures."""

from __future__ import annotations

#: Synthetic experiments: MC-SF / hindsight optimum (IP solved by Gurobi), 200 instances per arrival model.
SYNTHETIC = {
    1: {"instances": 200, "mean": 1.005, "best": 1.000, "worst": 1.074, "optimal": 114},
    2: {"instances": 200, "mean": 1.047, "best": 1.000, "worst": 1.227, "optimal": None},  # not published
}

#: Real-data experiments: the real-trace simulation (LMSYS-Chat-1M subset, Llama-2-70B on two A100s via Vidur).
REAL_TRACE = {
    "requests": 10_000,
    "memory": 16_492,
    "rates": (50.0, 10.0),  # requests per second: high and low demand
    "mcsf_mean_latency": 32.11,  # argminai dashboard; unit unclear
    "benchmark_mean_latency": 46.47,
    "latency_reduction": 0.31,  # MC-SF below the memory-aware benchmark, about 31%
    # latency growth ("slope"): MC-SF vs benchmark; what it is taken over is not published
    "latency_slopes": {50.0: (1 / 6, 1 / 2), 10.0: (1 / 800, 1 / 100)},
    "smallest_overflow_free_alpha": {50.0: 0.21, 10.0: 0.24},
    "alphas": (0.3, 0.25, 0.2, 0.1),
    "betas": (0.2, 0.1),
    "prediction_errors": (0.2, 0.5, 0.8),
    "prediction_reserve": 0.1,
}

#: The fat/thin family (after arXiv 2508.06133), exact optimum vs MC-SF (an exact DP).
FAT_THIN = {12: {"optimum": 20, "mcsf": 26}, 16: {"optimum": 28, "mcsf": 40}}
