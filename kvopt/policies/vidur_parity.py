"""Comparing kvopt's policies with Vidur's schedulers on golden cases (tests/golden/vidur_unit_rounds.json,
written by tests/golden/make_vidur_golden.py from Vidur's own code).

A case holds an instance (request k: [arrival, prompt, output], id "r{k}"), the options it was run with
(watermark, max_running, max_tokens) and Vidur's record per scheduler: outcome, per-request run starts,
preemptions and completions. `record` gives the same record for a kvopt policy, in either fidelity.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kvopt.errors import KvoptError
from kvopt.instance import Instance, Request
from kvopt.policies.registry import registered_policies
from kvopt.policies.vidur_replica import replay_policy
from kvopt.sim.run import simulate

# kvopt policy -> (Vidur scheduler it is compared with, golden options it takes)
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "vllm": ("vllm", ("watermark", "max_running")),
    "lightllm": ("lightllm", ()),
    "mc-benchmark": ("lightllm", ()),
    "orca": ("orca", ("max_tokens", "max_running")),
    "faster-transformer": ("faster-transformer", ("max_tokens", "max_running")),
}


def case_instance(case: Mapping[str, Any]) -> Instance:
    spec = case["instance"]
    return Instance(spec["memory"], tuple(Request(f"r{k}", a, p, o) for k, (a, p, o) in enumerate(spec["requests"])),
                    name=case.get("name"))


def case_policy(name: str, case: Mapping[str, Any], fidelity: str):
    spec = next(s for s in registered_policies() if s.name == name)
    options = {key: value for key, value in case["options"].items() if key in SOURCES[name][1]}
    return spec.build({**options, "fidelity": fidelity})


def record(name: str, case: Mapping[str, Any], fidelity: str) -> dict[str, Any]:
    """kvopt's record of `case` under policy `name`: Vidur's replay (fidelity vidur, vidur-fixed) or the
    native simulation (outcome "error: ..." when it fails)."""
    instance, policy = case_instance(case), case_policy(name, case, fidelity)
    if fidelity != "native":
        return replay_policy(instance, policy).as_dict()
    try:
        result = simulate(instance, policy)
    except KvoptError as error:
        return {"outcome": f"error: {error}", "starts": [], "preemptions": [], "completions": []}
    runs, starts = result.schedule.runs, result.schedule.starts
    return {"outcome": "done",
            "starts": [[run.start for run in runs[r.id]] if r.id in runs else [starts[r.id]]
                       for r in instance.requests],
            "preemptions": result.requests["evictions"].tolist(),
            "completions": result.requests["completion"].tolist()}


def agreement(name: str, cases: list[Mapping[str, Any]], fidelity: str) -> tuple[int, list[str]]:
    """How many cases give Vidur's record exactly, and the names of the others."""
    source = SOURCES[name][0]
    differ = [case["name"] for case in cases if record(name, case, fidelity) != case["vidur"][source]]
    return len(cases) - len(differ), differ


def total_latency(rec: Mapping[str, Any], case: Mapping[str, Any]) -> int | None:
    if rec["outcome"] != "done":
        return None
    return sum(c - a for c, (a, _, _) in zip(rec["completions"], case["instance"]["requests"]))


# (policy, golden case, what differs between the native mode and Vidur): docs/policies-vs-sources.md
DIFFERENCES = (
    ("vllm", "vllm-watermark", "watermark: Vidur keeps int(0.01 M) blocks free, counting the prompt blocks "
                               "given at admission (+1 per decode round); native: held + prompts <= "
                               "floor(0.99 M)"),
    ("vllm", "vllm-prefill-only", "Vidur's batch is prefill-only when it admits: running requests sit the "
                                  "round out"),
    ("vllm", "vllm-prompt-blocks", "Vidur holds P + j - 1 blocks in a request's j-th batch and preempts when "
                                   "no block is free; native holds prompt + j and undoes admissions that "
                                   "overflow the coming round"),
    ("vllm", "vllm-idle-deadlock", "Vidur tests the watermark on an idle replica too (a prompt above "
                                   "M - watermark never runs); native admits it against M"),
    ("lightllm", "lightllm-period", "Vidur admits only when idle or after 10 decode batches, in "
                                    "prefill-only batches"),
    ("lightllm", "lightllm-lookahead", "Vidur's look-ahead counts one token less per request and admits "
                                       "while the need is < M; native: <= M"),
    ("mc-benchmark", "lightllm-period", "as lightllm (compared with Vidur's LightLLM scheduler)"),
    ("mc-benchmark", "lightllm-lookahead", "as lightllm"),
    ("faster-transformer", "ft-leak", "Vidur defect: members that finish before the last of their static "
                                      "batch are never freed; native and vidur-fixed free them"),
)


def _shown(value: int | None) -> str:
    return "never completes" if value is None else f"{value:,}"


def difference_table(cases: list[Mapping[str, Any]]) -> list[str]:
    by_name = {case["name"]: case for case in cases}
    rows = ["| policy | differs from Vidur 7d47513 | reproducer | native | Vidur | fidelity=vidur |",
            "|---|---|---|---:|---:|---:|"]
    for policy, name, what in DIFFERENCES:
        case = by_name[name]
        native, ours = record(policy, case, "native"), record(policy, case, "vidur")
        theirs = case["vidur"][SOURCES[policy][0]]
        instance = json.dumps({"memory": case["instance"]["memory"], "requests": case["instance"]["requests"],
                               **({"options": case["options"]} if case["options"] else {})},
                              separators=(",", ":"))
        rows.append(f"| {policy} | {what} | `{name}` `{instance}` | {_shown(total_latency(native, case))} | "
                    f"{_shown(total_latency(theirs, case))} | {_shown(total_latency(ours, case))} |")
    return rows


def parity_table(cases: list[Mapping[str, Any]]) -> list[str]:
    edge = [case for case in cases if not case["name"].startswith("random")]
    rest = [case for case in cases if case["name"].startswith("random")]
    rows = ["| policy | Vidur scheduler | native agrees: edge, random | fidelity=vidur agrees: edge, random | "
            "total latency native / Vidur (cases both complete) |", "|---|---|---:|---:|---:|"]
    for policy, (source, _) in SOURCES.items():
        agree = [f"{agreement(policy, group, fidelity)[0]}/{len(group)}"
                 for fidelity in ("native", "vidur") for group in (edge, rest)]
        native = theirs = 0
        for case in cases:
            a = total_latency(record(policy, case, "native"), case)
            b = total_latency(case["vidur"][source], case)
            if a is not None and b is not None:
                native, theirs = native + a, theirs + b
        rows.append(f"| {policy} | {source} | {agree[0]}, {agree[1]} | {agree[2]}, {agree[3]} | "
                    f"{native:,} / {theirs:,} |")
    return rows


def fixed_line(cases: list[Mapping[str, Any]]) -> str:
    """faster-transformer's vidur-fixed mode: its total on the leak reproducer, and how often it is native."""
    leak = next(case for case in cases if case["name"] == "ft-leak")
    same = sum(record("faster-transformer", c, "vidur-fixed") == record("faster-transformer", c, "native")
               for c in cases)
    fixed = total_latency(record("faster-transformer", leak, "vidur-fixed"), leak)
    return (f"faster-transformer fidelity=vidur-fixed: total latency {fixed} on ft-leak; identical to native "
            f"on {same}/{len(cases)} cases")
