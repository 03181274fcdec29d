"""Exceptions raised by kvopt.

Every error that reaches the command line is one line naming the problem and where it is; the CLI maps
`InputError` to exit code 2 and `SolveError` to exit code 1.
"""


class KvoptError(Exception):
    """Base class of all kvopt errors."""


class InputError(KvoptError, ValueError):
    """Malformed or invalid input: a file, an instance, a schedule or an option.

    `where` names the place (a file path, "requests[3] (id 'r3')", ...); the message names the problem.
    """

    def __init__(self, message: str, where: str | None = None):
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)

    def located(self, outer: str) -> "InputError":
        """The same error with `outer` (e.g. a file name) prefixed to its location."""
        where = f"{outer}: {self.where}" if self.where else outer
        return InputError(self.message, where)


class SolveError(KvoptError, RuntimeError):
    """A method could not produce a valid result (time-out without a schedule, a schedule the verifier
    rejects, a solver failure)."""
