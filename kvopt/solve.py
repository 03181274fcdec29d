"""`solve(instance, method=...)`: the one entry point to every method.

Whatever the method, its schedule goes through the independent verifier before a Result is returned;
the objective in the Result is the verifier's, and a method whose schedule is infeasible, whose claimed
objective disagrees, or whose lower bound exceeds its own objective raises SolveError instead of
returning a wrong answer. An initial schedule is verified before the method starts.

Ctrl-C during a solver call that the backend made `stoppable` (kvopt.method) ends the method early with
its best so far: the Result is then marked `interrupted` (its schedule is verified like any other, but is
only the best found before the interrupt). Elsewhere KeyboardInterrupt propagates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kvopt.bounds.trivial import sum_of_outputs
from kvopt.catalogue import get_method
from kvopt.errors import SolveError
from kvopt.instance import Instance
from kvopt.method import running
from kvopt.result import Result, Status, as_number, contradicts, proves_optimal
from kvopt.schedule import Schedule
from kvopt.verify import check_initial_schedule, verify


def solve(instance: Instance, method: str = "fcfs", *, time_limit: float | None = None, seed: int = 0,
          threads: int = 1, initial_schedule: Schedule | None = None,
          progress: Callable[[str], None] | None = None, **options: Any) -> Result:
    """Run `method` on `instance` and return its verified Result.

    time_limit: seconds (None = no limit); seed: for randomised methods; threads: solver threads;
    initial_schedule: a feasible non-preemptive schedule the method starts from (methods with
    `uses_initial_schedule`: ip, lp, cpsat, exact); progress: called with lines of live progress (exact
    methods); options: method-specific options (`kvopt methods`).
    """
    spec = get_method(method)
    instance.check_rounds()
    settings = spec.settings(time_limit, seed, threads, options, initial_schedule, progress)
    info: dict[str, Any] = {}
    if initial_schedule is not None:
        info["initial_objective"] = check_initial_schedule(instance, initial_schedule)
        info["initial_method"] = initial_schedule.metadata.get("method")
    clock = time.perf_counter()
    with running(settings):
        outcome = spec.run(instance, settings)
    runtime = time.perf_counter() - clock

    status = outcome.status
    objective = None
    if outcome.schedule is not None:
        report = verify(instance, outcome.schedule)
        if not report.feasible:
            raise SolveError(f"method {method!r} returned a schedule the verifier rejects: "
                             f"{report.first_problem()}")
        objective = report.objective
        if outcome.claimed_objective is not None and outcome.claimed_objective != objective:
            raise SolveError(f"method {method!r} claims objective {outcome.claimed_objective} but the "
                             f"verifier computes {objective}")
    elif status in (Status.OPTIMAL, Status.FEASIBLE):
        raise SolveError(f"method {method!r} reports status {status} without a schedule")

    info.update(outcome.info)
    lower_bound = outcome.lower_bound
    trivial = sum_of_outputs(instance)
    if lower_bound is None or lower_bound < trivial:
        lower_bound = trivial
        info.setdefault("lower_bound_source", "trivial")
    if status is Status.OPTIMAL:
        lower_bound = objective
    if contradicts(lower_bound, objective):
        raise SolveError(f"method {method!r}: lower bound {lower_bound} exceeds the objective {objective} "
                         f"of a verified schedule")
    if status is Status.FEASIBLE and proves_optimal(lower_bound, objective):
        status = Status.OPTIMAL  # the bound proves the schedule optimal
        info["optimality_proved_by"] = info.get("lower_bound_source", method)
    lower_bound = as_number(lower_bound)
    return Result(method=method, status=status, objective=objective, lower_bound=lower_bound,
                  runtime_s=runtime, schedule=outcome.schedule, log=outcome.log, info=info,
                  interrupted=settings.interrupted)
