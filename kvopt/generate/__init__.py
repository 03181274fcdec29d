"""Instance generators. Every generator is deterministic for a seed.

`kvopt generate FAMILY` (kvopt.generate.commands) calls these; notebooks can call them directly.
"""

from kvopt.generate.a100 import a100_trace
from kvopt.generate.families import adversary, fat_thin, homogeneous, random_small, staggering, witnesses
from kvopt.generate.paper import paper_synthetic, paper_synthetic_set

__all__ = ["paper_synthetic", "paper_synthetic_set", "a100_trace", "adversary", "fat_thin", "homogeneous",
           "random_small", "staggering", "witnesses"]
