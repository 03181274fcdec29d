"""Every reproduction notebook runs from top to bottom at reduced size (what CI executes); the full sizes
are `python notebooks/run.py --full` (KVOPT_FULL=1)."""

import pytest

from kvopt.experiments.notebooks import notebook_paths

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

EXPECTED = {  # a figure each notebook saves, and a phrase its generated prose prints
    "01_synthetic_vs_optimum": ("01_ratio_intervals.png", "MC-SF / OPT"),
    "02_real_trace": ("02_throughput.png", "MC-SF's mean latency is"),
    "03_counterexamples_and_adversaries": ("03_adversary.png", "no policy in kvopt is constant-competitive"),
}


def test_every_notebook_is_listed():
    assert [path.stem for path in notebook_paths()] == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_at_reduced_size(name, tmp_path, monkeypatch):
    from kvopt.experiments.notebooks import execute

    monkeypatch.delenv("KVOPT_FULL", raising=False)
    [path] = notebook_paths([name])
    notebook = execute(path, tmp_path, full=False, timeout=600)
    figure, phrase = EXPECTED[name]
    assert (tmp_path / "figures" / figure).stat().st_size > 1000
    texts = [output.get("text", "") + output.get("data", {}).get("text/markdown", "")
             for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not any(output.get("output_type") == "error" for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs)
    assert any(phrase in text for text in texts)
    assert any("size: reduced" in text for text in texts)


def test_unknown_notebook_name():
    with pytest.raises(ValueError, match="no notebook"):
        notebook_paths(["99_missing"])
