"""Power models: how many watts the GPUs of one worker draw while they run a batch, and while they wait.

Per GPU, while a batch of duration t (seconds, from the batch-time model) runs:

    P = min(cap_w, busy_w + compute_w * u_c + memory_w * u_m)
    u_c = min(1, FLOPs / (gpus * t * peak_tflops * 1e12))      FLOPs = 2 * params * batch tokens
    u_m = min(1, bytes / (gpus * t * hbm_gbps * 1e9))          bytes = 2 * params (weights, read once per
                                                               batch) + KV tokens * kv_bytes_per_token

(batch tokens = prefill tokens + decode requests, as in kvopt.hardware.a100; KV tokens = the KV cache the
batch reads). A prefill-heavy batch is compute-bound (u_c high), a decode-heavy one reads the weights and
the KV cache (u_m high); both are clipped at the board limit `cap_w`. While the worker waits with nothing
to run, each GPU draws `idle_w`. A batch's energy is gpus * P * t joules; `gpus` is the tensor-parallel
degree of an A100 batch-time model, else 2, unless the file fixes it (`hardware.gpus`).

Unit rounds (the theory's model, offline methods, certify, sweeps) have no seconds. There a round is
charged `round_power_w`: idle power when nothing runs, otherwise the power of a decode batch that grows
linearly in the KV volume held, from a one-request batch (kv = 0) to a full KV cache (kv = M), both
evaluated with this model on the A100 Llama-2-70B set-up (kvopt.hardware.a100, M = 16,492). Energy in
rounds is in W x rounds (joules if a round lasts one second).

Models are JSON files (`kvopt/hardware/energy_models/*.json`, written with their sources by
calibration/fit_a100_energy.py); `load(name_or_path)` reads a built-in by name or a user's file, rejecting
unknown keys and bad coefficients with one line, and `EnergyModel.as_dict()` writes it back unchanged.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kvopt.errors import InputError

FORMAT = "kvopt-energy-model"
VERSION = 1
DEFAULT = "a100-mlenergy"
MODELS = Path(__file__).with_name("energy_models")

#: Llama-2-70B: parameters and KV bytes per token (2 (K,V) x 128 head dim x 8 KV heads x 80 layers x 2 B).
LLAMA2_70B_PARAMS = 68.98e9
LLAMA2_70B_KV_BYTES = 2 * 128 * 8 * 80 * 2.0
A100_KV_CAPACITY = 16492      # the MC-SF paper's M (kvopt.generate.a100)
ROUND_FULL_REQUESTS = 100     # requests in the full-cache decode batch of the unit-round measure

POWER_KEYS = ("idle_w", "busy_w", "compute_w", "memory_w", "cap_w")
HARDWARE_KEYS = ("peak_tflops", "hbm_gbps", "params", "kv_bytes_per_token", "gpus")
TOP_KEYS = ("format", "version", "name", "description", "power", "hardware", "sources")


@dataclass(frozen=True)
class EnergyModel:
    name: str
    idle_w: float
    busy_w: float
    compute_w: float
    memory_w: float
    cap_w: float
    peak_tflops: float = 312.0
    hbm_gbps: float = 2039.0
    params: float = LLAMA2_70B_PARAMS
    kv_bytes_per_token: float = LLAMA2_70B_KV_BYTES
    gpus: int | None = None
    description: str = ""
    sources: tuple[str, ...] = field(default=())

    def gpu_count(self, batch_time: dict[str, Any] | None) -> int:
        """GPUs of the worker: the model's own figure, else the tensor-parallel degree of an A100 batch-time
        model, else 2 (Llama-2-70B on two A100s, the MC-SF paper's set-up)."""
        if self.gpus is not None:
            return self.gpus
        spec = batch_time or {}
        return int(spec.get("tensor_parallel", 2)) if spec.get("model") == "a100-llama2-70b" else 2

    def gpu_power_w(self, tokens: np.ndarray, kv_tokens: np.ndarray, seconds: np.ndarray,
                    gpus: int) -> np.ndarray:
        """Watts per GPU of batches with `tokens` batch tokens reading `kv_tokens` KV tokens in `seconds`
        (a batch of no token, or of no duration, draws idle power)."""
        tokens, kv, seconds = (np.asarray(a, float) for a in (tokens, kv_tokens, seconds))
        busy = (tokens > 0) & (seconds > 0)
        t = np.where(busy, seconds, 1.0)
        u_c = np.minimum(1.0, 2 * self.params * tokens / (gpus * t * self.peak_tflops * 1e12))
        u_m = np.minimum(1.0, (2 * self.params + kv * self.kv_bytes_per_token) / (gpus * t * self.hbm_gbps * 1e9))
        power = np.minimum(self.cap_w, self.busy_w + self.compute_w * u_c + self.memory_w * u_m)
        return np.where(busy, power, self.idle_w)

    def round_power_w(self, active: np.ndarray, kv_tokens: np.ndarray, memory: int, gpus: int) -> np.ndarray:
        """Watts (all GPUs) charged for unit rounds with `active` running requests holding `kv_tokens`."""
        from kvopt.batch_time import BatchStats
        from kvopt.hardware.a100 import A100Llama2_70B

        timing = A100Llama2_70B(tensor_parallel=gpus if gpus in (1, 2, 4) else 2)
        low_s = timing.seconds(BatchStats(1, 0, 1, 1))
        full_kv = A100_KV_CAPACITY
        full_s = timing.seconds(BatchStats(ROUND_FULL_REQUESTS, 0, ROUND_FULL_REQUESTS, full_kv))
        low, full = self.gpu_power_w(np.array([1, ROUND_FULL_REQUESTS]), np.array([1, full_kv]),
                                     np.array([low_s, full_s]), gpus)
        fill = np.asarray(kv_tokens, float) / max(1, memory)
        per_gpu = np.where(np.asarray(active) > 0, low + (full - low) * fill, self.idle_w)
        return gpus * per_gpu

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        hardware = {k: data[k] for k in HARDWARE_KEYS if data[k] is not None}
        return {"format": FORMAT, "version": VERSION, "name": self.name, "description": self.description,
                "power": {k: data[k] for k in POWER_KEYS}, "hardware": hardware, "sources": list(self.sources)}


def _number(value: Any, where: str, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0 or (positive and value == 0):
        raise InputError(f"must be a {'positive' if positive else 'non-negative'} finite number of the "
                         f"unit its name gives, got {value!r}", where)
    return float(value)


def _keys(data: Any, allowed: tuple[str, ...], required: tuple[str, ...], where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError(f"must be an object, got {type(data).__name__}", where)
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r} (known: {', '.join(allowed)})", where)
    missing = [k for k in required if k not in data]
    if missing:
        raise InputError(f"missing key {missing[0]!r}", where)
    return data


def from_dict(data: Any, where: str = "energy model") -> EnergyModel:
    """Validate an energy-model object (the JSON file's content)."""
    data = _keys(data, TOP_KEYS, ("format", "version", "name", "power"), where)
    if data["format"] != FORMAT:
        raise InputError(f"format must be {FORMAT!r}, got {data['format']!r}", where)
    if data["version"] != VERSION:
        raise InputError(f"version {data['version']!r}: this kvopt reads version {VERSION}", where)
    if not isinstance(data["name"], str) or not data["name"]:
        raise InputError("name must be a non-empty string", where)
    power = _keys(data["power"], POWER_KEYS, POWER_KEYS, f"{where}: power")
    values = {k: _number(power[k], f"{where}: power.{k}", positive=k == "cap_w") for k in POWER_KEYS}
    for key in ("idle_w", "busy_w"):
        if values[key] > values["cap_w"]:
            raise InputError(f"{key} {values[key]:g} W exceeds cap_w {values['cap_w']:g} W", f"{where}: power")
    hardware = _keys(data.get("hardware", {}), HARDWARE_KEYS, (), f"{where}: hardware")
    for key, value in hardware.items():
        if key == "gpus":
            if type(value) is not int or not 1 <= value <= 1024:
                raise InputError(f"must be an integer from 1 to 1024, got {value!r}", f"{where}: hardware.gpus")
            values[key] = value
        else:
            values[key] = _number(value, f"{where}: hardware.{key}", positive=True)
    description = data.get("description", "")
    sources = data.get("sources", [])
    if not isinstance(description, str) or not isinstance(sources, list) \
            or not all(isinstance(s, str) for s in sources):
        raise InputError("description must be a string and sources a list of strings", where)
    return EnergyModel(name=data["name"], description=description, sources=tuple(sources), **values)


def available() -> list[str]:
    return sorted(p.stem for p in MODELS.glob("*.json"))


def load(name: str | None = None) -> EnergyModel:
    """A built-in model by name (default DEFAULT) or a user's JSON file by path."""
    from kvopt.io.json_files import load_json

    name = name or DEFAULT
    path = Path(name)
    if not path.is_file():
        if name not in available():
            raise InputError(f"no such energy model or file (built-in: {', '.join(available())})", name)
        path = MODELS / f"{name}.json"
    return from_dict(load_json(path), str(name))


def dumps(model: EnergyModel) -> str:
    return json.dumps(model.as_dict(), indent=2) + "\n"
