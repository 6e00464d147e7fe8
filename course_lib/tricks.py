"""Training tricks, each switchable: prevalence bias, warm-up, gradient accumulation, focal loss.

The tricks of the capstone "Classifying non-coding DNA sequences" (R. Chaves Moreno, 2020):
output bias from label prevalence (Karpathy, "A recipe for training neural networks",
2019), linear learning-rate warm-up (Goyal et al. 2017), gradient accumulation to reach
the published batch size, focal loss for imbalance (Lin et al. 2017). Mixed precision is
:func:`course_lib.training.use_mixed_precision`.
"""

from __future__ import annotations

import numpy as np
import keras

#: Losses :func:`make_loss` knows.
LOSSES = ("bce", "focal", "balanced")


def prevalence_logits(y: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """Log odds of each target's prevalence: the bias that makes the first prediction p.

    Parameters
    ----------
    y : np.ndarray of 0/1, shape (n, T)
        Training labels.
    eps : float
        Prevalences are clipped to [eps, 1 - eps] so targets without positives stay finite.

    Returns
    -------
    np.ndarray, shape (T,), float32
        ``log(p / (1 - p))``; e.g. p = 0.02 gives -3.892.

    Introduced in: 09_beyond_danq
    """
    y = np.asarray(y)
    if y.ndim != 2:
        raise ValueError(f"y must be a (n, T) label matrix, got shape {y.shape}")
    p = np.clip(y.mean(axis=0, dtype=np.float64), eps, 1 - eps)
    return np.log(p / (1 - p)).astype(np.float32)


def set_prevalence_bias(model, y: np.ndarray | None = None, layer: str = "classifier_logits",
                        prevalence: np.ndarray | None = None) -> np.ndarray:
    """Set the output layer's bias to the prevalence log odds (in place).

    With zero bias a sigmoid starts at 0.5 on 98%-negative labels: first loss about
    log 2 = 0.69 per label and large gradients spent learning the base rate. With the
    bias at the log odds the first loss is the labels' entropy (about 0.1 at 2%).

    Parameters
    ----------
    model : keras.Model
        Whose ``layer`` is a Dense with T outputs and a bias.
    y : np.ndarray of 0/1, shape (n, T)
        Training labels; or give ``prevalence`` instead (labels too large to load).
    layer : str
    prevalence : np.ndarray, shape (T,), optional
        Each target's training positive rate, e.g. from
        :func:`course_lib.app.train.training_prevalence`.

    Returns
    -------
    np.ndarray, shape (T,), float32
        The bias now in the layer.

    Introduced in: 09_beyond_danq
    """
    if (y is None) == (prevalence is None):
        raise ValueError("give exactly one of y (training labels) or prevalence (their column means)")
    bias = prevalence_logits(y if y is not None else np.asarray(prevalence, dtype=np.float64)[None])
    dense = model.get_layer(layer)
    if dense.bias is None or tuple(dense.bias.shape) != bias.shape:
        raise ValueError(f"layer {layer!r} has bias shape "
                         f"{None if dense.bias is None else tuple(dense.bias.shape)}, labels have "
                         f"{bias.shape[0]} targets; pass the training labels of this model")
    dense.bias.assign(bias)
    return bias


def warmup_schedule(peak: float, warmup_steps: int):
    """Learning rate rising linearly to ``peak`` over ``warmup_steps`` updates, then constant.

    ``lr(step) = peak * min(1, (step + 1) / warmup_steps)`` (Goyal et al. 2017), built from
    Keras' own :class:`keras.optimizers.schedules.CosineDecay` (its linear warm-up, then
    ``alpha=1``: no decay), so a saved model reloads without custom objects. With gradient
    accumulation Keras counts *updates*, so 500 batches of 25 accumulated 4 times are 125
    warm-up steps. Lesson 09 writes the same schedule in its compile cell.

    Parameters
    ----------
    peak : float
    warmup_steps : int
        At least 1.

    Returns
    -------
    keras.optimizers.schedules.CosineDecay

    Introduced in: 09_beyond_danq
    """
    if warmup_steps < 1:
        raise ValueError(f"warmup_steps must be >= 1, got {warmup_steps}; use a constant "
                         "learning rate for no warm-up")
    return keras.optimizers.schedules.CosineDecay(
        peak / warmup_steps, decay_steps=1, alpha=1.0,  # update 1 at peak / warmup_steps
        warmup_target=peak, warmup_steps=warmup_steps - 1)


def make_optimizer(learning_rate: float = 1e-4, warmup_steps: int = 0,
                   accumulation_steps: int = 1):
    """Adam with optional linear warm-up and gradient accumulation.

    Gradient accumulation uses Keras 3's own ``gradient_accumulation_steps``: the optimizer
    averages the gradients of ``accumulation_steps`` batches and updates once, so batches
    of 25 accumulated 4 times update like batches of 100 (except batch-norm statistics,
    which still see 25).

    Parameters
    ----------
    learning_rate : float
        Adam's (peak) learning rate; the capstone used 1e-4.
    warmup_steps : int
        0 for none; else updates of linear warm-up (:func:`warmup_schedule`).
    accumulation_steps : int
        1 for none.

    Returns
    -------
    keras.optimizers.Adam

    Introduced in: 09_beyond_danq
    """
    if accumulation_steps < 1:
        raise ValueError(f"accumulation_steps must be >= 1 (1 = off), got {accumulation_steps}")
    lr = warmup_schedule(learning_rate, warmup_steps) if warmup_steps else learning_rate
    return keras.optimizers.Adam(lr, gradient_accumulation_steps=accumulation_steps
                                 if accumulation_steps > 1 else None)


def make_loss(kind: str = "bce", gamma: float = 2.0, alpha: float = 0.75):
    """Binary cross-entropy from logits, plain or weighted for imbalance.

    Parameters
    ----------
    kind : {"bce", "focal", "balanced"}
        ``bce``: plain; ``focal``: focal loss (Lin et al. 2017), down-weights easy
        examples by ``(1 - p_t)**gamma``; ``balanced``: class reweighting only, positives
        weighted ``alpha`` and negatives ``1 - alpha`` (focal with gamma 0).
    gamma, alpha : float

    Returns
    -------
    keras.losses.Loss
        Expects logits.

    Introduced in: 09_beyond_danq
    """
    if kind == "bce":
        return keras.losses.BinaryCrossentropy(from_logits=True)
    if kind in ("focal", "balanced"):
        return keras.losses.BinaryFocalCrossentropy(
            apply_class_balancing=True, alpha=alpha, gamma=gamma if kind == "focal" else 0.0,
            from_logits=True)
    raise ValueError(f"unknown loss {kind!r}; choose one of {LOSSES}")


def compile_logits(model, learning_rate: float = 1e-4, warmup_steps: int = 0,
                   accumulation_steps: int = 1, loss: str = "bce") -> None:
    """Compile a logits model: :func:`make_optimizer`, :func:`make_loss`, ROC AUC from logits.

    Lesson 09 writes the same function out in its Train section; ``course train`` calls this
    copy (``tests/test_tricks.py`` holds the two together).

    Introduced in: 09_beyond_danq
    """
    model.compile(optimizer=make_optimizer(learning_rate, warmup_steps, accumulation_steps),
                  loss=make_loss(loss),
                  metrics=[keras.metrics.AUC(name="auc", multi_label=True, from_logits=True)])
