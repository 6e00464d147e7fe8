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

KINDS = ("dense", "simple_rnn", "lstm", "gru", "conv1d")


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


def build_sequence_classifier(
    kind: str,
    length: int | None,
    channels: int = 1,
    units: int = 2,
    kernel_size: int = 3,
    read_out: str = "flatten",
    optimizer="sgd",
    loss: str = "binary_crossentropy",
    dropout: float = 0.0,
    n_outputs: int = 1,
    seed: int | None = None,
):
    """The small models of lessons 01-03: one layer of the given kind, a read-out, a sigmoid.

    ``dense``: Flatten -> Dense(units, relu); ``simple_rnn`` / ``lstm`` / ``gru``: a recurrent
    layer of ``units`` cells; ``conv1d``: Conv1D(units filters, ``kernel_size``, relu).
    The read-out then sees every position (``"flatten"``: ``return_sequences=True`` + Flatten,
    as in the slides), only the recurrent layer's last state (``"last"``), or each filter's
    maximum (``"max"``, Conv1D only). Then Dropout(``dropout``) if > 0 and
    Dense(``n_outputs``, sigmoid).

    Parameters
    ----------
    kind : {"dense", "simple_rnn", "lstm", "gru", "conv1d"}
    length, channels : int
        Input shape (batch, length, channels), float32. ``length=None`` accepts any length
        (read-outs ``"last"`` and ``"max"`` only), e.g. to test on longer sequences.
    units : int
        Cells, filters or hidden units.
    kernel_size : int
        Conv1D width.
    read_out : {"flatten", "last", "max"}
    optimizer : str or keras.optimizers.Optimizer
        ``"sgd"`` as in the slides of lesson 01; ``"adam"`` in lesson 03.
    loss : str
        ``"binary_crossentropy"``, or ``"mse"`` as in the slides of lesson 03.
    dropout : float
    n_outputs : int
        Independent sigmoid outputs (one per motif in lesson 02).
    seed : int, optional
        Seed for the weight initializers (the global seed is used otherwise).

    Returns
    -------
    keras.Model
        Compiled with ``optimizer``, ``loss`` and binary accuracy (named ``accuracy``).
        The main layer is named ``kind``.

    Introduced in: 01_motif_detection
    """
    import keras

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if read_out not in ("flatten", "last", "max"):
        raise ValueError(f"read_out must be 'flatten', 'last' or 'max', got {read_out!r}")
    if read_out == "last" and kind in ("dense", "conv1d"):
        raise ValueError("read_out='last' needs a recurrent layer; use 'flatten' or 'max'")
    if length is None and read_out == "flatten":
        raise ValueError("length=None needs read_out='last' or 'max': Flatten needs a fixed length")
    if read_out == "max" and kind != "conv1d":
        raise ValueError("read_out='max' (global max pooling) is for kind='conv1d'")
    init = {} if seed is None else {"kernel_initializer": keras.initializers.GlorotUniform(seed)}
    rinit = {} if seed is None else {
        **init, "recurrent_initializer": keras.initializers.Orthogonal(seed=seed)}
    seq = read_out == "flatten"
    layers = {
        "dense": lambda: [keras.layers.Flatten(), keras.layers.Dense(units, "relu", name=kind, **init)],
        "simple_rnn": lambda: [keras.layers.SimpleRNN(units, return_sequences=seq, name=kind, **rinit)],
        "lstm": lambda: [keras.layers.LSTM(units, return_sequences=seq, name=kind, **rinit)],
        "gru": lambda: [keras.layers.GRU(units, return_sequences=seq, name=kind, **rinit)],
        "conv1d": lambda: [keras.layers.Conv1D(units, kernel_size, activation="relu", name=kind, **init)],
    }[kind]()
    if kind != "dense":
        layers.append(keras.layers.GlobalMaxPooling1D() if read_out == "max"
                      else keras.layers.Flatten() if seq else keras.layers.Identity())
    if dropout:
        layers.append(keras.layers.Dropout(dropout, seed=seed))
    layers.append(keras.layers.Dense(n_outputs, activation="sigmoid", name="output", **init))
    model = keras.Sequential([keras.Input((length, channels)), *layers], name=f"{kind}_classifier")
    model.compile(optimizer=optimizer, loss=loss,
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return model


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


def build_lag_model(kind: str, window: int, units: int = 8, kernel_size: int = 5,
                    n_conv_layers: int = 3, seed: int = 0):
    """A model whose output is read from the last position only, to measure memory by lag.

    Recurrent kinds: the layer's last state -> Dense(1, sigmoid). ``conv1d``: ``n_conv_layers``
    causal Conv1D(units, kernel_size, relu) layers, the last position -> Dense(1, sigmoid); its
    receptive field is ``n_conv_layers * (kernel_size - 1) + 1`` positions.

    Returns
    -------
    keras.Model
        Input (batch, window, 1) float32, output (batch, 1); compiled with Adam and mse.

    Introduced in: 03_vanishing_gradients
    """
    import keras

    if kind == "conv1d":
        init = keras.initializers.GlorotUniform(seed)
        layers = [keras.layers.Conv1D(units, kernel_size, padding="causal", activation="relu",
                                      kernel_initializer=init, name=f"conv{i}")
                  for i in range(n_conv_layers)]
        layers += [keras.layers.Lambda(lambda h: h[:, -1, :], name="last"),
                   keras.layers.Dense(1, activation="sigmoid", kernel_initializer=init)]
        model = keras.Sequential([keras.Input((window, 1)), *layers], name="conv1d_lag")
        model.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
        return model
    return build_sequence_classifier(kind, window, 1, units, read_out="last", optimizer="adam",
                                     loss="mse", seed=seed)


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
