"""A_min: optimistic lower ends, refined online, fewest-generated-first eviction (2508.14544)."""

from kvopt import Instance, Request
from kvopt.policies import make_policy
from kvopt.predictions import exact_predictions, interval_predictions
from kvopt.sim import DecisionTrace, simulate

INSTANCE = Instance(40, tuple(Request(f"r{k}", k // 2, 1 + k % 4, 2 + (k * 7) % 20) for k in range(30)))


def test_with_exact_intervals_it_is_mcsf():
    exact = exact_predictions(INSTANCE)
    simulation = simulate(exact, make_policy("amin"))
    assert simulation.report.evictions == 0
    assert dict(simulation.schedule.starts) == dict(simulate(INSTANCE, make_policy("mcsf")).schedule.starts)


def test_wide_intervals_evict_the_least_advanced_run_and_restart_it():
    wide = interval_predictions(INSTANCE, 0.2, seed=1)
    trace = DecisionTrace()
    simulation = simulate(wide, make_policy("amin"), observers=[trace])
    assert (simulation.eviction, simulation.victim) == ("restart", "fewest-generated")
    assert simulation.report.feasible and simulation.report.evictions > 0
    evicted = [e for e in trace.events if e["event"] == "evict"]
    assert all(e["tokens_lost"] == e["tokens"] for e in evicted)  # restart: the run's tokens are lost
    # an evicted request's estimate is raised above what it generated: it is re-admitted later with it
    assert simulation.requests["evictions"].max() >= 1
