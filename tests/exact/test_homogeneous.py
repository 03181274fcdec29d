"""`homogeneous-dp` against `exact` on a grid, the paper's greedy count, arrivals, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import homogeneous, run_cli
from kvopt import InputError, Instance, Request, Status, solve
from kvopt.exact.homogeneous import homogeneous_dp, window_fits
from tests.oracles import brute_force_optimum


def grid(max_memory: int, max_output: int, max_n: int):
    """(M, s, o, n) with 4 <= M <= max_memory, s <= 3, o <= max_output, s + o <= M, n <= max_n."""
    for memory in range(4, max_memory + 1):
        for prompt in range(1, 4):
            for output in range(1, min(max_output, memory - prompt) + 1):
                for n in range(1, max_n + 1):
                    yield memory, prompt, output, n


def test_agrees_with_exact_on_a_grid():
    checked = 0
    for memory, prompt, output, n in grid(12, 5, 7):
        instance = homogeneous(memory, prompt, output, n)
        dp = solve(instance, "homogeneous-dp")
        assert dp.status is Status.OPTIMAL
        assert dp.objective == solve(instance, "exact").objective, (memory, prompt, output, n)
        checked += 1
    assert checked == 116 * 7   # 116 triples (M, s, o) with s + o <= M, 7 values of n

def test_greedy_is_suboptimal_in_16_of_966_homogeneous_instances():
    """M 4-15, s 1-3, o 1-5, n 1-6 all at 0; fcfs with exact lengths is the greedy."""
    total, suboptimal = 0, []
    for memory, prompt, output, n in grid(15, 5, 6):
        optimum = homogeneous_dp(memory, prompt, output, [0] * n)[0] + n * output
        total += 1
        if solve(homogeneous(memory, prompt, output, n), "fcfs").objective != optimum:
            suboptimal.append((memory, prompt, output, n))
    assert total == 966
    assert len(suboptimal) == 16
    assert suboptimal[0] == (9, 1, 3, 5)


def test_identical_requests_with_arrivals_match_the_brute_force():
    rng = np.random.default_rng(11)
    for _ in range(40):
        memory = int(rng.integers(5, 13))
        prompt = int(rng.integers(1, 3))
        output = int(rng.integers(1, min(5, memory - prompt) + 1))
        arrivals = sorted(int(a) for a in rng.integers(0, 6, int(rng.integers(1, 7))))
        instance = Instance(memory, tuple(Request(f"r{k}", a, prompt, output) for k, a in enumerate(arrivals)))
        expected = brute_force_optimum(instance)
        assert solve(instance, "homogeneous-dp").objective == expected


def test_large_n_is_linear_in_the_state_count():
    small = homogeneous_dp(9, 1, 3, [0] * 50)
    large = homogeneous_dp(9, 1, 3, [0] * 100)
    assert large[2] <= 2 * small[2] + 10
    assert large[0] + 300 == solve(homogeneous(9, 1, 3, 100), "exact").objective


def test_window_check_matches_round_by_round_memory():
    rng = np.random.default_rng(2)
    for _ in range(300):
        memory, prompt, output = int(rng.integers(5, 20)), int(rng.integers(1, 4)), int(rng.integers(1, 6))
        counts = tuple(int(c) for c in rng.integers(0, 3, output))
        peak = max(sum(counts[m] * (prompt + 1 + j + m) for m in range(output - j)) for j in range(output))
        assert window_fits(counts, prompt, output, memory) == (peak <= memory)


def test_heterogeneous_instances_are_rejected():
    instance = Instance(10, (Request("a", 0, 1, 3), Request("b", 0, 2, 3)))
    with pytest.raises(InputError, match="identical requests"):
        solve(instance, "homogeneous-dp")


def test_cli_rejects_a_heterogeneous_instance(tmp_path):
    path = tmp_path / "mixed.json"
    path.write_text('{"memory": 10, "requests": [{"id": "a", "arrival": 0, "prompt": 1, "output": 3},'
                    ' {"id": "b", "arrival": 0, "prompt": 2, "output": 3}]}')
    done = run_cli("solve", str(path), "--method", "homogeneous-dp")
    assert done.returncode == 2 and "identical requests" in done.stderr


def test_a_time_limit_stops_the_dp_without_a_schedule():
    from kvopt.exact.homogeneous import homogeneous_method
    from kvopt.method import Settings
    outcome = homogeneous_method(homogeneous(50, 5, 20, 400), Settings(time_limit=1e-9))
    assert outcome.status is Status.TIMEOUT and outcome.schedule is None
