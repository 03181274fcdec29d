"""Lower bounds on the optimal total latency."""
