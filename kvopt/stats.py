"""Descriptive statistics of an instance (for `kvopt info`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kvopt.bounds.trivial import sum_of_outputs
from kvopt.instance import Instance


def _describe(values: np.ndarray) -> dict[str, float]:
    return {"min": int(values.min()), "mean": round(float(values.mean()), 3),
            "median": float(np.median(values)), "p90": float(np.percentile(values, 90)),
            "max": int(values.max())}


def instance_stats(instance: Instance) -> dict[str, Any]:
    arrivals, prompts, outputs = instance.arrivals, instance.prompts, instance.outputs
    volume = prompts * outputs + outputs * (outputs + 1) // 2
    ordered = np.sort(arrivals)  # distinct values by sorting (np.unique hashes: ten times slower here)
    return {
        "instance": instance.name,
        "arrival_unit_s": instance.arrival_unit_s,
        "requests": len(instance),
        "memory": instance.memory,
        "arrival": _describe(arrivals),
        "prompt": _describe(prompts),
        "output": _describe(outputs),
        "peak_memory": _describe(prompts + outputs),
        "all_at_zero": bool(ordered[-1] == 0),
        "distinct_arrival_rounds": int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1,
        "identical_prompts": bool(np.all(prompts == prompts[0])),
        "identical_requests": all(bool(np.all(column == column[0])) for column in (arrivals, prompts, outputs)),
        "total_volume": int(volume.sum()),
        "volume_over_memory": round(float(volume.sum()) / instance.memory, 3),
        "has_predictions": not instance.plain and any(r.predicted_output is not None for r in instance.requests),
        "has_intervals": not instance.plain and any(r.output_interval is not None for r in instance.requests),
        "batch_time": dict(instance.batch_time) if instance.batch_time else None,
        "trivial_lower_bound": sum_of_outputs(instance),
    }
