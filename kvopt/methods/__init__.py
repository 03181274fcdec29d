"""Built-in methods. Importing this package registers them (one import per module)."""

from kvopt.bounds import trivial  # noqa: F401
from kvopt.methods import fcfs  # noqa: F401
from kvopt.methods import policies  # noqa: F401  (every online policy, run offline)
from kvopt.exact import method as _exact_method  # noqa: F401
from kvopt.exact import homogeneous as _homogeneous_dp  # noqa: F401
from kvopt.formulations import methods as formulation_methods  # noqa: F401  (ip, cpsat, lp)
from kvopt.bounds import volume  # noqa: F401  (volume, volume-dff)
from kvopt.bounds import separation  # noqa: F401
