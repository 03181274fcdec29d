"""Which memory-planner configuration gives the MC-SF paper's M = 16,492 tokens (arXiv 2502.07115 v5, real-data experiments)?

Enumerates the knobs of Vidur's memory planner (kvopt.hardware.memory.kv_capacity) for Llama-2-70B on
A100s — GPU memory read as GiB or GB, memory margin, tensor/pipeline parallel degree, weight and KV
precision, grouped-query (8 KV heads) or full multi-head KV (64), embeddings counted or not, KV block
size — and prints every configuration within 2% of 16,492, then the margin that would give exactly
16,492 under the default configuration. Needs no data. Run: PYTHONPATH=. python calibration/kv_capacity_16492.py
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from kvopt.errors import InputError
from kvopt.hardware.memory import GIB, MODELS, PAPER_A100_KV_CAPACITY, kv_capacity

TARGET = PAPER_A100_KV_CAPACITY


def main() -> None:
    base = MODELS["llama-2-70b"]
    memories = {"80 GiB": 80 * GIB, "80 GB": 80 * 10 ** 9, "40 GiB": 40 * GIB, "40 GB": 40 * 10 ** 9}
    shapes = {"GQA (8 KV heads)": base, "MHA (64 KV heads)": replace(base, kv_heads=64)}
    hits = []
    tried = 0
    for (memory_name, memory), (shape_name, shape), margin, tp, pp, param_bytes, kv_bytes, embeddings, block in \
            itertools.product(memories.items(), shapes.items(), (0.0, 0.05, 0.1, 0.15, 0.2), (1, 2, 4, 8),
                              (1, 2), (1, 2), (1, 2, 4), (False, True), (1, 16)):
        if tp * pp > 8:
            continue
        tried += 1
        try:
            result = kv_capacity(shape, memory, tensor_parallel=tp, pipeline_parallel=pp, memory_margin=margin,
                                 param_bytes=param_bytes, kv_bytes=kv_bytes, include_embeddings=embeddings,
                                 block_size=block)
        except InputError:
            continue
        if abs(result.tokens - TARGET) <= 0.02 * TARGET:
            hits.append((abs(result.tokens - TARGET), result.tokens, memory_name, shape_name, margin, tp, pp,
                         param_bytes, kv_bytes, embeddings, block))
    print(f"{tried} configurations tried; {len(hits)} within 2% of {TARGET:,}:")
    print("tokens | GPU memory | KV heads | margin | TP | PP | weight B | KV B | embeddings | block")
    for _, tokens, *knobs in sorted(hits):
        print(f"{tokens:,} | " + " | ".join(str(k) for k in knobs))

    default = kv_capacity(base, 80 * GIB, tensor_parallel=2)
    per_token = default.kv_bytes_per_token
    needed = default.parameter_bytes + TARGET * per_token
    print(f"\nDefault configuration (80 GiB, margin 0.1, TP 2, fp16, GQA): M = {default.tokens:,}.")
    for name, memory in (("80 GiB", 80 * GIB), ("80 GB", 80 * 10 ** 9)):
        print(f"  margin giving exactly {TARGET:,} with {name}: 1 - {needed:,} / {memory:,} = "
              f"{1 - needed / memory:.4f}")


if __name__ == "__main__":
    main()
