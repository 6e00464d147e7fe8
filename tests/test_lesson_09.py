"""Lesson 09, beyond DanQ, run end to end through papermill on the offline stand-in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook

MODELS = {"deepsea", "danq", "resnet", "resnet_onehot", "resnet_transformer", "resnet_bilstm"}
# measured at the defaults (seed 0): resnet_onehot 0.936, resnet 0.870, resnet_transformer 0.765
# median ROC AUC; the BiLSTM head (0.556), DanQ (0.598) and DeepSEA (0.519) barely learn at this budget
LEARNERS = ("resnet_onehot", "resnet", "resnet_transformer")
LEARNER_FLOOR = 0.65
BEST_FRACTION = 0.85  # measured: the best model at 0.95 of the oracle's median ROC AUC


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
    # at the laptop size the capstone's models learn at the default budget (measured: see the notebook)
    for name in LEARNERS:
        assert m[f"{name}_median_roc_auc"] >= LEARNER_FLOOR, name
    best = max(m[f"{name}_median_roc_auc"] for name in ranking)
    assert best >= BEST_FRACTION * m["oracle_median_roc_auc"]


def test_prevalence_bias_lowers_the_first_epoch_loss(m):
    # measured: 0.461 without the bias, 0.315 with it
    assert m["ablation_no_bias_init_first_epoch_loss"] > m["ablation_all_tricks_first_epoch_loss"] + 0.05


def test_accuracy_is_near_the_all_negative_baseline(m):
    assert m["all_negative_accuracy"] > 0.85  # measured 0.878: this stand-in has 12% positives
    for name in MODELS:
        assert abs(m[f"{name}_accuracy"] - m["all_negative_accuracy"]) < 0.05, name  # measured <= 0.031


def test_capstone_parameter_counts_are_close_to_the_report(m):
    p = m["capstone_parameters"]
    assert 1.2e6 < p["head"] < 1.6e6          # report: 1.3M
    assert 30e6 < p["classifier"] < 35e6      # report: 33M
    assert 4.2e6 < p["resnet"] < 5.2e6        # report: 4.7M; kernel 8, bottleneck 2 are ours


def test_cost_and_interpretation_are_recorded(m):
    assert m["attention_macs_ratio_double_length"] == pytest.approx(4.0)
    assert set(m["samples_per_s"]) == MODELS and min(m["samples_per_s"].values()) > 0
    # the best capstone model's best-learned one-motif target: the map peaks on the planted motif
    # (measured: one-hot ResNet, p 0.57 with the motif and 0.01 without, enrichment 6.9)
    assert m["gradcam_model"] in LEARNERS
    assert m["gradcam_p_motif"] > m["gradcam_p_background"] + 0.2
    assert m["gradcam_motif_enrichment"] > 2


def test_a_folder_in_the_real_layout_runs_to_the_end(lesson_runs, tmp_path_factory):
    """DATA=folder whose targets.tsv has no stand-in rules or oracle (as the real data): the
    Grad-CAM cell explains the best-learned TF target on real test sequences instead."""
    import pandas as pd

    from course_lib import deepsea

    folder = tmp_path_factory.mktemp("lesson09_real_layout")
    deepsea.simulate_deepsea(folder, n_train=150, n_valid=50, n_test=100, n_targets=6, seq_len=400,
                             seed=1, centred=True, sharpness=4.0, tf_prevalence=(0.05, 0.2))
    targets = pd.read_csv(folder / "targets.tsv", sep="\t")
    targets.drop(columns=["rule", "oracle_auc", "oracle_auprc"]).to_csv(folder / "targets.tsv", sep="\t",
                                                                         index=False)
    m = lesson_runs("09_beyond_danq", DATA=str(folder), SIZE="tiny", EPOCHS=1,
                    RUN_DIR=str(tmp_path_factory.mktemp("lesson09_runs")))
    assert set(m["ranking_by_median_pr_auc"]) == MODELS
    assert m["oracle_median_roc_auc"] is None  # no oracle without the stand-in's rules
    assert m["gradcam_model"] not in ("deepsea", "danq")
    assert targets.loc[m["gradcam_target"], "assay"] == "TF"
    assert m["gradcam_motif_enrichment"] is None
    # the sequences the model scores highest and lowest for that target (the tiny model barely
    # learns in one epoch, so only their order is asserted; strands are averaged for the choice)
    assert 0 <= m["gradcam_p_background"] <= m["gradcam_p_motif"] + 0.01 <= 1.01
