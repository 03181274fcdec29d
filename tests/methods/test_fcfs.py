"""fcfs on instances with long idle gaps: the list scheduling keeps only the rounds it can still read."""

from kvopt import Instance, Request, solve
from kvopt.heuristics import fcfs_starts


def test_a_gap_of_10_to_the_11_rounds_costs_nothing():
    near = [Request("a", 0, 2, 3), Request("b", 1, 4, 2), Request("c", 1, 3, 3), Request("d", 2, 1, 4)]
    gap = 10**11
    far = near + [Request(f"{r.id}'", r.arrival + gap, r.prompt, r.output) for r in near]
    starts = fcfs_starts(Instance(8, tuple(far)))
    alone = fcfs_starts(Instance(8, tuple(near)))
    assert {k: v for k, v in starts.items() if "'" not in k} == alone
    assert {k[:-1]: v - gap for k, v in starts.items() if "'" in k} == alone
    assert solve(Instance(8, tuple(far)), "fcfs").objective == 2 * solve(Instance(8, tuple(near)), "fcfs").objective
