"""The future-peak policies: incremental and direct checks agree on whole simulations (property test)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt import Instance, Request
from kvopt.policies import make_policy
from kvopt.sim import DecisionTrace, simulate


@st.composite
def instances(draw, predictions=False):
    memory = draw(st.integers(6, 30))
    n = draw(st.integers(1, 12))
    requests = []
    for k in range(n):
        prompt = draw(st.integers(1, max(1, memory // 3)))
        output = draw(st.integers(1, memory - prompt))
        predicted = draw(st.integers(1, memory)) if predictions else None
        requests.append(Request(f"r{k}", draw(st.integers(0, 15)), prompt, output, predicted_output=predicted))
    return Instance(memory, tuple(requests))


def run(instance, name, check, **options):
    trace = DecisionTrace()
    simulation = simulate(instance, make_policy(name, {"check": check, **options}), observers=[trace])
    return simulation, trace.events


@settings(max_examples=60, deadline=None)
@given(instances(), st.sampled_from(["mcsf", "mc-benchmark"]), st.sampled_from([0.0, 0.2]))
def test_incremental_and_direct_checks_make_the_same_decisions(instance, name, reserve):
    incremental, events = run(instance, name, "incremental", reserve=reserve)
    direct, direct_events = run(instance, name, "direct", reserve=reserve)
    assert dict(incremental.schedule.starts) == dict(direct.schedule.starts)
    assert events == direct_events  # the same refusals, with the same peaks
    assert incremental.report.evictions == 0  # exact lengths never overflow


@settings(max_examples=40, deadline=None)
@given(instances(predictions=True))
def test_they_agree_with_wrong_predictions_and_evictions_too(instance):
    incremental, events = run(instance, "mcsf", "incremental")
    direct, direct_events = run(instance, "mcsf", "direct")
    assert dict(incremental.schedule.starts) == dict(direct.schedule.starts)
    assert dict(incremental.schedule.runs) == dict(direct.schedule.runs)
    assert events == direct_events
