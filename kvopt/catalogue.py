"""The catalogue: the one place that imports the built-in method modules (each registers its methods
through kvopt.method), and looks methods up by name. Adding a built-in method is one new module plus
one line here; a user's own module registers its methods the same way and is imported by the user
(or named under `plugins` in a sweep).
"""

from __future__ import annotations

import kvopt.bounds.separation  # noqa: F401  (separation)
import kvopt.bounds.trivial  # noqa: F401  (trivial)
import kvopt.bounds.volume  # noqa: F401  (volume, volume-dff)
import kvopt.exact.homogeneous  # noqa: F401  (homogeneous-dp)
import kvopt.exact.method  # noqa: F401  (exact)
import kvopt.formulations.methods  # noqa: F401  (ip, cpsat, lp)
import kvopt.methods.fcfs  # noqa: F401  (fcfs)
import kvopt.methods.order_search  # noqa: F401  (order-search)
import kvopt.methods.policies  # noqa: F401  (every online policy, run offline)
import kvopt.patterns.method  # noqa: F401  (pattern)
from kvopt.errors import InputError
from kvopt.method import MethodSpec, lookup, registered


def get_method(name: str) -> MethodSpec:
    spec = lookup(name)
    if spec is None:
        raise InputError(f"unknown method {name!r}; known: {', '.join(s.name for s in registered())}")
    return spec


def all_methods(kind: str | None = None) -> list[MethodSpec]:
    return [spec for spec in registered() if kind is None or spec.kind == kind]
