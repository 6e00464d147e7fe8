"""The course as a static website, built with Sphinx + MyST-NB from executed lessons.

``course run all -o runs`` (or the test suite) leaves executed notebooks and their metrics;
:func:`build_site` turns them into HTML with the Sphinx Book Theme: a home page with the lesson
table and what each lesson's default run shows, one page per executed lesson with its figures and
printed results, the worked solutions one click away, and an instructor's page. Nothing is
executed here (``nb_execution_mode = "off"``): what is published is what was run and tested.

The build needs the ``site`` extra (``pip install -e ".[site]"``: Sphinx, MyST-NB,
sphinx-book-theme) and no network.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

__all__ = ["build_site"]

_BADGE = re.compile(
    r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
    r"\((https://colab\.research\.google\.com/[^)]+)\)")

_CONF = '''\
project = "Deep learning for genomics"
author = "genomics-dl-course contributors"
extensions = ["myst_nb"]
nb_execution_mode = "off"          # the notebooks were executed (and tested) before the build
nb_merge_streams = True
myst_enable_extensions = ["colon_fence"]
html_theme = "sphinx_book_theme"
html_title = "Deep learning for genomics"
html_theme_options = {
    "repository_url": "https://github.com/genomics-dl-course/genomics-dl-course",
    "use_download_button": True,
    "show_toc_level": 2,
}
html_context = {"default_mode": "light"}  # the theme logs an error for an unset mode
html_static_path = []
exclude_patterns = ["_build"]
suppress_warnings = ["mystnb.unknown_mime_type", "misc.highlighting_failure"]
'''


def build_site(runs_dir: str | Path, out_dir: str | Path, *, solutions_dir: str | Path | None = None
               ) -> Path:
    """Build the HTML site from a folder of executed lessons.

    Parameters
    ----------
    runs_dir : str or Path
        What ``course run all -o RUNS_DIR`` writes: ``<lesson>.ipynb`` and
        ``<lesson>.metrics.json`` per lesson, and ``solutions/<lesson>.ipynb`` for the
        executed solutions (``course run solutions -o RUNS_DIR``).
    out_dir : str or Path
        Where the HTML goes (``index.html`` at the top); replaced if it exists.
    solutions_dir : str or Path, optional
        Solutions to show when ``runs_dir/solutions`` lacks one: default the repository's
        ``solutions/`` (shown unexecuted, as committed).

    Returns
    -------
    Path
        ``out_dir/index.html``.

    Raises
    ------
    FileNotFoundError
        ``runs_dir`` holds no executed lesson (run ``course run all -o RUNS_DIR`` first).
    ImportError
        Sphinx, MyST-NB or the book theme is missing (``pip install -e ".[site]"``).

    Introduced in: the course site (``course site``)
    """
    from course_lib.app.runner import NOTEBOOK_DIR, SOLUTION_DIR, list_lessons

    runs, out = Path(runs_dir), Path(out_dir)
    lessons = [ls for ls in list_lessons(NOTEBOOK_DIR) if (runs / f"{ls.stem}.ipynb").is_file()]
    if not lessons:
        raise FileNotFoundError(
            f"{runs} holds no executed lesson (<lesson>.ipynb); run `course run all -o {runs}` "
            f"first, then `course site {runs} -o SITE`")
    _require_sphinx()
    solutions = Path(solutions_dir) if solutions_dir else SOLUTION_DIR
    with tempfile.TemporaryDirectory(prefix="course-site-") as tmp:
        src = Path(tmp) / "src"
        (src / "lessons").mkdir(parents=True)
        (src / "solutions").mkdir()
        (src / "conf.py").write_text(_CONF)
        rows, solved = [], []
        for lesson in lessons:
            executed = runs / "solutions" / f"{lesson.stem}.ipynb"
            solution = executed if executed.is_file() else solutions / f"{lesson.stem}.ipynb"
            has_solution = solution.is_file()
            if has_solution:
                _copy_page(solution, src / "solutions" / solution.name, lesson.stem, kind="solutions")
                solved.append(lesson.stem)
            _copy_page(runs / f"{lesson.stem}.ipynb", src / "lessons" / f"{lesson.stem}.ipynb",
                       lesson.stem, kind="lessons", has_solution=has_solution)
            rows.append(_table_row(lesson, has_solution))
        missing = [ls.stem for ls in list_lessons(NOTEBOOK_DIR) if ls not in lessons]
        (src / "index.md").write_text(_home(rows, lessons, solved, missing))
        (src / "instructors.md").write_text(_instructors(list_lessons(NOTEBOOK_DIR)))
        _sphinx(src, Path(tmp) / "html")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(Path(tmp) / "html", out)
    return out / "index.html"


def _require_sphinx() -> None:
    import importlib.util

    missing = [m for m in ("sphinx", "myst_nb", "sphinx_book_theme")
               if importlib.util.find_spec(m) is None]
    if missing:
        raise ImportError(f"building the site needs {', '.join(missing)}: "
                          'pip install -e ".[site]"')


def _copy_page(source: Path, target: Path, stem: str, kind: str, has_solution: bool = False) -> None:
    """Copy a notebook for the site: the Colab badge as a plain link, a header of links."""
    import nbformat

    nb = nbformat.read(source, as_version=4)
    folder = "notebooks" if kind == "lessons" else "solutions"
    colab = ("https://colab.research.google.com/github/genomics-dl-course/genomics-dl-course/"
             f"blob/main/{folder}/{stem}.ipynb")
    links = [f"[Open in Colab]({colab})", f"{{download}}`Download the notebook <{stem}.ipynb>`"]
    if kind == "lessons" and has_solution:
        links.append(f"[Solutions to the exercises](../solutions/{stem}.ipynb)")
    if kind == "solutions":
        links.append(f"[Back to the lesson](../lessons/{stem}.ipynb)")
    bar = " · ".join(links)
    head = next(c for c in nb.cells if c.cell_type == "markdown")
    if _BADGE.search(head.source):  # the badge is a remote image: links keep the site offline
        head.source = _BADGE.sub(lambda _: bar, head.source, count=1)
    else:
        title, _, rest = head.source.partition("\n")
        head.source = f"{title}\n{bar}\n{rest}"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _BADGE.sub(r"[Open in Colab](\1)", cell.source)
    nbformat.write(nb, target)


def _table_row(lesson, has_solution: bool) -> str:
    """One line of the home table: the lesson, what its default run shows, its laptop runtime."""
    solution = f"[solutions](solutions/{lesson.stem}.ipynb)" if has_solution else "-"
    laptop = lesson.runtime.split(";")[0].strip().rstrip(".")
    shows = lesson.headline.replace("|", "/") or lesson.description
    return (f"| [{lesson.title}](lessons/{lesson.stem}.ipynb) | {shows} | {laptop} | "
            f"{solution} |")


def _home(rows: list[str], lessons, solved: list[str], missing: list[str]) -> str:
    lesson_pages = "\n".join(f"lessons/{ls.stem}" for ls in lessons)
    solution_pages = "\n".join(f"solutions/{stem}" for stem in solved)
    not_run = (f"\nNot in this build (not executed): {', '.join(missing)}.\n" if missing else "")
    return f"""# Deep learning for genomics, by running it

Runnable lessons on deep learning for DNA sequences, executed and tested before this site was
built: every figure and number on the lesson pages comes from the run the test suite checked. Each lesson
opens in Colab and runs on a laptop in minutes; see the [instructors' page](instructors.md)
for the order, the prerequisites and how to scale to a GPU cluster.

| lesson | what its default run shows | runtime | |
| --- | --- | --- | --- |
{chr(10).join(rows)}
{not_run}
```{{toctree}}
:caption: Lessons
:maxdepth: 1

{lesson_pages}
```

```{{toctree}}
:caption: Solutions
:maxdepth: 1

{solution_pages}
```

```{{toctree}}
:caption: Teaching
:maxdepth: 1

instructors
```
"""


def _instructors(lessons) -> str:
    rows = "\n".join(f"| {ls.stem} | {ls.runtime} |" for ls in lessons)
    return f"""# For instructors

## Order and prerequisites
The lessons build on each other in their numbered order. 01-03 need Python and a first course
in machine learning (a loss, a gradient, train/validation/test); 04 introduces one-hot DNA and
the Conv1D that 05, 06 and 09 reuse; 05's DeepSEA data layout is the input of 08 (part 2) and
09; 06 explains models like those of 04 and 05; 07 and 08 stand on 01-04. Each lesson names what
it needs in its first cell.

## Runtime and what each lesson needs
Every lesson runs at its defaults on a 2-core laptop without a GPU and without downloads (an
offline stand-in replaces the real data), and scales through its parameters:

| lesson | runtime (defaults; full scale) |
| --- | --- |
{rows}

Real data comes through the course's data registry (`course data list`, `course data fetch NAME`),
verified by SHA-256; the full DeepSEA data is 17.6 GB and wants a GPU.

## Exercises and solutions
Every lesson ends with exercises; `solutions/` holds a worked, tested solution of each (one
section per exercise, ending in what the student should observe). Hand them out after the
session, or run them live: `course run solutions/04`.

## On a cluster
`slurm/` holds batch scripts: `sbatch slurm/notebook.sh 05_danq_deepsea -p DATA deepsea` runs a
lesson on a GPU node, job arrays sweep parameters (`slurm/README.md`), and `course train` trains
DanQ, DeepSEA and the capstone models with checkpoints that resume after preemption.

## Publishing this site
`course run all -o runs && course run solutions -o runs && course site runs -o site` builds it;
`site/` is static HTML: publish it with GitHub Pages (push it to a `gh-pages` branch, or upload
it as a Pages artifact in a workflow), or open `site/index.html` locally.
"""


def _sphinx(src: Path, html: Path) -> None:
    import io

    from sphinx.application import Sphinx

    warnings = io.StringIO()
    app = Sphinx(str(src), str(src), str(html), str(src / "_build" / "doctrees"), "html",
                 status=None, warning=warnings, freshenv=True)
    app.build()
    if app.statuscode:
        raise RuntimeError(f"the site build failed:\n{warnings.getvalue()[-3000:]}")


def add_site_arguments(parser) -> None:
    """Arguments of ``course site RUNS_DIR -o SITE_DIR``."""
    parser.add_argument("runs_dir", help="executed lessons: what `course run all -o RUNS_DIR` wrote")
    parser.add_argument("-o", "--output-dir", default="site", metavar="SITE_DIR",
                        help="where the HTML goes (default: site; replaced)")


def run_site(args) -> int:
    """``course site``: build the site and print where its home page is."""
    index = build_site(args.runs_dir, args.output_dir)
    print(f"site built: {index} (open it in a browser, or publish the folder)")
    return 0
