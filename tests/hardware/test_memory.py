"""The KV-capacity calculator (Vidur's memory planner) and `kvopt hardware`."""

import json

import pytest

from kvopt.errors import InputError
from kvopt.hardware.memory import GIB, MODELS, PAPER_A100_KV_CAPACITY, ModelShape, kv_capacity
from conftest import run_cli

# A toy shape small enough to compute by hand: head_dim = 8 / 2 = 4.
TOY = ModelShape("toy", layers=2, hidden=8, q_heads=2, kv_heads=1, mlp_hidden=16, vocab=10)


def test_toy_model_by_hand():
    # per layer: Wq,Wk,Wv 8*4*(2 + 2*1) = 128, Wo 8*4*2 = 64, gated MLP 3*8*16 = 384 -> 576; 2 layers -> 1152
    assert TOY.parameters_per_device() == 1152
    # usable 10,000 * 0.9 = 9,000; weights 2,304 B; KV/token 2*4*1*2*2 = 32 B; (9000 - 2304) / 32 = 209.25
    result = kv_capacity(TOY, 10_000, memory_margin=0.1)
    assert (result.usable_bytes, result.parameter_bytes, result.kv_bytes_per_token, result.tokens) == \
        (9000, 2304, 32, 209)
    assert kv_capacity(TOY, 10_000, block_size=16).tokens == 208
    # + embeddings and LM head 2*10*8 = 160, norms (2*2 + 1)*8 = 40 -> 1352 params, (9000 - 2704) / 32 = 196.75
    assert kv_capacity(TOY, 10_000, include_embeddings=True).tokens == 196
    # TP 2: q heads 1, KV heads ceil(1/2) = 1: 8*4*3 + 8*4*1 + 3*8*16/2 = 320 per layer -> 1280 B; 7720 / 32
    assert kv_capacity(TOY, 10_000, tensor_parallel=2).tokens == 241
    # PP 2: one layer per device: 576 params -> 1152 B; KV/token 16 B; (9000 - 1152) / 16 = 490.5
    assert kv_capacity(TOY, 10_000, pipeline_parallel=2).tokens == 490


def test_llama2_70b_on_two_a100s_by_hand():
    # per layer on each of 2 GPUs: 8192*128*(32 + 2*4) + 8192*128*32 + 3*8192*28672/2 = 427,819,008; x 80 layers
    result = kv_capacity(MODELS["llama-2-70b"], 80 * GIB, tensor_parallel=2, memory_margin=0.1)
    assert result.parameters_per_device == 34_225_520_640
    assert result.usable_bytes == 77_309_411_328                # 80 * 2^30 * 0.9
    assert result.kv_cache_bytes == 77_309_411_328 - 68_451_041_280
    assert result.kv_bytes_per_token == 2 * 128 * 4 * 80 * 2     # 163,840
    assert result.tokens == 8_858_370_048 // 163_840 == 54_067
    assert result.tokens != PAPER_A100_KV_CAPACITY               # the paper's figure is not these defaults'


def test_bad_configurations():
    with pytest.raises(InputError, match="no room for the KV cache"):
        kv_capacity(MODELS["llama-2-70b"], 80 * GIB, tensor_parallel=1)
    with pytest.raises(InputError, match="cannot be split"):
        kv_capacity(MODELS["llama-2-70b"], 80 * GIB, tensor_parallel=3)
    with pytest.raises(InputError, match="pipeline"):
        kv_capacity(MODELS["llama-2-70b"], 80 * GIB, tensor_parallel=2, pipeline_parallel=3)
    with pytest.raises(InputError, match="margin"):
        kv_capacity(TOY, 10_000, memory_margin=1.0)


def test_cli_prints_the_arithmetic():
    result = run_cli("hardware")
    assert result.returncode == 0, result.stderr
    assert "floor(8,858,370,048 / 163,840) = 54,067 tokens" in result.stdout
    assert "16,492" in result.stdout
    data = json.loads(run_cli("hardware", "--model", "llama-2-7b", "--tensor-parallel", "1", "--json").stdout)
    assert data["kv_bytes_per_token"] == 2 * 128 * 32 * 32 * 2 and data["tokens"] > 0
    override = json.loads(run_cli("hardware", "--model", "llama-2-7b", "--kv-heads", "8", "--tensor-parallel", "1",
                                  "--json").stdout)
    assert override["kv_heads_per_device"] == 8 and override["tokens"] > 4 * data["tokens"]


def test_cli_errors():
    for args in (("hardware", "--tensor-parallel", "1"), ("hardware", "--tensor-parallel", "0"),
                 ("hardware", "--model", "gpt-5")):
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.strip().splitlines()[-1].startswith("kvopt"), result.stderr
        assert "Traceback" not in result.stderr
