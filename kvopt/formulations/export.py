"""The time-indexed IP as an MPS or LP file for other solvers (Gurobi, CPLEX, SCIP, CBC, HiGHS), and a
solver's solution file mapped back to a schedule (`kvopt export`): `model_for_export`, `write_model`,
`read_solution_file`.

Variable names (formulations/time-indexed-ip.md, "Names"): x_K_T = 1 if the request at file position K
(0-based) starts at period T; n_K_T = how many requests identical to the one at position K (same arrival,
prompt and output; K is the first of them in the file) start at T; late_K = how many of them start after
the horizon. Rows: assign_K, mem_R (round R), order_I_J, peakQ_R_MU (cuts). A solution maps back with the
instance alone: identical requests take their class's starts in increasing order, in file order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from kvopt.errors import InputError
from kvopt.formulations.timeindexed import TimeIndexedModel, identical_classes
from kvopt.instance import Instance
from kvopt.io.files import atomic_write
from kvopt.method import Settings, parse_options
from kvopt.schedule import Schedule
from kvopt.verify import check_initial_schedule

FORMATS = ("mps", "lp")
_NAME = re.compile(r"^(x|n)_(\d+)_(\d+)$|^late_(\d+)$")
_XML_VARIABLE = re.compile(r"<variable\b[^>]*?\bname=\"([^\"]+)\"[^>]*?\bvalue=\"([^\"]+)\"")
INTEGRALITY = 1e-4


def model_for_export(instance: Instance, options: dict, *, time_limit: float | None = None, threads: int = 1,
                     initial_schedule: Schedule | None = None,
                     progress: Callable[[str], None] | None = None) -> tuple[TimeIndexedModel, dict]:
    """The model `ip` would solve with the same model options (those of the `lp` bound) and the same
    incumbent (`initial_schedule` when given, checked like `solve` checks it), including the root cuts:
    (TimeIndexedModel, info). `time_limit` bounds the root cut loop."""
    from kvopt.formulations.pipeline import MODEL_OPTIONS, build_model, prepare, strengthened_root

    instance.check_rounds()
    if time_limit is not None and not time_limit > 0:
        raise InputError(f"time limit must be positive, got {time_limit}", "export")
    if threads < 1:
        raise InputError(f"threads must be positive, got {threads}", "export")
    if initial_schedule is not None:
        check_initial_schedule(instance, initial_schedule)
    settings = Settings(time_limit=time_limit, threads=threads, initial_schedule=initial_schedule,
                        options=parse_options(MODEL_OPTIONS, options, "lp"), progress=progress)
    prepared = prepare(instance, settings, "export")
    model = build_model(instance, settings, prepared, prepared.horizon)
    if settings.options["cuts"] == "peak":
        _, root = strengthened_root(instance, settings, prepared, model)
        model = root.model
    return model, prepared.info


def write_model(model: TimeIndexedModel, path: str | Path, file_format: str) -> None:
    """Write the model (integer columns, names) atomically; HiGHS chooses the writer by extension."""
    from kvopt.formulations.highs_solver import to_highs

    if file_format not in FORMATS:
        raise InputError(f"format must be one of {', '.join(FORMATS)}, got {file_format!r}")
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError("no such directory", str(directory))
    highs = to_highs(model, integer=True, names=True)

    def write(temporary: Path) -> None:
        highs.writeModel(str(temporary))
        if not temporary.exists() or temporary.stat().st_size == 0:
            raise InputError("HiGHS wrote an empty file", str(path))

    atomic_write(path, write)


def solution_values(text: str) -> dict[str, float]:
    """Variable values from a solution file: 'name value' lines (Gurobi .sol, SCIP, HiGHS, CBC's
    'index name value ...') or CPLEX's XML <variable name=".." value=".."/>. Other lines are ignored."""
    values: dict[str, float] = {}
    for name, value in _XML_VARIABLE.findall(text):
        values[name] = float(value)
    if values:
        return values
    for line in text.splitlines():
        tokens = line.split()
        for position in range(len(tokens) - 1):
            if _NAME.match(tokens[position]):
                try:
                    values[tokens[position]] = float(tokens[position + 1])
                except ValueError:
                    continue
                break
    return values


def schedule_from_solution(instance: Instance, values: dict[str, float], where: str = "solution") -> Schedule:
    """The schedule encoded by the named column values (missing columns are 0)."""
    n = len(instance)
    classes = identical_classes(instance)
    heads = {members[0]: members for members in classes}
    request_starts: dict[int, list[int]] = {}  # x_K_T: one column per request
    class_starts: dict[int, list[int]] = {}  # n_K_T: aggregated class headed by K
    for name, value in values.items():
        match = _NAME.match(name)
        if match is None:
            continue
        count = round(value)
        if abs(value - count) > INTEGRALITY or count < 0:
            raise InputError(f"{name} = {value} is not a non-negative integer", where)
        if count == 0:
            continue
        if match.group(4) is not None:
            raise InputError(f"{name} = {value}: a request starts after the exported horizon (overflow "
                             f"column); export again with a larger -o horizon=...", where)
        kind, position, period = match.group(1), int(match.group(2)), int(match.group(3))
        if position >= n:
            raise InputError(f"{name}: the instance has only {n} requests", where)
        if kind == "x":
            if count != 1:
                raise InputError(f"{name} = {value}: a start column x_K_T is binary", where)
            request_starts.setdefault(position, []).append(period)
        else:
            if len(heads.get(position, ())) < 2:
                raise InputError(f"{name}: request {position} does not head a class of identical "
                                 f"requests", where)
            class_starts.setdefault(position, []).extend([period] * count)
    ids = instance.ids
    starts: dict[str, int] = {}
    for members in classes:
        if members[0] in class_starts:
            if any(k in request_starts for k in members):
                raise InputError(f"request {members[0]} ({ids[members[0]]!r}): both n_ and x_ columns "
                                 f"are set for its class", where)
            periods = sorted(class_starts[members[0]])
            if len(periods) != len(members):
                raise InputError(f"class of request {members[0]} ({ids[members[0]]!r}): {len(periods)} "
                                 f"starts for {len(members)} identical requests", where)
            starts.update({ids[k]: t for k, t in zip(members, periods)})
            continue
        for k in members:
            periods = request_starts.get(k, [])
            if len(periods) != 1:
                raise InputError(f"request {k} ({ids[k]!r}) has {len(periods)} starts", where)
            starts[ids[k]] = periods[0]
    return Schedule(starts, metadata={"source": where})


def read_solution_file(instance: Instance, path: str | Path) -> Schedule:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", str(path)) from None
    values = solution_values(text)
    if not values:
        raise InputError("no values of kvopt model variables (x_K_T, n_K_T, late_K) found", str(path))
    return schedule_from_solution(instance, values, str(path))
