"""Online policies for the simulator. Importing this package registers every built-in policy."""

from kvopt.policies import amax, amin, mc_benchmark, mcsf  # noqa: F401
from kvopt.policies.registry import all_policies, get_policy, make_policy, register_policy

__all__ = ["all_policies", "get_policy", "make_policy", "register_policy"]
