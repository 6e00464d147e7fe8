"""Recurrent and 1D-convolutional networks: the toy tasks, model builders and measurements
of lessons 01-03 (the "Recurrent and 1D-convolutional networks" class).

- 01: binary strings with the motif ``111``; DNA with a motif planted at a known position.
- 02: DNA with several JASPAR motifs planted, one label per motif.
- 03: block sequences ``0^n 1^n`` and next-character windows; the gradient of the output with
  respect to the input at each lag; optimizers compared on one task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np


@dataclass
class BinaryStrings:
    """Random 0/1 strings and whether each holds the motif.

    Attributes
    ----------
    strings : list of str
        n strings of ``length`` characters from ``"01"``.
    X : np.ndarray, shape (n, length, 1), float32
        The digits as one input channel.
    labels : np.ndarray of int64, shape (n,)
        1 where the motif occurs.

    Introduced in: 01_motif_detection
    """

    strings: list[str]
    X: np.ndarray
    labels: np.ndarray


def simulate_binary_strings(n: int, length: int = 10, motif: str = "111",
                            seed: int = 0) -> BinaryStrings:
    """Uniform random 0/1 strings, labelled 1 when ``motif`` occurs anywhere in them.

    Parameters
    ----------
    n : int
        Number of strings (the slides: 1,000 for training and 40 for test).
    length : int
        Characters per string (10 in the slides).
    motif : str
        A string over ``"01"``; ``"111"`` in the slides.
    seed : int

    Returns
    -------
    BinaryStrings

    Introduced in: 01_motif_detection
    """
    if set(motif) - set("01") or not motif:
        raise ValueError(f"motif must be a non-empty string of 0s and 1s, got {motif!r}")
    if length < len(motif) or n < 1:
        raise ValueError(f"need n >= 1 and length >= len(motif)={len(motif)}, got {n}, {length}")
    digits = np.random.default_rng(seed).integers(0, 2, size=(n, length))
    strings = ["".join(map(str, row)) for row in digits]
    labels = np.array([motif in s for s in strings], dtype=np.int64)
    return BinaryStrings(strings, digits[:, :, None].astype(np.float32), labels)


def layer_parameter_count(kind: str, units: int, channels: int = 1, kernel_size: int = 3) -> int:
    """The number of weights of one layer, from its formula.

    - Conv1D: ``(kernel_size * channels + 1) * units`` -- ``(f + 1) n`` for one channel
    - SimpleRNN: ``units * channels + units**2 + units`` -- ``2n + n^2`` for one channel
    - LSTM: 4 gates, each a SimpleRNN: ``4 (units * channels + units**2 + units)``
    - GRU (Keras' ``reset_after=True``): ``3 (units * channels + units**2 + 2 units)``
    - Dense: ``(channels + 1) * units``

    Parameters
    ----------
    kind : {"dense", "simple_rnn", "lstm", "gru", "conv1d"}
    units : int
        Filters, cells or units n.
    channels : int
        Input channels per position (for Dense: the number of inputs).
    kernel_size : int
        Conv1D width f.

    Returns
    -------
    int

    Introduced in: 01_motif_detection
    """
    rnn = units * channels + units * units + units
    formulas = {
        "conv1d": (kernel_size * channels + 1) * units,
        "simple_rnn": rnn,
        "lstm": 4 * rnn,
        "gru": 3 * (rnn + units),
        "dense": (channels + 1) * units,
    }
    if kind not in formulas:
        raise ValueError(f"kind must be one of {sorted(formulas)}, got {kind!r}")
    return int(formulas[kind])


def simulate_multi_motif_dataset(
    n: int, length: int, pwms: Sequence[np.ndarray], presence: float = 0.5, seed: int = 0
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Random DNA in which each motif is planted, independently, in a share of the sequences.

    Each motif instance is sampled from its PWM and planted (forward strand) at a random
    position; motifs may overlap one another, a later one overwriting an earlier one.

    Parameters
    ----------
    n, length : int
    pwms : sequence of np.ndarray, each shape (w_j, 4)
        ACGT probabilities, e.g. ``motifs.load_jaspar_motif("MA0138.3").pwm``.
    presence : float
        Probability that a given motif is planted in a given sequence.
    seed : int

    Returns
    -------
    sequences : list of str
    labels : np.ndarray, shape (n, n_motifs), float32
        1 where motif j was planted in sequence i.
    positions : np.ndarray of int64, shape (n, n_motifs)
        Start of each planted motif, -1 where absent.

    Introduced in: 02_motif_discovery
    """
    from course_lib import simulation

    if not 0 < presence < 1:
        raise ValueError(f"presence is a probability in (0, 1), got {presence}")
    if any(len(p) > length for p in pwms):
        raise ValueError(f"a motif is longer than the sequences ({length}); raise length")
    rng = np.random.default_rng(seed)
    seqs = simulation.sample_background(n, length, seed=rng)
    labels = (rng.random((n, len(pwms))) < presence).astype(np.float32)
    positions = np.full((n, len(pwms)), -1, dtype=np.int64)
    for j, pwm in enumerate(pwms):
        rows = np.nonzero(labels[:, j])[0]
        sites = simulation.sample_from_pwm(pwm, n=len(rows), seed=rng)
        starts = rng.integers(0, length - len(pwm) + 1, size=len(rows))
        for i, site, start in zip(rows, sites, starts):
            seqs[i] = simulation.plant_motif(seqs[i], site, int(start))
        positions[rows, j] = starts
    return seqs, labels, positions


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


def simulate_block_sequences(n: int = 200, length: int = 1000, max_block: int = 19,
                             seed: int = 0) -> np.ndarray:
    """Sequences of consecutive blocks ``0^k 1^k``, each k drawn uniformly from 1..max_block.

    Parameters
    ----------
    n, length : int
        The slides: 200 sequences of length 1,000.
    max_block : int
        The slides: 19.
    seed : int

    Returns
    -------
    np.ndarray of int8, shape (n, length)
        Each row starts with a block of 0s; the last block is cut at ``length``.

    Introduced in: 03_vanishing_gradients
    """
    if n < 1 or length < 2 or max_block < 1:
        raise ValueError(f"need n >= 1, length >= 2, max_block >= 1; got {n}, {length}, {max_block}")
    rng = np.random.default_rng(seed)
    out = np.empty((n, length), dtype=np.int8)
    for i in range(n):
        parts, total = [], 0
        while total < length:
            k = int(rng.integers(1, max_block + 1))
            parts += [np.zeros(k, np.int8), np.ones(k, np.int8)]
            total += 2 * k
        out[i] = np.concatenate(parts)[:length]
    return out


def next_character_windows(sequences: np.ndarray, window: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Windows of the previous ``window`` characters and the next character, as in the slides.

    A target position t (``t >= window``) is kept when it lies after the sequence's first 0-to-1
    transition and either its character is a 1 or it is a 0 that follows a 1. A run of 0s has a
    random length, so the 0s inside it cannot be predicted and are left out; the end of a run
    of 1s can, by counting the 0s before it.

    Parameters
    ----------
    sequences : np.ndarray of int, shape (n, length)
        0/1 sequences, e.g. from :func:`simulate_block_sequences`.
    window : int

    Returns
    -------
    X : np.ndarray, shape (m, window, 1), float32
        ``X[j, -1]`` is the character just before the target (lag 1).
    y : np.ndarray, shape (m,), float32

    Introduced in: 03_vanishing_gradients
    """
    seqs = np.asarray(sequences)
    if seqs.ndim != 2 or seqs.shape[1] <= window:
        raise ValueError(f"sequences must have shape (n, length) with length > window={window}, "
                         f"got {seqs.shape}")
    Xs, ys = [], []
    for s in seqs:
        rises = np.nonzero((s[1:] == 1) & (s[:-1] == 0))[0]
        if len(rises) == 0:
            continue
        t = np.arange(max(window, rises[0] + 2), len(s))
        t = t[(s[t] == 1) | (s[t - 1] == 1)]
        Xs.append(s[t[:, None] - window + np.arange(window)[None, :]])
        ys.append(s[t])
    if not Xs:
        raise ValueError("no sequence has a 0-to-1 transition; are these block sequences?")
    X = np.concatenate(Xs).astype(np.float32)[:, :, None]
    return X, np.concatenate(ys).astype(np.float32)


def gradient_by_lag(model, X: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Mean norm of the gradient of the output with respect to the input at each lag.

    Parameters
    ----------
    model : keras.Model
        Input (batch, T, c), scalar output per example (the first output is used).
    X : np.ndarray, shape (n, T, c), float32

    Returns
    -------
    np.ndarray, shape (T,), float64
        Entry ``k - 1`` is the mean over examples of ``||d output / d X[:, T - k, :]||``:
        lag 1 is the last input position.

    Introduced in: 03_vanishing_gradients
    """
    from course_lib.gradients import input_gradients

    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (n, T, channels), got {X.shape}")
    total = np.zeros(X.shape[1], dtype=np.float64)
    for start in range(0, len(X), batch_size):
        g = input_gradients(lambda x: model(x, training=False)[:, 0], X[start:start + batch_size])
        total += np.linalg.norm(g, axis=2).sum(axis=0)
    return (total / len(X))[::-1]


def decay_lag(gradients: np.ndarray, fraction: float = 0.01) -> int | None:
    """The first lag at which a gradient-by-lag curve falls below ``fraction`` of its lag-1 value.

    Parameters
    ----------
    gradients : np.ndarray, shape (T,)
        From :func:`gradient_by_lag` (entry 0 is lag 1).
    fraction : float

    Returns
    -------
    int or None
        The lag (1-based), or None if the curve never falls that low within T.

    Introduced in: 03_vanishing_gradients
    """
    g = np.asarray(gradients, dtype=np.float64)
    if g.ndim != 1 or g.size == 0 or g[0] <= 0:
        raise ValueError("gradients must be a non-empty 1-D curve with a positive lag-1 value")
    below = np.nonzero(g < fraction * g[0])[0]
    return int(below[0]) + 1 if len(below) else None


def compare_optimizers(build: Callable[[], object], optimizers: dict, X: np.ndarray,
                       y: np.ndarray, epochs: int, batch_size: int = 32,
                       validation_data=None, seed: int = 0) -> dict[str, dict[str, list]]:
    """Train the same model once per optimizer, from the same initial weights and batches.

    Parameters
    ----------
    build : callable
        Returns a fresh, compiled keras.Model (its optimizer is replaced).
    optimizers : dict
        Name -> a ``keras.optimizers.Optimizer`` factory (a callable with no arguments),
        e.g. ``{"adam": lambda: keras.optimizers.Adam(1e-2)}``.
    X, y : np.ndarray
        Training data.
    epochs, batch_size : int
    validation_data : tuple, optional
    seed : int
        Reset before each run, so every optimizer starts from the same weights.

    Returns
    -------
    dict
        Name -> the Keras history dict (``loss``, ``accuracy``, ...), one value per epoch.

    Introduced in: 03_vanishing_gradients
    """
    from course_lib.training import set_seed

    histories = {}
    for name, make in optimizers.items():
        set_seed(seed)
        model = build()
        model.compile(optimizer=make(), loss=model.loss, metrics=["accuracy"])
        history = model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0,
                            validation_data=validation_data, shuffle=True)
        histories[name] = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    return histories


# Builders live in course_lib.models; these names stay importable from here.
from course_lib.models import KINDS, build_lag_model, build_sequence_classifier  # noqa: E402,F401
