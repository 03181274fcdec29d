"""The round-based simulator for online policies (kvopt simulate)."""

from tests.reference.sim.engine import Simulation, simulate
from tests.reference.sim.observers import DecisionTrace, Observer, RoundRecord
from tests.reference.sim.policy import Policy, SimContext, length_estimate
from tests.reference.sim.rules import EVICTION_RULES, VICTIM_RULES, MemoryOverflow
from tests.reference.sim.state import RequestView, SimState

__all__ = ["simulate", "Simulation", "Policy", "SimContext", "SimState", "RequestView", "Observer",
           "DecisionTrace", "RoundRecord", "EVICTION_RULES", "VICTIM_RULES", "MemoryOverflow",
           "length_estimate"]
