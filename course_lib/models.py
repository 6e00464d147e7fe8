"""Keras 3 model builders that reproduce the published architectures."""

from __future__ import annotations


def build_primer_cnn(
    seq_len: int = 50,
    n_classes: int = 2,
    n_channels: int = 4,
    filters: int = 32,
    kernel_size: int = 12,
    pool_size: int = 4,
    dense_units: int = 16,
):
    """The one-hot CNN of the deep-learning-in-genomics primer.

    Conv1D(32, 12) -> MaxPooling1D(4) -> Flatten -> Dense(16, relu) -> Dense(n_classes, softmax),
    as in Zou, Huss, Abid et al., "A primer on deep learning in genomics",
    Nature Genetics 51, 12-18 (2019), and its Colab notebook.

    Parameters
    ----------
    seq_len : int
        Input length L; the model takes ``X`` of shape (batch, L, n_channels), float32.
    n_classes : int
        Number of classes; the output has shape (batch, n_classes), softmax probabilities.
    n_channels : int
        Alphabet size (4 for DNA).
    filters, kernel_size, pool_size, dense_units : int
        The primer's values by default.

    Returns
    -------
    keras.Model
        Compiled with Adam, categorical cross-entropy (one-hot labels) and accuracy.

    Introduced in: 04_one_hot_cnn
    """
    import keras

    if seq_len < kernel_size:
        raise ValueError(
            f"seq_len={seq_len} is shorter than the convolution width {kernel_size}; "
            "use longer sequences or a smaller kernel_size"
        )
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    model = keras.Sequential(
        [
            keras.Input(shape=(seq_len, n_channels)),
            keras.layers.Conv1D(filters, kernel_size, name="conv"),
            keras.layers.MaxPooling1D(pool_size, name="pool"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(dense_units, activation="relu", name="dense"),
            keras.layers.Dense(n_classes, activation="softmax", name="output"),
        ],
        name="primer_cnn",
    )
    model.compile(
        optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"]
    )
    return model
