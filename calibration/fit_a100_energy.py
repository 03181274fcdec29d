"""Fit the A100 power models (kvopt.hardware.energy) to published measurements; write their JSON files.

Sources (the figures are few, so they are quoted here rather than read from a data folder):

* ML.ENERGY leaderboard (Chung et al., ml-energy/leaderboard, data/A100_chat_benchmark.csv, commit
  4717739): per response, on the leaderboard's A100, batch size 1 (the file does not name the A100 model;
  it is taken to be the A100-SXM4-40GB of the leaderboard's other A100 data, 1,555 GB/s HBM),
    metaai/Llama-2-7b-chat-hf:  1,828.77 J, 9.4421 s, 420.07 tokens  -> 193.7 W, 4.35 J/token
    metaai/Llama-2-13b-chat-hf: 3,050.13 J, 12.9842 s, 379.49 tokens -> 234.9 W, 8.04 J/token
  Each GPU's HBM utilisation u_m is the weights (2 bytes per parameter) read per token over the time per
  token (latency / response length); the line P = busy_w + memory_w * u_m through the two points gives
  busy_w and memory_w. compute_w is taken equal to memory_w (one watt scale per unit of utilisation: an
  assumption, the leaderboard's batch-1 decoding hardly computes) and idle_w equal to busy_w (the power
  the line gives at zero utilisation; no source here measures the idle A100 of this set-up).
* NVIDIA A100 SXM4 data sheet: 400 W maximum board power (cap_w of `a100-mlenergy`).
* Samsi et al. 2023, "From Words to Watts" (arXiv 2310.03003): LLaMA-65B on A100-80GB GPUs capped at
  250 W draws about 300 W to 1 kW per model instance depending on the number of shards, about 3-4 J per
  decoded token (batch 64, fairscale); capping at 175 W instead of 250 W cut energy about 23% for 6-7%
  more latency (as the paper's summaries quote it; the per-GPU draw was not checked against the full
  text). `a100-samsi2023` charges a flat 250 W per busy GPU (their cap: power independent of what
  the batch does), `a100-samsi2023-cap175` a flat 175 W (their capped runs; the 6-7% slow-down is not
  modelled, batch times stay those of kvopt.hardware.a100). Both idle at the ML.ENERGY fit's busy_w.

The report checks the fitted model against the figures it was not fitted to: J per token of reference
batches of Llama-2-70B on two A100s (kvopt.hardware.a100 batch times).
Run: PYTHONPATH=. python calibration/fit_a100_energy.py [--check]
(--check compares the fit with the committed files instead of writing them; exit 1 if they differ.)
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from generated import ROOT

from kvopt.batch_time import BatchStats
from kvopt.hardware.a100 import A100Llama2_70B
from kvopt.hardware.energy import FORMAT, MODELS, VERSION, from_dict

LEADERBOARD = "ML.ENERGY leaderboard, ml-energy/leaderboard data/A100_chat_benchmark.csv (commit 4717739)"
SAMSI = "Samsi et al. 2023, From Words to Watts, arXiv 2310.03003"
DATASHEET = "NVIDIA A100 Tensor Core GPU data sheet: A100 SXM4 max TDP 400 W"
#: (model, parameters, energy J, latency s, response tokens), batch size 1.
MEASURED = [("Llama-2-7b-chat", 6.74e9, 1828.7749392209557, 9.4420965670117, 420.0661517797179),
            ("Llama-2-13b-chat", 13.02e9, 3050.1256225654797, 12.98423684546037, 379.4936198791135)]
LEADERBOARD_HBM_GBPS = 1555.0
A100_CAP_W = 400.0


def leaderboard_points() -> tuple[np.ndarray, np.ndarray]:
    """HBM utilisation and watts of the two leaderboard rows."""
    utilisation, watts = [], []
    for _, params, joules, seconds, tokens in MEASURED:
        per_token_s = seconds / tokens
        utilisation.append(2 * params / per_token_s / (LEADERBOARD_HBM_GBPS * 1e9))
        watts.append(joules / seconds)
    return np.array(utilisation), np.array(watts)


def model(name: str, description: str, sources: list[str], **power: float) -> dict:
    data = {"format": FORMAT, "version": VERSION, "name": name, "description": description,
            "power": {k: round(float(v), 3) for k, v in power.items()}, "hardware": {}, "sources": sources}
    data["hardware"] = from_dict(data).as_dict()["hardware"]  # the defaults, written out
    return data


def fit() -> dict[str, dict]:
    u, watts = leaderboard_points()
    memory_w, busy_w = np.polyfit(u, watts, 1)
    fitted = model("a100-mlenergy", "A100 power fitted to the ML.ENERGY leaderboard's Llama-2 7B/13B "
                   "batch-1 rows (power linear in HBM and compute utilisation), clipped at the 400 W board "
                   "limit", [LEADERBOARD, DATASHEET],
                   idle_w=busy_w, busy_w=busy_w, compute_w=memory_w, memory_w=memory_w, cap_w=A100_CAP_W)
    flat = {cap: model(name, f"flat {cap:g} W per busy A100 (the cap of Samsi et al.'s runs), idle at the "
                       f"ML.ENERGY fit's zero-load power", [SAMSI, LEADERBOARD],
                       idle_w=busy_w, busy_w=cap, compute_w=0.0, memory_w=0.0, cap_w=cap)
            for name, cap in (("a100-samsi2023", 250.0), ("a100-samsi2023-cap175", 175.0))}
    return {"a100-mlenergy": fitted, "a100-samsi2023": flat[250.0], "a100-samsi2023-cap175": flat[175.0]}


REFERENCE = [("decode, 1 request", BatchStats(1, 0, 1, 100)),
             ("decode, 100 requests, 12,500 KV", BatchStats(100, 0, 100, 12500)),
             ("prefill, 4 prompts of 1,024", BatchStats(4, 4096, 0, 4096))]


def show(models: dict[str, dict]) -> None:
    u, watts = leaderboard_points()
    for (name, *_), ui, wi in zip(MEASURED, u, watts):
        print(f"{name}: HBM utilisation {ui:.4f}, {wi:.1f} W")
    timing = A100Llama2_70B(tensor_parallel=2)
    for name, data in models.items():
        m = from_dict(data)
        print(f"{name}: " + ", ".join(f"{k} {v:g}" for k, v in data["power"].items()))
        for label, batch in REFERENCE:
            seconds = timing.seconds(batch)
            tokens = batch.prefill_tokens + batch.decode_requests
            power = 2 * float(m.gpu_power_w(np.array([tokens]), np.array([batch.kv_tokens]),
                                            np.array([seconds]), 2)[0])
            print(f"   {label}: {seconds * 1e3:.1f} ms, {power:.0f} W on 2 GPUs, "
                  f"{power * seconds / max(1, batch.decode_requests):.3f} J per decoded token")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args()
    models = fit()
    show(models)
    same = True
    for name, data in models.items():
        target = MODELS / f"{name}.json"
        text = json.dumps(data, indent=2) + "\n"
        if args.check:
            matches = target.is_file() and target.read_text() == text
            same &= matches
            print(f"{target.relative_to(ROOT)} {'matches' if matches else 'DIFFERS FROM'} a fresh fit")
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(ROOT)}")
    raise SystemExit(0 if same else 1)


if __name__ == "__main__":
    main()
