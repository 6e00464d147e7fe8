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


@pytest.mark.parametrize("path", LESSONS + sorted(NOTEBOOKS.parent.glob("solutions/[0-9][0-9]_*.ipynb")),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_notebook_is_valid_nbformat(path):
    """Jupyter, papermill and nbval read it without a validation error (cell ids need
    nbformat 4.5: a cell edited by a newer tool into a 4.4 notebook is invalid)."""
    nbformat.validate(nbformat.read(path, as_version=4))


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


# -- solutions/: one worked solution notebook per lesson (issue 16) --------------------------------

SOLUTIONS = NOTEBOOKS.parent / "solutions"
SOLVED = LESSONS  # every lesson has its worked solutions


def exercise_count(lesson) -> int:
    """The number of items in the lesson's ``## Exercises`` cell (``1.``, ``2.``, ...)."""
    import re

    cell = next(c for c in lesson.cells if c.cell_type == "markdown" and "## Exercises" in c.source)
    items = re.findall(r"^(\d+)\.\s", cell.source.split("## Exercises", 1)[1], flags=re.MULTILINE)
    assert items == [str(k) for k in range(1, len(items) + 1)], f"exercises numbered {items}"
    return len(items)


@pytest.mark.parametrize("path", SOLVED, ids=lambda p: p.stem)
def test_every_lesson_has_solutions_and_links_them(path):
    solution = SOLUTIONS / path.name
    assert solution.is_file(), f"{path.name}: no worked solutions at solutions/{path.name}"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "## Exercises" in c.source)
    link = f"Solutions: [`solutions/{path.name}`](../solutions/{path.name})"
    assert link in cell.source, f"{path.name}: the Exercises cell should end with {link!r}"


@pytest.mark.parametrize("path", SOLVED, ids=lambda p: p.stem)
def test_solution_skeleton(path):
    solution = SOLUTIONS / path.name
    if not solution.is_file():
        pytest.fail(f"no solutions/{path.name}")
    lesson = nbformat.read(path, as_version=4)
    nb = nbformat.read(solution, as_version=4)
    head = nb.cells[0]
    title = lesson.cells[0].source.splitlines()[0].removeprefix("# ")
    assert head.cell_type == "markdown" and head.source.startswith(f"# Solutions: {title}"), (
        f"solutions/{path.name}: first line should be '# Solutions: {title}'"
    )
    for needed in (f"colab.research.google.com/github/genomics-dl-course/genomics-dl-course/blob/main/"
                   f"solutions/{path.name}", f"(../notebooks/{path.name})", "**Runtime:**"):
        assert needed in head.source, f"solutions/{path.name}: first cell lacks {needed}"
    assert nb.cells[1].source == lesson.cells[1].source, "the Colab setup cell, as in the lesson"
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    params = [i for i, t in enumerate(tags) if "parameters" in t]
    assert len(params) == 1 and nb.cells[params[0]].source.startswith("SEED")
    assert "metrics" in tags[-1] and "show_metrics(" in nb.cells[-1].source
    sections = [c.source.splitlines()[0] for c in nb.cells
                if c.cell_type == "markdown" and c.source.startswith("## Exercise ")]
    n = exercise_count(lesson)
    assert sections == [f"## Exercise {k}" for k in range(1, n + 1)], (
        f"solutions/{path.name}: sections {sections}, the lesson has {n} exercises"
    )
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"solutions/{path.name}: cells {dirty} have outputs; strip them"
    for k in range(1, n + 1):
        start = next(i for i, c in enumerate(nb.cells) if c.source.startswith(f"## Exercise {k}"))
        end = next((i for i, c in enumerate(nb.cells[start + 1:], start + 1)
                    if c.source.startswith("## Exercise ")), len(nb.cells) - 1)
        body = nb.cells[start:end]
        code = "\n".join(c.source for c in body if c.cell_type == "code")
        prose = "\n".join(c.source for c in body if c.cell_type == "markdown")
        assert f'observed["ex{k}_' in code, f"solutions/{path.name}: exercise {k} records no observation"
        assert "**What you should observe:**" in prose, (
            f"solutions/{path.name}: exercise {k} does not say what to observe"
        )
