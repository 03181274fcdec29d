"""kvopt: exact optima, certified lower bounds and online policies for scheduling LLM inference under
KV-cache memory limits (the model of arXiv 2502.07115)."""

from kvopt.errors import InputError, KvoptError, SolveError
from kvopt.instance import Instance, Request
from kvopt.io import read_instance, read_schedule, write_instance, write_schedule
from kvopt.result import Result, Status
from kvopt.schedule import Run, Schedule
from kvopt.solve import solve
from kvopt.verify import Report, verify
from kvopt.version import __version__

__all__ = ["Instance", "Request", "Schedule", "Run", "Result", "Status", "Report", "solve", "verify",
           "read_instance", "read_schedule", "write_instance", "write_schedule", "InputError",
           "KvoptError", "SolveError", "__version__"]
