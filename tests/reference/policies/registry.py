"""The policy interface: every online policy is a class registered under a name with its options.

A policy module imports this module and registers its class with `@register_policy(...)`;
`tests.reference.policies` (the policy catalogue) imports the built-in policy modules and looks them up, and
kvopt/methods/policies.py registers every policy as a `kvopt solve` method too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kvopt.method import Option, parse_options
from tests.reference.sim.policy import Policy


@dataclass(frozen=True)
class PolicySpec:
    name: str
    cls: type[Policy]
    summary: str
    kind: str
    options: tuple[Option, ...]

    def build(self, options: Mapping[str, Any] | None = None) -> Policy:
        """The policy with `options` parsed (strings from the command line included) and checked."""
        return self.cls(**parse_options(self.options, dict(options or {}), self.name, owner="policy"))


_POLICIES: dict[str, PolicySpec] = {}


def register_policy(name: str, summary: str, options: tuple[Option, ...] = (), kind: str = "policy"
                    ) -> Callable[[type[Policy]], type[Policy]]:
    """Class decorator: register a Policy subclass under `name`. A `lengths` option is added when the
    policy accepts more than one kind of length information."""
    def add(cls: type[Policy]) -> type[Policy]:
        if name in _POLICIES:
            raise ValueError(f"policy {name!r} registered twice")
        cls.name = name
        all_options = tuple(options)
        if len(cls.lengths_allowed) > 1:
            all_options = (Option("lengths", str, cls.lengths_allowed[0],
                                  "length information the policy uses (auto: predicted if every request "
                                  "has a prediction, else exact)", cls.lengths_allowed),) + all_options
        _POLICIES[name] = PolicySpec(name, cls, summary, kind, all_options)
        return cls
    return add


def registered_policies() -> list[PolicySpec]:
    """The policies registered so far, by name (tests.reference.policies first imports the built-in ones)."""
    return [spec for _, spec in sorted(_POLICIES.items())]
