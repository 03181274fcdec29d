import pytest

from kvopt.experiments.structured import (adversary_growth, adversary_options, adversary_reference, best_witness,
                                          fat_thin_growth, greedy_counterexamples)
from kvopt.generate import adversary, fat_thin, homogeneous


def test_greedy_counterexamples_match_the_notes_greedy():
    lines = greedy_counterexamples()
    assert len(lines) == 5
    for line in lines:
        assert line["greedy"] == line["paper_greedy"]
        assert line["paper_optimum"] <= line["best"] <= line["greedy"]
        assert line["bound"] == line["n"] * line["o"] and not line["proven"]  # no certifying method given
    first = lines[0]
    assert (first["M"], first["best"], first["best_by"]) == (9, 25, "witness:known-optimum")


def test_greedy_counterexamples_with_a_certifying_method(temporary_methods):
    from kvopt.method import Outcome
    from kvopt.result import Status

    def claims_the_known_bound(instance, settings):  # a test bound: the notes' optimum of (9,1,3,5) only
        known = instance.metadata.get("known", {}).get("optimum")
        return Outcome(None, Status.BOUND, lower_bound=known if instance.memory == 9 and len(instance) == 5 else None)

    temporary_methods("test-known-bound", "bound", claims_the_known_bound)
    first = greedy_counterexamples(["test-known-bound"], budget_s=5)[0]
    assert first["proven"] and first["bound"] == 25 and first["bound_by"] == "test-known-bound"


def test_best_witness_picks_the_cheapest_feasible():
    assert best_witness(fat_thin(12)) == ("thin-first", 20)
    assert best_witness(homogeneous(9, 1, 3, 5)) == ("known-optimum", 25)
    assert best_witness(adversary(4, 0)) == ("b-first", 2 * 4 + 2)  # shorts at 1, long at 2


def test_fat_thin_ratio_grows_with_memory():
    lines = fat_thin_growth([12, 16, 36, 100])
    assert [line["mcsf"] for line in lines[:2]] == [26, 40]  # the exact DP's values
    assert [line["best"] for line in lines[:2]] == [20, 28]
    ratios = [line["ratio_to_best"] for line in lines]
    assert ratios == sorted(ratios) and ratios[-1] > 3
    for line in lines:
        assert line["ratio_to_best"] <= line["ratio_to_bound"]


def test_adversary_growth_is_linear_for_mcsf():
    lines = adversary_growth([2, 4, 8], ["mcsf", "orca"])
    assert [line["mcsf"] for line in lines] == pytest.approx([1.0, 2.0, 4.0])  # x/2 (docs/online_results.md)
    assert all(line["orca"] >= line["mcsf"] for line in lines)


def test_adversary_reference_optimum_needs_a_proof():
    from kvopt.policies import make_policy
    from kvopt.sim import simulate
    from kvopt.sim.adversary import DelayedShortAdversary

    instance = simulate(None, make_policy("mcsf"), arrivals=DelayedShortAdversary(3)).instance
    assert adversary_reference(instance) == 2 * 3 + 2  # short requests first (1 each), then the long one
    with pytest.raises(ValueError, match="did not prove"):
        adversary_reference(instance, "optimum", time_limit=2, methods=["fcfs"])


def test_adversary_options(tmp_path):
    assert adversary_options("orca", 3, str(tmp_path / "t.json")) == {"max_tokens": 12}
    assert adversary_options("wait", 3, str(tmp_path / "t.json"))["types"].endswith("t.json")
    assert adversary_options("mcsf", 3, str(tmp_path / "t.json")) == {}
