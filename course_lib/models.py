"""Keras 3 model builders that reproduce the published architectures."""

from __future__ import annotations

import zipfile


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


def _check_fits(seq_len: int, name: str, needed: int) -> None:
    if seq_len < needed:
        raise ValueError(
            f"seq_len={seq_len} is too short for {name}: its convolutions and poolings need at "
            f"least {needed} positions; use longer sequences or smaller widths"
        )


def build_danq(
    seq_len: int = 1000,
    n_targets: int = 919,
    filters: int = 320,
    kernel_size: int = 26,
    pool_size: int = 13,
    lstm_units: int = 320,
    dense_units: int = 925,
    learning_rate: float = 1e-3,
):
    """DanQ: a convolution, a bidirectional LSTM and two dense layers.

    Conv1D(320, 26, relu) -> MaxPooling1D(13, 13) -> Dropout(0.2) ->
    Bidirectional(LSTM(320, return_sequences=True)) -> Dropout(0.5) -> Flatten ->
    Dense(925, relu) -> Dense(n_targets, sigmoid), as in Quang & Xie, "DanQ: a hybrid
    convolutional and recurrent deep neural network for quantifying the function of DNA
    sequences", Nucleic Acids Research 44, e107 (2016). At the defaults (the published,
    full configuration) the convolution has 33,600 parameters and the BiLSTM 1,640,960;
    smaller ``filters``/``lstm_units``/``dense_units`` give a laptop-sized model built by
    the same code.

    Parameters
    ----------
    seq_len : int
        Input length L; the model takes ``X`` of shape (batch, L, 4), float32, bases in
        A, C, G, T order.
    n_targets : int
        Number of binary targets (919 for DeepSEA's data); the output has shape
        (batch, n_targets), independent sigmoid probabilities.
    filters, kernel_size, pool_size, lstm_units, dense_units : int
        Layer sizes; the paper's values by default.
    learning_rate : float
        Adam learning rate (the paper used RMSprop; Adam trains the small variants faster).

    Returns
    -------
    keras.Model
        Compiled with Adam, binary cross-entropy and ROC AUC (``auc``).

    Introduced in: 05_danq_deepsea
    """
    import keras
    from keras import layers

    _check_fits(seq_len, "DanQ", kernel_size + pool_size - 1)
    model = _chain(
        keras.Input(shape=(seq_len, 4), name="dna"),
        [
            layers.Conv1D(filters, kernel_size, activation="relu", name="conv"),
            layers.MaxPooling1D(pool_size, strides=pool_size, name="pool"),
            layers.Dropout(0.2, name="drop_conv"),
            layers.Bidirectional(
                layers.LSTM(lstm_units, return_sequences=True, name="lstm"), name="bilstm"
            ),
            layers.Dropout(0.5, name="drop_lstm"),
            layers.Flatten(name="flatten"),
            layers.Dense(dense_units, activation="relu", name="dense"),
            layers.Dense(n_targets, activation="sigmoid", name="output", dtype="float32"),
        ],
        "danq",
    )
    _compile_multilabel(model, learning_rate)
    return model


def build_deepsea(
    seq_len: int = 1000,
    n_targets: int = 919,
    filters: tuple[int, int, int] = (320, 480, 960),
    kernel_size: int = 8,
    pool_size: int = 4,
    dense_units: int = 925,
    learning_rate: float = 1e-3,
):
    """DeepSEA: three convolutions and two dense layers.

    Conv1D(320, 8) -> MaxPool(4) -> Dropout(0.2) -> Conv1D(480, 8) -> MaxPool(4) ->
    Dropout(0.2) -> Conv1D(960, 8) -> Dropout(0.5) -> Flatten -> Dense(925, relu) ->
    Dense(n_targets, sigmoid), as in Zhou & Troyanskaya, "Predicting effects of noncoding
    variants with deep learning-based sequence model", Nature Methods 12, 931-934 (2015).
    Convolutions use ReLU (the Torch original used a thresholded ReLU) and no padding, so
    at L = 1000 the last convolution has 53 positions, as in the paper's 53 x 960 layer.

    Parameters
    ----------
    seq_len : int
        Input length L; ``X`` has shape (batch, L, 4), float32, bases in A, C, G, T order.
    n_targets : int
        Number of binary targets; output shape (batch, n_targets), sigmoid probabilities.
    filters : tuple of 3 ints
        Widths of the three convolutions; (320, 480, 960) is the published configuration.
    kernel_size, pool_size, dense_units : int
        The paper's values by default.
    learning_rate : float
        Adam learning rate.

    Returns
    -------
    keras.Model
        Compiled with Adam, binary cross-entropy and ROC AUC (``auc``).

    Introduced in: 05_danq_deepsea
    """
    import keras
    from keras import layers

    if len(filters) != 3:
        raise ValueError(f"filters must list 3 convolution widths, e.g. (320, 480, 960); got {filters}")
    _check_fits(seq_len, "DeepSEA", (kernel_size - 1) * (1 + pool_size + pool_size**2) + pool_size**2)
    model = _chain(
        keras.Input(shape=(seq_len, 4), name="dna"),
        [
            layers.Conv1D(filters[0], kernel_size, activation="relu", name="conv1"),
            layers.MaxPooling1D(pool_size, name="pool1"),
            layers.Dropout(0.2, name="drop1"),
            layers.Conv1D(filters[1], kernel_size, activation="relu", name="conv2"),
            layers.MaxPooling1D(pool_size, name="pool2"),
            layers.Dropout(0.2, name="drop2"),
            layers.Conv1D(filters[2], kernel_size, activation="relu", name="conv3"),
            layers.Dropout(0.5, name="drop3"),
            layers.Flatten(name="flatten"),
            layers.Dense(dense_units, activation="relu", name="dense"),
            layers.Dense(n_targets, activation="sigmoid", name="output", dtype="float32"),
        ],
        "deepsea",
    )
    _compile_multilabel(model, learning_rate)
    return model


def _chain(inputs, layer_list, name: str):
    """A functional model applying ``layer_list`` in order (so every layer has an output)."""
    import keras

    x = inputs
    for layer in layer_list:
        x = layer(x)
    return keras.Model(inputs, x, name=name)


def _compile_multilabel(model, learning_rate: float) -> None:
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        metrics=[keras.metrics.AUC(name="auc", multi_label=True)],
    )


def save_model(model, path) -> None:
    """Save a model in the ``.keras`` format (architecture, weights, optimizer state).

    Parameters
    ----------
    model : keras.Model
    path : str or Path
        Must end in ``.keras``. Written to a temporary name beside it and renamed, so two
        runs saving into one run directory leave one complete file.

    Introduced in: 05_danq_deepsea
    """
    import os
    from pathlib import Path

    if not str(path).endswith(".keras"):
        raise ValueError(f"save to a path ending in .keras, got {path!s}")
    path = Path(path)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.{id(model)}.partial.keras")
    try:
        model.save(partial)  # a reader (or a second run) never sees a half-written file
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def load_model(path):
    """Load a ``.keras`` model in safe mode (no arbitrary code is deserialized).

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save_model` or ``model.save``.

    Returns
    -------
    keras.Model

    Introduced in: 05_danq_deepsea
    """
    from pathlib import Path

    import keras

    import course_lib.architectures  # noqa: F401  registers lesson 09's layers and schedules
    from course_lib.resistance import _masked_max_pooling_class

    _masked_max_pooling_class()  # registers lesson 07's MaskedMaxPooling1D (pooling="max")

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}: check the path you gave (a lesson's "
                                "checkpoint parameter, e.g. -p DANQ_CHECKPOINT), or train one "
                                "first (course train danq ...); nothing is trained in its place")
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        with open(path, "rb") as handle:
            hdf5 = handle.read(4) == b"\x89HDF"
        what = "an HDF5 file (Keras 2's .h5)" if hdf5 else "not a Keras 3 archive (a zip)"
        raise ValueError(f"{path} is {what}; give a .keras file written by model.save or "
                         "course train (in Keras 3, load an .h5 file yourself and save it again)")
    try:
        return keras.models.load_model(path, safe_mode=True)
    except Exception as err:  # keras raises many types for damaged or unsafe archives
        lines = [line for line in str(err).splitlines() if line.strip()]
        reason = lines[0] if lines else type(err).__name__
        raise ValueError(
            f"{path} could not be loaded as a Keras model in safe mode: {reason}. If it holds "
            "a Lambda layer or other code, safe mode refuses it on purpose (rebuild the model "
            "with the course's builders); otherwise the file is damaged: save or train it again."
        ) from None


def predict_both_strands(model, X, batch_size: int = 256):
    """Predictions averaged over each sequence and its reverse complement, as DeepSEA does.

    Parameters
    ----------
    model : keras.Model
        Takes (batch, L, 4) one-hot in A, C, G, T order.
    X : np.ndarray, shape (n, L, 4), float32 or uint8
        One-hot sequences, A, C, G, T order.
    batch_size : int

    Returns
    -------
    np.ndarray, shape (n, n_targets), float32
        ``(model(X) + model(reverse_complement(X))) / 2``.

    Introduced in: 05_danq_deepsea
    """
    import numpy as np

    from course_lib.sequences import reverse_complement

    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 3 or X.shape[-1] != 4:
        raise ValueError(f"X must be one-hot of shape (n, L, 4), got {X.shape}")
    forward = model.predict(X, batch_size=batch_size, verbose=0)
    reverse = model.predict(reverse_complement(X), batch_size=batch_size, verbose=0)
    return ((forward + reverse) / 2).astype(np.float32)


#: Layer sizes by name: ``full`` is the published configuration, ``small`` a laptop-sized
#: variant of the same code (about 2% of DanQ's parameters), ``tiny`` for tests.
SIZES = {
    "danq": {
        "full": {},
        "small": dict(filters=64, lstm_units=32, dense_units=64),
        "tiny": dict(filters=8, lstm_units=4, dense_units=8),
    },
    "deepsea": {
        "full": {},
        "small": dict(filters=(64, 96, 128), dense_units=64),
        "tiny": dict(filters=(4, 4, 4), dense_units=8),
    },
}


def build_model(name: str, size: str = "full", seq_len: int = 1000, n_targets: int = 919,
                learning_rate: float = 1e-3):
    """Build ``danq`` or ``deepsea`` at a named size (see :data:`SIZES`).

    Parameters
    ----------
    name : {"danq", "deepsea"}
    size : {"full", "small", "tiny"}
        ``full`` is the published configuration.
    seq_len, n_targets : int
        Input length and number of targets.
    learning_rate : float

    Returns
    -------
    keras.Model

    Introduced in: 05_danq_deepsea
    """
    builders = {"danq": build_danq, "deepsea": build_deepsea}
    if name not in builders:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(builders)}")
    if size not in SIZES[name]:
        raise ValueError(f"unknown size {size!r}; choose one of {sorted(SIZES[name])}")
    return builders[name](seq_len=seq_len, n_targets=n_targets, learning_rate=learning_rate,
                          **SIZES[name][size])
