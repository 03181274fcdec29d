"""kvopt.result: the one tolerance policy of bounds against objectives."""

import numpy as np
import pytest

from conftest import run_cli
from kvopt import Instance, Request
from kvopt.io import write_instance
from kvopt.result import LP_ABS_TOLERANCE, contradicts, gap, integer_bound, proves_optimal


def test_an_exact_integer_bound_is_never_rounded_at_any_size():
    for value in (0, 25, 8_567_403, 10**12):
        assert integer_bound(value) == value
        assert integer_bound(np.int64(value)) == value


def test_a_floating_bound_is_rounded_up_past_solver_noise_only():
    assert integer_bound(23.835938) == 24
    assert integer_bound(8_567_403.0) == 8_567_403
    assert integer_bound(8_567_403 + LP_ABS_TOLERANCE / 2) == 8_567_403   # noise above an integer
    assert integer_bound(8_567_403 - LP_ABS_TOLERANCE / 2) == 8_567_403
    assert integer_bound(8_567_403.00001) == 8_567_404                    # more than noise: a real excess
    assert integer_bound(8_567_402.5) == 8_567_403


def test_proof_contradiction_and_gap():
    assert proves_optimal(25, 25) and proves_optimal(24.2, 25) and not proves_optimal(24, 25)
    assert proves_optimal(8_567_403, 8_567_403) and not proves_optimal(8_567_402, 8_567_403)
    assert not proves_optimal(None, 25) and not proves_optimal(25, None)
    assert contradicts(26, 25) and contradicts(25.5, 25) and not contradicts(25 + LP_ABS_TOLERANCE / 2, 25)
    assert not contradicts(10**7, 10**7) and contradicts(10**7 + 1, 10**7)
    assert gap(27, 15) == pytest.approx(12 / 27) and gap(0, 0) == 0.0 and gap(25, 26) == 0.0
    assert gap(None, 3) is None and gap(3, None) is None


def test_the_trivial_bound_of_a_large_trace_prints_unrounded(tmp_path):
    """The issue's 100,000-request case: sum of outputs 8,567,403 used to print "(rounded up: 8567395)"."""
    outputs = [85] * 99_998 + [33_786, 33_787]
    assert sum(outputs) == 8_567_403
    requests = tuple(Request(f"r{k}", k, 1, o) for k, o in enumerate(outputs))
    path = tmp_path / "large.json"
    write_instance(path, Instance(40_000, requests, name="large"))
    text = run_cli("bound", str(path), "-m", "trivial")
    assert text.returncode == 0, text.stderr
    assert "lower bound: 8567403\n" in text.stdout and "rounded" not in text.stdout


def test_the_tolerance_covers_the_solver_s_own():
    """LP_ABS_TOLERANCE is tied to HiGHS's feasibility tolerances (kvopt sets none of them): if a HiGHS
    release loosened one, floating bounds could exceed an integer by more than the noise kvopt allows."""
    from kvopt.formulations.highs_solver import new_highs

    highs = new_highs()
    tolerances = [highs.getOptionValue(name)[1] for name in
                  ("primal_feasibility_tolerance", "dual_feasibility_tolerance", "mip_feasibility_tolerance")]
    assert max(tolerances) <= LP_ABS_TOLERANCE


def test_combinatorial_bounds_are_exact_integers():
    from kvopt import solve
    from kvopt.instances import load

    instance = load("paper-sample", "paper-m2-s0-002")
    for method in ("trivial", "volume", "volume-dff", "separation"):
        bound = solve(instance, method).lower_bound
        assert type(bound) is int and integer_bound(bound) == bound, method
    at_scale = Instance(10**7, tuple(Request(f"r{k}", 0, 1, 10**6 - 1) for k in range(10)))
    assert solve(at_scale, "trivial").lower_bound == 10**7 - 10 == integer_bound(10**7 - 10)
