"""The pattern relaxation: a Lagrangian bound over memory-feasible multi-schedules, priced by an exact
dynamic program (formulations/pattern-relaxation.md). The registered method `pattern` is in
kvopt.patterns.method."""
