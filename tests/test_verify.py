"""The independent verifier on hand-built schedules and random ones (checked token by token)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt import Instance, Request, Run, Schedule, verify
from kvopt.schedule import RunTable
from kvopt.verify import Segments, _check_runs, _total
from tests.oracles import memory_per_round, total_latency


def test_staggered_schedule_of_the_counterexample_is_optimal_value(greedy_counterexample):
    report = verify(greedy_counterexample, Schedule({f"r{k}": k for k in range(5)}))
    assert report.feasible and report.objective == 25
    # memory profile 2,5,9,9,9,7,4 in rounds 1..7
    assert report.memory_profile[1:8].tolist() == [2, 5, 9, 9, 9, 7, 4]
    assert (report.peak_memory, report.makespan) == (9, 7)


def test_three_simultaneous_starts_exceed_memory_in_round_3(greedy_counterexample):
    starts = {"r0": 0, "r1": 0, "r2": 0, "r3": 10, "r4": 20}
    report = verify(greedy_counterexample, Schedule(starts))
    assert not report.feasible and report.objective is None
    (violation,) = report.violations
    assert violation.kind == "memory_exceeded" and violation.round == 3
    assert set(violation.requests) == {"r0", "r1", "r2"}
    assert "round 3: memory 12 exceeds M = 9" in violation.message


def test_greedy_schedule_costs_27(greedy_counterexample):
    report = verify(greedy_counterexample, Schedule({"r0": 0, "r1": 0, "r2": 3, "r3": 3, "r4": 6}))
    assert report.feasible and report.objective == 27


def test_start_before_arrival_missing_and_unknown_requests():
    instance = Instance(10, (Request("a", 2, 1, 2), Request("b", 0, 1, 2)))
    report = verify(instance, Schedule({"a": 1, "b": 0}))
    assert [v.kind for v in report.violations] == ["before_arrival"]
    assert report.violations[0].requests == ("a",)
    report = verify(instance, Schedule({"a": 2, "zz": 0}))
    assert {v.kind for v in report.violations} == {"unknown_request", "missing_start"}
    assert not report.feasible


def test_objective_counts_from_arrival():
    instance = Instance(10, (Request("a", 2, 1, 2), Request("b", 0, 1, 3)))
    report = verify(instance, Schedule({"a": 5, "b": 0}))
    assert report.objective == (5 + 2 - 2) + (0 + 3 - 0)


def test_memory_freed_at_completion_lets_the_next_request_start():
    # a holds 3,4 in rounds 1,2 (M = 4); b may start at 2 and hold 4 in round 3.
    instance = Instance(4, (Request("a", 0, 2, 2), Request("b", 0, 3, 1)))
    assert verify(instance, Schedule({"a": 0, "b": 2})).feasible
    assert not verify(instance, Schedule({"a": 0, "b": 1})).feasible


def test_evicted_runs_are_checked_and_counted():
    instance = Instance(10, (Request("a", 0, 2, 4), Request("b", 0, 2, 2)))
    # a runs 2 tokens, is evicted, restarts from scratch at 3.
    restart = Schedule({"a": 3, "b": 0}, {"a": (Run(0, 2), Run(3, 4))})
    report = verify(instance, restart)
    assert report.feasible and report.evictions == 1 and report.tokens_lost == 2
    assert report.objective == (3 + 4) + 2
    # recompute: the second run keeps the 2 tokens and produces the remaining 2.
    recompute = Schedule({"a": 3, "b": 0}, {"a": (Run(0, 2), Run(3, 2, kept=2))})
    report = verify(instance, recompute)
    assert report.feasible and report.tokens_lost == 0 and report.objective == (3 + 2) + 2
    assert report.memory_profile[4:6].tolist() == [2 + 2 + 1, 2 + 2 + 2]


def test_inconsistent_runs_are_rejected():
    instance = Instance(10, (Request("a", 0, 2, 4),))
    cases = {
        "before run 0 ends": {"a": (Run(0, 3), Run(2, 4))},
        "ends with 3 of 4": {"a": (Run(0, 2), Run(3, 3))},
        "keeps 3 tokens but only 2": {"a": (Run(0, 2), Run(3, 1, kept=3))},
        "cannot keep": {"a": (Run(0, 4, kept=1),)},
        "already produced all": {"a": (Run(0, 4), Run(5, 4))},
    }
    for fragment, runs in cases.items():
        report = verify(instance, Schedule({"a": runs["a"][-1].start}, runs))
        assert not report.feasible
        assert fragment in report.violations[0].message, (fragment, report.violations)


def test_many_violations_are_counted_and_listing_is_capped():
    instance = Instance(2, tuple(Request(f"r{k}", 5, 1, 1) for k in range(50)))
    report = verify(instance, Schedule({f"r{k}": 0 for k in range(50)}))
    assert report.violation_count > 50
    assert len(report.violations) <= 10
    assert "and 40 more" in report.violations[0].message or "more" in report.violations[-1].message


@st.composite
def instance_and_schedule(draw):
    memory = draw(st.integers(2, 30))
    n = draw(st.integers(1, 8))
    requests, starts, runs = [], {}, {}
    for k in range(n):
        prompt = draw(st.integers(1, memory - 1))
        output = draw(st.integers(1, memory - prompt))
        arrival = draw(st.integers(0, 6))
        requests.append(Request(f"r{k}", arrival, prompt, output))
        start = arrival + draw(st.integers(-1, 12))
        if output > 1 and draw(st.booleans()) and start >= 0:
            done = draw(st.integers(1, output - 1))
            kept = draw(st.sampled_from([0, done]))
            second = start + done + draw(st.integers(0, 3))
            runs[f"r{k}"] = (Run(start, done), Run(second, output - kept, kept))
            start = second
        starts[f"r{k}"] = max(0, start)
    return Instance(memory, tuple(requests)), Schedule(starts, runs)


@settings(max_examples=400, deadline=None)
@given(instance_and_schedule())
def test_accepted_schedules_never_exceed_memory_token_by_token(case):
    instance, schedule = case
    report = verify(instance, schedule)
    usage = memory_per_round(instance, schedule)
    within_memory = all(held <= instance.memory for held in usage.values())
    respects_arrivals = all(
        (schedule.runs[r.id][0].start if r.id in schedule.runs else schedule.starts[r.id]) >= r.arrival
        for r in instance.requests)
    if report.feasible:
        assert within_memory and respects_arrivals
        assert report.objective == total_latency(instance, schedule)
        assert report.peak_memory == max(usage.values())
    elif within_memory and respects_arrivals:
        # then the only possible reason is an inconsistent run structure
        assert {v.kind for v in report.violations} == {"bad_runs"}
    profile = report.memory_profile
    for t, held in usage.items():
        assert profile[t] == held
    assert int(np.sum(profile)) == sum(usage.values())


@settings(max_examples=300, deadline=None)
@given(instance_and_schedule())
def test_overflows_are_counted_and_located_like_token_by_token(case):
    instance, schedule = case
    report = verify(instance, schedule)
    usage = memory_per_round(instance, schedule)
    over = sorted(t for t, held in usage.items() if held > instance.memory)
    found = [v for v in report.violations if v.kind == "memory_exceeded"]
    assert bool(found) == bool(over)
    if over:
        assert found[0].round == over[0] and f"memory {usage[over[0]]} exceeds" in found[0].message
        assert ("violated rounds in all" in found[0].message) == (len(over) > 1)
        if len(over) > 1:
            assert f"({len(over)} violated rounds in all)" in found[0].message
    peak = max(usage.values(), default=0)
    assert report.peak_memory == peak and (not usage or usage[report.peak_round] == peak)
    assert report.peak_round == min((t for t, held in usage.items() if held == peak), default=0)


def test_a_start_at_round_10_to_the_12_is_verified_in_no_time():
    instance = Instance(9, (Request("a", 0, 1, 3), Request("b", 5, 8, 1)))
    report = verify(instance, Schedule({"a": 0, "b": 10**12}))
    assert report.feasible and report.objective == 3 + 10**12 + 1 - 5 and report.makespan == 10**12 + 1
    assert report.peak_memory == 9 and report.peak_round == 10**12 + 1
    overfull = verify(instance, Schedule({"a": 10**12 - 1, "b": 10**12}))
    assert overfull.first_problem() == ("round 1000000000001: memory 12 exceeds M = 9 with 2 running request(s) "
                                        "'a', 'b'")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 9), st.integers(1, 9)), min_size=6, max_size=12))
def test_segments_are_the_same_whether_their_rounds_are_marked_or_sorted(runs):
    start, held, tokens = (np.array(column, np.int64) for column in zip(*runs))
    near = Segments.of_runs(start, held, tokens)  # at most 21 rounds for 6 runs or more: marked
    far = Segments.of_runs(start + 10**9, held, tokens)  # sorted
    assert near.points[1:].tolist() == (far.points[1:] - 10**9).tolist() and near.points[0] == far.points[0] == 0
    assert near.active.tolist() == far.active.tolist()
    assert (near.base - 10**9 * near.active).tolist() == far.base.tolist()


def test_totals_are_exact_past_the_range_of_int64():
    assert _total(np.array([2**62, 2**62, 5], np.int64)) == 2**63 + 5
    assert _total(np.array([-3, 4], np.int64)) == 1 and _total(np.zeros(0, np.int64)) == 0


def as_table(runs):
    """The same runs in columns (kvopt.schedule.RunTable, what a compiled simulation's schedule holds)."""
    flat = [run for attempts in runs.values() for run in attempts]
    return RunTable(list(runs), [len(attempts) for attempts in runs.values()],
                    *([getattr(run, name) for run in flat] for name in ("start", "tokens", "kept")))


@st.composite
def evicted_runs_any_way(draw):
    """Requests with 1 to 4 consistent runs, one field of one run often moved by one: a run that breaks one
    rule of the runs (or none)."""
    n = draw(st.integers(1, 6))
    requests, starts, runs = [], {}, {}
    for k in range(n):
        output, arrival = draw(st.integers(1, 6)), draw(st.integers(0, 4))
        requests.append(Request(f"r{k}", arrival, draw(st.integers(1, 3)), output))
        if output == 1 or draw(st.integers(0, 3)) == 0:  # one run
            starts[f"r{k}"] = draw(st.integers(0, 12))
            continue
        cuts = sorted(draw(st.sets(st.integers(1, output - 1), min_size=1, max_size=3)))
        rows, start, done = [], arrival + draw(st.integers(0, 2)), 0
        for generated in [*cuts, output]:
            kept = draw(st.sampled_from([0, done])) if rows else 0
            rows.append([start, generated - kept, kept])
            start += generated - kept + draw(st.integers(0, 2))
            done = generated
        if draw(st.integers(0, 3)):
            row, field = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, 2))
            rows[row][field] = max(rows[row][field] + draw(st.sampled_from([-1, 1])), 1 if field == 1 else 0)
        runs[f"r{k}"] = tuple(Run(*row) for row in rows)
        starts[f"r{k}"] = rows[-1][0]
    return Instance(40, tuple(requests)), starts, runs


@settings(max_examples=1000, deadline=None)
@given(evicted_runs_any_way())
def test_runs_in_columns_are_verified_as_runs_in_objects(case):
    """The verifier reads a RunTable's columns and screens the runs' rules on arrays: the same report (every
    violation and its message) as from the same runs in Run objects, and the requests _check_runs finds
    broken when it reads every request's runs one by one."""
    instance, starts, runs = case
    in_objects, in_columns = Schedule(starts, runs), Schedule(starts, as_table(runs))
    assert isinstance(in_columns.runs, RunTable) and in_columns.runs == in_objects.runs
    report = verify(instance, in_columns)
    assert report.as_dict() == verify(instance, in_objects).as_dict()
    broken = [r.id for r in instance.requests if r.id in runs and _check_runs(r.id, r.arrival, r.output, runs[r.id])]
    assert [v.requests[0] for v in report.violations if v.kind == "bad_runs"] == broken  # run by run
    assert (in_columns.evictions, in_columns.resumes_progress) == (in_objects.evictions, in_objects.resumes_progress)
