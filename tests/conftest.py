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
    from course_lib.app.runner import notebook_parameters, run_notebook

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



# Test modules whose tests never import Keras (not in a subprocess, nor in a notebook they run)
# or pin their own KERAS_BACKEND, less the tests named: the same result on every backend, so
# CI's JAX and PyTorch runs deselect them (-m "not slow and not backend_neutral"). Check with
#   KERAS_BACKEND=none python -m pytest -m "backend_neutral and not slow"
# where every test that imports Keras fails ("Unable to import backend : none").
BACKEND_NEUTRAL_MODULES = {
    "test_bad_input": {"test_the_cli_refuses_bad_arguments_by_name"},
    "test_cli": set(),
    "test_data": set(),
    "test_deepsea": {"test_dataset_in_file_order_equals_direct_reading",  # tf.data imports Keras
                     "test_dataset_rows_keeps_only_the_subset",
                     "test_shuffled_dataset_is_a_permutation_with_aligned_labels_and_new_order_each_epoch"},
    "test_gradients": {"test_require_tensorflow_names_the_backend_and_the_fix"},  # the rest pins its backend
    "test_metrics": {"test_every_score_lives_in_metrics_and_the_old_names_still_work"},
    "test_notebook_format": set(),
    "test_plots": set(),
    "test_sequences": set(),
    "test_simulation": set(),
    "test_site": set(),
    "test_slurm_units": {"test_outside_a_step_there_is_no_multiworker_strategy",
                         "test_preemption_callback_stops_after_the_epoch_with_code_75",
                         "test_reseed_dropout_depends_only_on_seed_and_epoch",
                         "test_resolver_on_cpu_nodes_lists_every_task_and_no_gpus",
                         "test_resolver_splits_gpus_between_tasks_of_a_node"},
}


def _keras_backend() -> str:
    import keras

    return keras.backend.backend()


def pytest_runtest_setup(item):
    """``tensorflow`` tests skip, with their reason, on the JAX and PyTorch backends."""
    marker = item.get_closest_marker("tensorflow")
    if marker is not None and _keras_backend() != "tensorflow":
        reason = marker.kwargs.get("reason", "TensorFlow by nature")
        pytest.skip(f"needs the TensorFlow backend of Keras, not {_keras_backend()!r}: {reason}")


def pytest_collection_modifyitems(config, items):
    """Notebook and Slurm tests are slow (``-m "not slow"`` is the fast tier); the list above
    adds ``backend_neutral``; the site test builds the site from the lessons
    the other tests ran, so it goes last."""
    for item in items:
        if item.get_closest_marker("notebook") or item.get_closest_marker("slurm"):
            item.add_marker(pytest.mark.slow)
        keras_tests = BACKEND_NEUTRAL_MODULES.get(Path(item.nodeid.split("::")[0]).stem)
        if keras_tests is not None and getattr(item, "originalname", item.name) not in keras_tests:
            item.add_marker(pytest.mark.backend_neutral)
    items.sort(key=lambda item: getattr(getattr(item, "module", None), "__name__", "") == "test_site")
