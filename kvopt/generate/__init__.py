"""Instance generators. Every generator is deterministic for a seed."""

from kvopt.generate.paper import paper_synthetic, paper_synthetic_set

__all__ = ["paper_synthetic", "paper_synthetic_set"]
