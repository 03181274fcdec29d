"""Instance generators. Every generator is deterministic for a seed.

`generate(family, **params)` builds any family by name (the families of `kvopt generate`, listed in
`FAMILIES`); the generator functions below can also be called directly.
"""

from kvopt.generate.a100 import a100_trace
from kvopt.generate.catalogue import FAMILIES, generate
from kvopt.generate.families import adversary, fat_thin, homogeneous, random_small, staggering, witnesses
from kvopt.generate.paper import paper_synthetic, paper_synthetic_set

__all__ = ["generate", "FAMILIES", "paper_synthetic", "paper_synthetic_set", "a100_trace", "adversary", "fat_thin",
           "homogeneous", "random_small", "staggering", "witnesses"]
