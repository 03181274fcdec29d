"""kvopt hardware: the KV-cache capacity M of a GPU set-up, with the arithmetic."""

from __future__ import annotations

import argparse
from dataclasses import replace

from kvopt.cli.values import positive_int
from kvopt.cli.common import EXIT_OK, add_json_flag, guarded, print_json
from kvopt.errors import InputError
from kvopt.hardware.memory import GIB, GPUS, MODELS, PAPER_A100_KV_CAPACITY, kv_capacity

NAME = "hardware"
HELP = "derive the KV-cache capacity M (tokens) from GPU memory, model shape and parallelism"

SHAPE_OPTIONS = (("layers", "layers"), ("hidden", "hidden size"), ("q_heads", "query heads"),
                 ("kv_heads", "KV heads"), ("mlp_hidden", "MLP hidden size"), ("vocab", "vocabulary size"))


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(NAME, help=HELP, description=HELP + " (Vidur's memory planner; "
                                   "head size = hidden / query heads).")
    parser.add_argument("--model", choices=sorted(MODELS), default="llama-2-70b",
                        help="model shape preset (default llama-2-70b)")
    for name, meaning in SHAPE_OPTIONS:
        parser.add_argument(f"--{name.replace('_', '-')}", type=positive_int,
                            help=f"override the preset's {meaning}")
    parser.add_argument("--gpu", choices=sorted(GPUS), default="a100-80gb", help="GPU preset (default a100-80gb)")
    parser.add_argument("--gpu-memory-gib", type=float, help="override the GPU's memory in GiB")
    parser.add_argument("--tensor-parallel", type=positive_int, default=2,
                        help="GPUs sharing each layer (default 2)")
    parser.add_argument("--pipeline-parallel", type=positive_int, default=1, help="pipeline stages (default 1)")
    parser.add_argument("--memory-margin", type=float, default=0.1,
                        help="fraction of GPU memory kept free (default 0.1, Vidur's)")
    parser.add_argument("--param-bytes", type=positive_int, default=2, help="bytes per weight (default 2: fp16)")
    parser.add_argument("--kv-bytes", type=positive_int, default=2, help="bytes per KV value (default 2: fp16)")
    parser.add_argument("--include-embeddings", action="store_true",
                        help="count embedding, LM-head and norm weights (Vidur does not)")
    parser.add_argument("--block-size", type=positive_int, default=1,
                        help="round M down to KV blocks of this size")
    add_json_flag(parser)
    parser.set_defaults(run=guarded(run))


def run(args: argparse.Namespace) -> int:
    overrides = {name: getattr(args, name) for name, _ in SHAPE_OPTIONS if getattr(args, name) is not None}
    model = replace(MODELS[args.model], **overrides)
    gpu = GPUS[args.gpu]
    memory_gib = gpu.memory_gib if args.gpu_memory_gib is None else args.gpu_memory_gib
    if not 0 < memory_gib <= 1e6:
        raise InputError(f"GPU memory must be more than 0 and at most 10^6 GiB, got {memory_gib:g}",
                         "--gpu-memory-gib")
    result = kv_capacity(model, int(memory_gib * GIB), tensor_parallel=args.tensor_parallel,
                         pipeline_parallel=args.pipeline_parallel, memory_margin=args.memory_margin,
                         param_bytes=args.param_bytes, kv_bytes=args.kv_bytes,
                         include_embeddings=args.include_embeddings, block_size=args.block_size)
    if args.json:
        print_json({**result.as_dict(), "gpu": gpu.name, "shape": vars(model)})
        return EXIT_OK
    print("\n".join(result.lines()))
    if model.name == "llama-2-70b" and args.gpu == "a100-80gb":
        print(f"note: the MC-SF paper's M = {PAPER_A100_KV_CAPACITY:,} for this model on two A100-80GB (the "
              "default of `kvopt generate a100`) is not reproduced by these formulas; see "
              "calibration/kv_capacity_16492.py.")
    return EXIT_OK
