"""The version of kvopt (recorded in sweep rows and printed by `kvopt --version`)."""

__version__ = "0.1.0"
