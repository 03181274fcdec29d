"""Exact formulations of the KV-cache scheduling problem and their solvers (one document per model in
formulations/ at the repository root).

- timeindexed: the time-indexed IP of paper.md §3 as sparse arrays (builder-independent), with the
  exact reductions of formulations/time-indexed-ip.md; sizes: the size formulas the documents cite.
- cuts: peak-level clique cuts and their separation.
- highs_solver / pyomo_model: solving the IP with HiGHS directly (default) or through Pyomo.
- cpsat: CP-SAT encodings (unit intervals in a cumulative, reservoir, time-indexed booleans).
- export: MPS/LP files for other solvers and reading their solutions back.
- incumbent: the best registered heuristic schedule (horizon, eliminations, warm start).
- methods: the registered methods `ip`, `cpsat` and `lp`.

Solver libraries (highspy, scipy, pyomo, ortools) are imported inside functions only.
"""
