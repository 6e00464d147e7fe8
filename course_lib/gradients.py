"""Input gradients on any Keras 3 backend: the one place that knows TensorFlow, JAX and PyTorch.

Everything else in ``course_lib`` that needs d output / d input calls :func:`input_gradients`,
so a lesson can pick its backend with one ``BACKEND`` parameter (set before ``import keras``).
:func:`seed_unseeded_dropout` covers the one place where PyTorch's Keras draws random numbers
from outside the layer's seed state. What is TensorFlow by nature (the multi-worker strategy of
``course train`` on a cluster) calls :func:`require_tensorflow` first, so another backend gets
one clear error.
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


def seed_unseeded_dropout(seed: int) -> None:
    """Seed the random numbers of ``Dropout`` layers built without a ``seed``, on any backend.

    On TensorFlow and JAX such a layer draws from its ``SeedGenerator`` state (a model
    variable), so setting that state is enough and this does nothing. On PyTorch, Keras draws
    its mask from torch's global generator instead; this seeds that generator.

    Parameters
    ----------
    seed : int, 0 <= seed < 2**32

    Introduced in: 05_danq_deepsea
    """
    import keras

    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(int(seed))


def require_tensorflow(what: str) -> None:
    """Raise a clear error unless Keras runs on its TensorFlow backend.

    Parameters
    ----------
    what : str
        What needs TensorFlow, for the message, e.g. ``"the multi-worker strategy"``.

    Raises
    ------
    RuntimeError
        On the JAX or PyTorch backend, naming the backend and the fix.

    Introduced in: 05_danq_deepsea
    """
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(
            f"{what} needs the TensorFlow backend of Keras, not {backend!r}; unset "
            "KERAS_BACKEND or set it to tensorflow before Keras is imported"
        )
