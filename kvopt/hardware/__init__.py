"""Hardware models: the KV-cache capacity of a GPU set-up and batch-time models of real GPUs.

`kvopt.hardware.memory` derives the capacity M (tokens) from GPU memory and model shape (Vidur's memory
planner, microsoft/vidur); `kvopt.hardware.a100` is the Llama-2-70B-on-A100 batch-time model registered
in kvopt.timing as "a100-llama2-70b"; `kvopt.hardware.energy` is the power model of that set-up (watts as a
function of what a batch computes and reads, idle power, GPU count), calibrated to published measurements
in energy_models/*.json, which kvopt.energy turns into the energy of a schedule.
"""
