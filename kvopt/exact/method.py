"""`exact`: the combinatorial branch-and-bound of kvopt.exact.search as a kvopt method.

Initial incumbent: the initial schedule when one is given, else the better of the FCFS and
shortest-first list schedules (kvopt.heuristics); then a greedy dive and the best-first search. With a
time limit it returns the best schedule found and the search's global lower bound (status feasible), or
status timeout without a schedule when none was found.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kvopt.errors import InputError
from kvopt.exact.classes import request_classes
from kvopt.exact.search import BranchAndBound
from kvopt.heuristics import Incumbent, incumbent
from kvopt.instance import Instance
from kvopt.method import Option, Outcome, Settings, register
from kvopt.result import Status
from kvopt.schedule import Schedule


def class_starts(instance: Instance, classes, starts_by_id) -> list[list[int]]:
    """A schedule's starts per class in FIFO order (sorting within a class is rule S1)."""
    return [sorted(starts_by_id[instance.requests[k].id] for k in c.members) for c in classes]


def solve_exact(instance: Instance, time_limit: float | None = None, *, max_nodes: int | None = None,
                use_chain: bool = True, use_dominance: bool = True, use_left_shift: bool = True,
                dive_every: int = 2000, start: Incumbent | None = None,
                progress: Callable[[int, int, int | None], None] | None = None):
    """Run the search from `start` (default: kvopt.heuristics.incumbent without an initial schedule);
    returns (schedule or None, SearchResult)."""
    classes = request_classes(instance)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    start = start or incumbent(instance, None)
    incumbents = [(start.source, class_starts(instance, classes, start.starts))]
    search = BranchAndBound(instance.memory, classes, use_chain=use_chain, use_dominance=use_dominance,
                            use_left_shift=use_left_shift, deadline=deadline, max_nodes=max_nodes,
                            dive_every=dive_every, incumbents=incumbents, progress=progress)
    result = search.run(dive_orders=[list(range(len(classes)))])
    schedule = None
    if result.starts is not None:
        starts = {}
        for c, periods in zip(classes, result.starts):
            for k, p in zip(c.members, periods):
                starts[instance.requests[k].id] = p
        schedule = Schedule(starts, metadata={"method": "exact"})
    return schedule, result


@register("exact", kind="exact", uses_initial_schedule=True,
          summary="combinatorial best-first branch-and-bound over rounds (proven dominance rules); "
                  "anytime bound under a time limit",
          options=(Option("max_nodes", int, None, "stop after this many expanded nodes"),
                   Option("chain_bound", bool, True, "use the big-request completion-chain bound"),
                   Option("dominance", bool, True, "use state dominance (rule D1)"),
                   Option("left_shift", bool, True, "use the left-shift rule (L1)"),
                   Option("dive_every", int, 2000, "greedy dive for incumbents every N nodes (0: off)")))
def exact(instance: Instance, settings: Settings) -> Outcome:
    options = settings.options
    if options["max_nodes"] is not None and options["max_nodes"] < 1:
        raise InputError(f"must be positive, got {options['max_nodes']}", "method 'exact' option 'max_nodes'")
    if options["dive_every"] < 0:
        raise InputError(f"must be >= 0, got {options['dive_every']}", "method 'exact' option 'dive_every'")
    clock = time.perf_counter()
    start = incumbent(instance, settings.initial_schedule)
    started_s = round(time.perf_counter() - clock, 3)
    waiting_to_latency = sum(r.output for r in instance.requests)

    def report(nodes: int, bound: int, best: int | None) -> None:
        settings.report(f"incumbent {best + waiting_to_latency}, bound {bound + waiting_to_latency}, "
                        f"{nodes:,} nodes")

    settings.report(f"search from incumbent {start.objective} ({start.source})")
    schedule, result = solve_exact(instance, settings.time_left(), max_nodes=options["max_nodes"],
                                   use_chain=options["chain_bound"], use_dominance=options["dominance"],
                                   use_left_shift=options["left_shift"], dive_every=options["dive_every"],
                                   start=start, progress=report)
    info = {"nodes": result.nodes, "stopped": result.stopped, "incumbent_source": result.incumbent_source,
            "classes": len(request_classes(instance)), "incumbent_method": start.source,
            "incumbent_objective": start.objective, "incumbent_s": started_s}
    log = tuple(f"{seconds:.3f} s: incumbent {cost + waiting_to_latency} ({source})"
                for seconds, cost, source in result.improvements)
    log += (f"search {result.stopped} after {result.nodes} nodes; bound "
            f"{result.lower_bound + waiting_to_latency}",)
    lower = result.lower_bound + waiting_to_latency
    if schedule is None:
        return Outcome(None, Status.TIMEOUT, lower_bound=lower, log=log, info=info)
    claimed = result.best_cost + waiting_to_latency
    status = Status.OPTIMAL if result.proven else Status.FEASIBLE
    info["lower_bound_source"] = "exact search"
    return Outcome(schedule, status, lower_bound=lower, claimed_objective=claimed, log=log, info=info)
