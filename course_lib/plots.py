"""Every figure the lessons draw, in one place.

Each function draws on ``ax`` (a new figure when it is omitted) and returns the matplotlib
Axes it drew on; a function that draws several panels returns the array of their Axes. End a
notebook line with ``;`` to show the figure without the Axes' text.

- training: :func:`plot_history`, :func:`plot_confusion_matrix`
- DeepSEA-layout results: :func:`plot_target_aucs`, :func:`plot_reliability`, :func:`plot_prevalence`
- attributions: :func:`plot_attribution_logo`, :func:`plot_saliency_bars`, :func:`plot_ism_heatmap`,
  :func:`plot_gene_attribution`
- motifs: :func:`plot_logo`, :func:`plot_logos`
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

DNA = "ACGT"  # the alphabet of the logos (course_lib.motifs.DNA)


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
    np.ndarray of matplotlib.axes.Axes
        One per metric drawn.

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
    return np.asarray(ax)[: len(present)]


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
    matplotlib.axes.Axes

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
    return ax


# --------------------------------------------------------------------------------
# DeepSEA-layout results (lessons 05 and 09)

def plot_target_aucs(tables: dict, reference: str = "oracle_auc", metric: str = "roc_auc", ax=None):
    """Per-target AUC of each model against a reference (oracle or DeepSEA's published AUC).

    Parameters
    ----------
    tables : dict of str -> pandas.DataFrame
        Model name -> :func:`course_lib.metrics.evaluate_targets` table holding ``reference``
        and an ``assay`` column.
    reference : str
        Column on the x axis: ``oracle_auc`` (stand-in) or ``published_auc`` (real data).
    metric : str
        Column on the y axis.

    Returns
    -------
    matplotlib.axes.Axes

    Introduced in: 05_danq_deepsea
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    markers = iter("os^vD")
    for name, table in tables.items():
        marker = next(markers)
        for assay, group in table.groupby("assay"):
            ax.scatter(group[reference], group[metric], marker=marker, alpha=0.7,
                       label=f"{name} {assay}")
    ax.plot([0.5, 1], [0.5, 1], color="grey", lw=1)
    ax.set(xlabel=reference.replace("_", " "), ylabel=f"model {metric.replace('_', ' ')}",
           xlim=(0.45, 1.02), ylim=(0.45, 1.02))
    ax.legend(fontsize=7)
    return ax


def plot_reliability(y_true: np.ndarray, probs: dict, n_bins: int = 10, ax=None):
    """Reliability curves (observed frequency vs mean predicted probability), pooled over targets.

    Parameters
    ----------
    y_true : np.ndarray of 0/1, shape (n, T)
    probs : dict of str -> np.ndarray, shape (n, T)
        Model name -> predicted probabilities.

    Returns
    -------
    matplotlib.axes.Axes

    Introduced in: 05_danq_deepsea
    """
    import matplotlib.pyplot as plt

    from course_lib.metrics import expected_calibration_error, reliability_curve

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    for name, p in probs.items():
        mean, frac, _ = reliability_curve(y_true, p, n_bins)
        ece = expected_calibration_error(y_true, p, n_bins)
        ax.plot(mean, frac, marker="o", label=f"{name} (ECE {ece:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", lw=1)
    ax.set(xlabel="mean predicted probability", ylabel="observed frequency")
    ax.legend()
    return ax


def plot_prevalence(targets, ax=None):
    """Prevalence of every target by assay class (log scale): how imbalanced the labels are.

    Parameters
    ----------
    targets : pandas.DataFrame
        With ``assay`` and ``prevalence`` (or ``published_prevalence``) columns.

    Returns
    -------
    matplotlib.axes.Axes

    Introduced in: 05_danq_deepsea
    """
    import matplotlib.pyplot as plt

    col = "prevalence" if "prevalence" in targets.columns else "published_prevalence"
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    groups = [(a, g[col].dropna()) for a, g in targets.groupby("assay", sort=False)]
    ax.boxplot([g.clip(lower=1e-4) for _, g in groups], tick_labels=[a for a, _ in groups])
    ax.set(yscale="log", ylabel=f"{col} (fraction positive)")
    return ax


# --------------------------------------------------------------------------------
# attributions (lesson 06)

def _one_sequence_axes(values, name: str, ax, min_width: float):
    """Check one sequence's (L, 4) array; make Axes sized to L when ``ax`` is None."""
    import matplotlib.pyplot as plt

    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 4:
        raise ValueError(f"{name} must be one sequence's (L, 4) array, got {a.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(min(16, max(min_width, 0.22 * len(a))), 1.8))
    return a, ax


def plot_attribution_logo(attribution: np.ndarray, ax=None, start: int = 0,
                          highlight: tuple[int, int] | None = None, title: str | None = None):
    """A logo whose letter heights are the attributions (negative ones below the axis).

    Parameters
    ----------
    attribution : np.ndarray, shape (L, 4)
        One sequence's attribution, e.g. gradient x input (only observed bases non-zero).
    ax : matplotlib Axes, optional
    start : int
        Position label of the first column.
    highlight : (int, int), optional
        Half-open [start, stop) span to shade, e.g. the planted motif.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Introduced in: 06_saliency
    """
    import logomaker
    import pandas as pd

    a, ax = _one_sequence_axes(attribution, "attribution", ax, 4)
    frame = pd.DataFrame(a, columns=list("ACGT"), index=np.arange(start, start + len(a)))
    logo = logomaker.Logo(frame, ax=ax)
    if highlight is not None:
        logo.highlight_position_range(pmin=int(highlight[0]), pmax=int(highlight[1]) - 1,
                                      color="gold", alpha=0.3)
    ax.set_ylabel("attribution")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_saliency_bars(scores: np.ndarray, sequence: str, motif_span: tuple[int, int] | None = None,
                       ax=None, title: str | None = None):
    """The primer's saliency bar plot: one bar per base, motif positions coloured.

    Parameters
    ----------
    scores : np.ndarray, shape (L,)
        e.g. one row of :func:`primer_saliency`.
    sequence : str
        The L bases, written under the bars.
    motif_span : (int, int), optional
        Half-open [start, stop) of the motif; those bars are drawn in orange.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Introduced in: 06_saliency
    """
    import matplotlib.pyplot as plt

    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1 or len(scores) != len(sequence):
        raise ValueError(f"scores {scores.shape} must be (L,) with L = len(sequence) = {len(sequence)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(min(16, max(6, 0.22 * len(scores))), 2.4))
    colours = ["C0"] * len(scores)
    if motif_span is not None:
        colours[motif_span[0]:motif_span[1]] = ["C1"] * (motif_span[1] - motif_span[0])
    ax.bar(np.arange(len(scores)), scores, color=colours)
    ax.set_xticks(np.arange(len(scores)), list(sequence), fontsize=7)
    ax.set_xlim(-0.5, len(scores) - 0.5)
    ax.set_ylabel("saliency")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_ism_heatmap(deltas: np.ndarray, sequence: str | None = None, ax=None,
                     title: str | None = None):
    """ISM effects as a 4 x L heat map (rows A, C, G, T), zero at the observed bases.

    Parameters
    ----------
    deltas : np.ndarray, shape (L, 4)
        One sequence's :func:`saturation_mutagenesis` result.
    sequence : str, optional
        Written along the x axis when short enough (<= 100 bp).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With the heatmap image (``ax.images[0]``) and its colour bar.

    Introduced in: 06_saliency
    """
    d, ax = _one_sequence_axes(deltas, "deltas", ax, 6)
    limit = max(np.abs(d).max(), 1e-12)
    image = ax.imshow(d.T, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit,
                      interpolation="nearest")
    ax.set_yticks(range(4), list("ACGT"))
    if sequence is not None and len(sequence) <= 100:
        ax.set_xticks(range(len(sequence)), list(sequence), fontsize=7)
    ax.set_xlabel("position")
    ax.figure.colorbar(image, ax=ax, fraction=0.03, label="change in output")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


# --------------------------------------------------------------------------------
# sequence logos (lessons 02 and 06)

def plot_logo(pwm: np.ndarray, ax=None, title: str | None = None, alphabet: str = DNA,
              kind: str = "information"):
    """Draw a sequence logo of a PWM with ``logomaker``.

    Parameters
    ----------
    pwm : np.ndarray, shape (w, k)
        Probabilities, columns in ``alphabet`` order.
    ax : matplotlib Axes, optional
    title : str, optional
    alphabet : str
    kind : {"information", "probability"}
        Letter heights in bits (probability x information content) or as probabilities.

    Returns
    -------
    matplotlib.axes.Axes

    Introduced in: 02_motif_discovery
    """
    import logomaker
    import matplotlib.pyplot as plt
    import pandas as pd

    from course_lib.motifs import _check_pwm, information_content

    pwm = _check_pwm(pwm, alphabet)
    if kind not in ("information", "probability"):
        raise ValueError(f"kind must be 'information' or 'probability', got {kind!r}")
    heights = pwm * information_content(pwm)[:, None] if kind == "information" else pwm
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3, 0.35 * len(pwm)), 1.6))
    logomaker.Logo(pd.DataFrame(heights, columns=list(alphabet)), ax=ax)
    ax.set_ylabel("bits" if kind == "information" else "probability")
    if kind == "information":
        ax.set_ylim(0, np.log2(len(alphabet)))
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_logos(pwms: Sequence[np.ndarray], titles: Sequence[str] | None = None, ncols: int = 4,
               alphabet: str = DNA):
    """Several logos in a grid (see :func:`plot_logo`); returns the array of their Axes.

    Introduced in: 02_motif_discovery
    """
    import matplotlib.pyplot as plt

    n = len(pwms)
    if n == 0:
        raise ValueError("no PWMs to draw")
    nrows = -(-n // ncols)
    width = max(len(p) for p in pwms)
    fig, axes = plt.subplots(nrows, min(ncols, n), figsize=(min(ncols, n) * max(3, 0.3 * width),
                                                             1.7 * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i < n:
            plot_logo(pwms[i], ax=ax, title=None if titles is None else titles[i],
                      alphabet=alphabet)
        else:
            ax.axis("off")
    fig.tight_layout()
    return axes


# --------------------------------------------------------------------------------
# a gene's attribution (lesson 07)

def plot_gene_attribution(scores: np.ndarray, sequence: str, codon_positions: Sequence[int] = (),
                          title: str = "", ylabel: str = "attribution", ax=None):
    """Attribution along one fragment, with the planted codons shaded.

    Parameters
    ----------
    scores : np.ndarray, shape (seq_len,)
        One score per position (e.g. ``interpretation.position_scores``); padding is cut off.
    sequence : str
        The fragment (its length sets the x range).
    codon_positions : sequence of int
        0-based first bases of planted codons.
    title, ylabel : str
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Introduced in: 07_resistance_lstm
    """
    import matplotlib.pyplot as plt

    scores = np.asarray(scores, dtype=np.float64)[:len(sequence)]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, len(sequence) / 10), 2.6))
    ax.bar(np.arange(len(scores)), scores, width=1.0, color="tab:blue")
    for p in codon_positions:
        ax.axvspan(p - 0.5, p + 2.5, color="tab:red", alpha=0.25, label="planted codon")
    ax.set_xlabel("position in fragment")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(codon_positions):
        ax.legend(loc="upper right")
    ax.figure.tight_layout()
    return ax
