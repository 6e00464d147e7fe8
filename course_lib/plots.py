"""Figures the lessons show: training curves and confusion matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def plot_history(history, metrics: Sequence[str] = ("loss", "accuracy"), ax=None):
    """Training vs validation curves, one panel per metric.

    Parameters
    ----------
    history : keras.callbacks.History or dict
        ``model.fit(...)`` 's return value, or its ``.history`` dict
        (name -> list of per-epoch values; ``val_<name>`` for validation).
    metrics : sequence of str
        Which curves to draw; names missing from the history are skipped.
    ax : array of matplotlib Axes, optional
        One Axes per metric; created when omitted.

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in: 04_one_hot_cnn
    """
    import matplotlib.pyplot as plt

    values = history.history if hasattr(history, "history") else history
    if not isinstance(values, Mapping):
        raise TypeError("history must be a keras History or a dict of per-epoch lists")
    present = [m for m in metrics if m in values]
    if not present:
        raise ValueError(
            f"none of {list(metrics)} is in the history; it has {sorted(values)}"
        )
    if ax is None:
        fig, ax = plt.subplots(1, len(present), figsize=(4.5 * len(present), 3.2), squeeze=False)
        ax = ax[0]
    fig = ax[0].figure
    for axis, name in zip(ax, present):
        epochs = np.arange(1, len(values[name]) + 1)
        axis.plot(epochs, values[name], label="training")
        if f"val_{name}" in values:
            axis.plot(epochs, values[f"val_{name}"], label="validation")
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.legend()
    fig.tight_layout()
    return fig


def plot_confusion_matrix(
    confusion: np.ndarray, class_names: Sequence[str] | None = None, ax=None
):
    """Row-normalized confusion matrix with the counts written in each cell.

    Parameters
    ----------
    confusion : np.ndarray of int, shape (n_classes, n_classes)
        Counts; row = true class, column = predicted class.
    class_names : sequence of str, optional
        Tick labels; class indices when omitted.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Introduced in: 04_one_hot_cnn
    """
    import matplotlib.pyplot as plt

    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion must be square, got shape {confusion.shape}")
    k = confusion.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"{len(names)} class names for a {k}x{k} confusion matrix")
    totals = confusion.sum(axis=1, keepdims=True)
    share = np.divide(confusion, totals, out=np.zeros(confusion.shape), where=totals > 0)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 * k + 2.4, 1.1 * k + 1.8))
    image = ax.imshow(share, vmin=0, vmax=1, cmap="Blues")
    for i in range(k):
        for j in range(k):
            colour = "white" if share[i, j] > 0.5 else "black"
            ax.text(j, i, f"{share[i, j]:.2f}\n({confusion[i, j]})", ha="center", va="center",
                    color=colour, fontsize=9)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, label="share of the true class")
    ax.figure.tight_layout()
    return ax.figure
