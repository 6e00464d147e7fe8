"""Lesson 09, beyond DanQ, run end to end through papermill on the offline stand-in.

Every ranked model gets one budget, ``EPOCHS`` (2) passes over the same rows; DeepSEA and DanQ
with lesson 05's recipe, the capstone's ResNets with its tricks. Measured here (AMD EPYC, AVX2
and FMA, no AVX-512, 2 cores) with ``course run 09 -q -o DIR -p SEED s -p RUN_DIR <fresh dir>``,
median ROC AUC on the test set, each model at its best epoch by validation AUC:

| seed | DeepSEA | DanQ | one-hot ResNet | embedding ResNet | oracle | lead | bias: first loss with / without | val AUC after epoch 1 with / without | Grad-CAM p motif / background, enrichment |
| 0 | 0.714 | 0.631 | 0.918 | 0.551 | 0.986 | 0.204 | 0.306 / 0.464 (0.660) | 0.748 / 0.567 | 0.560 / 0.011, 6.1 |
| 1 | 0.628 | 0.634 | 0.842 | 0.669 | 0.986 | 0.208 | 0.313 / 0.464 (0.673) | 0.710 / 0.639 | 0.918 / 0.035, 5.3 |
| 2 | 0.662 | 0.641 | 0.879 | 0.818 | 0.987 | 0.217 | 0.310 / 0.461 (0.673) | 0.665 / 0.660 | 0.453 / 0.117, 6.4 |

Worst cases: lead 0.204 (asserted >= 0.15), one-hot ResNet 0.842 (>= 0.80), embedding behind
one-hot by 0.061 at seed 2 (asserted >= 0.02), bias loss ratio 0.660-0.673 (0.60-0.75), val AUC
with the bias at most 0.005 above without at seed 2 (asserted no more than 0.02 below), Grad-CAM
p ratio 3.9 (> 2.5) and enrichment 5.3 (> 4). Accuracy: "always no" 0.859-0.878, every model
0.000-0.057 above it. Default run 148 s wall here (cpu-slot --alone), 3 minutes in the text.

The margins below sit under the worst of the three seeds. Two epochs are the onset of learning
for the embedding ResNet: it trails the one-hot ResNet at all three seeds here, by 0.06 to 0.37;
on a machine with other vector kernels it was ahead at one seed (issue 30), so its margin is small. Before this rewrite (issue 29) the baselines had 16 epochs against
the capstone models' 2, and the lesson's text quoted another machine's numbers.
"""

from __future__ import annotations

import pytest

# the default run took 148 s here; a loaded or slower machine needs several times that
pytestmark = [pytest.mark.notebook, pytest.mark.timeout(3600)]

MODELS = {"deepsea", "danq", "resnet_onehot", "resnet"}  # the default MODELS
BASELINES = ("deepsea", "danq")
LEAD = 0.15           # one-hot ResNet over the better baseline (measured 0.204-0.217)
ONEHOT_FLOOR = 0.80   # measured 0.842-0.918


@pytest.fixture(scope="module")
def m(lesson_runs):
    return lesson_runs("09_beyond_danq")


def test_every_model_is_ranked_on_one_budget(m):
    ranking = m["ranking_by_median_pr_auc"]
    assert set(ranking) == MODELS and m["epochs"] == 2
    pr = [m[f"{name}_median_pr_auc"] for name in ranking]
    assert pr == sorted(pr, reverse=True)
    assert m["oracle_median_roc_auc"] > 0.95
    for name in ranking:  # none is worse than chance
        assert m[f"{name}_median_roc_auc"] >= 0.5, name


def test_the_onehot_resnet_trains_furthest_on_one_budget(m):
    auc = {name: m[f"{name}_median_roc_auc"] for name in MODELS}
    best_baseline = max(auc[name] for name in BASELINES)
    assert m["onehot_lead_over_baselines"] == pytest.approx(auc["resnet_onehot"] - best_baseline,
                                                            abs=2e-4)
    assert m["onehot_lead_over_baselines"] >= LEAD
    assert auc["resnet_onehot"] >= ONEHOT_FLOOR
    assert auc["resnet_onehot"] <= m["oracle_median_roc_auc"]
    assert auc["resnet"] <= auc["resnet_onehot"] - 0.02  # the embedding trails (0.06-0.37)


def test_prevalence_bias_cuts_the_first_epoch_loss_by_about_a_third(m):
    assert m["ablation_model"] == "resnet_onehot"
    with_bias = m["ablation_with_the_bias_first_epoch_loss"]
    without = m["ablation_no_bias_first_epoch_loss"]
    assert with_bias == pytest.approx(m["resnet_onehot_first_epoch_loss"], abs=1e-4)
    assert 0.60 <= with_bias / without <= 0.75  # measured 0.660-0.673
    # no worse after that epoch (measured +0.005 to +0.18)
    assert (m["ablation_with_the_bias_first_epoch_val_auc"]
            >= m["ablation_no_bias_first_epoch_val_auc"] - 0.02)


def test_accuracy_is_near_the_all_negative_baseline(m):
    base = m["all_negative_accuracy"]
    assert base > 0.85  # this stand-in has about 12% positives
    for name in MODELS:  # measured 0.000-0.057 above "always no"
        assert base - 0.02 <= m[f"{name}_accuracy"] <= base + 0.15, name


def test_capstone_parameter_counts_are_close_to_the_report(m):
    p = m["capstone_parameters"]
    assert 1.2e6 < p["head"] < 1.6e6          # report: 1.3M
    assert 30e6 < p["classifier"] < 35e6      # report: 33M
    assert 4.2e6 < p["resnet"] < 5.2e6        # report: 4.7M; kernel 8, bottleneck 2 are ours


def test_cost_and_interpretation_are_recorded(m):
    assert m["attention_macs_ratio_double_length"] == pytest.approx(4.0)
    assert set(m["samples_per_s"]) == MODELS and min(m["samples_per_s"].values()) > 0
    # the planted motif (drawn as the stand-in draws its sites) moves the prediction and the
    # map peaks on it; measured p ratio 3.9-52, enrichment 5.3-6.4
    assert m["gradcam_model"] == "resnet_onehot"
    assert m["gradcam_p_motif"] > 2.5 * m["gradcam_p_background"]
    assert m["gradcam_motif_enrichment"] > 4


def test_a_folder_in_the_real_layout_runs_to_the_end(lesson_runs, tmp_path_factory):
    """DATA=folder whose targets.tsv has no stand-in rules or oracle (as the real data): the
    metrics say "no value" as None (null), and the Grad-CAM cell explains the best-learned TF
    target on real test sequences instead."""
    import pandas as pd

    from course_lib.domains import deepsea

    folder = tmp_path_factory.mktemp("lesson09_real_layout")
    deepsea.simulate_deepsea(folder, n_train=150, n_valid=50, n_test=100, n_targets=6,
                             seq_len=400, seed=1, centred=True, sharpness=4.0,
                             tf_prevalence=(0.05, 0.2))
    targets = pd.read_csv(folder / "targets.tsv", sep="\t")
    targets.drop(columns=["rule", "oracle_auc", "oracle_auprc"]).to_csv(
        folder / "targets.tsv", sep="\t", index=False)
    m = lesson_runs("09_beyond_danq", DATA=str(folder), SIZE="tiny", EPOCHS=1,
                    RUN_DIR=str(tmp_path_factory.mktemp("lesson09_runs")))
    assert set(m["ranking_by_median_pr_auc"]) == MODELS
    assert m["oracle_median_roc_auc"] is None  # no oracle without the stand-in's rules
    assert m["gradcam_model"] not in BASELINES
    assert targets.loc[m["gradcam_target"], "assay"] == "TF"
    assert m["gradcam_motif_enrichment"] is None
    # the sequences the model scores highest and lowest for that target (the tiny model barely
    # learns in one epoch, so only their order is asserted; strands are averaged for the choice)
    assert 0 <= m["gradcam_p_background"] <= m["gradcam_p_motif"] + 0.01 <= 1.01
