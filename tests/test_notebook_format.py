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

    from course_lib.app.runner import notebook_parameters

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


# -- the lessons read as a course (issue 29) ---------------------------------------------------------
# Guard rails, not the goal: a lesson says what matters in a few sentences and leaves the evidence
# (seed tables, wall times, what was tried) to its test and CHANGELOG.md. Measured on 6ede88a before
# the rewrite: 877-3,075 markdown words, 225-493 before the first section, up to 132 decimal numbers
# and 23 mentions of a particular seed (lesson 09).

MAX_WORDS, MAX_OPENING_WORDS, MAX_DECIMALS, MAX_SEED_MENTIONS, MAX_CODE_LINE = 1600, 220, 15, 2, 88


def prose_measures(nb) -> dict:
    """Words, words before the first ``##`` heading, decimal numbers and seed mentions of the
    notebook's markdown, and its code lines longer than the site's column (88 characters)."""
    import re

    cells = [c.source for c in nb.cells if c.cell_type == "markdown"]
    text = "\n".join(cells)
    opening = []
    for source in cells:
        heading = re.search(r"^## ", source, flags=re.MULTILINE)
        opening.append(source[:heading.start()] if heading else source)
        if heading:
            break
    long_lines = [line for c in nb.cells if c.cell_type == "code"
                  for line in c.source.splitlines() if len(line) > MAX_CODE_LINE]
    return {
        "words": len(text.split()),
        "opening_words": len("\n".join(opening).split()),
        "decimals": len(re.findall(r"(?<![\w.])\d+\.\d+", text)),
        "seed_mentions": len(re.findall(r"\bseeds? \d", text, flags=re.IGNORECASE)),
        "long_code_lines": long_lines,
    }


def test_prose_measures_count_what_they_say():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title\nfive words before it. At seed 3 we got 0.91"),
        nbformat.v4.new_markdown_cell("## Data\nSeeds 0, 1 gave 1.5 and 2.25; version 3.11.7"),
        nbformat.v4.new_code_cell("x = 1\n" + "y" * 89),
    ])
    got = prose_measures(nb)
    assert got["opening_words"] == 12 and got["words"] == 23
    assert got["decimals"] == 4 and got["seed_mentions"] == 2  # 3.11.7 counts once: "3.11"
    assert got["long_code_lines"] == ["y" * 89]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_lesson_is_written_for_the_student(path):
    got = prose_measures(nbformat.read(path, as_version=4))
    assert got["opening_words"] <= MAX_OPENING_WORDS, (
        f"{path.name}: {got['opening_words']} words before the first ## section; at most "
        f"{MAX_OPENING_WORDS} (what you'll do, learn, need, the runtime, what the default run shows)"
    )
    assert got["words"] <= MAX_WORDS, (
        f"{path.name}: {got['words']} markdown words; at most {MAX_WORDS} (cut, or split the lesson)"
    )
    assert got["decimals"] <= MAX_DECIMALS, (
        f"{path.name}: {got['decimals']} decimal numbers in the prose; at most {MAX_DECIMALS}: the run "
        "prints the numbers, the text says what they mean in round words"
    )
    assert got["seed_mentions"] <= MAX_SEED_MENTIONS, (
        f"{path.name}: {got['seed_mentions']} mentions of a particular seed; the evidence at other "
        "seeds goes to the lesson's test and CHANGELOG.md"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_runtime_is_one_line(path):
    head = nbformat.read(path, as_version=4).cells[0].source
    line = next(line for line in head.splitlines() if "**Runtime:**" in line)
    assert len(line.split()) <= 30 and "seed" not in line.lower(), (
        f"{path.name}: the Runtime line is one short line (laptop default; full scale on one GPU), "
        f"not a log of measurements: {line!r}"
    )


@pytest.mark.parametrize("path", LESSONS + sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_code_fits_the_page(path):
    """The site's code column holds about 88 characters; longer lines scroll sideways."""
    long_lines = prose_measures(nbformat.read(path, as_version=4))["long_code_lines"]
    assert not long_lines, (
        f"{path.parent.name}/{path.name}: {len(long_lines)} code lines over {MAX_CODE_LINE} "
        f"characters, e.g. {long_lines[0]!r}"
    )


@pytest.mark.parametrize("path", sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_solutions_read_as_answers(path):
    got = prose_measures(nbformat.read(path, as_version=4))
    assert got["seed_mentions"] <= MAX_SEED_MENTIONS, (
        f"solutions/{path.name}: {got['seed_mentions']} mentions of a particular seed; seed tables "
        "go to the tests"
    )
