"""The round-based simulator for online policies (kvopt simulate)."""

from kvopt.sim.run import Simulation, simulate
from kvopt.sim.observers import DecisionTrace, Observer, RoundRecord
from kvopt.sim.policy import Policy, SimContext, length_estimate
from kvopt.sim.rules import EVICTION_RULES, VICTIM_RULES, MemoryOverflow
from kvopt.sim.state import RequestView, SimState

__all__ = ["simulate", "Simulation", "Policy", "SimContext", "SimState", "RequestView", "Observer",
           "DecisionTrace", "RoundRecord", "EVICTION_RULES", "VICTIM_RULES", "MemoryOverflow",
           "length_estimate"]
