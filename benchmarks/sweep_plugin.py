"""A method for benchmarks/bench_sweep.py: fcfs after importing pyomo.environ, a library that takes about a
second to import, to measure that a worker imports it once rather than once per job."""

from kvopt.heuristics import fcfs_starts
from kvopt.method import Outcome, register
from kvopt.result import Status
from kvopt.schedule import Schedule


@register("bench-import-pyomo", kind="heuristic", summary="benchmark only: fcfs after importing pyomo.environ")
def fcfs_after_pyomo_import(instance, settings):
    import pyomo.environ  # noqa: F401
    return Outcome(Schedule(fcfs_starts(instance)), Status.FEASIBLE)
