"""Request classes for the exact solvers.

Requests with equal prompt s and output o are interchangeable up to arrival: in any schedule, if two
such requests i, j with (a_i, i) < (a_j, j) have p_j < p_i, swapping their starts keeps every start at or
after its arrival (p_j >= a_j >= a_i and p_i > p_j >= a_j), leaves the memory of every round unchanged
and the total latency unchanged. So some optimal schedule starts every class in FIFO order (arrival,
then file position), and a state only needs how many of each class have started
(formulations/exact-solver.md, rule S1).
"""

from __future__ import annotations

from dataclasses import dataclass

from kvopt.instance import Instance


@dataclass(frozen=True)
class RequestClass:
    prompt: int
    output: int
    arrivals: tuple[int, ...]   # of the members, in FIFO order
    members: tuple[int, ...]    # request positions in the instance, in FIFO order

    @property
    def peak(self) -> int:
        return self.prompt + self.output

    @property
    def volume(self) -> int:
        return self.prompt * self.output + self.output * (self.output + 1) // 2


def request_classes(instance: Instance) -> tuple[RequestClass, ...]:
    """Classes of equal (s, o), sorted by (o, s); members in FIFO order."""
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for position, request in enumerate(instance.requests):
        groups.setdefault((request.prompt, request.output), []).append((request.arrival, position))
    classes = []
    for (prompt, output), members in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
        members.sort()
        classes.append(RequestClass(prompt, output, tuple(a for a, _ in members),
                                    tuple(k for _, k in members)))
    return tuple(classes)
