"""A request that arrives at round 10**9 is valid input: every registered method, the verifier, the energy
account and `kvopt solve` handle it without arrays as long as the horizon. Run in a child process under a
1.5 GB address-space limit, so a dense per-round array fails there as a MemoryError (it once filled the
machine's memory during the mutated-files property test)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

LIMIT_BYTES = 3 << 29  # 1.5 GB: 10**9 rounds of int64 need 8 GB

SCRIPT = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({LIMIT_BYTES}, {LIMIT_BYTES}))
from kvopt import Instance, Request, solve, write_instance
from kvopt.catalogue import all_methods
from kvopt.cli import main
from kvopt.energy import account
from kvopt.errors import InputError, SolveError
from kvopt.hardware.energy import load

late = Instance(9, (Request("r0", 0, 1, 3), Request("r1", 10**9, 2, 2), Request("r2", 10**9, 1, 1),
                    Request("r3", 5, 2, 3)), name="late")
for spec in all_methods():
    try:
        result = solve(late, spec.name, time_limit=2)
    except (InputError, SolveError):
        continue  # a method that needs predictions or identical requests says so
    entries = account(late, result.schedule, load()).batches.period.size if result.schedule else 0
    print("method", spec.name, result.objective, result.lower_bound, entries)
write_instance(sys.argv[1], late)
print("method cli", main(["solve", sys.argv[1], "-m", "fcfs", "--out", sys.argv[2]]))
"""


def test_a_request_at_round_a_billion_needs_no_array_as_long_as_the_horizon(tmp_path):
    ran = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "late.json"), str(tmp_path / "s.json")],
                         capture_output=True, text=True, cwd=ROOT, timeout=600,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert ran.returncode == 0 and "MemoryError" not in ran.stderr, ran.stderr[-3000:]
    rows = {line.split()[1]: line.split()[2:] for line in ran.stdout.splitlines() if line.startswith("method ")}
    assert rows.pop("cli") == ["0"]
    assert {"fcfs", "mcsf", "exact", "cpsat", "ip", "lp", "pattern-fix"} <= set(rows)
    for name, (objective, bound, entries) in rows.items():
        assert objective == "None" or int(objective) >= 9, name  # 9: every request at its arrival, optimal
        assert bound == "None" or float(bound) <= 9, name
        assert int(entries) <= 12  # the busy periods and one entry for the idle stretch
    assert json.loads((tmp_path / "s.json").read_text())["starts"]["r1"] == 10**9
