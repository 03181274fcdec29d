"""certify(): portfolio bookkeeping, cross-method consistency, budget handling."""

import json
import time

import pytest

from conftest import ROOT, run_cli
from kvopt import InputError, SolveError
from kvopt.certify import certify
from kvopt.method import Outcome
from kvopt.result import Status


def _overbound(instance, settings):
    """A wrong bound above the optimum."""
    return Outcome(None, Status.BOUND, lower_bound=10**6)


def _special(instance, settings):
    """A special-case method that applies to nothing."""
    raise InputError("only for instances that do not exist")


def test_certify_records_every_attempt(greedy_counterexample, temporary_methods):
    temporary_methods("test-special", "exact", _special)
    certificate = certify(greedy_counterexample, budget_s=10, methods=["fcfs", "trivial", "test-special"])
    assert certificate.objective == 27 and certificate.lower_bound == 15
    assert certificate.bound_method == "trivial" and not certificate.optimal
    statuses = {a.method: a.status for a in certificate.attempts}
    assert statuses == {"fcfs": "feasible", "trivial": "bound", "test-special": "skipped"}
    assert certificate.gap == pytest.approx(12 / 27)


def test_a_bound_above_another_methods_verified_objective_is_caught(greedy_counterexample, temporary_methods):
    temporary_methods("test-overbound", "bound", _overbound)
    with pytest.raises(SolveError, match="exceeds the verified objective 27 of fcfs"):
        certify(greedy_counterexample, budget_s=10, methods=["fcfs", "test-overbound"])


def test_unknown_method_and_bad_budget(greedy_counterexample):
    with pytest.raises(InputError, match="unknown method"):
        certify(greedy_counterexample, methods=["fcfs", "nope"])
    with pytest.raises(InputError, match="budget must be positive"):
        certify(greedy_counterexample, budget_s=0)


def test_certify_cli_writes_the_best_schedule(tmp_path):
    out = tmp_path / "best.json"
    result = run_cli("certify", str(ROOT / "instances/small/homogeneous_m9_s1_o3_n5.json"),
                     "--methods", "fcfs,trivial", "--budget", "10", "--json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["objective"] == 27 and summary["objective_method"] == "fcfs"
    assert json.loads(out.read_text())["starts"]["r4"] == 6
    checked = run_cli("verify", str(ROOT / "instances/small/homogeneous_m9_s1_o3_n5.json"), str(out))
    assert checked.returncode == 0


def test_default_portfolio_runs_quick_methods_first_then_order_search_cpsat_pattern_fix_ip_without_lp_or_pattern():
    from kvopt.certify import LONG_SHARES, default_portfolio
    from kvopt.catalogue import get_method
    names = default_portfolio(None)
    long_methods = [name for name in names if get_method(name).kind == "exact" or name in LONG_SHARES]
    quick = names[:len(names) - len(long_methods)]
    kinds = [get_method(name).kind for name in quick]
    assert kinds == sorted(kinds, key=lambda kind: {"heuristic": 0, "policy": 0, "bound": 1}[kind])
    assert {"trivial", "volume", "volume-dff", "separation"} <= set(quick)
    assert names[-4:] == ["order-search", "cpsat", "pattern-fix", "ip"]
    assert "lp" not in names and "pattern" not in names  # ip's root relaxation, pattern-fix's first phase


def test_long_methods_share_the_budget_by_their_shares(greedy_counterexample, temporary_methods,
                                                        monkeypatch):
    import kvopt.certify as certify_module
    limits = {}

    def recorder(name):
        def run(instance, settings):
            limits[name] = settings.time_limit
            return Outcome(None, Status.TIMEOUT)
        return run

    temporary_methods("test-small", "exact", recorder("test-small"))
    temporary_methods("test-big", "exact", recorder("test-big"))
    monkeypatch.setattr(certify_module, "LONG_SHARES", {"test-big": 3.0})
    certify(greedy_counterexample, budget_s=8, methods=["test-big", "test-small"])
    assert limits["test-big"] == pytest.approx(6.0, abs=0.1)  # 3 shares of 4
    assert limits["test-small"] == pytest.approx(8.0, abs=0.1)  # test-big returned at once: all is left
    certify(greedy_counterexample, budget_s=8, methods=["test-small", "test-big"])
    assert limits["test-small"] == pytest.approx(2.0, abs=0.1)  # 1 share of 4
    assert limits["test-big"] == pytest.approx(8.0, abs=0.1)  # inherits the time test-small did not use


def test_a_preemptive_execution_is_never_the_best_schedule(greedy_counterexample):
    """vllm's recompute eviction resumes requests with their progress: total latency 21 on the greedy
    counterexample, below the non-preemptive optimum 25. It must not become the best schedule nor trip
    the bound cross-check; the homogeneous DP then proves 25."""
    certificate = certify(greedy_counterexample, budget_s=30, methods=["vllm", "fcfs", "homogeneous-dp"])
    vllm = next(a for a in certificate.attempts if a.method == "vllm")
    assert vllm.objective < 25 and "preemptive" in vllm.note
    assert certificate.objective == 25 and certificate.optimal and certificate.best.method == "homogeneous-dp"


def _failing(instance, settings):
    from kvopt import SolveError
    raise SolveError("model too large for this test")


def test_a_failing_method_is_recorded_and_the_rest_still_run(greedy_counterexample, temporary_methods):
    temporary_methods("test-failing", "exact", _failing)
    certificate = certify(greedy_counterexample, budget_s=10, methods=["fcfs", "test-failing", "trivial"])
    statuses = {a.method: (a.status, a.note) for a in certificate.attempts}
    assert statuses["test-failing"] == ("error", "model too large for this test")
    assert statuses["trivial"][0] == "bound" and certificate.objective == 27


def _improver(instance, settings):
    """An 'exact' method that records what it was handed and returns the staggered schedule (25)."""
    from kvopt.schedule import Schedule
    _improver.received = settings.initial_schedule
    return Outcome(Schedule({r.id: k for k, r in enumerate(instance.requests)}), Status.FEASIBLE)


def _receiver(instance, settings):
    _receiver.received = settings.initial_schedule
    return Outcome(None, Status.BOUND, lower_bound=15)


def test_the_best_schedule_is_handed_on_and_an_improvement_too(greedy_counterexample, temporary_methods):
    temporary_methods("test-improver", "exact", _improver, uses_initial_schedule=True)
    temporary_methods("test-receiver", "bound", _receiver, uses_initial_schedule=True)
    certificate = certify(greedy_counterexample, budget_s=10,
                          methods=["trivial", "test-improver", "fcfs", "test-receiver", "mcsf"])
    attempts = {a.method: a for a in certificate.attempts}
    assert _improver.received is None and attempts["test-improver"].started_from is None
    assert dict(_receiver.received.starts) == {f"r{k}": k for k in range(5)}  # the improver's, not fcfs's 27
    assert attempts["test-receiver"].started_from == "test-improver (25)"
    assert attempts["mcsf"].started_from is None  # a policy takes no initial schedule
    assert certificate.as_dict()["attempts"][3]["started_from"] == "test-improver (25)"


def test_a_restarted_schedule_is_handed_on_as_its_last_runs(greedy_counterexample, temporary_methods):
    """alpha-clearing overflows and restarts requests on this instance: its schedule has evicted runs;
    what the next method receives is one start per request (the last runs), with the same objective."""
    temporary_methods("test-receiver", "bound", _receiver, uses_initial_schedule=True)
    restarted = certify(greedy_counterexample, budget_s=10, methods=["alpha-clearing", "test-receiver"])
    best = restarted.best.schedule
    received = _receiver.received
    assert best.runs and not received.runs and dict(received.starts) == dict(best.starts)


def test_pattern_keeps_its_lp_fallback_when_named_and_leaves_time_to_ip_in_the_default_portfolio(monkeypatch):
    import kvopt.certify as certify_module
    from kvopt.generate.paper import paper_synthetic
    full = paper_synthetic(1, 1, 2)
    instance = full.replace_requests(full.requests[:16])  # M = 50: the pricing program does not fit
    named = certify(instance, budget_s=20, methods=["fcfs", "pattern"])
    pattern = next(a for a in named.attempts if a.method == "pattern")
    assert pattern.status is Status.BOUND and named.bound_method == "lp"
    shares_of_left = {}
    real_solve = certify_module.solve

    def recording(instance, name, time_limit=None, **kwargs):
        shares_of_left[name] = time_limit / (20 - (time.monotonic() - began))
        return real_solve(instance, name, time_limit=time_limit, **kwargs)

    monkeypatch.setattr(certify_module, "solve", recording)
    monkeypatch.setattr(certify_module, "default_portfolio", lambda instance: ["fcfs", "pattern", "ip", "cpsat"])
    began = time.monotonic()
    certify(instance, budget_s=20)
    assert shares_of_left["pattern"] == pytest.approx(5 / 13, abs=0.02)
    assert shares_of_left["ip"] == pytest.approx(8 / 10, abs=0.02)  # pattern returned at once: 8 to 2, not 4 to 4


def test_the_time_left_goes_to_a_second_run_of_the_leftover_method_in_the_default_portfolio(
        greedy_counterexample, temporary_methods, monkeypatch):
    import kvopt.certify as certify_module
    from kvopt.schedule import Schedule
    calls = []

    def quick_improver(instance, settings):  # returns at once with fcfs's 27, then with the staggered 25
        calls.append((settings.time_limit, settings.initial_schedule))
        starts = {r.id: k for k, r in enumerate(instance.requests)} if len(calls) > 1 else \
            dict(certify_module.solve(instance, "fcfs").schedule.starts)
        return Outcome(Schedule(starts), Status.FEASIBLE)

    temporary_methods("test-quick-improver", "exact", quick_improver, uses_initial_schedule=True)
    monkeypatch.setattr(certify_module, "LEFTOVER_METHOD", "test-quick-improver")
    monkeypatch.setattr(certify_module, "default_portfolio", lambda instance: ["trivial", "test-quick-improver"])
    certificate = certify(greedy_counterexample, budget_s=10)
    assert len(calls) == 2 and calls[0][1] is None
    assert calls[1][0] == pytest.approx(10.0, abs=0.5)  # nearly all the budget was left
    assert dict(calls[1][1].starts) == dict(certify_module.solve(greedy_counterexample, "fcfs").schedule.starts)
    second = certificate.attempts[-1]
    assert second.method == "test-quick-improver" and "time the others left" in second.note
    assert second.started_from == "test-quick-improver (27)" and certificate.objective == 25
    calls.clear()
    certify(greedy_counterexample, budget_s=10, methods=["trivial", "test-quick-improver"])
    assert len(calls) == 1  # methods named: each runs once


def test_two_processes_above_small_n_each_with_the_whole_budget():
    """A 22-request paper-sample instance with jobs=2: order-search (twice) and cpsat ran in the second
    process (their schedules verified here), ip here had nearly the whole budget, not its share; up to SMALL_N requests
    one process runs everything."""
    import kvopt.certify as certify_module
    from kvopt.io import read_instance
    from kvopt.verify import verify
    instance = read_instance(ROOT / "instances/paper-sample/paper-m2-s0-002.json")
    assert len(instance.requests) > certify_module.SMALL_N
    two = certify(instance, budget_s=20, jobs=2)
    assert two.jobs == 2
    searches = [a for a in two.attempts if a.method == "order-search"]
    assert "from MC-SF's ranking" in searches[0].note  # SECOND_PROCESS_STEPS: from the ranking, then the best
    assert all("second process" in a.note for a in searches[:2])
    attempts = {a.method: a for a in two.attempts}
    assert "second process" in attempts["cpsat"].note
    ran = searches[0].runtime_s + searches[1].runtime_s + attempts["cpsat"].runtime_s
    assert ran > 12 and attempts["ip"].runtime_s + ran > 25 or two.optimal  # side by side, not one after the other
    assert verify(instance, two.best.schedule).objective == two.objective
    assert two.lower_bound <= two.objective
    small = instance.replace_requests(instance.requests[:8])
    assert certify(small, budget_s=20, jobs=2).jobs == 1


def test_a_second_process_that_dies_leaves_its_methods_as_errors_with_its_last_words(greedy_counterexample,
                                                                                      monkeypatch, temporary_methods):
    import sys

    import kvopt.certify as certify_module
    import kvopt.certify_lane as lane
    dying = ("import sys; from multiprocessing.connection import Connection; c = Connection(int(sys.argv[1])); "
             "c.recv(); c.recv(); sys.stderr.write('boom\\n'); sys.exit(3)")
    monkeypatch.setattr(lane, "CHILD", [sys.executable, "-c", dying])
    monkeypatch.setattr(certify_module, "SMALL_N", 2)  # two processes on a 5-request instance
    temporary_methods("test-receiver", "exact", _receiver)  # a long method here that proves nothing
    certificate = certify(greedy_counterexample, budget_s=20, jobs=2,
                          methods=["fcfs", "order-search", "cpsat", "test-receiver"])
    statuses = {a.method: (a.status, a.note) for a in certificate.attempts}
    assert statuses["order-search"][0] is Status.ERROR and "exit code 3: boom" in statuses["order-search"][1]
    assert statuses["cpsat"][0] is Status.ERROR
    assert certificate.objective == 27 and certificate.lower_bound == 15 and certificate.jobs == 2


def test_a_schedule_from_the_second_process_is_verified_again_here(greedy_counterexample):
    from kvopt.certify import Attempt
    from kvopt.certify_lane import _checked
    claimed = Attempt("order-search", "heuristic", Status.FEASIBLE, 25, 15.0, 1.0)
    overlapping = {f"r{k}": 0 for k in range(5)}  # all at once: 5 x 4 > M = 9
    attempt, result = _checked(greedy_counterexample, claimed, overlapping, "trivial")
    assert attempt.status is Status.ERROR and "fails verification here" in attempt.note and result is None
    staggered = {f"r{k}": k for k in range(5)}
    attempt, result = _checked(greedy_counterexample, claimed, staggered, "trivial")
    assert result.objective == 25 and result.schedule.starts == staggered and "second process" in attempt.note
    lying = Attempt("order-search", "heuristic", Status.FEASIBLE, 24, 15.0, 1.0)
    assert _checked(greedy_counterexample, lying, staggered, "trivial")[0].status is Status.ERROR
