"""KV-cache capacity M (tokens) of one model replica, the arithmetic of Vidur's memory planner.

Vidur (microsoft/vidur, `vidur/scheduler/utils/memory_planner.py` and `vidur/utils/param_counter.py`;
Agrawal et al., MLSys 2024) computes, per device:

    usable        = GPU memory * (1 - memory margin)
    parameters    = (attention Wq, Wk, Wv, Wo + MLP weights of the layers on this device) * bytes/param
    KV per token  = 2 (K and V) * head_dim * KV heads on this device * layers on this device * bytes/value
    M             = floor((usable - parameters) / KV per token)

Tensor parallelism splits heads and MLP columns over the devices (KV heads per device = ceil(kv / tp));
pipeline parallelism splits the layers. Every device then holds the KV of all tokens for its own heads
and layers, so the per-device quotient is the replica's capacity in tokens. Vidur counts no embedding,
LM-head or norm weights; `include_embeddings` adds them. `block_size` > 1 rounds M down to whole
KV blocks, as paged-attention servers allocate.

The MC-SF paper's M = 16,492 tokens for Llama-2-70B on two A100-80GB (arXiv 2502.07115 v5) is not what these
defaults give (54,067); calibration/kv_capacity_16492.py searches the plausible configurations and is
summarised in README.md. `PAPER_A100_KV_CAPACITY` keeps the paper's figure as a constant.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from kvopt.errors import InputError

GIB = 1024 ** 3

#: KV capacity (tokens) of Llama-2-70B on two A100-80GB used in arXiv 2502.07115 v5 (real-data experiments):
#: taken as given; no documented configuration of Vidur's memory planner reproduces it (see module doc).
PAPER_A100_KV_CAPACITY = 16_492


@dataclass(frozen=True)
class ModelShape:
    """Transformer shape as Vidur's model configs give it."""

    name: str
    layers: int
    hidden: int
    q_heads: int
    kv_heads: int
    mlp_hidden: int
    vocab: int
    gated_mlp: bool = True

    @property
    def head_dim(self) -> int:
        return self.hidden // self.q_heads

    def parameters_per_device(self, tensor_parallel: int = 1, pipeline_parallel: int = 1,
                              include_embeddings: bool = False) -> int:
        """Weights on one device (Vidur's ParamCounter; optionally embeddings, LM head and norms)."""
        q_heads = self.q_heads // tensor_parallel
        kv_heads = math.ceil(self.kv_heads / tensor_parallel)
        per_layer = (self.hidden * self.head_dim * (q_heads + 2 * kv_heads)   # Wq, Wk, Wv
                     + self.hidden * self.head_dim * q_heads                   # Wo
                     + (3 if self.gated_mlp else 2) * self.hidden * self.mlp_hidden // tensor_parallel)
        total = per_layer * (self.layers // pipeline_parallel)
        if include_embeddings:
            total += 2 * self.vocab * self.hidden // tensor_parallel + (2 * self.layers + 1) * self.hidden
        return total


#: Shapes from the models' Hugging Face configs (the same values as Vidur's model configs).
MODELS = {
    "llama-2-7b": ModelShape("llama-2-7b", 32, 4096, 32, 32, 11008, 32000),
    "llama-2-13b": ModelShape("llama-2-13b", 40, 5120, 40, 40, 13824, 32000),
    "llama-2-70b": ModelShape("llama-2-70b", 80, 8192, 64, 8, 28672, 32000),
    "llama-3-8b": ModelShape("llama-3-8b", 32, 4096, 32, 8, 14336, 128256),
    "llama-3-70b": ModelShape("llama-3-70b", 80, 8192, 64, 8, 28672, 128256),
}


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_gib: float
    hbm_bandwidth_gbps: float  # GB/s (10^9 bytes), vendor peak


GPUS = {
    "a100-80gb": Gpu("a100-80gb", 80, 2039.0),   # A100 80GB SXM, HBM2e
    "a100-40gb": Gpu("a100-40gb", 40, 1555.0),
    "h100-80gb": Gpu("h100-80gb", 80, 3350.0),   # H100 SXM, HBM3
}


@dataclass(frozen=True)
class KvCapacity:
    """Every quantity of the calculation (bytes unless named otherwise) and the result M in tokens."""

    model: str
    gpu_memory_bytes: int
    memory_margin: float
    tensor_parallel: int
    pipeline_parallel: int
    usable_bytes: int
    parameters_per_device: int
    param_bytes: int
    parameter_bytes: int
    kv_heads_per_device: int
    layers_per_device: int
    head_dim: int
    kv_bytes: int
    kv_bytes_per_token: int
    kv_cache_bytes: int
    block_size: int
    tokens: int

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        """The arithmetic, one step per line."""
        steps = [
            ("GPU memory per device", f"{self.gpu_memory_bytes:,} B ({self.gpu_memory_bytes / GIB:g} GiB)"),
            (f"usable (1 - margin {self.memory_margin:g})", f"{self.usable_bytes:,} B"),
            ("parameters per device", f"{self.parameters_per_device:,} x {self.param_bytes} B = "
                                      f"{self.parameter_bytes:,} B"),
            ("left for the KV cache", f"{self.usable_bytes:,} - {self.parameter_bytes:,} = {self.kv_cache_bytes:,} B"),
            ("KV bytes per token", f"2 (K,V) x {self.head_dim} (head dim) x {self.kv_heads_per_device} (KV heads) x "
                                   f"{self.layers_per_device} (layers) x {self.kv_bytes} B = {self.kv_bytes_per_token:,} B"),
            ("KV capacity M", f"floor({self.kv_cache_bytes:,} / {self.kv_bytes_per_token:,})"
                              + (f" in blocks of {self.block_size}" if self.block_size > 1 else "")
                              + f" = {self.tokens:,} tokens"),
        ]
        header = (f"model {self.model}; tensor parallel {self.tensor_parallel}, pipeline stages "
                  f"{self.pipeline_parallel}: {self.tensor_parallel * self.pipeline_parallel} GPU(s)")
        return [header] + [f"{label:<28} {value}" for label, value in steps]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}", "hardware")
    return value


def kv_capacity(model: ModelShape, gpu_memory_bytes: int, *, tensor_parallel: int = 1,
                pipeline_parallel: int = 1, memory_margin: float = 0.1, param_bytes: int = 2,
                kv_bytes: int = 2, include_embeddings: bool = False, block_size: int = 1) -> KvCapacity:
    """KV capacity in tokens of one replica (see the module docstring for the formula)."""
    for name, value in (("tensor_parallel", tensor_parallel), ("pipeline_parallel", pipeline_parallel),
                        ("param_bytes", param_bytes), ("kv_bytes", kv_bytes), ("block_size", block_size),
                        ("gpu_memory_bytes", gpu_memory_bytes)):
        _positive_int(value, name)
    if not 0 <= memory_margin < 1:
        raise InputError(f"memory margin must be in [0, 1), got {memory_margin}", "hardware")
    if model.q_heads % tensor_parallel or model.hidden % model.q_heads:
        raise InputError(f"{model.q_heads} query heads cannot be split over {tensor_parallel} GPUs",
                         "hardware")
    if model.layers % pipeline_parallel:
        raise InputError(f"{model.layers} layers cannot be split into {pipeline_parallel} pipeline stages",
                         "hardware")
    usable = int(gpu_memory_bytes * (1 - memory_margin))
    parameters = model.parameters_per_device(tensor_parallel, pipeline_parallel, include_embeddings)
    parameter_bytes = parameters * param_bytes
    kv_heads = math.ceil(model.kv_heads / tensor_parallel)
    layers = model.layers // pipeline_parallel
    per_token = 2 * model.head_dim * kv_heads * layers * kv_bytes
    free = usable - parameter_bytes
    if free < per_token:
        raise InputError(f"the weights ({parameter_bytes:,} B per device) leave no room for the KV cache in "
                         f"{usable:,} usable bytes; use more GPUs or a smaller margin", "hardware")
    tokens = free // per_token // block_size * block_size
    return KvCapacity(model=model.name, gpu_memory_bytes=gpu_memory_bytes, memory_margin=memory_margin,
                      tensor_parallel=tensor_parallel, pipeline_parallel=pipeline_parallel,
                      usable_bytes=usable, parameters_per_device=parameters, param_bytes=param_bytes,
                      parameter_bytes=parameter_bytes, kv_heads_per_device=kv_heads, layers_per_device=layers,
                      head_dim=model.head_dim, kv_bytes=kv_bytes, kv_bytes_per_token=per_token,
                      kv_cache_bytes=free, block_size=block_size, tokens=tokens)
