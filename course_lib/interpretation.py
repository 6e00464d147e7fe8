"""Attributions for one-hot DNA models, scored against the planted truth.

Four methods answer "which bases made the model say this?" for any Keras model that takes
one-hot DNA ``X`` of shape (n, L, 4), A, C, G, T order, and returns (n, k):

- :func:`saliency`: the gradient of one output with respect to the input (Simonyan et al.
  2014), a value for every base at every position, observed or not;
- :func:`gradient_x_input`: the gradient times the input, i.e. the gradient at the observed
  base (the primer's "saliency" cell);
- :func:`integrated_gradients`: gradients averaged along a straight path from a baseline to
  the input, times the difference (Sundararajan et al. 2017); baselines are all zeros,
  uniform 0.25 or dinucleotide-shuffled copies of the sequence (:func:`dinucleotide_shuffle`);
- :func:`saturation_mutagenesis` (in-silico mutagenesis, ISM): the change of the output for
  every single-base substitution, all mutants of a sequence predicted in one batched call.

Every attribution is an array of shape (n, L, 4), float32. :func:`position_scores` reduces it
to one number per position, (n, L). With simulated data the motif positions are known, so
:func:`positional_auc` and :func:`top_k_hit_rate` measure how well each method finds them,
and :func:`seqlet_pwm` turns the high-attribution windows (seqlets) back into a motif.

Only :func:`course_lib.gradients.input_gradients` knows the backend, so the methods run on
TensorFlow, JAX or PyTorch.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

METHODS = ("saliency", "gradient_x_input", "integrated_gradients", "ism")
#: How each method's (L, 4) attribution becomes one score per position (see position_scores).
POSITION_REDUCTION = {"saliency": "max_abs", "gradient_x_input": "sum",
                      "integrated_gradients": "sum", "ism": "sum"}
BASELINES = ("zeros", "uniform", "shuffle")


# ------------------------------------------------------------------------------ checks


def _check_onehot(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 2 and X.shape[1] == 4:
        raise ValueError(
            f"X has shape {X.shape}, one sequence; attributions take a batch (n, L, 4): "
            "pass X[None] for a single sequence"
        )
    if X.ndim != 3 or X.shape[2] != 4:
        raise ValueError(
            f"X must be one-hot DNA of shape (n, L, 4), A, C, G, T order, got {X.shape}; "
            "encode strings with course_lib.sequences.one_hot_encode"
        )
    return X


def _check_output(model, X: np.ndarray, output: int) -> int:
    shape = tuple(model.output_shape) if hasattr(model, "output_shape") else None
    if shape is None or len(shape) != 2:
        raise ValueError(
            f"the model's output has shape {shape}; attributions need one output of shape "
            "(batch, k) and an index 0 <= output < k"
        )
    if not isinstance(output, (int, np.integer)) or not 0 <= output < shape[1]:
        raise ValueError(
            f"output={output!r} is not an index of the model's {shape[1]} outputs; pass the "
            f"class or target index, 0 .. {shape[1] - 1}"
        )
    if tuple(model.input_shape[1:]) not in ((X.shape[1], 4), (None, 4)):
        raise ValueError(
            f"the model takes inputs of shape {model.input_shape[1:]}, X has {X.shape[1:]}; "
            "pad or cut the sequences to the model's length"
        )
    return int(output)


# ------------------------------------------------------------------------- gradients


def _input_gradients(model, X: np.ndarray, output: int) -> np.ndarray:
    """d model(X)[:, output] / dX for one batch, on any backend (:mod:`course_lib.gradients`)."""
    from course_lib.gradients import input_gradients

    return input_gradients(lambda x: model(x, training=False)[:, output], X)


def _batched_gradients(model, X: np.ndarray, output: int, batch_size: int) -> np.ndarray:
    return np.concatenate([_input_gradients(model, X[i:i + batch_size], output)
                           for i in range(0, len(X), batch_size)])


def saliency(model, X: np.ndarray, output: int = 1, batch_size: int = 256) -> np.ndarray:
    """The gradient of one model output with respect to the one-hot input.

    Parameters
    ----------
    model : keras.Model
        Takes (batch, L, 4) and returns (batch, k).
    X : np.ndarray, shape (n, L, 4), float32
        One-hot sequences, A, C, G, T order.
    output : int
        Which of the k outputs (class or target index).
    batch_size : int

    Returns
    -------
    np.ndarray, shape (n, L, 4), float32
        ``d model(X)[i, output] / d X[i, l, b]``, for observed and unobserved bases.

    Introduced in: 06_saliency
    """
    X = _check_onehot(X)
    output = _check_output(model, X, output)
    return _batched_gradients(model, X, output, batch_size)


def gradient_x_input(model, X: np.ndarray, output: int = 1, batch_size: int = 256) -> np.ndarray:
    """Gradient times input: the gradient at the observed base, zero elsewhere.

    Parameters
    ----------
    model : keras.Model
    X : np.ndarray, shape (n, L, 4), float32
    output : int
    batch_size : int

    Returns
    -------
    np.ndarray, shape (n, L, 4), float32
        ``saliency(model, X, output) * X``.

    Introduced in: 06_saliency
    """
    return saliency(model, X, output, batch_size) * _check_onehot(X)


def primer_saliency(model, X: np.ndarray, output: int = 1) -> np.ndarray:
    """The primer's saliency map: gradient x input summed over bases, negative values set to 0.

    This is what the primer's ``compute_salient_bases`` cell computed with the TensorFlow 1
    calls ``model.optimizer.get_gradients`` and ``K.function``, which current Keras lacks.

    Parameters
    ----------
    model : keras.Model
    X : np.ndarray, shape (n, L, 4), float32
    output : int
        1, the "bound" class, in the primer.

    Returns
    -------
    np.ndarray, shape (n, L), float32, >= 0

    Introduced in: 06_saliency
    """
    return np.clip(gradient_x_input(model, X, output).sum(axis=2), 0.0, None)


# ------------------------------------------------------------------ integrated gradients


def _to_codes(X: np.ndarray) -> np.ndarray:
    if not np.all((X.sum(axis=2) == 1) & (X.max(axis=2) == 1)):
        raise ValueError(
            "X must hold exactly one 1 per position (A, C, G or T) to be shuffled; "
            "sequences with N (all-zero rows) cannot keep their dinucleotide counts"
        )
    return X.argmax(axis=2)


def _shuffle_codes(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One uniform dinucleotide shuffle of base codes (Altschul & Erikson 1985).

    Every step b -> c of the sequence is an edge; the steps out of each base are put in a
    random order and walked from the first base. A walk that uses every step is a sequence
    with the same first base, last base and dinucleotide counts; one that gets stuck early
    is drawn again. Each such sequence is equally likely. Lesson 06 writes this function out
    in a cell (``dinucleotide_shuffle``); tests/test_interpretation.py holds the two together.
    """
    while True:
        exits = {b: list(rng.permutation(codes[1:][codes[:-1] == b])) for b in range(4)}
        walk = [codes[0]]
        while exits[walk[-1]]:
            walk.append(exits[walk[-1]].pop())
        if len(walk) == len(codes):
            return np.array(walk, dtype=codes.dtype)


def dinucleotide_shuffle(X: np.ndarray, n_shuffles: int = 1, seed: int = 0) -> np.ndarray:
    """Shuffled copies of each sequence with exactly the same dinucleotide counts.

    The first and last bases stay in place; every ordered dinucleotide occurs as often as in
    the original (Altschul & Erikson 1985's Eulerian-path method, sampled uniformly).

    Parameters
    ----------
    X : np.ndarray, shape (n, L, 4), float32
        One-hot sequences without N.
    n_shuffles : int
        Copies per sequence.
    seed : int
        Same seed, same shuffles.

    Returns
    -------
    np.ndarray, shape (n, n_shuffles, L, 4), float32

    Introduced in: 06_saliency
    """
    X = _check_onehot(X)
    if not isinstance(n_shuffles, (int, np.integer)) or n_shuffles < 1:
        raise ValueError(f"n_shuffles must be a positive integer, got {n_shuffles!r}")
    codes = _to_codes(X)
    rng = np.random.default_rng(seed)
    shuffled = np.stack([[_shuffle_codes(c, rng) for _ in range(n_shuffles)] for c in codes])
    return np.eye(4, dtype=np.float32)[shuffled]


def make_baselines(X: np.ndarray, baseline: str = "shuffle", n_shuffles: int = 4,
                   seed: int = 0) -> np.ndarray:
    """Reference inputs for integrated gradients.

    Parameters
    ----------
    X : np.ndarray, shape (n, L, 4), float32
    baseline : {"zeros", "uniform", "shuffle"}
        All-zero rows, 0.25 in every channel, or ``n_shuffles`` dinucleotide shuffles.
    n_shuffles : int
    seed : int

    Returns
    -------
    np.ndarray, shape (n, m, L, 4), float32
        ``m = n_shuffles`` for "shuffle", else 1.

    Introduced in: 06_saliency
    """
    X = _check_onehot(X)
    if baseline == "zeros":
        return np.zeros_like(X)[:, None]
    if baseline == "uniform":
        return np.full_like(X, 0.25)[:, None]
    if baseline == "shuffle":
        return dinucleotide_shuffle(X, n_shuffles, seed)
    raise ValueError(f"baseline must be one of {BASELINES}, got {baseline!r}")


def integrated_gradients(
    model,
    X: np.ndarray,
    output: int = 1,
    baseline: str = "shuffle",
    n_steps: int = 32,
    n_shuffles: int = 4,
    seed: int = 0,
    batch_size: int = 1024,
) -> np.ndarray:
    """Integrated gradients, averaged over the baselines of each sequence.

    ``IG(x) = (x - x0) * mean_s grad f(x0 + a_s (x - x0))`` with ``a_s = (s + 0.5) / n_steps``
    (the midpoint rule), so ``IG.sum() ~ f(x) - f(x0)`` (completeness).

    Parameters
    ----------
    model : keras.Model
    X : np.ndarray, shape (n, L, 4), float32
    output : int
    baseline : {"zeros", "uniform", "shuffle"}
        See :func:`make_baselines`.
    n_steps : int
        Points on each path; 32 is within about 1% of the integral for small CNNs.
    n_shuffles : int
        Shuffled baselines per sequence (``baseline="shuffle"``).
    seed : int
    batch_size : int
        Path points per gradient call; short sequences share a call.

    Returns
    -------
    np.ndarray, shape (n, L, 4), float32

    Introduced in: 06_saliency
    """
    X = _check_onehot(X)
    output = _check_output(model, X, output)
    if not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    refs = make_baselines(X, baseline, n_shuffles, seed)  # (n, m, L, 4)
    alphas = ((np.arange(n_steps) + 0.5) / n_steps).astype(np.float32)[:, None, None]
    per_call = max(1, batch_size // (refs.shape[1] * n_steps))  # sequences per gradient call
    out = np.empty_like(X)
    for first in range(0, len(X), per_call):
        diff = X[first:first + per_call, None] - refs[first:first + per_call]  # (s, m, L, 4)
        path = refs[first:first + per_call, :, None] + alphas * diff[:, :, None]  # (s, m, steps, L, 4)
        grads = _batched_gradients(model, path.reshape(-1, *X.shape[1:]), output, batch_size)
        out[first:first + per_call] = (diff * grads.reshape(path.shape).mean(axis=2)).mean(axis=1)
    return out


# ----------------------------------------------------------------------------- ISM


def _mutants(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every single-base substitution of one (L, 4) sequence: (m, L, 4) and where (pos, base)."""
    pos, base = np.nonzero(x == 0)
    mutants = np.repeat(x[None], len(pos), axis=0)
    rows = np.arange(len(pos))
    mutants[rows, pos] = 0.0
    mutants[rows, pos, base] = 1.0
    return mutants, pos, base


def saturation_mutagenesis(model, X: np.ndarray, output: int = 1, batch_size: int = 512,
                           rows_per_call: int = 20000) -> np.ndarray:
    """In-silico saturation mutagenesis: the output's change for every single-base substitution.

    Every sequence and its 3L single-base mutants go through ``model.predict`` together, and
    short sequences are grouped so that one call holds up to ``rows_per_call`` inputs: a
    1,000 bp sequence is one call of 3,001 inputs, and 132 primer sequences of 50 bp
    (151 inputs each) share one call at the default.

    Parameters
    ----------
    model : keras.Model
    X : np.ndarray, shape (n, L, 4), float32
        One-hot; a position with an all-zero row (N) gets all four substitutions.
    output : int
    batch_size : int
        Inputs per forward pass inside a call.
    rows_per_call : int
        Inputs per ``model.predict`` call (memory: ``rows_per_call * L * 16`` bytes); a
        sequence's mutants are never split across calls.

    Returns
    -------
    np.ndarray, shape (n, L, 4), float32
        ``f(x with base b at l) - f(x)``; exactly 0 at the observed bases.

    Introduced in: 06_saliency
    """
    X = _check_onehot(X)
    output = _check_output(model, X, output)
    out = np.zeros_like(X)
    per_call = max(1, rows_per_call // (3 * X.shape[1] + 1))
    for first in range(0, len(X), per_call):
        parts = [_mutants(x) for x in X[first:first + per_call]]
        inputs = np.concatenate([np.concatenate([x[None], m]) for x, (m, _, _) in
                                 zip(X[first:first + per_call], parts)])
        pred = model.predict(inputs, batch_size=batch_size, verbose=0)[:, output]
        at = 0
        for i, (mutants, pos, base) in enumerate(parts, start=first):
            out[i, pos, base] = pred[at + 1:at + 1 + len(mutants)] - pred[at]
            at += 1 + len(mutants)
    return out


def ism_attribution(deltas: np.ndarray, X: np.ndarray) -> np.ndarray:
    """ISM as an attribution of the observed bases: minus the mean effect of changing them.

    The deltas are centred per position (minus their mean over the four bases, observed base
    included) and kept at the observed base, so a position where every substitution lowers
    the output gets a positive score.

    Parameters
    ----------
    deltas : np.ndarray, shape (n, L, 4), float32
        From :func:`saturation_mutagenesis`.
    X : np.ndarray, shape (n, L, 4), float32

    Returns
    -------
    np.ndarray, shape (n, L, 4), float32
        Non-zero only at observed bases.

    Introduced in: 06_saliency
    """
    deltas = np.asarray(deltas, dtype=np.float32)
    X = _check_onehot(X)
    if deltas.shape != X.shape:
        raise ValueError(f"deltas {deltas.shape} and X {X.shape} must have the same shape")
    return (deltas - deltas.mean(axis=2, keepdims=True)) * X


def attribute(model, X: np.ndarray, method: str, output: int = 1, **options) -> np.ndarray:
    """One of :data:`METHODS` by name, as an (n, L, 4) attribution.

    Parameters
    ----------
    model : keras.Model
    X : np.ndarray, shape (n, L, 4), float32
    method : {"saliency", "gradient_x_input", "integrated_gradients", "ism"}
        ``"ism"`` returns :func:`ism_attribution` of :func:`saturation_mutagenesis`.
    output : int
    **options
        Passed to the method (e.g. ``baseline``, ``n_steps`` for integrated gradients).

    Returns
    -------
    np.ndarray, shape (n, L, 4), float32

    Introduced in: 06_saliency
    """
    if method == "ism":
        return ism_attribution(saturation_mutagenesis(model, X, output, **options), X)
    functions = {"saliency": saliency, "gradient_x_input": gradient_x_input,
                 "integrated_gradients": integrated_gradients}
    if method not in functions:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return functions[method](model, X, output, **options)


def logit_model(model):
    """The same model without its final softmax or sigmoid: outputs are logits.

    Gradients of a probability vanish once the model is sure (the sigmoid is flat near 0
    and 1: saturation); logits keep them. A softmax's logits are centred (their mean over
    the classes is subtracted, folded into the copied weights), so for two classes output 1
    is half the log-odds of class 1.

    Parameters
    ----------
    model : keras.Model
        Functional or Sequential, ending in a Dense layer with softmax, sigmoid or linear
        activation.

    Returns
    -------
    keras.Model
        Same input; output (batch, k), float32; shares every layer but the last.

    Introduced in: 06_saliency
    """
    import keras

    last = model.layers[-1]
    activation = last.get_config().get("activation") if isinstance(last, keras.layers.Dense) else None
    if activation not in ("softmax", "sigmoid", "linear"):
        raise ValueError(
            f"the model's last layer is {type(last).__name__} with activation {activation!r}; "
            "logit_model needs a final Dense layer with softmax, sigmoid or linear activation"
        )
    kernel, bias = (w.copy() for w in last.get_weights())
    if activation == "softmax":
        kernel, bias = kernel - kernel.mean(axis=1, keepdims=True), bias - bias.mean()
    dense = keras.layers.Dense(kernel.shape[1], name=f"{last.name}_logits")
    outputs = dense(last.input)
    dense.set_weights([kernel, bias])
    return keras.Model(model.inputs, outputs, name=f"{model.name}_logits")


# --------------------------------------------------------------------------- scoring


def grad_cam(model, X: np.ndarray, output: int = 0, layer: str = "resnet_out") -> np.ndarray:
    """Grad-CAM over a convolutional layer (Selvaraju et al. 2017), stretched to the input.

    For each sequence: weights ``a_c`` = mean over positions of d output / d A[:, c], map =
    ReLU(sum_c a_c A[:, c]) on the layer's L' positions, then each position repeated to
    cover the L input bases (nearest neighbour). The gradient is taken by
    :func:`course_lib.gradients.input_gradients` on the rest of the model after ``layer``, so it
    runs on any Keras backend.

    Parameters
    ----------
    model : keras.Model
        Functional, with a layer named ``layer`` whose output is (batch, L', channels) and
        through which every path from the input to the output passes (a trunk's last layer).
    X : np.ndarray, shape (n, L, 4), float32
    output : int
        Which output column (target) to explain; use a logits model for sigmoid outputs.
    layer : str

    Returns
    -------
    np.ndarray, shape (n, L), float32, non-negative

    Introduced in: 09_beyond_danq
    """
    import keras

    from course_lib.gradients import input_gradients

    names = [lyr.name for lyr in model.layers]
    if layer not in names:
        raise ValueError(f"model has no layer {layer!r}; pick a convolutional layer from {names}")
    if not 0 <= output < model.output.shape[-1]:
        raise ValueError(f"output={output} out of range; the model has {model.output.shape[-1]} outputs")
    X = np.asarray(X, dtype=np.float32)
    features = keras.Model(model.inputs, model.get_layer(layer).output)  # x -> A
    rest = keras.Model(model.get_layer(layer).output, model.output)      # A -> output
    A = keras.ops.convert_to_numpy(features(X, training=False))  # a torch tensor needs a detach
    dA = input_gradients(lambda a: rest(a, training=False)[:, output], A)
    cam = np.maximum((dA.mean(axis=1, keepdims=True) * A).sum(-1), 0)
    idx = np.minimum(np.arange(X.shape[1]) * cam.shape[1] // X.shape[1], cam.shape[1] - 1)
    return cam[:, idx].astype(np.float32)


def position_scores(attributions: np.ndarray, how: str = "sum") -> np.ndarray:
    """One score per position from an (n, L, 4) attribution.

    Parameters
    ----------
    attributions : np.ndarray, shape (n, L, 4)
    how : {"sum", "max_abs"}
        Sum over the bases (for gradient x input, integrated gradients and ISM attributions,
        which are the contribution of the position), or the largest absolute value over the
        bases (Simonyan et al.'s saliency map).

    Returns
    -------
    np.ndarray, shape (n, L), float32

    Introduced in: 06_saliency
    """
    a = np.asarray(attributions, dtype=np.float32)
    if a.ndim != 3 or a.shape[2] != 4:
        raise ValueError(f"attributions must have shape (n, L, 4), got {a.shape}")
    if how == "sum":
        return a.sum(axis=2)
    if how == "max_abs":
        return np.abs(a).max(axis=2)
    raise ValueError(f"how must be 'sum' or 'max_abs', got {how!r}")


def motif_mask(positions: np.ndarray, length: int, motif_length: int) -> np.ndarray:
    """True inside the planted motif of each sequence.

    Parameters
    ----------
    positions : np.ndarray of int, shape (n,)
        Motif start per sequence, -1 where none was planted (as the simulator records).
    length, motif_length : int

    Returns
    -------
    np.ndarray, shape (n, length), bool

    Introduced in: 06_saliency
    """
    positions = np.asarray(positions, dtype=np.int64)
    if positions.ndim != 1 or (positions > length - motif_length).any():
        raise ValueError(
            f"positions must be (n,) starts with start + motif_length <= length = {length}; "
            f"got shape {positions.shape}, max {positions.max(initial=-1)}"
        )
    cols = np.arange(length)[None, :]
    start = positions[:, None]
    return (start >= 0) & (cols >= start) & (cols < start + motif_length)


def find_motif(sequences: Sequence[str], motif: str) -> np.ndarray:
    """Start of the first exact occurrence of ``motif`` in each sequence, -1 where absent.

    Use it to get motif positions for data whose planting was not recorded (the primer's
    real data holds the motif exactly once in every positive).

    Parameters
    ----------
    sequences : sequence of str
    motif : str

    Returns
    -------
    np.ndarray, shape (n,), int64

    Introduced in: 06_saliency
    """
    if not motif:
        raise ValueError("motif must be a non-empty string")
    return np.array([s.upper().find(motif.upper()) for s in sequences], dtype=np.int64)


def _check_scores(scores: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores, mask = np.asarray(scores, dtype=np.float64), np.asarray(mask, dtype=bool)
    if scores.shape != mask.shape or scores.ndim != 2:
        raise ValueError(f"scores {scores.shape} and mask {mask.shape} must both be (n, L)")
    if not mask.any(axis=1).all():
        raise ValueError(
            "some sequences have no motif position; score only the positives "
            "(e.g. scores[labels == 1])"
        )
    return scores, mask


def positional_auc(scores: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """How well per-position scores separate motif positions from the rest.

    Every position of every sequence is one example, pooled over the sequences; positions
    inside a planted motif are the positives.

    Parameters
    ----------
    scores : np.ndarray, shape (n, L)
        From :func:`position_scores`; higher means more important.
    mask : np.ndarray, shape (n, L), bool
        From :func:`motif_mask`; every sequence must contain motif positions.

    Returns
    -------
    dict
        ``auroc`` and ``auprc`` (average precision); a random score gets 0.5 and the motif's
        share of positions.

    Introduced in: 06_saliency
    """
    from course_lib.metrics import pr_auc, roc_auc

    scores, mask = _check_scores(scores, mask)
    return {"auroc": roc_auc(mask.ravel(), scores.ravel()),
            "auprc": pr_auc(mask.ravel(), scores.ravel())}


def top_k_hit_rate(scores: np.ndarray, mask: np.ndarray, k: int = 12,
                   min_fraction: float | None = None) -> float:
    """How many of each sequence's k highest-scoring positions fall inside the motif.

    Parameters
    ----------
    scores : np.ndarray, shape (n, L)
    mask : np.ndarray, shape (n, L), bool
    k : int
        Top positions per sequence (12, the motif length, in the primer).
    min_fraction : float in (0, 1], optional
        ``None`` (default): the share of the top k inside the motif, averaged over the
        sequences (1.0 = every top-k position is a motif position). A number: the share of
        sequences with at least that fraction of their top k inside (1.0: all of them).

    Returns
    -------
    float in [0, 1]

    Introduced in: 06_saliency
    """
    scores, mask = _check_scores(scores, mask)
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= scores.shape[1]:
        raise ValueError(f"k must be an integer in 1 .. {scores.shape[1]}, got {k!r}")
    if min_fraction is not None and not 0 < min_fraction <= 1:
        raise ValueError(f"min_fraction must be None or in (0, 1], got {min_fraction}")
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    inside = np.take_along_axis(mask, top, axis=1).mean(axis=1)
    if min_fraction is None:
        return float(inside.mean())
    return float(np.mean(inside >= min_fraction - 1e-9))


def compare_methods(model, X: np.ndarray, mask: np.ndarray, output: int = 1, k: int = 12,
                    methods: Sequence[str] = METHODS, options: dict | None = None):
    """Run several attribution methods on the same sequences and score each against the truth.

    Lesson 06 writes this loop out in a cell (``score_methods``); its solutions call this
    copy, and tests/test_interpretation.py holds the two together.

    Parameters
    ----------
    model : keras.Model
    X : np.ndarray, shape (n, L, 4), float32
        Sequences that contain the motif.
    mask : np.ndarray, shape (n, L), bool
        Motif positions (:func:`motif_mask`).
    output : int
    k : int
        For :func:`top_k_hit_rate`.
    methods : sequence of str
        Names from :data:`METHODS`.
    options : dict, optional
        Method name -> keyword arguments, e.g. ``{"integrated_gradients": {"baseline": "zeros"}}``.

    Returns
    -------
    table : pandas.DataFrame
        Index ``method``; columns ``auroc``, ``auprc``, ``top_k_hit_rate``, ``seconds``.
    attributions : dict
        Method name -> np.ndarray, shape (n, L, 4), float32.

    Introduced in: 06_saliency
    """
    import pandas as pd

    options = options or {}
    rows, attributions = [], {}
    for method in methods:
        start = time.perf_counter()
        attributions[method] = attribute(model, X, method, output, **options.get(method, {}))
        seconds = time.perf_counter() - start
        scores = position_scores(attributions[method], POSITION_REDUCTION[method])
        rows.append({"method": method, **positional_auc(scores, mask),
                     "top_k_hit_rate": top_k_hit_rate(scores, mask, k), "seconds": seconds})
    return pd.DataFrame(rows).set_index("method"), attributions


# --------------------------------------------------------------------------- seqlets


def extract_seqlets(scores: np.ndarray, width: int, max_per_sequence: int = 1,
                    min_share: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """The contiguous windows of highest total attribution (seqlets).

    In each sequence the window of ``width`` positions with the largest score sum is taken,
    then the next best that does not overlap it, and so on, while a window's sum is positive
    and at least ``min_share`` of the sequence's best.

    Parameters
    ----------
    scores : np.ndarray, shape (n, L)
    width : int
    max_per_sequence : int
    min_share : float in [0, 1]

    Returns
    -------
    seqlets : np.ndarray, shape (m, 2), int64
        (sequence index, start) rows, best first within a sequence.
    sums : np.ndarray, shape (m,), float64
        Each window's score sum.

    Introduced in: 06_saliency
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2 or not 1 <= width <= scores.shape[1]:
        raise ValueError(f"scores must be (n, L) with L >= width={width}, got {scores.shape}")
    cum = np.concatenate([np.zeros((len(scores), 1)), np.cumsum(scores, axis=1)], axis=1)
    sums = cum[:, width:] - cum[:, :-width]  # (n, L - width + 1)
    rows = []
    for i, s in enumerate(sums):
        s, best = s.copy(), s.max()
        for _ in range(max_per_sequence):
            j = int(s.argmax())
            if s[j] <= 0 or s[j] < min_share * best or not np.isfinite(s[j]):
                break
            rows.append((i, j, s[j]))
            s[max(0, j - width + 1):j + width] = -np.inf
    seqlets = np.array([r[:2] for r in rows], dtype=np.int64).reshape(-1, 2)
    return seqlets, np.array([r[2] for r in rows], dtype=np.float64)


def _windows(X: np.ndarray, seqlets: np.ndarray, start_offset: int, width: int) -> np.ndarray:
    """Cut (m, width, 4) windows at seqlet start + offset, zero rows beyond the ends."""
    pad = max(0, -start_offset, width)
    padded = np.pad(X, ((0, 0), (pad, pad), (0, 0)))
    starts = seqlets[:, 1] + start_offset + pad
    index = starts[:, None] + np.arange(width)[None, :]
    return padded[seqlets[:, 0][:, None], index]


def _log_odds(counts: np.ndarray) -> np.ndarray:
    p = (counts + 0.5) / (counts + 0.5).sum(axis=1, keepdims=True)
    return np.log2(p / 0.25)


def _align(windows: np.ndarray, max_shift: int, both_strands: bool, n_rounds: int = 3
           ) -> np.ndarray:
    """Shift (and reverse-complement) each window to best fit the running PFM; return the PFM."""
    m, w, _ = windows.shape
    core = w - 2 * max_shift
    variants = [windows] + ([windows[:, ::-1, ::-1]] if both_strands else [])
    pfm = windows[:, max_shift:max_shift + core].sum(axis=0)
    for _ in range(n_rounds):
        score_map = _log_odds(pfm)
        best, choice = np.full(m, -np.inf), np.zeros((m, core, 4), dtype=np.float64)
        for v in variants:
            for shift in range(2 * max_shift + 1):
                cut = v[:, shift:shift + core]
                s = (cut * score_map).sum(axis=(1, 2))
                better = s > best
                best[better], choice[better] = s[better], cut[better]
        pfm = choice.sum(axis=0)
    return pfm


def _most_informative(pfm: np.ndarray, width: int) -> np.ndarray:
    from course_lib.motifs import information_content, pfm_to_pwm

    ic = information_content(pfm_to_pwm(pfm))
    sums = np.convolve(ic, np.ones(width), mode="valid")
    start = int(np.argmax(sums))
    return pfm[start:start + width]


def seqlet_pwm(X: np.ndarray, seqlets: np.ndarray, width: int, flank: int = 3,
               max_shift: int = 3, both_strands: bool = False) -> np.ndarray:
    """Align seqlets into a position weight matrix of ``width`` columns.

    Each seqlet is cut with ``flank`` extra bases on each side, shifted by up to
    ``max_shift`` (and, with ``both_strands``, reverse-complemented) to best match the
    running motif, counted, and the ``width`` most informative adjacent columns are kept.

    Parameters
    ----------
    X : np.ndarray, shape (n, L, 4), float32
        The sequences the seqlets come from.
    seqlets : np.ndarray of int, shape (m, 2)
        (sequence index, start) rows from :func:`extract_seqlets`.
    width : int
        Seqlet width (as passed to :func:`extract_seqlets`) and motif width returned.
    flank, max_shift : int
    both_strands : bool
        True for motifs that can occur on either strand (real genomes, DanQ).

    Returns
    -------
    np.ndarray, shape (width, 4), float64
        Probabilities, rows sum to 1, columns A, C, G, T.

    Introduced in: 06_saliency
    """
    from course_lib.motifs import pfm_to_pwm

    X = _check_onehot(X)
    seqlets = np.asarray(seqlets, dtype=np.int64)
    if seqlets.ndim != 2 or len(seqlets) == 0:
        raise ValueError("no seqlets: extract_seqlets found no window with positive attribution")
    span = width + 2 * (flank + max_shift)
    windows = _windows(X, seqlets, -(flank + max_shift), span).astype(np.float64)
    pfm = _align(windows, max_shift, both_strands)
    return pfm_to_pwm(_most_informative(pfm, width))


def consensus_distance(found: str, motif: str) -> int:
    """Mismatches between two consensus strings of equal length, ``N`` counting as one.

    Parameters
    ----------
    found, motif : str

    Returns
    -------
    int, or ``len(motif)`` when the lengths differ

    Introduced in: 06_saliency
    """
    if len(found) != len(motif):
        return len(motif)
    return sum(a != b for a, b in zip(found.upper(), motif.upper()))


# ----------------------------------------------------------------------------- plots


