"""Cross-validation pieces: scores, grid, folds, one (setting, fold), the summary table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from course_lib import metrics, selection


@pytest.mark.parametrize("y_true, y_score, expected", [
    # 2 of 3 negatives right, 1 of 1 positive right: acc 3/4, balanced (2/3 + 1)/2,
    # F1 = 2*1 / (2 predicted + 1 true) = 2/3, AUC: the positive outranks all 3 negatives.
    ([0, 0, 0, 1], [0.1, 0.2, 0.6, 0.9], dict(accuracy=0.75, balanced_accuracy=5 / 6,
                                               roc_auc=1.0, f1=2 / 3)),
    # constant "negative" on an imbalanced set: accuracy 0.75 but balanced accuracy 0.5, F1 0
    ([0, 0, 0, 1], [0.0, 0.0, 0.0, 0.0], dict(accuracy=0.75, balanced_accuracy=0.5,
                                               roc_auc=0.5, f1=0.0)),
    # one class only: AUC undefined
    ([1, 1], [0.7, 0.2], dict(accuracy=0.5, balanced_accuracy=0.5, roc_auc=math.nan, f1=2 / 3)),
])
def test_score_binary_hand_checked(y_true, y_score, expected):
    got = metrics.score_binary(np.array(y_true), np.array(y_score))
    assert set(got) == set(selection.METRICS)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, nan_ok=True), name


def test_score_binary_validates_labels():
    with pytest.raises(ValueError, match="0/1"):
        metrics.score_binary(np.array([0, 2]), np.array([0.1, 0.2]))


def test_parameter_grid_order_and_size():
    grid = selection.parameter_grid({"epochs": [5, 10], "units": [8, 16, 32]})
    assert len(grid) == 6
    assert grid[0] == {"epochs": 5, "units": 8} and grid[1] == {"epochs": 5, "units": 16}
    assert grid[-1] == {"epochs": 10, "units": 32}


@pytest.mark.parametrize("bad", [{}, {"units": []}, {"units": 8}, {"name": "abc"}])
def test_parameter_grid_rejects_bad_grids(bad):
    with pytest.raises(ValueError, match="non-empty"):
        selection.parameter_grid(bad)


def test_stratified_folds_partition_and_balance():
    y = np.array([0] * 15 + [1] * 5)
    folds = selection.stratified_folds(y, n_folds=5, seed=3)
    valid = np.concatenate([v for _, v in folds])
    assert sorted(valid.tolist()) == list(range(20))
    for train, v in folds:
        assert len(v) == 4 and y[v].sum() == 1  # 3 negatives and 1 positive in every fold
        assert not set(train) & set(v) and len(train) + len(v) == 20
    again = selection.stratified_folds(y, n_folds=5, seed=3)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, again))


def test_stratified_folds_needs_enough_of_each_class():
    with pytest.raises(ValueError, match="smallest class has 2"):
        selection.stratified_folds(np.array([0] * 10 + [1] * 2), n_folds=3)


def _threshold_rule(setting, X_train, y_train, X_valid, seed=0):
    """A 'model' whose only parameter is the cut: x > cut predicts 1 (score 0 or 1)."""
    return (np.asarray(X_valid)[:, 0] > setting["cut"]).astype(float)


X = np.arange(20, dtype=float)[:, None]  # x = 0..19; label 1 for x >= 15
Y = (X[:, 0] >= 15).astype(int)


def test_run_fold_returns_one_scored_row():
    row = selection.run_fold(_threshold_rule, X, Y, {"cut": 14.5}, fold=2, n_folds=5, seed=0)
    assert row["cut"] == 14.5 and row["fold"] == 2
    assert row["n_train"] == 16 and row["n_valid"] == 4
    assert row["accuracy"] == 1.0 and row["balanced_accuracy"] == 1.0 and row["f1"] == 1.0


def test_run_fold_works_on_lists_of_strings():
    seqs = ["A" * (i + 1) for i in range(20)]

    def by_length(setting, X_train, y_train, X_valid, seed=0):
        assert isinstance(X_valid, list) and isinstance(X_valid[0], str)
        return np.array([len(s) > 15 for s in X_valid], dtype=float)

    assert selection.run_fold(by_length, seqs, Y, {}, fold=0)["accuracy"] == 1.0


def test_run_fold_checks_the_number_of_scores():
    with pytest.raises(ValueError, match="one probability per example"):
        selection.run_fold(lambda *a, **k: np.zeros(3), X, Y, {}, fold=0)


def test_cross_validate_and_summary_pick_the_right_cut():
    table = selection.cross_validate(_threshold_rule, X, Y, {"cut": [14.5, 17.5]}, n_folds=5)
    assert len(table) == 10 and list(table["fold"][:5]) == [0, 1, 2, 3, 4]
    summary = selection.summarize_folds(table)
    assert list(summary["cut"]) == [14.5, 17.5] and (summary["n_folds"] == 5).all()
    perfect = summary.iloc[0]
    assert perfect["accuracy_mean"] == 1.0 and perfect["accuracy_sd"] == 0.0
    # cut 17.5 misses x = 15, 16, 17 (3 of 5 positives), each in its own fold of 4 examples
    worse = table[table["cut"] == 17.5]["accuracy"].to_numpy()
    assert sorted(worse) == [0.75, 0.75, 0.75, 1.0, 1.0]
    assert summary.iloc[1]["accuracy_mean"] == pytest.approx(0.85)
    assert summary.iloc[1]["accuracy_sd"] == pytest.approx(np.std(worse, ddof=1))
    assert selection.best_setting(summary) == {"cut": 14.5}


def test_summary_gathers_rows_from_anywhere():
    """Rows computed one (setting, fold) at a time, shuffled, give the same table."""
    rows = [selection.run_fold(_threshold_rule, X, Y, s, f, 5, 0)
            for s in selection.parameter_grid({"cut": [14.5, 17.5]}) for f in range(5)]
    shuffled = [rows[i] for i in np.random.default_rng(0).permutation(len(rows))]
    a = selection.summarize_folds(rows).sort_values("cut").reset_index(drop=True)
    b = selection.summarize_folds(shuffled).sort_values("cut").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_best_setting_names_the_known_metrics():
    summary = selection.summarize_folds(
        selection.cross_validate(_threshold_rule, X, Y, {"cut": [14.5]}, n_folds=2))
    with pytest.raises(ValueError, match="balanced_accuracy"):
        selection.best_setting(summary, metric="precision")


def _staged_rule(setting, X_train, y_train, X_valid, seed=0, stages=None):
    """'Training' for e epochs predicts 1 for x > 19.5 - e."""
    calls.append(dict(setting))
    x = np.asarray(X_valid)[:, 0]
    return {e: (x > 19.5 - e).astype(float) for e in stages}


calls: list = []


def test_staged_cross_validation_fits_once_per_fold_and_equals_separate_runs():
    calls.clear()
    staged = selection.cross_validate(_staged_rule, X, Y, {"epochs": [3, 5, 8], "w": [1]},
                                      n_folds=5, stage="epochs")
    assert len(calls) == 5 and all(c["epochs"] == 8 for c in calls)
    assert len(staged) == 15 and list(staged["epochs"][:5]) == [3] * 5

    def one_stage(setting, X_train, y_train, X_valid, seed=0):
        return _staged_rule(setting, X_train, y_train, X_valid, seed, [setting["epochs"]])[
            setting["epochs"]]

    separate = selection.cross_validate(one_stage, X, Y, {"epochs": [3, 5, 8], "w": [1]}, n_folds=5)
    pd.testing.assert_frame_equal(staged, separate)
    # epochs=5 gives the cut x > 14.5: perfect; 3 misses x = 15, 16; 8 adds x = 12, 13, 14
    assert selection.best_setting(selection.summarize_folds(staged)) == {"epochs": 5, "w": 1}


def test_staged_fit_must_return_every_stage():
    with pytest.raises(ValueError, match="one entry per stage"):
        selection.run_fold_stages(lambda *a, **k: {3: np.zeros(4)}, X, Y, {}, 0, "epochs", [3, 5])
