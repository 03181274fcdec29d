"""Exported MPS/LP files parse, re-solve to the same optimum, and solutions map back to schedules."""

from __future__ import annotations

import pytest
from conftest import homogeneous

from kvopt import InputError, Instance, Request, solve, verify
from kvopt.formulations.export import schedule_from_solution, solution_values, write_model
from kvopt.formulations.export import model_for_export
from kvopt.formulations.highs_solver import new_highs


def resolve(path):
    highs = new_highs()
    highs.readModel(str(path))
    highs.run()
    return highs


@pytest.fixture
def mixed() -> Instance:
    return Instance(10, (Request("a", 0, 2, 3), Request("b", 1, 1, 4), Request("c", 1, 1, 4),
                         Request("d", 2, 3, 2), Request("e", 0, 1, 5)), name="mixed")


@pytest.mark.parametrize("file_format", ["mps", "lp"])
@pytest.mark.parametrize("options", [{}, {"symmetry": "none", "cuts": "none"}, {"symmetry": "order"}])
def test_exported_models_resolve_to_the_optimum_and_map_back(tmp_path, mixed, file_format, options):
    optimum = solve(mixed, "ip").objective
    model, _ = model_for_export(mixed, options)
    path = tmp_path / f"model.{file_format}"
    write_model(model, path, file_format)
    highs = resolve(path)
    assert round(highs.getInfo().objective_function_value) == optimum
    solution = tmp_path / "model.sol"
    highs.writeSolution(str(solution), 0)
    schedule = schedule_from_solution(mixed, solution_values(solution.read_text()))
    report = verify(mixed, schedule)
    assert report.feasible and report.objective == optimum


def test_exported_names_encode_positions_and_classes(tmp_path):
    model, _ = model_for_export(homogeneous(9, 1, 3, 5), {})
    path = tmp_path / "model.lp"
    write_model(model, path, "lp")
    text = path.read_text()
    assert "n_0_0" in text and "late_0" in text and "assign_0" in text and "mem_3" in text


def test_other_solvers_solution_formats_are_read(mixed):
    gurobi = "# Objective value = 30\nx_0_0 1\nn_1_1 1\nn_1_5 1\nx_3_2 0\nx_3_5 1\nx_4_0 1\n"
    cbc = "Optimal - objective value 30\n  0 x_0_0 1 3\n  7 n_1_1 1 4\n  9 n_1_5 1 8\n 12 x_3_5 1 5\n 20 x_4_0 1 5\n"
    cplex = ('<CPLEXSolution><variables><variable name="x_0_0" index="0" value="1"/>'
             '<variable name="n_1_1" index="7" value="1"/><variable name="n_1_5" index="9" value="1.0000001"/>'
             '<variable name="x_3_5" index="12" value="1"/><variable name="x_4_0" index="20" value="1"/>'
             '</variables></CPLEXSolution>')
    for text in (gurobi, cbc, cplex):
        schedule = schedule_from_solution(mixed, solution_values(text))
        assert dict(schedule.starts) == {"a": 0, "b": 1, "c": 5, "d": 5, "e": 0}


@pytest.mark.parametrize("text, message", [
    ("x_0_0 1\nn_1_1 2\nx_3_2 1\nlate_4 1\n", "after the exported horizon"),
    ("x_0_0 1\nn_1_1 1.5\nx_3_2 1\nx_4_0 1\n", "not a non-negative integer"),
    ("x_0_0 1\nn_1_1 1\nx_3_2 1\nx_4_0 1\n", "1 starts for 2 identical requests"),
    ("x_0_0 1\nn_1_1 2\nx_4_0 1\n", r"request 3 \('d'\) has 0 starts"),
    ("x_0_0 1\nn_3_1 1\n", "does not head a class"),
    ("x_9_0 1\n", "only 5 requests"),
    ("x_0_0 2\n", "binary")])
def test_bad_solutions_are_input_errors(mixed, text, message):
    with pytest.raises(InputError, match=message):
        schedule_from_solution(mixed, solution_values(text))


def test_unknown_format_is_an_input_error(tmp_path, mixed):
    model, _ = model_for_export(mixed, {"cuts": "none"})
    with pytest.raises(InputError, match="format"):
        write_model(model, tmp_path / "m.xyz", "xyz")
    with pytest.raises(InputError, match="no such directory"):
        write_model(model, tmp_path / "missing" / "m.mps", "mps")
