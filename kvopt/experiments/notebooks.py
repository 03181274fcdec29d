"""Execute the reproduction notebooks (notebooks/*.ipynb) with nbclient: `python notebooks/run.py`.

Reduced size (default) writes the executed notebooks in place, with their figures in notebooks/figures/;
full size (`full=True`, i.e. KVOPT_FULL=1 in the kernel's environment) writes them to notebooks/full/ so
that the committed reduced runs are not overwritten. The kernel runs in the output folder, with the
repository on its PYTHONPATH, so a checkout works without installing kvopt.
"""

from __future__ import annotations

import os
from pathlib import Path

from kvopt.experiments.common import FULL_SIZE_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


def notebook_paths(names: list[str] | None = None) -> list[Path]:
    """The notebooks named (stem or file name), or all of notebooks/ in order."""
    found = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    if not names:
        return found
    chosen = []
    for name in names:
        matches = [p for p in found if p.stem == Path(name).stem or p.name == name]
        if not matches:
            raise ValueError(f"no notebook {name!r} in {NOTEBOOKS} (have: {', '.join(p.stem for p in found)})")
        chosen += matches
    return chosen


def execute(path: Path, workdir: Path, full: bool = False, timeout: int = 3600, out: Path | None = None):
    """Run every cell of the notebook at `path` with `workdir` as the kernel's working directory; write
    the executed notebook to `out` (if given) and return it. A failing cell raises
    nbclient.exceptions.CellExecutionError naming the cell."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    environment = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                   FULL_SIZE_VARIABLE: "1" if full else "0", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)  # the kernel inherits this process's environment
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, out)
    return notebook
