"""vLLM-style watermark FCFS: latest-arrived victims, recompute, preempted requests first."""

from kvopt import Instance, Request
from kvopt.policies import make_policy
from kvopt.sim import DecisionTrace, RequestView, simulate


def test_the_latest_arrived_request_is_preempted_and_recomputed_first_in_line():
    instance = Instance(12, (Request("early", 0, 1, 8), Request("late", 1, 1, 8), Request("later", 2, 4, 1)))
    trace = DecisionTrace()
    simulation = simulate(instance, make_policy("vllm"), observers=[trace])
    assert (simulation.eviction, simulation.victim) == ("recompute", "latest-arrived")
    # "later" fits and finishes at 3; before round 6 early and late would need 7 + 6 = 13 > 12
    evicted = [(e["period"], e["request"]) for e in trace.events if e["event"] == "evict"]
    assert evicted[0] == (5, "late")
    assert simulation.report.tokens_lost == 0 and simulation.requests["tokens_recomputed"].sum() > 0
    runs = simulation.schedule.runs["late"]
    assert runs[-1].kept == sum(run.tokens for run in runs[:-1])  # all generated tokens kept


def test_preempted_requests_queue_before_fresh_ones():
    policy = make_policy("vllm")
    preempted = RequestView("p", 5, 7, None, 1, None, None, None)
    preempted.evictions = 1
    fresh = RequestView("f", 0, 0, None, 1, None, None, None)
    assert policy.queue_key(preempted) < policy.queue_key(fresh)


def test_max_running_caps_the_batch():
    instance = Instance(100, tuple(Request(f"r{k}", 0, 1, 2) for k in range(6)))
    simulation = simulate(instance, make_policy("vllm", {"max_running": 2}))
    assert max(r.requests for r in simulation.rounds) == 2
