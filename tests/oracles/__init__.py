"""Oracles of the tests, sharing no code with kvopt's solvers: one brute-force optimum, one maker of
random small instances (and its hypothesis strategy), and a naive round-by-round replay of schedules."""

from tests.oracles.brute_force import brute_force_optimum
from tests.oracles.instances import random_instance, small_instances
from tests.oracles.naive import memory_per_round, total_latency

__all__ = ["brute_force_optimum", "random_instance", "small_instances", "memory_per_round", "total_latency"]
