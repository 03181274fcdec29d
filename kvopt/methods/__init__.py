"""Heuristic methods: `fcfs`, and every online policy run offline as a `kvopt solve` method."""
