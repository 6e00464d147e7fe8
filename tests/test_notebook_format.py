"""Every lesson follows the skeleton of docs/CONVENTIONS.md and is committed without outputs."""

from __future__ import annotations

import nbformat
import pytest

from conftest import NOTEBOOKS

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def test_there_are_lessons():
    assert LESSONS, "no notebooks/NN_*.ipynb found"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_outputs_are_stripped(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; strip them before committing"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_skeleton(path):
    nb = nbformat.read(path, as_version=4)
    head = nb.cells[0]
    assert head.cell_type == "markdown" and head.source.startswith("# ")
    for needed in ("colab.research.google.com", "**What you'll do:**", "**Runtime:**",
                   "**What you'll learn:**", "**What you need:**"):
        assert needed in head.source, f"{path.name}: first cell lacks {needed}"
    assert 'if "google.colab" in sys.modules' in nb.cells[1].source
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    params = [i for i, t in enumerate(tags) if "parameters" in t]
    assert len(params) == 1, f"{path.name}: needs exactly one cell tagged parameters"
    assert "SEED" in nb.cells[params[0]].source
    assert "metrics" in tags[-1] and "show_metrics(" in nb.cells[-1].source
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Summary" in text and "## Exercises" in text
    assert "!wget" not in "\n".join(c.source for c in nb.cells), "download through the registry"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_parameter_is_visible_to_papermill(path):
    """papermill skips lines it cannot parse (e.g. '=' inside a comment): each knob must parse."""
    import re

    from course_lib.notebooks import notebook_parameters

    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assigned = re.findall(r"^([A-Z][A-Z0-9_]*)\s*=", cell.source, flags=re.MULTILINE)
    assert assigned and set(assigned) == set(notebook_parameters(path)), (
        f"{path.name}: papermill sees {sorted(notebook_parameters(path))}, the cell sets {assigned}"
    )
