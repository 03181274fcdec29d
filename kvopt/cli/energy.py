"""The energy options and lines the verbs share: `--energy MODEL` (a built-in power model or a JSON file,
kvopt.hardware.energy) and the one-line summary printed next to latency."""

from __future__ import annotations

import argparse
from typing import Any

from kvopt.cli.outputs import declare_input


def add_energy_argument(parser: argparse.ArgumentParser) -> None:
    from kvopt.hardware.energy import DEFAULT, available
    parser.add_argument("--energy", metavar="MODEL", default=DEFAULT,
                        help=f"power model for the energy figures: a built-in ({', '.join(available())}; "
                             f"default {DEFAULT}) or a JSON file in its format (kvopt/hardware/energy.py)")
    declare_input(parser, "energy")


def simulation_energy(instance: Any, simulation: Any, model_name: str) -> Any:
    from kvopt.energy import of_simulation
    from kvopt.hardware.energy import load
    return of_simulation(instance, simulation, load(model_name))


def schedule_energy(instance: Any, schedule: Any, model: Any) -> Any:
    from kvopt.energy import account
    return account(instance, schedule, model)


def headline(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without its windows over time (for one-object --json outputs)."""
    return {key: value for key, value in summary.items() if key != "windows"}


def energy_line(summary: dict[str, Any]) -> str:
    """'energy: ...' for seconds, 'energy (unit rounds): ...' for rounds."""
    if summary["unit"] == "J":
        return (f"energy: {summary['total']:.1f} J ({summary['total_kwh']:.4g} kWh) on {summary['gpus']} GPUs "
                f"({summary['model']}); {summary['per_output_token']:.4g} J per output token; average power "
                f"{summary['average_power_w']:.1f} W, peak {summary['peak_power_w']:.1f} W; idle "
                f"{summary['idle']:.1f} J over {summary['idle_time']:.3f} s")
    return (f"energy (unit rounds): {summary['total']:.1f} W-rounds on {summary['gpus']} GPUs ({summary['model']}); "
            f"{summary['per_output_token']:.4g} W-rounds per output token; average power {summary['average_power_w']:.1f} W; "
            f"idle {summary['idle']:.1f} W-rounds over {summary['idle_time']:g} rounds")


def certify_energy(instance: Any, certificate: Any, schedules: dict[str, Any], model: Any) -> dict[str, Any] | None:
    """Energy of every verified schedule certify found, of the best one, and their latency-energy Pareto
    front (None when no schedule was found)."""
    from kvopt.energy import account, pareto_front
    if not schedules:
        return None
    figures = {}
    for method, schedule in schedules.items():
        account_ = account(instance, schedule, model)
        figures[method] = {"objective": certificate_objective(instance, schedule), "energy": account_.total,
                           "unit": account_.unit}
    unit = next(iter(figures.values()))["unit"]
    best = certificate.best.method if certificate.best is not None else None
    front = pareto_front([(m, f["objective"], f["energy"]) for m, f in figures.items()])
    return {"model": model.name, "unit": unit, "best": figures[best]["energy"] if best in figures else None,
            "methods": {m: f["energy"] for m, f in figures.items()},
            "pareto": [{"method": m, "objective": latency, "energy": e} for m, latency, e in front]}


def certificate_objective(instance: Any, schedule: Any) -> int:
    from kvopt.verify import verify
    return verify(instance, schedule).objective


def certify_energy_lines(energy: dict[str, Any] | None) -> list[str]:
    if energy is None:
        return []
    unit = energy["unit"]
    lines = [f"energy ({energy['model']}): best schedule {energy['best']:.1f} {unit}; least "
             f"{min(energy['methods'].values()):.1f}, most {max(energy['methods'].values()):.1f} over "
             f"{len(energy['methods'])} schedules"]
    front = ", ".join(f"{p['method']} ({p['objective']}, {p['energy']:.1f})" for p in energy["pareto"])
    lines.append(f"latency-energy Pareto front (total latency, {unit}): {front}")
    return lines
