"""Shared pytest configuration: quiet TensorFlow, headless plots, lesson runs shared across tests."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# No MPLBACKEND here: lesson kernels inherit the environment, and Agg there would keep every
# figure out of the executed notebooks (and the site). Without a display matplotlib uses Agg.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SHARED = ROOT.parent / "shared" / "data"
PRIMER = SHARED / "real" / "deep-learning-genomics-primer"
needs_primer = pytest.mark.skipif(
    not PRIMER.is_dir(), reason="the real primer files are only in ../shared (CI, developers)"
)


@pytest.fixture
def primer_env(tmp_path):
    """Environment whose COURSE_DATA_MIRROR is a local directory holding the real primer files."""
    import shutil

    mirror = tmp_path / "mirror" / "primer"
    mirror.mkdir(parents=True)
    for name in ("sequences.txt", "labels.txt"):
        shutil.copy(PRIMER / name, mirror / name)
    return dict(os.environ, COURSE_DATA_MIRROR=str(mirror.parent),
                COURSE_DATA_DIR=str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def executed_notebooks():
    """The notebooks this session executed at their defaults, for the site test (test_site.py):
    ``{("notebooks" or "solutions", stem): executed .ipynb}`` (metrics JSON beside each)."""
    return {}


@pytest.fixture(scope="session")
def lesson_runs(tmp_path_factory, executed_notebooks):
    """Run each lesson at most once per session: ``lesson_runs(stem, **parameters) -> metrics``."""
    from course_lib.notebooks import notebook_parameters, run_notebook

    cache: dict = {}
    out = tmp_path_factory.mktemp("lessons")

    def run(stem: str, **parameters):
        key = (stem, tuple(sorted(parameters.items())))
        if key not in cache:
            where = out / f"{stem}-{len(cache)}"
            notebook = NOTEBOOKS / f"{stem}.ipynb"
            defaults = set(parameters) <= {"RUN_DIR"}
            if "RUN_DIR" not in parameters and "RUN_DIR" in notebook_parameters(notebook):
                parameters = {**parameters, "RUN_DIR": str(where / "runs")}  # never an earlier run's checkpoints
            cache[key] = run_notebook(notebook, parameters, where)
            if defaults:
                executed_notebooks[("notebooks", stem)] = where / f"{stem}.ipynb"
        return cache[key]

    return run


def pytest_collection_modifyitems(config, items):
    """Notebook and Slurm tests are slow (``-m "not slow"`` is the fast tier); the site test
    builds the site from the lessons the other tests ran, so it goes last."""
    for item in items:
        if item.get_closest_marker("notebook") or item.get_closest_marker("slurm"):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: getattr(getattr(item, "module", None), "__name__", "") == "test_site")
