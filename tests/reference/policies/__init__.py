"""Online policies for the simulator, and their catalogue: importing this package registers every
built-in policy (one import per module); `get_policy`, `make_policy` and `all_policies` look them up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kvopt.errors import InputError
from tests.reference.policies import (amax, amin, fluid, lightllm, mc_benchmark, mcsf, nested_wait,  # noqa: F401
                            reservation, sorted_f, vllm, wait, watermark)
from tests.reference.policies.registry import PolicySpec, register_policy, registered_policies
from tests.reference.sim.policy import Policy

__all__ = ["all_policies", "get_policy", "make_policy", "register_policy"]


def get_policy(name: str) -> PolicySpec:
    for spec in registered_policies():
        if spec.name == name:
            return spec
    raise InputError(f"unknown policy {name!r}; known: {', '.join(s.name for s in registered_policies())}")


def make_policy(name: str, options: Mapping[str, Any] | None = None) -> Policy:
    return get_policy(name).build(options)


def all_policies() -> list[PolicySpec]:
    return registered_policies()
