"""Evaluation: from predictions to the numbers a lesson reports."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int
) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    y_true, y_pred : np.ndarray of int, shape (n,)
        Class indices in ``[0, n_classes)``.
    n_classes : int
        Number of classes.

    Returns
    -------
    np.ndarray of int64, shape (n_classes, n_classes)
        Row = true class, column = predicted class.

    Introduced in: 04_one_hot_cnn
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"{name} holds class indices outside [0, {n_classes})")
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    return sk_confusion_matrix(y_true, y_pred, labels=np.arange(n_classes)).astype(np.int64)


def evaluate_classifier(y_true: np.ndarray, probs: np.ndarray) -> dict:
    """Accuracy and confusion matrix of a softmax classifier.

    Parameters
    ----------
    y_true : np.ndarray of int, shape (n,)
        True class indices.
    probs : np.ndarray of float, shape (n, n_classes)
        Predicted class probabilities.

    Returns
    -------
    dict
        ``accuracy`` (float), ``confusion`` (np.ndarray, shape (n_classes, n_classes)),
        ``y_pred`` (np.ndarray of int, shape (n,)).

    Introduced in: 04_one_hot_cnn
    """
    probs = np.asarray(probs)
    if probs.ndim != 2 or len(probs) != len(y_true):
        raise ValueError(
            f"probs must have shape (n, n_classes) with n = len(y_true) = {len(y_true)}, got {probs.shape}"
        )
    y_pred = probs.argmax(axis=1)
    cm = confusion_matrix(y_true, y_pred, probs.shape[1])
    return {"accuracy": float(np.trace(cm) / max(cm.sum(), 1)), "confusion": cm, "y_pred": y_pred}


def _check_multilabel(y_true: np.ndarray, y_prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true)
    y_prob = np.asarray(y_prob, dtype=np.float64)
    if y_true.ndim == 1:
        y_true, y_prob = y_true[:, None], y_prob.reshape(len(y_prob), -1)
    if y_true.shape != y_prob.shape or y_true.ndim != 2:
        raise ValueError(
            f"y_true {y_true.shape} and y_prob {y_prob.shape} must both have shape (n, n_targets); "
            "for strand-averaged predictions pass the forward-half labels"
        )
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must hold 0/1 labels")
    if not np.isfinite(y_prob).all():
        raise ValueError("y_prob holds NaN or infinite values; check the model's outputs")
    return y_true.astype(bool), y_prob


def roc_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Area under the ROC curve of one binary target (scikit-learn's ``roc_auc_score``).

    The course's convention on top: NaN, not an error, for a target with one class only, so a
    table over hundreds of DeepSEA targets keeps its rows (ties count half, as Mann-Whitney's U).

    Parameters
    ----------
    y_true : np.ndarray of 0/1, shape (n,)
    y_score : np.ndarray of float, shape (n,)

    Returns
    -------
    float
        NaN when ``y_true`` has no positives or no negatives (AUC is undefined there).

    Introduced in: 05_danq_deepsea
    """
    from sklearn.metrics import roc_auc_score

    y_true = np.asarray(y_true, dtype=bool)
    if y_true.all() or not y_true.any():
        return float("nan")
    return float(roc_auc_score(y_true, np.asarray(y_score, dtype=np.float64)))


def pr_auc(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Area under the precision-recall curve (average precision) of one binary target.

    Returns NaN when there are no positives; a random predictor scores about the prevalence.

    Introduced in: 05_danq_deepsea
    """
    from sklearn.metrics import average_precision_score

    y_true = np.asarray(y_true, dtype=bool)
    if not y_true.any():
        return float("nan")
    return float(average_precision_score(y_true, y_score))


def reliability_curve(
    y_true: np.ndarray, y_prob: np.ndarray, n_bins: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean predicted probability and observed frequency in equal-width probability bins.

    Bin ``i`` holds the probabilities in ``[i / n_bins, (i + 1) / n_bins)``, the last one
    ``1.0`` too. On the non-empty bins this is scikit-learn's
    ``calibration_curve(y_true, y_prob, n_bins=n_bins)`` (with ``frac_positive`` and
    ``mean_prob`` swapped), but written out for two differences: scikit-learn drops empty bins,
    where the course keeps every bin (NaN where empty) so curves of several models line up; and
    scikit-learn's bins are closed on the right, so a probability exactly on an inner edge (a
    sigmoid's 0.5) falls in the bin below, which would move points of the lessons' curves.

    Parameters
    ----------
    y_true : np.ndarray of 0/1, shape (n,) or (n, T) (pooled)
    y_prob : np.ndarray of float in [0, 1], same shape
    n_bins : int

    Returns
    -------
    mean_prob, frac_positive : np.ndarray of float, shape (n_bins,)
        NaN for empty bins.
    counts : np.ndarray of int, shape (n_bins,)

    Introduced in: 05_danq_deepsea
    """
    y_true = np.asarray(y_true, dtype=float).ravel()
    y_prob = np.asarray(y_prob, dtype=float).ravel()
    bins = np.clip((y_prob * n_bins).astype(int), 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_prob = np.bincount(bins, y_prob, n_bins) / counts
        frac = np.bincount(bins, y_true, n_bins) / counts
    return mean_prob, frac, counts


def expected_calibration_error(y_true: np.ndarray, y_prob: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error: sum over bins of (bin share) x |frequency - mean probability|.

    The bins are those of :func:`reliability_curve`.

    Introduced in: 05_danq_deepsea
    """
    mean_prob, frac, counts = reliability_curve(y_true, y_prob, n_bins)
    used = counts > 0
    return float(np.sum(counts[used] / counts.sum() * np.abs(frac[used] - mean_prob[used])))


def evaluate_targets(y_true: np.ndarray, y_prob: np.ndarray, targets=None, n_bins: int = 10):
    """Per-target ROC AUC, PR AUC, prevalence and calibration of a multi-label model.

    Parameters
    ----------
    y_true : np.ndarray of 0/1, shape (n, T)
    y_prob : np.ndarray of float, shape (n, T)
        Predicted probabilities (e.g. strand-averaged).
    targets : pandas.DataFrame, optional
        T rows describing the targets (e.g. ``deepsea.read_targets()``); its columns are
        placed in front of the metrics.
    n_bins : int
        Bins for the expected calibration error.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``n_positive``, ``prevalence``, ``roc_auc``, ``pr_auc``, ``ece``
        and ``note`` ("no positives" / "no negatives" where AUCs are NaN; never an error).

    Introduced in: 05_danq_deepsea
    """
    import pandas as pd

    y_true, y_prob = _check_multilabel(y_true, y_prob)
    n_pos = y_true.sum(axis=0)
    table = pd.DataFrame({
        "n_positive": n_pos,
        "prevalence": n_pos / max(len(y_true), 1),
        "roc_auc": [roc_auc(y_true[:, t], y_prob[:, t]) for t in range(y_true.shape[1])],
        "pr_auc": [pr_auc(y_true[:, t], y_prob[:, t]) for t in range(y_true.shape[1])],
        "ece": [expected_calibration_error(y_true[:, t], y_prob[:, t], n_bins)
                for t in range(y_true.shape[1])],
        "note": np.where(n_pos == 0, "no positives",
                         np.where(n_pos == len(y_true), "no negatives", "")),
    })
    if targets is not None:
        if len(targets) != len(table):
            raise ValueError(f"targets has {len(targets)} rows but there are {len(table)} targets")
        extra = targets.drop(columns=[c for c in table.columns if c in targets.columns])
        table = pd.concat([extra.reset_index(drop=True), table], axis=1)
    return table


def summarize_targets(table, by: str = "assay"):
    """Medians and means of per-target metrics per group, plus a row ``all``.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`evaluate_targets` (with a ``by`` column, e.g. ``assay``).
    by : str

    Returns
    -------
    pandas.DataFrame
        Index: the groups and ``all``; columns ``n_targets``, ``n_evaluated`` (targets with
        positives and negatives), ``median_roc_auc``, ``mean_roc_auc``, ``median_pr_auc``,
        ``mean_pr_auc``, ``weighted_roc_auc`` and ``weighted_pr_auc`` (prevalence-weighted).
        NaN AUCs (targets without positives) are left out, not propagated.

    Introduced in: 05_danq_deepsea
    """
    import pandas as pd

    if by not in table.columns:
        raise ValueError(f"table has no column {by!r}; columns: {list(table.columns)}")

    def one(group):
        ok = group.dropna(subset=["roc_auc"])
        w = ok["prevalence"].to_numpy()
        row = {"n_targets": len(group), "n_evaluated": len(ok)}
        for col in ("roc_auc", "pr_auc"):
            row[f"median_{col}"] = ok[col].median()
            row[f"mean_{col}"] = ok[col].mean()
            row[f"weighted_{col}"] = float(np.average(ok[col], weights=w)) if w.sum() > 0 else np.nan
        return pd.Series(row)

    rows = {name: one(g) for name, g in table.groupby(by, sort=False)}
    rows["all"] = one(table)
    return pd.DataFrame(rows).T


def score_binary(y_true: np.ndarray, y_score: np.ndarray, threshold: float = 0.5) -> dict:
    """Accuracy, balanced accuracy, ROC AUC and F1 of a binary classifier.

    Parameters
    ----------
    y_true : np.ndarray of 0/1, shape (n,)
    y_score : np.ndarray of float, shape (n,)
        Probability (or score) of class 1; ``>= threshold`` predicts 1.
    threshold : float

    Returns
    -------
    dict of float
        ``accuracy``; ``balanced_accuracy`` (mean of the recalls of both classes, 0.5 for a
        constant prediction whatever the imbalance); ``roc_auc`` (NaN with one class);
        ``f1`` of class 1 (0 when nothing is predicted 1).

    Introduced in: 07_resistance_lstm
    """
    y_true = np.asarray(y_true).astype(int).ravel()
    y_score = np.asarray(y_score, dtype=np.float64).ravel()
    if y_true.shape != y_score.shape:
        raise ValueError(f"y_true {y_true.shape} and y_score {y_score.shape} differ in shape")
    if not np.isin(y_true, (0, 1)).all():
        raise ValueError("y_true must hold 0/1 labels")
    from sklearn.metrics import f1_score, recall_score

    y_pred = (y_score >= threshold).astype(int)
    present = [c for c in (0, 1) if (y_true == c).any()]  # a one-class set: its recall only
    recalls = recall_score(y_true, y_pred, labels=present, average=None, zero_division=0.0)
    return {"accuracy": float((y_pred == y_true).mean()),
            "balanced_accuracy": float(np.mean(recalls)),
            "roc_auc": roc_auc(y_true, y_score),
            "f1": float(f1_score(y_true, y_pred, zero_division=0.0))}


def capstone_metrics(y_true, y_prob, train_prevalence, threshold: float = 0.5) -> dict:
    """The capstone's summary: accuracy, ROC AUC and PR AUC averaged with training-prevalence weights.

    Accuracy is over all (sequence, target) cells at ``threshold``; with about 98%
    negatives, predicting "no" everywhere already scores about 98%. Targets without
    positives or negatives in ``y_true`` are left out of the AUC averages.

    Parameters
    ----------
    y_true : np.ndarray of 0/1, shape (n, T)
    y_prob : np.ndarray of float, shape (n, T)
    train_prevalence : np.ndarray, shape (T,)
        Each target's positive rate in the training labels (the weights).
    threshold : float

    Returns
    -------
    dict
        ``accuracy``, ``all_negative_accuracy``, ``weighted_roc_auc``, ``weighted_pr_auc``.

    Introduced in: 09_beyond_danq
    """
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    w = np.asarray(train_prevalence, dtype=np.float64)
    if y_true.shape != y_prob.shape or y_true.ndim != 2 or w.shape != (y_true.shape[1],):
        raise ValueError(f"need y_true and y_prob of one shape (n, T) and T weights; got "
                         f"{y_true.shape}, {y_prob.shape}, {w.shape}")
    ok = (y_true.min(0) == 0) & (y_true.max(0) == 1)
    rocs = np.array([roc_auc(y_true[:, t], y_prob[:, t]) for t in np.flatnonzero(ok)])
    prs = np.array([pr_auc(y_true[:, t], y_prob[:, t]) for t in np.flatnonzero(ok)])
    return {"accuracy": float(((y_prob >= threshold) == y_true).mean()),
            "all_negative_accuracy": float((y_true == 0).mean()),
            "weighted_roc_auc": float(np.average(rocs, weights=w[ok])),
            "weighted_pr_auc": float(np.average(prs, weights=w[ok]))}


# Lesson scores: accuracy by motif position (01), perplexity and per-target F1 (08)

def accuracy_by_position(labels: np.ndarray, predictions: np.ndarray, positions: np.ndarray,
                         bins: Sequence[int]) -> "pd.DataFrame":
    """Accuracy of binary predictions, positives grouped by where their motif starts.

    Parameters
    ----------
    labels, predictions : np.ndarray of int, shape (n,)
        True and predicted classes (0/1).
    positions : np.ndarray of int, shape (n,)
        Motif start of each positive, -1 for negatives.
    bins : sequence of int
        Bin edges of the start position, e.g. ``[0, 25, 50, 75, 100]``; bin i is
        ``[bins[i], bins[i+1])``.

    Returns
    -------
    pd.DataFrame
        One row per bin (``motif_start`` like ``"0-24"``, ``n``, ``accuracy``) and a last row
        ``"no motif"`` for the negatives.

    Introduced in: 01_motif_detection
    """
    import pandas as pd

    labels, predictions, positions = (np.asarray(a) for a in (labels, predictions, positions))
    if not labels.shape == predictions.shape == positions.shape:
        raise ValueError("labels, predictions and positions must have the same shape (n,)")
    correct = labels == predictions
    rows = []
    for lo, hi in zip(bins[:-1], bins[1:]):
        inside = (labels == 1) & (positions >= lo) & (positions < hi)
        rows.append({"motif_start": f"{lo}-{hi - 1}", "n": int(inside.sum()),
                     "accuracy": float(correct[inside].mean()) if inside.any() else float("nan")})
    negative = labels == 0
    rows.append({"motif_start": "no motif", "n": int(negative.sum()),
                 "accuracy": float(correct[negative].mean()) if negative.any() else float("nan")})
    return pd.DataFrame(rows)


def perplexity(cross_entropy: float) -> float:
    """``exp(cross_entropy)`` for a cross-entropy in nats per base.

    Introduced in: 08_genome_language
    """
    return float(np.exp(cross_entropy))


def bits_per_base(ppl: float) -> float:
    """``log2(perplexity)``: 2 bits for a uniformly random genome, 0 for a perfect model.

    Introduced in: 08_genome_language
    """
    return float(np.log2(ppl))


def f1_scores(y_true: np.ndarray, y_prob: np.ndarray, threshold: float | np.ndarray = 0.5
              ) -> np.ndarray:
    """Per-target F1 of thresholded probabilities.

    Parameters
    ----------
    y_true : np.ndarray of 0/1, shape (n, T)
    y_prob : np.ndarray of float, shape (n, T)
    threshold : float or np.ndarray of shape (T,)
        Predict 1 where ``y_prob >= threshold``.

    Returns
    -------
    np.ndarray, shape (T,), float64
        ``2 TP / (2 TP + FP + FN)``; 0 where a target has no positives and none predicted.

    Introduced in: 08_genome_language
    """
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    if y_true.shape != y_prob.shape or y_true.ndim != 2:
        raise ValueError(f"y_true {y_true.shape} and y_prob {y_prob.shape} must both be (n, T)")
    from sklearn.metrics import f1_score

    pred = y_prob >= np.asarray(threshold)
    return f1_score(y_true.astype(bool), pred, average=None, zero_division=0.0).astype(np.float64)


def best_thresholds(y_true: np.ndarray, y_prob: np.ndarray) -> np.ndarray:
    """Per-target threshold maximizing F1 (choose it on validation data, apply it to test).

    The candidates are 60 quantiles of the target's scores, from the median to the 99.9th
    percentile, each scored by scikit-learn's F1 (:func:`f1_scores`); the first best wins.
    Searching every threshold of scikit-learn's ``precision_recall_curve`` instead would pick
    other thresholds (actual scores, also below the median), so it is not a drop-in equivalent.

    Parameters
    ----------
    y_true : np.ndarray of 0/1, shape (n, T)
    y_prob : np.ndarray of float, shape (n, T)

    Returns
    -------
    np.ndarray, shape (T,), float64

    Introduced in: 08_genome_language
    """
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    out = np.full(y_prob.shape[1], 0.5)
    for t in range(y_prob.shape[1]):
        grid = np.unique(np.quantile(y_prob[:, t], np.linspace(0.5, 0.999, 60)))
        scores = [f1_scores(y_true[:, t:t + 1], y_prob[:, t:t + 1], g)[0] for g in grid]
        out[t] = grid[int(np.argmax(scores))]
    return out


def fraction_won(f1_model: np.ndarray, f1_baseline: np.ndarray, eligible: np.ndarray) -> float:
    """Share of eligible targets where the model's F1 is strictly higher than the baseline's.

    Introduced in: 08_genome_language
    """
    eligible = np.asarray(eligible, dtype=bool)
    if not eligible.any():
        raise ValueError("no eligible target (none with >= 1% positives in training)")
    return float(np.mean(f1_model[eligible] > f1_baseline[eligible]))
