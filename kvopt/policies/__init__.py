"""Online policies for the simulator. Importing this package registers every built-in policy."""

from kvopt.policies import (amax, amin, fluid, lightllm, mc_benchmark, mcsf, nested_wait,  # noqa: F401
                            reservation, sorted_f, vllm, wait, watermark)
from kvopt.policies.registry import all_policies, get_policy, make_policy, register_policy

__all__ = ["all_policies", "get_policy", "make_policy", "register_policy"]
