"""The simulator: information entitlement, rounds, overflow rules, eviction accounting, time modes."""

import pytest

from conftest import homogeneous
from kvopt import Instance, Request, SolveError, verify
from kvopt.errors import InputError
from kvopt.policies import make_policy
from kvopt.sim import DecisionTrace, MemoryOverflow, Policy, simulate
from tests.oracles import memory_per_round, total_latency


class Spy(Policy):
    """Starts the oldest waiting request when nothing runs; records what it saw."""

    name = "spy"
    lengths_allowed = ("none", "exact")

    def __init__(self, lengths="none"):
        super().__init__(lengths)
        self.seen = []

    def admit(self, state):
        for view in state.waiting.values():
            self.seen.append((state.period, view.id, view.arrival, view.output))
        if state.running or not state.waiting:
            return []
        return [min(state.waiting.values(), key=lambda v: (v.arrival, v.index))]


def test_mcsf_on_the_greedy_counterexample_is_27_and_verified(greedy_counterexample):
    simulation = simulate(greedy_counterexample, make_policy("mcsf"))
    assert simulation.objective == 27 and simulation.report.feasible
    assert dict(simulation.schedule.starts) == {"r0": 0, "r1": 0, "r2": 3, "r3": 3, "r4": 6}
    assert simulation.eviction == "none" and simulation.lengths == "exact"
    profile = memory_per_round(greedy_counterexample, simulation.schedule)
    assert [r.memory for r in simulation.rounds] == [profile.get(t, 0) for t in range(1, 10)]


def test_a_policy_sees_requests_only_after_arrival_and_lengths_only_when_entitled():
    instance = Instance(20, (Request("a", 0, 2, 3), Request("b", 4, 2, 2), Request("c", 9, 1, 1)))
    blind = Spy()
    simulate(instance, blind)
    assert blind.seen and all(period >= arrival for period, _, arrival, _ in blind.seen)
    assert all(output is None for *_, output in blind.seen)
    clairvoyant = Spy("exact")
    simulate(instance, clairvoyant)
    assert {(rid, output) for _, rid, _, output in clairvoyant.seen} >= {("a", 3), ("b", 2)}


def test_idle_periods_are_skipped_and_recorded():
    instance = Instance(10, (Request("a", 0, 1, 2), Request("b", 50, 1, 3)))
    simulation = simulate(instance, make_policy("mcsf"))
    assert dict(simulation.schedule.starts) == {"a": 0, "b": 50}
    assert len(simulation.rounds) == 5 and simulation.idle == ((2, 50, 0),)
    assert simulation.metrics["idle_rounds"] == 48


def test_overflow_with_rule_none_names_the_round_and_the_requests():
    instance = Instance(10, (Request("r0", 0, 2, 6), Request("r1", 0, 2, 6)))
    with pytest.raises(MemoryOverflow, match=r"round 4: memory 12 would exceed M = 10") as caught:
        simulate(instance, make_policy("alpha-greedy", {"alpha": 0.0}), eviction="none")
    assert caught.value.round == 4 and caught.value.request_ids == ["r0", "r1"]
    assert "--eviction restart or recompute" in str(caught.value)


def test_restart_loses_all_progress_and_the_verifier_checks_every_run():
    instance = Instance(10, (Request("r0", 0, 2, 6), Request("r1", 0, 2, 6)))
    simulation = simulate(instance, make_policy("alpha-greedy", {"alpha": 0.0}), eviction="restart",
                          victim="latest-arrived")
    runs = [(r.start, r.tokens, r.kept) for r in simulation.schedule.runs["r1"]]
    # r1 is evicted before rounds 4, 5 and 6 (each time the pair would need more than M), re-admitted by the
    # greedy twice, and finally runs from scratch once r0 completes at 6.
    assert runs == [(0, 3, 0), (3, 1, 0), (4, 1, 0), (6, 6, 0)]
    assert "r0" not in simulation.schedule.runs
    assert simulation.report.tokens_lost == 5 and simulation.report.evictions == 3
    assert list(simulation.requests["evictions"]) == [0, 3]
    assert list(simulation.requests["tokens_recomputed"]) == [0, 0]
    assert simulation.objective == 6 + 12 == total_latency(instance, simulation.schedule)
    assert verify(instance, simulation.schedule).feasible


def test_recompute_keeps_the_generated_tokens_as_prompt():
    instance = Instance(10, (Request("r0", 0, 2, 6), Request("r1", 0, 2, 6)))
    trace = DecisionTrace()
    simulation = simulate(instance, make_policy("alpha-greedy", {"alpha": 0.0}), eviction="recompute",
                          victim="latest-arrived", observers=[trace])
    runs = [(r.start, r.tokens, r.kept) for r in simulation.schedule.runs["r1"]]
    assert runs == [(0, 3, 0), (6, 3, 3)]  # Vidur restart(): 3 tokens folded into the prompt
    assert simulation.report.tokens_lost == 0 and list(simulation.requests["tokens_recomputed"]) == [0, 3]
    assert simulation.objective == 6 + 9
    # the re-admission at period 3 made round 4 exceed M: undone, no progress lost
    assert {"period": 3, "event": "start-undone", "request": "r1",
            "reason": "the coming round would need more than M = 10"} in trace.events
    evictions = [e for e in trace.events if e["event"] == "evict"]
    assert evictions == [{"period": 3, "event": "evict", "request": "r1", "tokens": 3, "tokens_lost": 0,
                          "reason": "running requests grow: round 4 needs 12 > 10"}]
    assert trace.why_waiting("r1")[0]["reason"] == "held 6 + prompt 5 > (1 - 0.0) M = 10"


def test_eviction_keeps_one_request_running():
    # clearing down to (1 - beta) M = 1 would evict everything; the engine keeps one run going
    instance = Instance(10, (Request("r0", 0, 2, 6), Request("r1", 0, 2, 6)))
    simulation = simulate(instance, make_policy("alpha-clearing", {"alpha": 0.0, "beta": 0.9}))
    assert simulation.report.feasible and simulation.requests["evictions"].sum() >= 1


def test_a_policy_that_never_starts_is_an_error():
    class Lazy(Policy):
        name = "lazy"

        def admit(self, state):
            return []

    with pytest.raises(SolveError, match="starts nothing at period 0 with 1 waiting request.*wait forever"):
        simulate(Instance(5, (Request("a", 0, 1, 1),)), Lazy())


def test_a_policy_may_only_start_waiting_requests():
    class Twice(Policy):
        name = "twice"

        def admit(self, state):
            return list(state.waiting.values()) * 2

    with pytest.raises(SolveError, match="tried to start 'a' at period 0, which is not waiting"):
        simulate(Instance(5, (Request("a", 0, 1, 1),)), Twice())


def test_predicted_lengths_must_be_present():
    instance = Instance(10, (Request("a", 0, 1, 2, predicted_output=2), Request("b", 0, 1, 2)))
    with pytest.raises(InputError, match="1 of 2 requests have predicted_output"):
        simulate(instance, make_policy("mcsf"))
    with pytest.raises(InputError, match="needs predicted_output on every request"):
        simulate(instance, make_policy("mcsf", {"lengths": "predicted"}))


def test_round_mode_with_a_batch_time_model_converts_rounds_to_seconds():
    instance = Instance(10, (Request("a", 0, 1, 2), Request("b", 3, 1, 1)))
    simulation = simulate(instance, make_policy("mcsf"), batch_time={"model": "linear", "base": 0.5,
                                                                       "per_kv_token": 0.1})
    # rounds: 1 (a holds 2), 2 (a holds 3), idle period 2, round 4 (b holds 2)
    assert [r.seconds for r in simulation.rounds] == pytest.approx([0.7, 0.8, 0.7])
    metrics = simulation.metrics
    assert simulation.objective == 2 + 1
    # a: 0.7 + 0.8; b arrives at the start of period 3 (after 1.5 s + one idle round of 0.5 s)
    assert metrics["latency_seconds"]["total"] == pytest.approx(1.5 + 0.7)
    assert metrics["ttft_seconds"]["total"] == pytest.approx(0.7 + 0.7)


def test_clock_mode_arrivals_join_the_next_batch_and_verify_as_experienced():
    # every batch takes 0.3 s; arrivals are clock times in seconds
    instance = Instance(10, (Request("a", 0, 1, 5), Request("b", 1, 1, 1), Request("c", 7, 1, 1)),
                        batch_time={"model": "linear", "base": 0.3, "arrival_unit_s": 1.0})
    simulation = simulate(instance, make_policy("mcsf"))
    assert simulation.clock_mode
    # batches 0..4 start at 0, .3, .6, .9, 1.2: b (1.0 s) joins batch 4; after a finishes (1.5 s) the
    # worker idles until c at 7.0 s, which joins batch 5 (batch indices do not advance while idle)
    arrivals = {r.id: r.arrival for r in simulation.instance.requests}
    assert arrivals == {"a": 0, "b": 4, "c": 5}
    assert "arrival_unit_s" not in simulation.instance.batch_time
    assert verify(simulation.instance, simulation.schedule).objective == simulation.objective == 5 + 1 + 1
    seconds = simulation.metrics["latency_seconds"]
    assert seconds["total"] == pytest.approx(1.5 + (1.5 - 1.0) + 0.3)


def test_unit_rounds_leave_the_instance_unchanged():
    instance = homogeneous(9, 1, 3, 5)
    assert simulate(instance, make_policy("mcsf")).instance is instance
