"""Combinatorial exact methods: the best-first branch-and-bound `exact` (any instance) and the
pseudo-polynomial dynamic program `homogeneous-dp` (identical requests). See
formulations/exact-solver.md and formulations/exact-and-special-cases.md for the proofs."""
