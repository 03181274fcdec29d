"""The policy registry: every online policy is a class registered under a name with its options.

`make_policy(name, options)` parses option values (strings from the command line included) and builds
the policy; kvopt/methods/policies.py registers every policy as a `kvopt solve` method too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kvopt.errors import InputError
from kvopt.methods.registry import Option
from kvopt.sim.policy import Policy


@dataclass(frozen=True)
class PolicySpec:
    name: str
    cls: type[Policy]
    summary: str
    kind: str
    options: tuple[Option, ...]

    def build(self, options: Mapping[str, Any] | None = None) -> Policy:
        known = {option.name: option for option in self.options}
        options = dict(options or {})
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise InputError(f"unknown option(s) {', '.join(unknown)} (allowed: "
                             f"{', '.join(sorted(known)) or 'none'})", f"policy {self.name!r}")
        values = {name: option.default for name, option in known.items()}
        values.update({name: known[name].parse(value, self.name) for name, value in options.items()})
        return self.cls(**values)


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


def get_policy(name: str) -> PolicySpec:
    import kvopt.policies  # noqa: F401  (registers the built-in policies)
    try:
        return _POLICIES[name]
    except KeyError:
        raise InputError(f"unknown policy {name!r}; known: {', '.join(sorted(_POLICIES))}") from None


def make_policy(name: str, options: Mapping[str, Any] | None = None) -> Policy:
    return get_policy(name).build(options)


def all_policies() -> list[PolicySpec]:
    import kvopt.policies  # noqa: F401
    return [spec for _, spec in sorted(_POLICIES.items())]
