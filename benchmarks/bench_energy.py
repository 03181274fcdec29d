"""Cost of the energy account (kvopt.energy) of one simulation: MC-SF on a 10,000-request A100 trace at
50 requests per second, accounted three times with the default power model.

    PYTHONPATH=. python benchmarks/bench_energy.py
"""

from __future__ import annotations

import time

from kvopt.energy import of_simulation
from kvopt.generate import a100_trace
from kvopt.hardware.energy import load
from kvopt.policies import make_policy
from kvopt.sim import simulate


def main() -> None:
    trace = a100_trace(50.0, 10_000, seed=0)
    clock = time.perf_counter()
    simulation = simulate(trace, make_policy("mcsf", {}))
    simulated = time.perf_counter() - clock
    times = []
    for _ in range(3):
        clock = time.perf_counter()
        of_simulation(trace, simulation, load())
        times.append(time.perf_counter() - clock)
    print(f"{len(simulation.rounds)} batches; simulate {simulated:.2f} s; energy account {min(times):.3f}-"
          f"{max(times):.3f} s")


if __name__ == "__main__":
    main()
