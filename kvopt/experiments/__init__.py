"""The paper's experiments as functions (the notebooks in notebooks/ call these and plot; tests/experiments/
checks them on small sizes).

  synthetic     MC-SF against the certified optimum on the paper's synthetic instances (paper.md §6.1);
  real_trace    MC-SF against MC-Benchmark and the α/β baselines on A100-derived traces (paper.md §6.2);
  structured    greedy counterexamples, the fat/thin family and the adaptive adversary (paper.md §4.6, §5);
  paper         the paper's published figures, as quoted in paper.md, for side-by-side tables.
"""

from kvopt.experiments.common import available, full_size

__all__ = ["available", "full_size"]
