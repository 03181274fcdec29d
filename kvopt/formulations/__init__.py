"""Exact formulations of the KV-cache scheduling problem and their solvers (one document per model in
formulations/ at the repository root).

- timeindexed: the time-indexed IP of arXiv 2502.07115 v5 as sparse arrays (builder-independent), with the
  exact reductions of formulations/time-indexed-ip.md; sizes: the size formulas the documents cite.
- cuts: peak-level clique cuts and their separation.
- highs_solver / pyomo_model: solving the IP with HiGHS directly (default) or through Pyomo.
- cpsat: CP-SAT encodings (unit intervals in a cumulative, reservoir, time-indexed booleans).
- export: MPS/LP files for other solvers (`model_for_export`) and reading their solutions back.
- pipeline: what ip, lp, cpsat and export share: options, incumbent (the initial schedule or a
  kvopt.heuristics list schedule) and horizon, the size-guarded build, the strengthened root LP.
- rounding: schedules from model solutions (overflow columns completed, LP rounding).
- methods: the registered methods `ip`, `cpsat` and `lp`.

Solver libraries (highspy, scipy, pyomo, ortools) are imported inside functions only.
"""
