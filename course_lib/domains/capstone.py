"""Beyond DanQ (lesson 09): counting, costing and reading the capstone's models.

The models of the capstone "Classifying non-coding DNA sequences" (R. Chaves Moreno,
2020) are built in :mod:`course_lib.models` (:func:`~course_lib.models.build_beyond_danq`,
:func:`~course_lib.models.build_named`, sizes in ``models.SIZES["beyond_danq"]``), because
``course train`` builds them too, and their layers live in :mod:`course_lib.layers`. This module
keeps what lesson 09 measures about them: parameters per part, probabilities from logits,
the cost of attention, and the capstone's reported numbers.
"""

from __future__ import annotations

import numpy as np
import keras
from keras import layers

#: The parts every builder names its layers after, in order (see :func:`count_parameters`).
PARTS = ("input", "resnet", "head", "classifier")


def count_parameters(model) -> dict:
    """Parameters per part: ``input``, ``resnet``, ``head``, ``classifier`` and ``total``.

    Parameters
    ----------
    model : keras.Model
        From :func:`build_beyond_danq` (layers named by part).

    Returns
    -------
    dict of str -> int

    Introduced in: 09_beyond_danq
    """
    counts = {part: 0 for part in PARTS}
    for layer in model.layers:
        part = layer.name.split("_")[0]
        if layer.count_params() and part not in counts:
            raise ValueError(f"layer {layer.name!r} belongs to no part; build the model with "
                             "build_beyond_danq, whose layer names start with one of {PARTS}")
        if part in counts:
            counts[part] += layer.count_params()
    counts["total"] = model.count_params()
    return counts


def predict_probabilities(model, X, batch_size: int = 256) -> np.ndarray:
    """Sigmoid of a logits model's output.

    Parameters
    ----------
    model : keras.Model
        Outputs (batch, T) logits.
    X : np.ndarray, shape (n, L, 4)
    batch_size : int

    Returns
    -------
    np.ndarray, shape (n, T), float32, in (0, 1)

    Introduced in: 09_beyond_danq
    """
    logits = model.predict(np.asarray(X, dtype=np.float32), batch_size=batch_size, verbose=0)
    from scipy.special import expit

    return expit(logits.astype(np.float64)).astype(np.float32)


def attention_cost(lengths, n_heads: int = 4, key_dim: int = 16, d_model: int = 256,
                   batch_size: int = 1) -> "pandas.DataFrame":  # noqa: F821
    """Multiply-adds and score-matrix memory of one attention layer per trunk length L'.

    Scores and the weighted sum cost ``2 * h * k * L'**2`` multiply-adds, the projections
    ``4 * L' * d_model * h * k``; the (h, L', L') float32 score matrix takes
    ``4 * h * L'**2`` bytes per sequence. Quadratic in L', which is why the trunk shortens
    the sequence before attention.

    Parameters
    ----------
    lengths : iterable of int
    n_heads, key_dim, d_model, batch_size : int

    Returns
    -------
    pandas.DataFrame
        Columns ``length``, ``projection_macs``, ``attention_macs``, ``score_bytes``.

    Introduced in: 09_beyond_danq
    """
    import pandas as pd

    L = np.asarray(list(lengths), dtype=np.int64)
    hk = n_heads * key_dim
    return pd.DataFrame({"length": L, "projection_macs": batch_size * 4 * L * d_model * hk,
                         "attention_macs": batch_size * 2 * hk * L**2,
                         "score_bytes": batch_size * 4 * n_heads * L**2})


def estimate_memory(model, batch_size: int = 32) -> dict:
    """Training memory of a model, estimated from its shapes (nothing is run).

    Parameters plus Adam's two moments (3 x 4 bytes per parameter), and the float32
    outputs of every layer for one batch (a lower bound on the activations kept for the
    backward pass).

    Parameters
    ----------
    model : keras.Model
    batch_size : int

    Returns
    -------
    dict
        ``weights_mb`` and ``activations_mb``.

    Introduced in: 09_beyond_danq
    """
    elements = sum(int(np.prod(l.output.shape[1:])) for l in model.layers
                   if not isinstance(l, keras.layers.InputLayer))
    return {"weights_mb": 12 * model.count_params() / 2**20,
            "activations_mb": 4 * batch_size * elements / 2**20}


def time_attention(lengths, n_heads: int = 4, key_dim: int = 16, d_model: int = 64,
                   batch_size: int = 8, repeats: int = 3, seed: int = 0) -> list[float]:
    """Seconds for one MultiHeadAttention forward pass at each sequence length (best of repeats).

    Parameters
    ----------
    lengths : iterable of int
        Lengths L' the trunk could leave.
    n_heads, key_dim, d_model, batch_size, repeats, seed : int

    Returns
    -------
    list of float, one per length

    Introduced in: 09_beyond_danq
    """
    import time

    from course_lib.training import set_seed

    set_seed(seed, deterministic=False)
    layer = layers.MultiHeadAttention(n_heads, key_dim)
    times = []
    for length in lengths:
        x = np.random.default_rng(seed).normal(size=(batch_size, int(length), d_model)).astype(np.float32)
        layer(x, x)  # build and warm up
        best = np.inf
        for _ in range(repeats):
            start = time.perf_counter()
            np.asarray(layer(x, x))
            best = min(best, time.perf_counter() - start)
        times.append(float(best))
    return times


#: The capstone's table (R. Chaves Moreno 2020): accuracy, prevalence-weighted ROC AUC and
#: PR AUC on DeepSEA's test set, as reported there for each model.
CAPSTONE_TABLE = {
    "DeepSEA": (0.9821, 0.9046, 0.4463), "DanQ": (0.9824, 0.9109, 0.4698),
    "NCNet-bRR": (0.9835, 0.9441, 0.5358), "NCNet-RbR": (0.9836, 0.9507, 0.5519),
    "capstone LSTM": (0.9819, 0.8896, 0.4142), "capstone Transformer-XL": (0.9818, 0.8902, 0.4178),
}

#: Parameters per part reported by the capstone for its ResNet + Transformer-XL model.
CAPSTONE_PARAMETERS = {"resnet": 4_700_000, "head": 1_300_000, "classifier": 33_000_000}


