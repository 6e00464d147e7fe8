"""Lesson 07, the drug-resistance BiLSTM with 5-fold cross-validation, run end to end.

Evidence behind the margins (``course run 07 -q -o DIR -p SEED s``, this 2-core AVX2 machine,
TensorFlow; the lesson's metrics JSON), after the split into train / validation / test
(issue 29: the training curves were drawn on the test set):

    seed                      0       1       2      worst   floor asserted
    test balanced accuracy    0.962   0.953   0.979   0.953   0.93
      oracle's                0.986   0.963   0.984
      BiLSTM - oracle        -0.024  -0.010   -0.005  -0.024   -0.05 (also accuracy:
                                                              -0.020, -0.006, -0.004)
      k-mer baseline's        0.960   0.957   0.958
      BiLSTM - k-mer         +0.002  -0.004   +0.021  -0.004   -0.03 ("about level")
    CV mean (25 epochs)       0.912   0.931   0.953            test >= mean - 2 sd at all three
    CV sd                     0.106   0.050   0.009
    attribution hit rate      1.000   1.000   0.965   0.965   0.8 (of 144 / 138 / 142 true
                                                              positives; floor 60)
    most negative position
      on the other codon      0.772   0.541   0.985   0.541   0.4 (chance about 0.15)
    validation bal. accuracy  0.946   0.979   0.984

The default run took 132 s wall on the idle machine (``cpu-slot --alone /usr/bin/time -f %e
course run 07``): "about 3 minutes" in the lesson. Before the split the lesson trained its final
model on 1,600 of 2,000 genes and drew its curves on the test set; with the validation set taken
from 2,000 genes (1,280 left to train) seed 1 fell to 0.897 against the oracle's 0.969, so
``N_GENES`` is 2,500 (1,600 to train, 400 to validate, 500 to test). The k-mer baseline keeps up
with the BiLSTM on these short fragments (within a point at seeds 0 and 1): the lesson says
"about level", not "ahead".
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def default_run(lesson_runs):
    return lesson_runs("07_resistance_lstm")


def test_default_run_is_the_documented_one(default_run):
    m = default_run
    assert m["panel"] == "ecoli_gyrA_nalidixic_acid" and m["data"] == "simulated"
    assert m["n_folds"] == 5 and m["n_test"] == 500 and m["n_valid"] == 400


def test_the_test_set_is_apart_from_training_and_validation(default_run):
    """Three disjoint stratified sets: the curves are drawn on the validation set and the test
    set is scored once; no test gene is in the other two."""
    m = default_run
    assert m["n_train"] + m["n_valid"] + m["n_test"] == 2500
    assert m["n_test_in_train_or_valid"] == 0


def test_the_cross_validation_loop_scores_every_setting_on_every_fold(default_run):
    """The loop written in the Train cell: one row per (units, epochs, fold), 1 x 2 x 5."""
    m = default_run
    assert m["cv_rows"] == 1 * 2 * m["n_folds"]
    assert m["best_epochs"] in (15, 25) and m["best_units"] == 16


def test_test_score_is_high_and_not_below_the_cv_interval(default_run):
    """One-sided: the final model trains on all 1,600 training genes, each fold's on 1,280, so
    the test score may lie above CV mean + 2 sd (seed 2: 0.979 against 0.953 +- 2 x 0.009)."""
    m = default_run
    assert m["test_balanced_accuracy"] >= 0.93
    low = m["cv_balanced_accuracy_mean"] - 2 * m["cv_balanced_accuracy_sd"]
    assert m["test_balanced_accuracy"] >= low


def test_headline_within_a_few_points_of_the_oracle_level_with_the_kmers(default_run):
    """What the default run shows: the BiLSTM within a few points of the oracle, about
    level with the k-mer baseline (balanced accuracy on the test set)."""
    m = default_run
    assert m["test_balanced_accuracy"] >= m["oracle_test_balanced_accuracy"] - 0.05
    assert m["test_accuracy"] >= m["oracle_test_accuracy"] - 0.05
    assert m["test_balanced_accuracy"] >= m["kmer_test_balanced_accuracy"] - 0.03


def test_attribution_peaks_at_the_planted_codon(default_run):
    m = default_run
    assert m["n_true_positives_attributed"] >= 60
    assert m["attribution_hit_rate"] >= 0.8


def test_most_negative_position_is_the_other_catalogued_codon(default_run):
    # a change there would add a second resistance mutation (the other codon's +-1 codon
    # window covers about 9 of the fragment's 45-75 bases)
    assert default_run["negative_peak_other_codon_rate"] >= 0.4


def test_metrics_are_consistent(default_run):
    m = default_run
    for name in ("test_accuracy", "test_balanced_accuracy", "test_roc_auc", "test_f1",
                 "valid_balanced_accuracy", "oracle_test_balanced_accuracy",
                 "kmer_test_balanced_accuracy"):
        assert 0.0 <= m[name] <= 1.0, name
    # label noise (2%) caps what anyone can score against the observed labels
    assert m["oracle_test_accuracy"] < 1.0


def test_the_notebooks_bilstm_is_the_librarys(default_run):
    """The BiLSTM written out in the lesson's Model cell and resistance.build_resistance_lstm agree
    (layer classes and parameter counts at the lesson's sizes), so course train and the tests
    stand on the model the lesson teaches."""
    from course_lib.domains import resistance

    library = resistance.build_resistance_lstm(
        seq_len=default_run["seq_len"], units=default_run["best_units"], embedding_dim=8,
        n_layers=1, dropout=0.1, pooling="max", learning_rate=0.005)
    layers = [[layer.__class__.__name__, layer.count_params()] for layer in library.layers]
    assert default_run["model_layers"] == layers
