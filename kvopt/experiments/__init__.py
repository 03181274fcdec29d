"""The paper's experiments as functions (the notebooks in notebooks/ call these and plot; tests/experiments/
checks them on small sizes).

  synthetic     MC-SF against the certified optimum on the paper's synthetic instances (arXiv 2502.07115);
  real_trace    MC-SF against MC-Benchmark and the α/β baselines on A100-derived traces (arXiv 2502.07115);
  structured    greedy counterexamples, the fat/thin family and the adaptive adversary;
  paper         the paper's published figures, as secondary sources quote them, for side-by-side tables.
"""

from kvopt.experiments.common import available, full_size

__all__ = ["available", "full_size"]
