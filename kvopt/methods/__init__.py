"""Built-in methods. Importing this package registers them (one import per module)."""

from kvopt.bounds import trivial  # noqa: F401
from kvopt.methods import fcfs  # noqa: F401
from kvopt.bounds import fluid  # noqa: F401
from kvopt.bounds import paper_lemma  # noqa: F401
from kvopt.bounds import separation  # noqa: F401
from kvopt.bounds import lpcuts  # noqa: F401
