"""kvopt.energy: closed forms, attribution, idle time, agreement with the simulator's clock."""

import numpy as np
import pytest

from kvopt import Instance, Request
from kvopt import instances as bundled
from kvopt.energy import account, of_simulation, pareto_front
from kvopt.hardware.energy import from_dict, load
from kvopt.policies import make_policy
from kvopt.schedule import Run, Schedule
from kvopt.sim import simulate


def flat(busy_w=100.0, idle_w=10.0, gpus=1):
    return from_dict({"format": "kvopt-energy-model", "version": 1, "name": "flat",
                      "power": {"idle_w": idle_w, "busy_w": busy_w, "compute_w": 0, "memory_w": 0, "cap_w": 400},
                      "hardware": {"gpus": gpus}})


GAP = Instance(10, (Request("r0", 0, 1, 2), Request("r1", 5, 2, 1)), name="gap",
               batch_time={"model": "linear", "base": 0.5, "per_kv_token": 0.1})


def test_hand_computed_instance_matches_the_closed_form():
    # periods 0, 1: r0 holds 2 then 3 tokens; periods 2-4 empty (0.5 s each, idle); period 5: r1 holds 3
    energy = account(GAP, Schedule({"r0": 0, "r1": 5}), flat())
    busy_s = (0.5 + 0.1 * 2) + (0.5 + 0.1 * 3) + (0.5 + 0.1 * 3)
    assert energy.total == pytest.approx(100 * busy_s + 10 * 3 * 0.5)
    assert energy.idle == pytest.approx(15.0)
    assert energy.per_request.tolist() == pytest.approx([100 * 0.7 + 100 * 0.8, 100 * 0.8])
    summary = energy.summary()
    assert summary["idle_time"] == pytest.approx(1.5) and summary["busy_time"] == pytest.approx(busy_s)
    assert summary["per_output_token"] == pytest.approx(energy.total / 3)
    assert summary["average_power_w"] == pytest.approx(energy.total / (busy_s + 1.5))
    assert summary["total_kwh"] == pytest.approx(energy.total / 3.6e6)


def test_gpus_multiply_the_power():
    one, two = (account(GAP, Schedule({"r0": 0, "r1": 5}), flat(gpus=g)).total for g in (1, 2))
    assert two == pytest.approx(2 * one)


def test_shares_follow_the_memory_held():
    both = Instance(10, (Request("a", 0, 1, 1), Request("b", 0, 3, 1)), batch_time={"model": "linear", "base": 1.0})
    energy = account(both, Schedule({"a": 0, "b": 0}), flat())  # one batch of 1 s holding 2 + 4 tokens
    assert energy.per_request.tolist() == pytest.approx([100 * 2 / 6, 100 * 4 / 6])


@pytest.mark.parametrize("policy, eviction", [("mcsf", None), ("alpha-greedy", "restart"),
                                              ("alpha-greedy", "recompute")])
def test_attribution_sums_to_the_total(policy, eviction):
    trace = bundled.load("a100", "a100-lmsys-r50-n1000-s0-000")
    options = {"alpha": 0.0} if policy == "alpha-greedy" else {}
    simulation = simulate(trace, make_policy(policy, options), eviction=eviction)
    energy = of_simulation(trace, simulation, load())
    assert energy.per_request.sum() + energy.idle == pytest.approx(energy.total, rel=1e-9)
    assert (energy.per_request > 0).all()
    assert energy.duration == pytest.approx(simulation.metrics["makespan_seconds"], rel=1e-12)
    windows = energy.summary()["windows"]
    assert sum(w["energy"] for w in windows) == pytest.approx(energy.total, rel=1e-9)


def test_idle_waits_on_the_clock_are_counted():
    spec = {"model": "a100-llama2-70b", "tensor_parallel": 2, "arrival_unit_s": 1.0}
    apart = Instance(100, (Request("r0", 0, 10, 5), Request("r1", 60, 10, 5)), name="apart", batch_time=spec)
    simulation = simulate(apart, make_policy("mcsf", {}))
    model = load()
    energy = of_simulation(apart, simulation, model)
    busy = float(np.sum([r.seconds for r in simulation.rounds]))
    wait = simulation.metrics["makespan_seconds"] - busy
    assert wait > 59 and energy.summary()["idle_time"] == pytest.approx(wait)
    assert energy.idle == pytest.approx(2 * model.idle_w * wait)
    assert energy.per_request.sum() + energy.idle == pytest.approx(energy.total)


def test_unit_rounds_charge_idle_rounds_and_grow_with_memory():
    model = load()
    gap = Instance(10, GAP.requests, name="gap-rounds")
    energy = account(gap, Schedule({"r0": 0, "r1": 5}), model)
    assert energy.unit == "W-round" and energy.summary()["idle_time"] == 3
    assert energy.idle == pytest.approx(3 * 2 * model.idle_w)
    power = model.round_power_w(np.array([1, 1, 0]), np.array([0, 10, 0]), 10, 2)
    assert power[0] < power[1] and power[2] == pytest.approx(2 * model.idle_w)
    assert energy.energy[:2].tolist() == pytest.approx(model.round_power_w(np.array([1, 1]), np.array([2, 3]), 10, 2))


def test_a_schedule_file_and_the_simulation_agree():
    from kvopt.sim.run import timed
    trace = bundled.load("a100", "a100-lmsys-r10-n1000-s0-000")
    simulation = simulate(trace, make_policy("mc-benchmark", {}))
    from_file = account(trace, timed(simulation.schedule, simulation.clock), load())
    assert from_file.total == of_simulation(trace, simulation, load()).total


def test_evicted_runs_are_charged_to_their_request():
    instance = Instance(10, (Request("r0", 0, 2, 6),), batch_time={"model": "linear", "base": 1.0})
    schedule = Schedule({"r0": 4}, {"r0": (Run(0, 3, 0), Run(4, 6, 0))})
    energy = account(instance, schedule, flat())
    assert energy.per_request[0] == pytest.approx(100 * 9) and energy.idle == pytest.approx(10.0)


def test_pareto_front():
    points = [("a", 10, 5.0), ("b", 12, 4.0), ("c", 11, 6.0), ("d", 12, 4.0), ("e", 20, 4.0), ("f", 30, 1.0)]
    assert pareto_front(points) == [("a", 10, 5.0), ("b", 12, 4.0), ("f", 30, 1.0)]


def test_round_mode_durations_follow_the_simulator():
    spec = {"model": "linear", "base": 0.02, "per_kv_token": 1e-3}
    spread = Instance(12, tuple(Request(f"r{k}", 4 * k, 2, 3) for k in range(4)), name="spread", batch_time=spec)
    simulation = simulate(spread, make_policy("mcsf", {}))
    energy = of_simulation(spread, simulation, load())
    assert simulation.idle  # the worker waits in rounds between arrivals
    assert energy.duration == pytest.approx(simulation.metrics["makespan_seconds"])
    assert energy.summary()["busy_time"] == pytest.approx(sum(r.seconds for r in simulation.rounds))


@pytest.mark.parametrize("seed", range(12))
def test_the_timeline_agrees_with_an_account_period_by_period(seed):
    """Idle stretches are one entry each: total, idle, per-request shares and the windows agree with a
    period-by-period account (flat power: busy_w while something runs, idle_w otherwise)."""
    from kvopt import solve
    rng = np.random.default_rng(seed)
    arrivals = np.sort(rng.integers(0, 40, 6))
    requests = tuple(Request(f"r{k}", int(a), int(rng.integers(1, 4)), int(rng.integers(1, 4)))
                     for k, a in enumerate(arrivals))
    linear = {"model": "linear", "base": 0.5, "per_kv_token": 0.1}
    instance = Instance(12, requests, batch_time=linear if seed % 2 else None)
    schedule = solve(instance, ("fcfs", "mcsf", "sorted-f")[seed % 3]).schedule
    energy = account(instance, schedule, flat())
    last = max(schedule.starts[r.id] + r.output for r in requests)
    total, idle, shares, ends, entries, was_idle = 0.0, 0.0, np.zeros(len(requests)), [], 0, False
    for p in range(last):
        held = [r.prompt + p + 1 - schedule.starts[r.id] if schedule.starts[r.id] <= p < schedule.starts[r.id]
                + r.output else 0 for r in requests]
        kv = sum(held)
        seconds = 1.0 if seed % 2 == 0 else 0.5 + 0.1 * kv
        joules = (100.0 if kv else 10.0) * seconds
        total, idle = total + joules, idle + (0.0 if kv else joules)
        shares += np.array(held) * joules / max(kv, 1)
        ends.append((total, (ends[-1][1] if ends else 0.0) + seconds))
        entries += 1 if kv or not was_idle else 0  # a busy period, or the first of an idle stretch
        was_idle = not kv
    assert energy.total == pytest.approx(total) and energy.idle == pytest.approx(idle)
    assert energy.per_request.tolist() == pytest.approx(shares.tolist())
    assert energy.duration == pytest.approx(ends[-1][1])
    windows = energy.windows(count=4)
    assert sum(w["energy"] for w in windows) == pytest.approx(total)
    assert energy.batches.period.size == entries
