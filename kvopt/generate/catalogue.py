"""The instance families behind `generate(family, **params)` and `kvopt generate FAMILY`: each family's
parameters (name, type, default, help) and how it builds its instances.

    from kvopt.generate import generate
    instances = generate("random-small", count=6, arrivals="spread", seed=0)

`command_words(family, params)` writes the same call as the `kvopt generate` command line a manifest
records; the command-line verb (kvopt/cli/generate_cmd.py) builds its options from these parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kvopt.errors import InputError
from kvopt.generate import families
from kvopt.generate.a100 import PAPER_RATES, a100_trace
from kvopt.generate.paper import paper_synthetic
from kvopt.hardware.memory import PAPER_A100_KV_CAPACITY
from kvopt.instance import Instance

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """A family parameter. `values`: None for one value, "+" for one or more (a list), or a count;
    `minimum`: the smallest allowed number (`positive` floats must be > 0 and finite)."""

    name: str
    type: type
    help: str
    default: Any = REQUIRED
    values: int | str | None = None
    choices: tuple[Any, ...] | None = None
    minimum: int | None = None
    positive: bool = False
    metavar: tuple[str, ...] | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def check(self, value: Any, where: str) -> Any:
        items = value if self.values is not None else [value]
        if self.values is not None:
            if not isinstance(value, (list, tuple)) or not value:
                raise InputError(f"{self.name} must be a non-empty list, got {value!r}", where)
            if isinstance(self.values, int) and len(value) != self.values:
                raise InputError(f"{self.name} takes {self.values} values, got {len(value)}", where)
        for item in items:
            self._check_one(item, where)
        return list(value) if self.values is not None else value

    def _check_one(self, item: Any, where: str) -> None:
        numeric = self.type in (int, float)
        allowed = (int, float) if self.type is float else self.type
        if not isinstance(item, allowed) or (isinstance(item, bool) and self.type is not bool):
            raise InputError(f"{self.name} must be of type {self.type.__name__}, got {item!r}", where)
        if self.choices is not None and item not in self.choices:
            raise InputError(f"{self.name} must be one of {', '.join(map(str, self.choices))}, got {item!r}",
                             where)
        if numeric and self.minimum is not None and item < self.minimum:
            raise InputError(f"{self.name} must be >= {self.minimum}, got {item}", where)
        if numeric and self.positive and not 0 < item < float("inf"):
            raise InputError(f"{self.name} must be a positive number, got {item}", where)


@dataclass(frozen=True)
class Family:
    name: str
    help: str
    params: tuple[Param, ...]
    build: Callable[..., list[Instance]]
    random: bool = False  # takes `seed`

    def all_params(self) -> tuple[Param, ...]:
        seed = Param("seed", int, "random seed (default 0)", 0, minimum=0)
        return self.params + ((seed,) if self.random else ())


def _count(help: str, default: int) -> Param:
    return Param("count", int, help, default, minimum=1)


def _first_index(help: str) -> Param:
    return Param("first_index", int, help, 0, minimum=0)


def _paper(model, count, first_index, seed) -> list[Instance]:
    return [paper_synthetic(m, seed, k) for m in model for k in range(first_index, first_index + count)]


def _a100(rate, requests, count, memory, tensor_parallel, arrival_unit_ms, trace, seed) -> list[Instance]:
    return [a100_trace(r, requests, seed, k, memory=memory, tensor_parallel=tensor_parallel,
                       arrival_unit_s=arrival_unit_ms / 1000, trace=trace)
            for r in rate for k in range(count)]


def _homogeneous(memory, prompt, output, requests) -> list[Instance]:
    return [families.homogeneous(memory, prompt, output, requests)]


def _staggering(output, requests, prompt, memory, known) -> list[Instance]:
    if known:
        if output or requests:
            raise InputError("known takes no output/requests", "generate staggering")
        return [families.staggering(o, n, s, m) for (m, s, o, n) in families.STAGGERING_KNOWN]
    if not output or not requests:
        raise InputError("give output and requests (or known)", "generate staggering")
    return [families.staggering(o, n, prompt, memory) for o in output for n in requests]


def _adversary(x, tau) -> list[Instance]:
    return [families.adversary(one, t) for one in x for t in tau]


def _fat_thin(memory) -> list[Instance]:
    return [families.fat_thin(m) for m in memory]


def _random_small(count, first_index, requests, memory, max_prompt, max_output, arrivals, prompts, seed
                  ) -> list[Instance]:
    return [families.random_small(seed, k, requests=tuple(requests), memory=tuple(memory), max_prompt=max_prompt,
                                  max_output=max_output, arrivals=arrivals, prompts=prompts)
            for k in range(first_index, first_index + count)]


FAMILIES = {family.name: family for family in (
    Family("paper-synthetic", "the MC-SF paper's synthetic study (arXiv 2502.07115, synthetic experiments)", (
        Param("model", int, "arrival model(s): 1 all at round 0, 2 Poisson arrivals (default: both)", [1, 2],
              values="+", choices=(1, 2)),
        _count("instances per model (default 200)", 200),
        _first_index("index of the first instance (default 0); instance k depends only on (seed, model, k)"),
    ), _paper, random=True),
    Family("a100", "Llama-2-70B on two A100s: LMSYS lengths, Poisson arrivals in clock time (arXiv 2502.07115, "
           "real-trace experiments)", (
        Param("rate", float, "Poisson arrival rate(s), requests per second (default: 10 50, the paper's)",
              list(PAPER_RATES), values="+", positive=True),
        Param("requests", int, "requests per instance (default 1000)", 1000, minimum=1),
        _count("instances per rate (default 1)", 1),
        Param("memory", int, f"KV capacity M in tokens (default {PAPER_A100_KV_CAPACITY:,}, the paper's figure; "
              "`kvopt hardware` derives M for other set-ups)", PAPER_A100_KV_CAPACITY, minimum=1),
        Param("tensor_parallel", int, "GPUs of the batch-time model (default 2)", 2, choices=(1, 2, 4)),
        Param("arrival_unit_ms", float, "clock unit of the arrival times in milliseconds (default 1)", 1.0,
              positive=True),
        Param("trace", str, "CSV trace to draw (prompt, output) pairs from instead of the LMSYS distributions "
              "(LMSYS question_length,answer_length or Vidur/Azure columns)", None),
    ), _a100, random=True),
    Family("homogeneous", "n identical requests at round 0", tuple(
        Param(name, int, meaning, minimum=1) for name, meaning in (
            ("memory", "KV capacity M"), ("prompt", "prompt size s"), ("output", "output length o"),
            ("requests", "number of requests n"))), _homogeneous),
    Family("staggering", "homogeneous instances where staggered starts beat greedy packing "
           "(formulations/exact-and-special-cases.md)", (
        Param("output", int, "output length(s) o", None, values="+", minimum=1),
        Param("requests", int, "number(s) of requests n", None, values="+", minimum=1),
        Param("prompt", int, "prompt size s (default 1)", 1, minimum=1),
        Param("memory", int, "capacity M (default s*o + o(o+1)/2: one start per round fits exactly)", None,
              minimum=1),
        Param("known", bool, "the five (M, s, o, n) with known optimum and greedy values", False),
    ), _staggering),
    Family("adversary", "the deterministic-adversary family, static form (kvopt's construction for the "
           "lower bound of arXiv 2502.07115, Theorem 4.1)", (
        Param("x", int, "family parameter(s) x >= 2", values="+", minimum=1),
        Param("tau", int, "round(s) tau at which the policy starts the long request; the short ones arrive "
              "at tau + 1 (default 0)", [0], values="+", minimum=0),
    ), _adversary),
    Family("fat-thin", "heterogeneous prompts that break shortest-first (arXiv 2508.06133)", (
        Param("memory", int, "capacity M (>= 3), one or more", values="+", minimum=1),
    ), _fat_thin),
    Family("random-small", "small random instances for exact solvers", (
        _count("instances (default 20)", 20),
        _first_index("index of the first instance"),
        Param("requests", int, "number of requests, uniform (default 3 8)", [3, 8], values=2, minimum=1,
              metavar=("MIN", "MAX")),
        Param("memory", int, "capacity M, uniform (default 6 16)", [6, 16], values=2, minimum=1,
              metavar=("MIN", "MAX")),
        Param("max_prompt", int, "largest prompt (default 3)", 3, minimum=1),
        Param("max_output", int, "largest output (default 6)", 6, minimum=1),
        Param("arrivals", str, "all at round 0, or each uniform on rounds 0..n-1 (default zero)", "zero",
              choices=("zero", "spread")),
        Param("prompts", str, "one prompt size for all requests, or one each (default heterogeneous)",
              "heterogeneous", choices=("identical", "heterogeneous")),
    ), _random_small, random=True),
)}


def get_family(name: str) -> Family:
    try:
        return FAMILIES[name]
    except KeyError:
        raise InputError(f"invalid choice: {name!r} (choose from {', '.join(FAMILIES)})", "generate") from None


def resolve(family: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter of `family`: the given ones (checked) and the defaults."""
    spec = get_family(family)
    where = f"generate {family}"
    known = {param.name: param for param in spec.all_params()}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InputError(f"unknown parameter(s) {', '.join(unknown)} (allowed: {', '.join(known)})", where)
    values = {}
    for name, param in known.items():
        if name in params and params[name] is not None:
            values[name] = param.check(params[name], where)
        elif param.required:
            raise InputError(f"parameter {name} is required", where)
        else:
            values[name] = param.default
    return values


def generate(family: str, **params: Any) -> list[Instance]:
    """The instances of `family` with `params` (the options `kvopt generate FAMILY --help` lists, with
    underscores: first_index=..., arrival_unit_ms=...); deterministic for a seed."""
    return get_family(family).build(**resolve(family, params))


def command_words(family: str, params: Mapping[str, Any], defaults: bool = False) -> list[str]:
    """`family` and its options as `kvopt generate` words, in the family's parameter order: the given
    parameters only, or (defaults=True) every parameter with its value."""
    values = resolve(family, params) if defaults else {k: v for k, v in params.items() if v is not None}
    words = [family]
    for param in get_family(family).all_params():
        if param.name not in values or values[param.name] is None:
            continue
        value = values[param.name]
        if param.type is bool:
            words += [param.flag] if value else []
        elif isinstance(value, (list, tuple)):
            words += [param.flag, *(_word(v) for v in value)]
        else:
            words += [param.flag, _word(value)]
    return words


def _word(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
