"""Measurements of lessons 01-03 (the "Recurrent and 1D-convolutional networks" class).

- 01: weights per layer from their formulas; accuracy by where the motif starts.
- 03: next-character windows of block sequences; the gradient of the output with respect to
  the input at each lag; optimizers compared on one task.

The toy data sets are simulated in :mod:`course_lib.simulation` and the classifiers built by
:func:`course_lib.models.build_sequence_classifier`; the lag models of lesson 03 are built here
(:func:`build_lag_model`).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np


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

    from course_lib.models import build_sequence_classifier

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
