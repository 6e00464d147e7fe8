"""Input gradients on any Keras 3 backend: the one place that knows TensorFlow, JAX and PyTorch.

Everything else in ``course_lib`` that needs d output / d input calls :func:`input_gradients`,
so a lesson can pick its backend with one ``BACKEND`` parameter (set before ``import keras``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def input_gradients(fn: Callable, X: np.ndarray) -> np.ndarray:
    """The gradient of ``sum(fn(X))`` with respect to ``X``, on the active Keras backend.

    Each example's output depends only on its own input, so entry ``i`` of the result is
    d fn(X)[i] / d X[i].

    Parameters
    ----------
    fn : callable
        Maps a backend tensor of ``X``'s shape to a tensor of shape (n,) (one scalar per
        example), e.g. ``lambda x: model(x, training=False)[:, 0]``.
    X : np.ndarray, shape (n, ...), float32

    Returns
    -------
    np.ndarray, same shape as ``X``, float32

    Introduced in: 03_vanishing_gradients
    """
    import keras

    backend = keras.backend.backend()
    X = np.asarray(X, dtype=np.float32)
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(X)
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(fn(x))
        return tape.gradient(total, x).numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(lambda x: fn(x).sum())(X))
    if backend == "torch":
        import torch

        x = torch.tensor(X, requires_grad=True)
        fn(x).sum().backward()
        return x.grad.detach().cpu().numpy()
    raise NotImplementedError(f"input gradients on the {backend!r} backend; use tensorflow, jax or torch")
