"""Every solution notebook runs top to bottom, its assertions pass, and it records each exercise.

The observations themselves are asserted inside the notebooks (``assert`` cells with margins
checked at a second seed), so a solution that no longer holds fails here by name.
"""

from __future__ import annotations

import nbformat
import pytest

from conftest import NOTEBOOKS

SOLUTIONS = sorted((NOTEBOOKS.parent / "solutions").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_solutions():
    assert SOLUTIONS, "no solutions/NN_*.ipynb found"


@pytest.mark.notebook
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_runs_and_records_every_exercise(path, tmp_path, executed_notebooks):
    from course_lib.app.runner import run_notebook

    metrics = run_notebook(path, {}, tmp_path)
    executed_notebooks[("solutions", path.stem)] = tmp_path / path.name  # for the site test
    nb = nbformat.read(path, as_version=4)
    n = sum(1 for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Exercise "))
    missing = [k for k in range(1, n + 1) if not any(key.startswith(f"ex{k}_") for key in metrics)]
    assert not missing, f"{path.name}: no observation recorded for exercises {missing}"
    assert "seed" in metrics, f"{path.name}: the metrics cell should record SEED"
