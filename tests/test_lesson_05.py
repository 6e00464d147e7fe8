"""Lesson 05, DanQ and DeepSEA, run end to end through papermill on the offline stand-in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def m(lesson_runs, tmp_path_factory):
    # a fresh RUN_DIR, so the run trains instead of loading an earlier run's checkpoints
    return lesson_runs("05_danq_deepsea", RUN_DIR=str(tmp_path_factory.mktemp("lesson05")))


def test_default_run_setup(m):
    assert m["data"] == "synthetic" and m["size"] == "small" and m["n_targets"] == 24
    assert m["train_rows"] == 8000  # 4,000 regions, both strands
    assert m["oracle_median_roc_auc"] > 0.95
    assert 300_000 < m["danq_parameters"] < 400_000 and 500_000 < m["deepsea_parameters"] < 700_000


def test_danq_reaches_nine_tenths_of_the_oracle(m):
    # issue 7, done means: median ROC AUC at least 0.9 of the oracle's median
    assert m["danq_median_roc_auc"] >= 0.9 * m["oracle_median_roc_auc"]
    assert 0 <= m["danq_ece"] < 0.05


def test_both_models_learn_the_long_range_targets(m):
    # measured (seed 0): DanQ 0.959, DeepSEA 0.958 on the histone-like targets: tied, and the
    # lesson says so; it no longer claims DanQ ahead (a 0.002 gap does not survive another seed)
    for name in ("danq", "deepsea"):
        assert m[f"{name}_long_range_median_roc_auc"] >= 0.90, name


def test_deepsea_reaches_nine_tenths_of_the_oracle(m):
    # measured (seed 0): 0.956 against 0.9 x 0.986 = 0.887
    assert m["deepsea_median_roc_auc"] >= 0.9 * m["oracle_median_roc_auc"]
    assert 0 <= m["deepsea_ece"] < 0.05
