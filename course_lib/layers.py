"""The Keras layers the course defines, registered for safe-mode loading.

This module imports Keras when it is imported (a layer is a subclass of
``keras.layers.Layer``), so :mod:`course_lib.models` imports it only when a builder or
:func:`course_lib.training.load_model` needs it; ``import course_lib.models`` stays cheap.

- :class:`OneHotToTokens`, :class:`PositionEncoding`: lesson 09's embedding and Transformer input;
- :class:`MaskedMaxPooling1D`: lesson 07's maximum over the real (unpadded) positions.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops


@keras.saving.register_keras_serializable(package="course_lib")
class OneHotToTokens(layers.Layer):
    """One-hot (batch, L, 4) A, C, G, T -> integer tokens (batch, L): A=1, C=2, G=3, T=4, N=0.

    Lets a learned ``Embedding`` sit on the same one-hot pipeline as every other model.
    (An embedding of single bases is a linear map of the one-hot input, i.e. a width-1
    convolution without bias; the embedding just says so explicitly.)

    Introduced in: 09_beyond_danq
    """

    def call(self, x):
        codes = ops.convert_to_tensor(np.arange(1, 5, dtype="float32"))
        return ops.cast(ops.round(ops.sum(ops.cast(x, "float32") * codes, axis=-1)), "int32")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1])


@keras.saving.register_keras_serializable(package="course_lib")
class PositionEncoding(layers.Layer):
    """Add a position encoding to (batch, L', d) tokens: ``learned`` (default) or ``sinusoidal``.

    ``learned`` (BERT-style, one trainable d-vector per position) suits DeepSEA-style data:
    sequences have a fixed length and the label is about the central 200 bp, so *absolute*
    position matters and a model should be able to learn "near the centre". Sinusoidal
    encodings (Vaswani et al. 2017) are fixed and extrapolate to other lengths; relative
    encodings (Transformer-XL, Dai et al. 2019, used by the capstone) are translation
    invariant, which fits long genomic windows better than centred labels.

    Parameters
    ----------
    kind : {"learned", "sinusoidal"}

    Introduced in: 09_beyond_danq
    """

    def __init__(self, kind: str = "learned", **kwargs):
        super().__init__(**kwargs)
        if kind not in ("learned", "sinusoidal"):
            raise ValueError(f"position encoding kind must be 'learned' or 'sinusoidal', got {kind!r}")
        self.kind = kind

    def build(self, input_shape):
        length, dim = int(input_shape[1]), int(input_shape[2])
        if self.kind == "learned":
            self.table = self.add_weight(shape=(length, dim), name="table",
                                         initializer=keras.initializers.RandomNormal(stddev=0.02))
        else:
            self.table = sinusoidal_table(length, dim)

    def call(self, x):
        return x + ops.cast(ops.convert_to_tensor(self.table), x.dtype)[None]

    def get_config(self):
        return {**super().get_config(), "kind": self.kind}


def sinusoidal_table(length: int, dim: int) -> np.ndarray:
    """Vaswani et al. (2017) encodings: sin on even, cos on odd columns.

    Returns
    -------
    np.ndarray, shape (length, dim), float32
        ``table[p, 2i] = sin(p / 10000**(2i/dim))``, ``table[p, 2i+1] = cos(...)``.

    Introduced in: 09_beyond_danq
    """
    pos = np.arange(length, dtype=np.float64)[:, None]
    rate = 1.0 / 10000 ** (2 * (np.arange(dim) // 2) / dim)
    angle = pos * rate[None]
    return np.where(np.arange(dim) % 2 == 0, np.sin(angle), np.cos(angle)).astype(np.float32)


@keras.saving.register_keras_serializable(package="course_lib")
class MaskedMaxPooling1D(layers.Layer):
    """Maximum over positions, padded (masked) positions excluded.

    Input (batch, L, c) with a Keras mask (batch, L); output (batch, c).

    Introduced in: 07_resistance_lstm
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            keep = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
            inputs = inputs * keep + (1.0 - keep) * -1e9
        return ops.max(inputs, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])
