"""Lesson 09, beyond DanQ, run end to end through papermill on the offline stand-in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook

MODELS = {"deepsea", "danq", "resnet", "resnet_onehot", "resnet_transformer", "resnet_bilstm"}
# median ROC AUC measured at the defaults, seed 0 (seeds 1, 2), each model at its best epoch by validation AUC:
# DeepSEA 0.981 (0.980, 0.980), DanQ 0.981 (0.959, 0.981); the capstone's ResNet with one-hot input 0.936 (0.861,
# 0.761), with the embedding 0.882 (0.819, 0.828), + Transformer 0.754 (0.826, 0.814), + BiLSTM 0.882 (0.859, 0.732;
# it was at chance, 0.544, at seed 1 before its output was batch-normalised; 0.811-0.928 at seeds 3-5, measured alone)
BASELINES = ("deepsea", "danq")
BASELINE_FLOOR = 0.90
LEARNERS = ("resnet_onehot", "resnet", "resnet_transformer", "resnet_bilstm")
LEARNER_FLOOR = 0.65
BEST_FRACTION = 0.95  # measured: the best model at 0.99 of the oracle's median ROC AUC


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
    for name in BASELINES:  # lesson 05's recipe trains both (they were at chance with the capstone's)
        assert m[f"{name}_median_roc_auc"] >= BASELINE_FLOOR, name
    for name in LEARNERS:  # the capstone's trunk learns in EPOCHS passes, with either input and either head
        assert m[f"{name}_median_roc_auc"] >= LEARNER_FLOOR, name
    best = max(m[f"{name}_median_roc_auc"] for name in ranking)
    assert best >= BEST_FRACTION * m["oracle_median_roc_auc"]


def test_prevalence_bias_lowers_the_first_epoch_loss(m):
    # measured at seeds 0 / 1 / 2: 0.461 / 0.472 / 0.462 without the bias, 0.318 / 0.311 / 0.305 with it
    assert m["ablation_no_bias_init_first_epoch_loss"] > m["ablation_all_tricks_first_epoch_loss"] + 0.05
    # the ablation's final scores are read from trained models (measured 0.73-0.96 at seeds 0-2), not from
    # models at chance, though they do not rank the tricks: their order changes with the seed
    for run in ("all_tricks", "no_bias_init", "no_warm-up"):
        assert m[f"ablation_{run}_median_roc_auc"] >= 0.60, run


def test_accuracy_is_near_the_all_negative_baseline(m):
    # measured at seeds 0 / 1 / 2: all-negative 0.878 / 0.868 / 0.859; DeepSEA 0.979 / 0.970 / 0.980, DanQ 0.974 /
    # 0.936 / 0.976 (near the oracle, yet only 6-12 points above "always no"); the capstone's models 0.872-0.920
    base = m["all_negative_accuracy"]
    assert base > 0.85  # this stand-in has about 12% positives
    for name in MODELS:
        assert base - 0.02 <= m[f"{name}_accuracy"] <= base + 0.15, name


def test_capstone_parameter_counts_are_close_to_the_report(m):
    p = m["capstone_parameters"]
    assert 1.2e6 < p["head"] < 1.6e6          # report: 1.3M
    assert 30e6 < p["classifier"] < 35e6      # report: 33M
    assert 4.2e6 < p["resnet"] < 5.2e6        # report: 4.7M; kernel 8, bottleneck 2 are ours


def test_cost_and_interpretation_are_recorded(m):
    assert m["attention_macs_ratio_double_length"] == pytest.approx(4.0)
    assert set(m["samples_per_s"]) == MODELS and min(m["samples_per_s"].values()) > 0
    # the best capstone model's best-learned one-motif target: the map peaks on the planted motif
    # (measured: one-hot ResNet, p 0.57 / 0.60 with the motif, 0.010 / 0.014 without, enrichment
    # 6.9 / 5.8 at seeds 0 / 1; another machine saw p 0.17 vs 0.04 when the map used whichever
    # capstone model ranked first, which at seed 1 is an embedding model at the onset of learning)
    assert m["gradcam_model"] == "resnet_onehot"
    assert m["gradcam_p_motif"] > 3 * m["gradcam_p_background"]
    assert m["gradcam_motif_enrichment"] > 3


def test_a_folder_in_the_real_layout_runs_to_the_end(lesson_runs, tmp_path_factory):
    """DATA=folder whose targets.tsv has no stand-in rules or oracle (as the real data): the
    Grad-CAM cell explains the best-learned TF target on real test sequences instead."""
    import pandas as pd

    from course_lib import simulation

    folder = tmp_path_factory.mktemp("lesson09_real_layout")
    simulation.simulate_deepsea(folder, n_train=150, n_valid=50, n_test=100, n_targets=6, seq_len=400,
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
