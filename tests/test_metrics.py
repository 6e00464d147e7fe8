"""Per-target evaluation: hand-checked AUCs, calibration, targets without positives."""

import numpy as np
import pandas as pd
import pytest

from course_lib import metrics


def test_confusion_matrix_still_counts_pairs():
    cm = metrics.confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), 2)
    np.testing.assert_array_equal(cm, [[1, 0], [1, 1]])


@pytest.mark.parametrize(
    "y, s, expected",
    [
        ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75),   # 3 of 4 (pos, neg) pairs ordered
        ([0, 1, 0, 1], [0.2, 0.2, 0.1, 0.9], 0.875),   # one tie counts half: 3.5 / 4
        ([1, 1, 0], [0.9, 0.8, 0.1], 1.0),
        ([1, 0, 0], [0.1, 0.5, 0.6], 0.0),
    ],
)
def test_roc_auc_hand_checked(y, s, expected):
    assert metrics.roc_auc(np.array(y), np.array(s)) == pytest.approx(expected)


def test_pr_auc_hand_checked():
    # ranked: 0.8 (pos, P=1, R=.5), 0.4 (neg), 0.35 (pos, P=2/3, R=1): AP = .5*1 + .5*2/3
    assert metrics.pr_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(5 / 6)


def test_ece_hand_checked():
    # bin [0.2, 0.3): mean .2, freq .5 (2 items); bin [0.9, 1]: mean .9, freq 1 (2 items)
    y = np.array([0, 1, 1, 1])
    p = np.array([0.2, 0.2, 0.9, 0.9])
    assert metrics.expected_calibration_error(y, p, n_bins=10) == pytest.approx(0.5 * 0.3 + 0.5 * 0.1)
    mean, frac, counts = metrics.reliability_curve(y, p, n_bins=10)
    assert counts.sum() == 4 and counts[2] == 2 and counts[9] == 2
    assert np.isnan(mean[0]) and frac[9] == 1.0


def test_evaluate_targets_reports_targets_without_positives_without_nan_crash():
    y = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    p = np.array([[0.1, 0.3, 0.5], [0.4, 0.2, 0.5], [0.35, 0.6, 0.5], [0.8, 0.9, 0.5]])
    targets = pd.DataFrame({"assay": ["DNase", "TF", "TF"], "target": ["a", "b", "c"]})
    table = metrics.evaluate_targets(y, p, targets)
    assert list(table["target"]) == ["a", "b", "c"]
    assert table.loc[0, "roc_auc"] == pytest.approx(0.75)
    assert table.loc[1, "roc_auc"] == pytest.approx(0.5)  # 0.9 beats both negatives, 0.2 neither
    assert np.isnan(table.loc[2, "roc_auc"]) and table.loc[2, "note"] == "no negatives"
    np.testing.assert_allclose(table["prevalence"], [0.5, 0.5, 1.0])
    y[:, 0] = 0
    table = metrics.evaluate_targets(y, p, targets)
    assert table.loc[0, "note"] == "no positives" and np.isnan(table.loc[0, "pr_auc"])
    summary = metrics.summarize_targets(table)
    assert summary.loc["TF", "n_evaluated"] == 1 and summary.loc["DNase", "n_evaluated"] == 0
    assert summary.loc["all", "median_roc_auc"] == pytest.approx(0.5)


def test_summary_medians_and_prevalence_weights():
    table = pd.DataFrame({"assay": ["x", "x", "x"], "roc_auc": [0.6, 0.8, 0.9],
                          "pr_auc": [0.1, 0.2, 0.3], "prevalence": [0.1, 0.1, 0.2]})
    s = metrics.summarize_targets(table)
    assert s.loc["x", "median_roc_auc"] == pytest.approx(0.8)
    assert s.loc["x", "weighted_roc_auc"] == pytest.approx((0.06 + 0.08 + 0.18) / 0.4)


@pytest.mark.parametrize("bad", [np.zeros((3, 2)), np.full((4, 3), np.nan)])
def test_evaluate_targets_shape_and_nan_errors(bad):
    with pytest.raises(ValueError, match="shape|NaN"):
        metrics.evaluate_targets(np.zeros((4, 3)), bad)


@pytest.mark.parametrize("y_true, y_score, expected", [
    # 2 of 3 negatives right, 1 of 1 positive right: acc 3/4, balanced (2/3 + 1)/2,
    # F1 = 2*1 / (2 predicted + 1 true) = 2/3, AUC: the positive outranks all 3 negatives.
    ([0, 0, 0, 1], [0.1, 0.2, 0.6, 0.9], dict(accuracy=0.75, balanced_accuracy=5 / 6,
                                               roc_auc=1.0, f1=2 / 3)),
    # constant "negative" on an imbalanced set: accuracy 0.75 but balanced accuracy 0.5, F1 0
    ([0, 0, 0, 1], [0.0, 0.0, 0.0, 0.0], dict(accuracy=0.75, balanced_accuracy=0.5,
                                               roc_auc=0.5, f1=0.0)),
    # one class only: AUC undefined
    ([1, 1], [0.7, 0.2], dict(accuracy=0.5, balanced_accuracy=0.5, roc_auc=np.nan, f1=2 / 3)),
])
def test_score_binary_hand_checked(y_true, y_score, expected):
    """Accuracy, balanced accuracy, ROC AUC and F1 of a thresholded score, by hand."""
    got = metrics.score_binary(np.array(y_true), np.array(y_score))
    assert set(got) == {"accuracy", "balanced_accuracy", "roc_auc", "f1"}
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, nan_ok=True), name


def test_score_binary_validates_labels():
    with pytest.raises(ValueError, match="0/1"):
        metrics.score_binary(np.array([0, 2]), np.array([0.1, 0.2]))


def test_the_wrappers_agree_with_the_definitions_they_replace():
    """roc_auc, f1_scores and confusion_matrix call scikit-learn (issue 31); the course's
    conventions (NaN for a one-class target, 0 F1 where nothing is true or predicted, every
    class a row) stay, and the numbers equal the hand-written definitions they replaced."""
    from scipy.stats import rankdata

    rng = np.random.default_rng(0)
    for trial in range(50):
        y = rng.integers(0, 2, 60)
        score = rng.random(60).astype(np.float32)
        if trial % 2:
            score = np.round(score, 1)  # ties count half
        ranks, n_pos = rankdata(score), y.sum()
        mann_whitney = (ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * (60 - n_pos))
        assert metrics.roc_auc(y, score) == pytest.approx(mann_whitney, abs=1e-12)
    assert np.isnan(metrics.roc_auc(np.ones(5), np.arange(5)))
    y, prob = rng.integers(0, 2, (40, 5)), rng.random((40, 5))
    y[:, 0] = 0
    pred, truth = prob >= 0.7, y.astype(bool)
    tp = (pred & truth).sum(0)
    denom = 2 * tp + (pred ^ truth).sum(0)
    expected = np.divide(2 * tp, denom, out=np.zeros(5), where=denom > 0)
    np.testing.assert_allclose(metrics.f1_scores(y, prob, 0.7), expected, atol=1e-12)
    counts = metrics.confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1], 4)
    assert counts.dtype == np.int64 and counts.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0],
                                                             [0, 1, 1, 0], [0, 0, 0, 0]]


def _old_reliability_curve(y_true, y_prob, n_bins=10):
    """``reliability_curve`` as it read before issue 31 (the reference its numbers must keep)."""
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_prob = np.asarray(y_prob, dtype=float).ravel()
    bins = np.clip((y_prob * n_bins).astype(int), 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_prob = np.bincount(bins, y_prob, n_bins) / counts
        frac = np.bincount(bins, y_true, n_bins) / counts
    return mean_prob, frac, counts


@pytest.mark.parametrize("n_bins", [5, 10, 15])
def test_reliability_curve_keeps_its_numbers_and_agrees_with_scikit_learn_off_the_edges(n_bins):
    """The course's bins are scikit-learn's ``calibration_curve`` bins except exactly on an inner
    edge (scikit-learn's are closed on the right) and except that empty bins stay (NaN)."""
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(n_bins)
    edges, compared = np.linspace(0, 1, n_bins + 1), 0
    for trial in range(20):
        prob = rng.random((300, 3)).astype(np.float32).astype(np.float64)  # as Keras predicts
        y = (rng.random((300, 3)) < prob).astype(int)
        if trial % 2:
            prob[:5, 0] = [0.0, 1.0, 0.6, 0.65, 0.999]  # empty bins elsewhere, ends included
            prob[5:, 0] = 0.6
        old = _old_reliability_curve(y, prob, n_bins)
        new = metrics.reliability_curve(y, prob, n_bins)
        for a, b in zip(old, new):
            np.testing.assert_array_equal(a, b)
        assert metrics.expected_calibration_error(y, prob, n_bins) == pytest.approx(
            np.nansum(new[2] / new[2].sum() * np.abs(new[1] - new[0])), abs=1e-15)
        if not np.isin(prob * n_bins, np.arange(1, n_bins)).any():  # nothing on an inner edge
            frac, mean = calibration_curve(y.ravel(), prob.ravel(), n_bins=n_bins)
            used = new[2] > 0
            np.testing.assert_array_equal(new[1][used], frac)
            np.testing.assert_array_equal(new[0][used], mean)
            compared += 1
    assert compared >= 10
    on_edges = np.concatenate([edges, edges, rng.random(50)])
    y = rng.integers(0, 2, len(on_edges))
    for a, b in zip(_old_reliability_curve(y, on_edges, n_bins),
                    metrics.reliability_curve(y, on_edges, n_bins)):
        np.testing.assert_array_equal(a, b)


def test_reliability_curve_puts_an_inner_edge_in_the_bin_above():
    """0.5 opens bin [0.5, 0.6) here; scikit-learn puts it with 0.45 in (0.4, 0.5]."""
    from sklearn.calibration import calibration_curve

    y, prob = np.array([1, 0]), np.array([0.45, 0.5])
    mean, frac, counts = metrics.reliability_curve(y, prob, n_bins=10)
    assert counts[4] == counts[5] == 1 and frac[4] == 1.0 and frac[5] == 0.0
    assert len(calibration_curve(y, prob, n_bins=10)[0]) == 1


def _old_score_binary_counts(y_true, y_score, threshold=0.5):
    """The hand-written balanced accuracy and F1 ``score_binary`` used before scikit-learn."""
    y_pred = (y_score >= threshold).astype(int)
    tp = int(((y_pred == 1) & (y_true == 1)).sum())
    recalls = [float((y_pred[y_true == c] == c).mean()) for c in (0, 1) if (y_true == c).any()]
    f1 = 2 * tp / (int(y_pred.sum()) + int(y_true.sum())) if tp else 0.0
    return float(np.mean(recalls)), float(f1)


def test_score_binary_equals_its_hand_written_definitions():
    rng = np.random.default_rng(3)
    for trial in range(200):
        n = int(rng.integers(1, 80))
        y = (rng.random(n) < rng.random()).astype(int)
        score = rng.random(n).astype(np.float32)
        threshold = [0.5, 0.0, 1.01, float(rng.random())][trial % 4]
        got = metrics.score_binary(y, score, threshold)
        balanced, f1 = _old_score_binary_counts(y, score, threshold)
        assert (got["balanced_accuracy"], got["f1"]) == (balanced, f1)


def _old_best_thresholds(y_true, y_prob):
    """``best_thresholds`` as lesson 08 first used it (the reference)."""
    out = np.full(y_prob.shape[1], 0.5)
    for t in range(y_prob.shape[1]):
        grid = np.unique(np.quantile(y_prob[:, t], np.linspace(0.5, 0.999, 60)))
        scores = [metrics.f1_scores(y_true[:, t:t + 1], y_prob[:, t:t + 1], g)[0] for g in grid]
        out[t] = grid[int(np.argmax(scores))]
    return out


def test_best_thresholds_search_the_quantile_grid():
    rng = np.random.default_rng(4)
    y = (rng.random((500, 6)) < [0.01, 0.05, 0.2, 0.5, 0.0, 1.0]).astype(int)
    prob = np.clip(0.3 * y + rng.random((500, 6)), 0, 1).astype(np.float32)
    np.testing.assert_array_equal(metrics.best_thresholds(y, prob), _old_best_thresholds(y, prob))
