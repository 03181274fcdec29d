"""One method's run inside a portfolio (kvopt certify): what it ended with and what it started from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kvopt.result import Status, as_number


@dataclass(frozen=True)
class Attempt:
    """One method's run. started_from: the schedule handed to it ("METHOD (OBJECTIVE)"), if any."""

    method: str
    kind: str
    status: Status
    objective: int | None = None
    lower_bound: float | None = None
    runtime_s: float = 0.0
    note: str | None = None
    started_from: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {k: v.value if isinstance(v, Status) else v for k, v in self.__dict__.items()}
        return out | {"lower_bound": as_number(self.lower_bound)}
