"""Vidur's LightLLM look-ahead test."""

import numpy as np

from kvopt import Instance, Request
from kvopt.policies import make_policy
from kvopt.policies.lightllm import lookahead_need
from kvopt.sim import simulate


def test_lookahead_need_by_hand():
    # held after the coming round / rounds left after it: (5, 0), (3, 4), (2, 2)
    # sorted by rounds left: (3, 4), (2, 2), (5, 0): 1*4 + 3 = 7, 2*2 + 5 = 9, 3*0 + 10 = 10
    assert lookahead_need(np.array([5, 3, 2]), np.array([0, 4, 2])) == 10


def test_lightllm_is_clairvoyant_and_never_overflows():
    instance = Instance(20, tuple(Request(f"r{k}", k // 3, 1 + k % 5, 2 + (k * 5) % 11) for k in range(25)))
    simulation = simulate(instance, make_policy("lightllm"))
    assert simulation.lengths == "exact" and simulation.eviction == "none"
    assert simulation.report.peak_memory <= 20
