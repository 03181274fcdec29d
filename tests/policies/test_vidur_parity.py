"""kvopt's fidelity=vidur modes against Vidur's own schedulers (microsoft/vidur 7d47513).

The golden file holds Vidur's schedules -- per-request run starts, preemptions, completions -- of edge
cases and 300 seeded random instances, written by tests/golden/make_vidur_golden.py from Vidur's code
(see README). With VIDUR_SRC naming a directory that holds Vidur's `vidur` package at that commit, the live
test drives Vidur here on fresh instances; without it, it is skipped. docs/policies-vs-sources.md holds
the tables benchmarks/vidur_parity.py prints; the doc test recomputes them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
from pathlib import Path

import pytest

from kvopt.policies.vidur_parity import (SOURCES, agreement, case_instance, difference_table, fixed_line,
                                         parity_table,
                                         record)

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "vidur_unit_rounds.json").read_text())["cases"]
RANDOM = [case for case in GOLDEN if case["name"].startswith("random")]
EDGE = [case for case in GOLDEN if not case["name"].startswith("random")]


def test_the_golden_file_covers_300_random_instances_and_the_edge_cases():
    assert len(RANDOM) >= 300 and {c["name"] for c in EDGE} >= {"ft-leak", "vllm-watermark", "vllm-idle-deadlock",
                                                                  "lightllm-period", "lightllm-lookahead"}
    assert {c["vidur"]["vllm"]["outcome"] for c in GOLDEN} == {"done", "stuck"}  # not vacuous
    assert any(max(c["vidur"]["vllm"]["preemptions"]) > 0 for c in RANDOM)


def test_vidur_lightllm_runs_a_request_with_prompt_plus_output_equal_to_m():
    """Its look-ahead need for a lone new request is (s + 1) + (o - 2) = M - 1 < M."""
    case = next(c for c in EDGE if c["name"] == "s-plus-o-is-m")
    (memory, (first, _)) = case["instance"]["memory"], case["instance"]["requests"]
    assert first[1] + first[2] == memory and case["vidur"]["lightllm"]["outcome"] == "done"


@pytest.mark.parametrize("policy", sorted(SOURCES))
def test_fidelity_vidur_gives_vidurs_schedules(policy):
    agree, differ = agreement(policy, GOLDEN, "vidur")
    assert not differ, f"{policy}: {len(differ)} case(s) differ from Vidur, e.g. {differ[:5]}"


@pytest.mark.parametrize("policy", sorted(SOURCES))
def test_native_and_vidur_differ_where_the_docs_say(policy):
    """Orca is the only policy whose native mode is Vidur's; the others differ on golden cases."""
    _, differ = agreement(policy, GOLDEN, "native")
    assert (not differ) == (policy == "orca")


def test_faster_transformer_vidur_fixed_is_the_native_mode():
    for case in GOLDEN:
        fixed, native = record("faster-transformer", case, "vidur-fixed"), record("faster-transformer", case, "native")
        assert fixed == native, case["name"]


def test_the_docs_tables_are_what_the_benchmark_prints():
    text = (ROOT / "docs" / "policies-vs-sources.md").read_text()
    for line in parity_table(GOLDEN) + difference_table(GOLDEN) + [fixed_line(GOLDEN)]:
        assert line in text, line


def vidur_source() -> str | None:
    path = os.environ.get("VIDUR_SRC")
    if not path or not (Path(path) / "vidur" / "scheduler" / "replica_scheduler" /
                        "lightllm_replica_scheduler.py").is_file():
        return None
    return path if importlib.util.find_spec("numpy") else None


@pytest.mark.skipif(vidur_source() is None, reason="VIDUR_SRC does not name Vidur's source at 7d47513")
def test_live_vidur_on_fresh_instances():
    spec = importlib.util.spec_from_file_location("make_vidur_golden", ROOT / "tests" / "golden" / "make_vidur_golden.py")
    golden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(golden)
    vidur = golden.load_vidur(vidur_source())
    rng = random.Random(1015)  # not the golden file's seed
    for k in range(40):
        case = golden.random_instance(rng, k)
        theirs = {p: golden.drive(vidur, p, case["instance"], case["options"]) for p in golden.POLICIES}
        case["instance"] = golden.compact(case["instance"])
        case_instance(case)  # a valid kvopt instance
        for policy, (source, _) in SOURCES.items():
            assert record(policy, case, "vidur") == theirs[source], (policy, case)
