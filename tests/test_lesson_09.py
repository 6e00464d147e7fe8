"""Lesson 09, beyond DanQ, run end to end through papermill on the offline stand-in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook

MODELS = {"deepsea", "danq", "resnet", "resnet_transformer", "resnet_bilstm", "resnet_transformer_onehot"}


@pytest.fixture(scope="module")
def m(lesson_runs):
    return lesson_runs("09_beyond_danq")


def test_every_model_is_compared_and_ranked_by_median_pr_auc(m):
    ranking = m["ranking_by_median_pr_auc"]
    assert set(ranking) == MODELS
    pr = [m[f"{name}_median_pr_auc"] for name in ranking]
    assert pr == sorted(pr, reverse=True)
    assert m["oracle_median_roc_auc"] > 0.9
    for name in ranking:  # the same budget for all; none may be worse than chance
        assert m[f"{name}_median_roc_auc"] >= 0.45, name


def test_prevalence_bias_lowers_the_first_epoch_loss(m):
    assert m["ablation_no_bias_init_first_epoch_loss"] > m["ablation_all_tricks_first_epoch_loss"] + 0.02


def test_accuracy_is_near_the_all_negative_baseline(m):
    assert m["all_negative_accuracy"] > 0.9
    for name in MODELS:
        assert abs(m[f"{name}_accuracy"] - m["all_negative_accuracy"]) < 0.02, name


def test_capstone_parameter_counts_are_close_to_the_report(m):
    p = m["capstone_parameters"]
    assert 1.2e6 < p["head"] < 1.6e6          # report: 1.3M
    assert 30e6 < p["classifier"] < 35e6      # report: 33M
    assert 1e6 < p["resnet"] < 4.7e6          # report: 4.7M; kernel/base widths unstated


def test_cost_and_interpretation_are_recorded(m):
    assert m["attention_macs_ratio_double_length"] == pytest.approx(4.0)
    assert set(m["samples_per_s"]) == MODELS and min(m["samples_per_s"].values()) > 0
    assert m["gradcam_motif_enrichment"] >= 0
