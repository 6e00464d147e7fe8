"""Lesson 05, DanQ and DeepSEA, run end to end through papermill on the offline stand-in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def m(lesson_runs, tmp_path_factory):
    # a fresh RUN_DIR, so the run trains instead of loading an earlier run's checkpoints
    return lesson_runs("05_danq_deepsea", RUN_DIR=str(tmp_path_factory.mktemp("lesson05")))


def test_default_run_setup(m):
    assert m["data"] == "simulated" and m["size"] == "small" and m["n_targets"] == 24 and m["sharpness"] == 3.0
    assert m["train_rows"] == 8000  # 4,000 regions, both strands
    assert m["oracle_median_roc_auc"] > 0.95
    assert 300_000 < m["danq_parameters"] < 400_000 and 500_000 < m["deepsea_parameters"] < 700_000


def test_danq_reaches_nine_tenths_of_the_oracle(m):
    # issue 7, done means: median ROC AUC at least 0.9 of the oracle's median (about 0.89);
    # measured 0.980, 0.944, 0.938, 0.974 at seeds 0-3 (oracle 0.981-0.988)
    assert m["danq_median_roc_auc"] >= 0.9 * m["oracle_median_roc_auc"]
    assert 0 <= m["danq_ece"] < 0.05


def test_both_models_learn_the_long_range_targets(m):
    # measured at seeds 0-3 on the histone-like targets: DanQ 0.966, 0.983, 0.887, 0.975 and DeepSEA
    # 0.947, 0.981, 0.922, 0.941; the lesson does not claim DanQ ahead (behind by 0.035 at seed 2)
    for name in ("danq", "deepsea"):
        assert m[f"{name}_long_range_median_roc_auc"] >= 0.85, name


def test_deepsea_reaches_nine_tenths_of_the_oracle(m):
    # measured 0.943, 0.958, 0.970, 0.962 at seeds 0-3 (SHARPNESS 3), against 0.9 x 0.986 = 0.887 at seed 0;
    # at SHARPNESS 2 (the earlier default) seed 2 ended at 0.597, hence test_default_run_setup's sharpness
    assert m["deepsea_median_roc_auc"] >= 0.9 * m["oracle_median_roc_auc"]
    assert 0 <= m["deepsea_ece"] < 0.05


def test_the_notebooks_models_are_the_librarys(m):
    """DanQ and DeepSEA written out in the lesson and models.build_model (course train, lessons 06
    and 09) cannot drift: same layers, names and parameter counts."""
    from course_lib import models

    for name in ("danq", "deepsea"):
        library = models.build_model(name, m["size"], seq_len=1000, n_targets=m["n_targets"])
        assert m["model_layers"][name] == [[l.__class__.__name__, l.name, l.count_params()] for l in library.layers]
