"""solve(): the registry, option handling, verification of every method's output."""

import pytest

from kvopt import InputError, Instance, Request, Run, Schedule, SolveError, Status, solve
from kvopt.catalogue import all_methods
from kvopt.method import Option, Outcome
from kvopt.result import integer_bound


def test_fcfs_on_the_counterexample_is_the_greedy_27(greedy_counterexample):
    result = solve(greedy_counterexample, "fcfs")
    assert result.status is Status.FEASIBLE
    assert result.objective == 27 and result.lower_bound == 15
    assert dict(result.schedule.starts) == {"r0": 0, "r1": 0, "r2": 3, "r3": 3, "r4": 6}
    assert result.runtime_s >= 0


def test_fcfs_never_overtakes_and_respects_arrivals():
    instance = Instance(10, (Request("big", 0, 5, 5), Request("small", 1, 1, 1), Request("c", 0, 2, 2)))
    starts = solve(instance, "fcfs").schedule.starts
    order = ["big", "c", "small"]  # arrival order, ties by file order
    assert [starts[k] for k in order] == sorted(starts[k] for k in order)
    assert all(starts[r.id] >= r.arrival for r in instance.requests)


def test_a_lower_bound_equal_to_the_objective_proves_optimality():
    instance = Instance(10, (Request("a", 0, 1, 3), Request("b", 0, 1, 3)))
    result = solve(instance, "fcfs")
    assert result.objective == 6 and result.status is Status.OPTIMAL


def test_bound_method_returns_no_schedule(greedy_counterexample):
    result = solve(greedy_counterexample, "trivial")
    assert result.status is Status.BOUND and result.schedule is None and result.lower_bound == 15


def test_unknown_method_and_options_are_input_errors(greedy_counterexample):
    with pytest.raises(InputError, match="unknown method 'nope'"):
        solve(greedy_counterexample, "nope")
    with pytest.raises(InputError, match="unknown option"):
        solve(greedy_counterexample, "fcfs", colour="red")
    with pytest.raises(InputError, match="time limit must be positive"):
        solve(greedy_counterexample, "fcfs", time_limit=0)


def _broken(instance, settings):
    """Starts everything at 0."""
    return Outcome(Schedule({r.id: 0 for r in instance.requests}), Status.FEASIBLE)


def _liar(instance, settings):
    """Claims whatever objective its option says."""
    from kvopt.heuristics import fcfs_starts
    return Outcome(Schedule(fcfs_starts(instance)), Status.FEASIBLE,
                   claimed_objective=settings.options["claim"])


def _bad_bound(instance, settings):
    """A lower bound above its own objective."""
    from kvopt.heuristics import fcfs_starts
    return Outcome(Schedule(fcfs_starts(instance)), Status.FEASIBLE, lower_bound=10**9)


def test_infeasible_schedules_wrong_claims_and_wrong_bounds_raise(greedy_counterexample, temporary_methods):
    temporary_methods("test-broken", "heuristic", _broken)
    temporary_methods("test-liar", "heuristic", _liar, (Option("claim", int, 1, "objective to claim"),))
    temporary_methods("test-bad-bound", "heuristic", _bad_bound)
    with pytest.raises(SolveError, match="verifier rejects: round 1: memory 10 exceeds M = 9"):
        solve(greedy_counterexample, "test-broken")
    with pytest.raises(SolveError, match="claims objective 1 but the verifier computes 27"):
        solve(greedy_counterexample, "test-liar")
    assert solve(greedy_counterexample, "test-liar", claim="27").objective == 27
    with pytest.raises(SolveError, match="lower bound 1000000000 exceeds"):
        solve(greedy_counterexample, "test-bad-bound")


def test_option_parsing():
    option = Option("x", int, 3, "")
    assert option.parse("7", "m") == 7
    with pytest.raises(InputError, match="expected int"):
        option.parse("seven", "m")
    assert Option("f", bool, False, "").parse("yes", "m") is True
    assert Option("g", float, 1.0, "").parse(2, "m") == 2.0
    with pytest.raises(InputError, match="one of"):
        Option("c", str, "a", "", choices=("a", "b")).parse("z", "m")


def test_every_registered_method_has_a_kind_and_summary():
    for spec in all_methods():
        assert spec.kind in ("exact", "heuristic", "policy", "bound") and spec.summary


def test_temporary_methods_are_gone_after_the_test():
    assert not [spec.name for spec in all_methods() if spec.name.startswith("test-")]


def _staggered(instance):
    return Schedule({r.id: k for k, r in enumerate(instance.requests)}, metadata={"method": "hand"})


@pytest.mark.parametrize("method", ["ip", "lp", "cpsat", "exact"])
def test_methods_start_from_the_initial_schedule(greedy_counterexample, method):
    result = solve(greedy_counterexample, method, initial_schedule=_staggered(greedy_counterexample))
    assert result.info["initial_objective"] == 25 and result.info["initial_method"] == "hand"
    assert result.info["incumbent_method"] == "initial schedule (hand)"
    assert result.info["incumbent_objective"] == 25 and integer_bound(result.lower_bound) == 25


def test_without_an_initial_schedule_they_start_from_the_best_list_schedule(greedy_counterexample):
    result = solve(greedy_counterexample, "ip")
    assert result.info["incumbent_method"] == "fcfs" and result.info["incumbent_objective"] == 27
    assert "initial_objective" not in result.info


def test_a_bad_initial_schedule_is_an_input_error_naming_the_problem(greedy_counterexample):
    everything_at_once = Schedule({r.id: 0 for r in greedy_counterexample.requests})
    with pytest.raises(InputError, match="initial schedule: not feasible .*memory 10 exceeds M = 9"):
        solve(greedy_counterexample, "ip", initial_schedule=everything_at_once)
    other_ids = Schedule({f"x{k}": k for k in range(5)})
    with pytest.raises(InputError, match="not in the instance: 'x0'"):
        solve(greedy_counterexample, "exact", initial_schedule=other_ids)
    restarted = Schedule(_staggered(greedy_counterexample).starts, runs={"r1": (Run(0, 1), Run(1, 3))})
    with pytest.raises(InputError, match="evicted runs for 'r1'.*non-preemptive"):
        solve(greedy_counterexample, "cpsat", initial_schedule=restarted)
    with pytest.raises(InputError, match="method 'fcfs': takes no initial schedule"):
        solve(greedy_counterexample, "fcfs", initial_schedule=_staggered(greedy_counterexample))
