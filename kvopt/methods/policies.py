"""Every registered policy as a `kvopt solve` method: the policy runs in the simulator with unit rounds
(arrivals count rounds), its schedule (runs of evicted requests included) is verified by `solve`.

Besides the policy's own options, each method takes `eviction` and `victim` (kvopt.sim.rules; default the
policy's own: `none` for policies that never overflow, so an unexpected overflow is an error).
"""

from __future__ import annotations

from collections.abc import Callable

from kvopt.instance import Instance
from kvopt.method import Option, Outcome, Settings, register
from kvopt.policies import all_policies
from kvopt.policies.registry import PolicySpec
from kvopt.result import Status
from kvopt.schedule import Schedule
from kvopt.sim.rules import EVICTION_RULES, VICTIM_RULES

RULE_OPTIONS = (
    Option("eviction", str, None, "overflow rule (default: the policy's own)", (None, *EVICTION_RULES)),
    Option("victim", str, None, "eviction victim rule (default: the policy's own)", (None, *VICTIM_RULES)),
)


def _runner(spec: PolicySpec) -> Callable[[Instance, Settings], Outcome]:
    def run(instance: Instance, settings: Settings) -> Outcome:
        from kvopt.sim import simulate
        options = dict(settings.options)
        eviction, victim = options.pop("eviction"), options.pop("victim")
        policy = spec.build(options)
        simulation = simulate(instance, policy, eviction=eviction, victim=victim,
                              batch_time={"model": "unit"})
        schedule = simulation.schedule
        info = {"lengths": simulation.lengths, "eviction": simulation.eviction, "victim": simulation.victim,
                "evictions": simulation.report.evictions, "tokens_lost": simulation.report.tokens_lost}
        return Outcome(Schedule(schedule.starts, schedule.runs, {"method": spec.name}), Status.FEASIBLE,
                       claimed_objective=simulation.objective, info=info)
    run.__name__ = f"run_{spec.name.replace('-', '_')}"
    return run


for _spec in all_policies():
    register(_spec.name, kind=_spec.kind, summary=_spec.summary,
             options=_spec.options + RULE_OPTIONS)(_runner(_spec))
