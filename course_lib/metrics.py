"""Evaluation: from predictions to the numbers a lesson reports."""

from __future__ import annotations

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
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


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
