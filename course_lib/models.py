"""The model builders shared by several lessons and ``course train``, in Keras 3, with one table
of named sizes.

Each builder reproduces the published architecture (same layers, same parameter count at its
defaults) and cites the paper in its docstring. Sections, in lesson order:

- the size table (:data:`SIZES`) and the named builders :func:`build_model` (DanQ, DeepSEA)
  and :func:`build_named` (lesson 09's models), which ``course train`` calls;
- lessons 01-03: :func:`build_sequence_classifier`;
- lessons 04-06: :func:`build_primer_cnn`, :func:`build_danq`, :func:`build_deepsea`;
- lesson 09: :func:`build_beyond_danq` and its parts (:func:`wide_resnet_trunk`,
  :func:`transformer_encoder`, :func:`classifier`);
- the k-mer logistic-regression baseline of lessons 04, 07 and 08 (:func:`fit_kmer_baseline`);
- both-strand prediction.

A builder used by one lesson only lives with its lesson's domain
(:mod:`course_lib.domains.recurrent`, :mod:`~course_lib.domains.resistance`,
:mod:`~course_lib.domains.language`); saving and safe-mode loading live in
:mod:`course_lib.training`.

Keras is imported inside the functions, so ``import course_lib.models`` stays cheap. The
course's own layers live in :mod:`course_lib.layers`.
"""

from __future__ import annotations

import numpy as np


# --------------------------------------------------------------------------------------
# The size table and the named builders
# --------------------------------------------------------------------------------------

#: Layer sizes by model family, then by size name: the one table every named builder reads.
#: ``danq`` and ``deepsea`` (lesson 05): ``full`` is the published configuration, ``small`` a
#: laptop-sized variant of the same code (about 2% of DanQ's parameters), ``tiny`` for tests.
#: ``beyond_danq`` (lesson 09, R. Chaves Moreno, "Classifying non-coding DNA sequences", 2020):
#: ``capstone`` follows the report: 64-dimensional embedding, 3 bottleneck blocks widened 16
#: times, 6 Transformer layers of 4 heads x 16 dimensions, model width 256, inner 256. The
#: report does not state the kernel width, the base widths, the bottleneck ratio or the dense
#: width; ours are kernel 8 (DeepSEA's), base widths 16, 32, 64 (Wide ResNet's), bottleneck
#: ratio 2 and dense width 200, which give 4.67M ResNet parameters against the report's 4.7M
#: (ratio 4 and kernel 9 give 2.18M). ``small`` is the laptop size: widened 4 times, one
#: Transformer layer, and a classifier with global max pooling and batch norm (see
#: :func:`classifier`), because at lesson 09's budget the flattened classifier learned
#: nothing; ``tiny`` is for tests.
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
    "beyond_danq": {
        "capstone": dict(embed_dim=64, widths=(16, 32, 64), widen=16, kernel_size=8, bottleneck=2,
                         n_layers=6, n_heads=4, key_dim=16, d_model=256, ff_dim=256,
                         lstm_units=128, dense_units=200),
        "small": dict(embed_dim=16, widths=(16, 32, 64), widen=4, kernel_size=9, bottleneck=2,
                      n_layers=1, n_heads=4, key_dim=8, d_model=32, ff_dim=64, lstm_units=16,
                      dense_units=32, pooling="max", classifier_norm=True),
        "tiny": dict(embed_dim=4, widths=(4, 4, 8), widen=1, kernel_size=5, bottleneck=4,
                     n_layers=1, n_heads=2, key_dim=4, d_model=8, ff_dim=8, lstm_units=4,
                     dense_units=8),
    },
}

#: The two words for a family's published configuration (``full`` for DanQ and DeepSEA,
#: ``capstone`` for lesson 09's models); every named builder accepts either.
PUBLISHED_SIZES = ("full", "capstone")


def size_options(family: str, size: str) -> dict:
    """The builder arguments of a family at a named size, from :data:`SIZES`.

    Parameters
    ----------
    family : {"danq", "deepsea", "beyond_danq"}
    size : str
        A key of ``SIZES[family]``; ``"full"`` and ``"capstone"`` both name the published
        configuration.

    Returns
    -------
    dict
        Keyword arguments for the family's builder (empty for the published DanQ/DeepSEA).

    Introduced in: 05_danq_deepsea
    """
    table = SIZES[family]
    if size in PUBLISHED_SIZES:
        size = next(word for word in PUBLISHED_SIZES if word in table)
    if size not in table:
        raise ValueError(f"unknown size {size!r}; choose one of {sorted(table)} "
                         f"('full' and 'capstone' both name the published configuration)")
    return table[size]


def build_model(name: str, size: str = "full", seq_len: int = 1000, n_targets: int = 919,
                learning_rate: float = 1e-3):
    """Build ``danq`` or ``deepsea`` at a named size (see :data:`SIZES`).

    Parameters
    ----------
    name : {"danq", "deepsea"}
    size : {"full", "small", "tiny"}
        ``full`` (or ``capstone``) is the published configuration.
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
    return builders[name](seq_len=seq_len, n_targets=n_targets, learning_rate=learning_rate,
                          **size_options(name, size))


def build_named(name: str, size: str = "small", seq_len: int = 1000, n_targets: int = 919,
                learning_rate: float = 1e-4, **options):
    """``resnet``, ``resnet_transformer`` or ``resnet_bilstm`` at a named size (:data:`SIZES`).

    Parameters
    ----------
    name : {"resnet", "resnet_transformer", "resnet_bilstm"}
    size : {"capstone", "small", "tiny"}
        ``capstone`` (or ``full``) is the capstone's configuration (``SIZES["beyond_danq"]``).
    seq_len, n_targets : int
    learning_rate : float
    **options
        Any other :func:`build_beyond_danq` argument (e.g. ``input_mode="onehot"``).

    Returns
    -------
    keras.Model

    Introduced in: 09_beyond_danq
    """
    heads = {"resnet": "none", "resnet_transformer": "transformer", "resnet_bilstm": "bilstm"}
    if name not in heads:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(heads)}")
    return build_beyond_danq(seq_len, n_targets, head=heads[name], learning_rate=learning_rate,
                             **{**size_options("beyond_danq", size), **options})


# --------------------------------------------------------------------------------------
# Lessons 01-03: small recurrent, convolutional and dense classifiers
# --------------------------------------------------------------------------------------

#: The kinds of :func:`build_sequence_classifier`'s main layer.
KINDS = ("dense", "simple_rnn", "lstm", "gru", "conv1d")


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


# --------------------------------------------------------------------------------------
# Lessons 04-06: the primer CNN, DanQ and DeepSEA
# --------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# Lesson 07: the resistance capstone's bidirectional LSTM
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Lesson 08: the genome language model and the multitask GRU
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Lesson 09: embedding, 1D Wide ResNet, Transformer encoder and BiLSTM heads
# --------------------------------------------------------------------------------------

#: Heads on top of the trunk: none (ResNet only), a Transformer encoder or a BiLSTM.
HEADS = ("none", "transformer", "bilstm")


#: Batch-norm momentum of the moving statistics: 0.9 (PyTorch's default) rather than
#: Keras's 0.99, which averages over ~100 batches and lags in runs of a few hundred updates.
BN_MOMENTUM = 0.9


def _bottleneck(x, width: int, kernel_size: int, stride: int, name: str, bottleneck: int = 4):
    """Pre-activation bottleneck block (He et al. 2016): BN-ReLU-conv x 3, identity added.

    The 1x1 -> k -> 1x1 convolutions run at ``width // bottleneck`` channels inside."""
    from keras import layers

    inner = max(width // bottleneck, 1)
    pre = layers.ReLU(name=f"{name}_relu0")(layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn0")(x))
    if stride == 1 and x.shape[-1] == width:
        shortcut = x
    else:
        # ResNet-D (He et al. 2019, "Bag of tricks"): average the positions a stride-2
        # 1x1 projection would skip, so a motif found at an odd position is not dropped
        shortcut = pre if stride == 1 else layers.AveragePooling1D(stride, padding="same",
                                                                   name=f"{name}_pool")(pre)
        shortcut = layers.Conv1D(width, 1, use_bias=False, name=f"{name}_proj")(shortcut)
    h = layers.Conv1D(inner, 1, use_bias=False, name=f"{name}_conv1")(pre)
    h = layers.ReLU(name=f"{name}_relu1")(layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn1")(h))
    h = layers.Conv1D(inner, kernel_size, strides=stride, padding="same", use_bias=False,
                      name=f"{name}_conv2")(h)
    h = layers.ReLU(name=f"{name}_relu2")(layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn2")(h))
    h = layers.Conv1D(width, 1, use_bias=False, name=f"{name}_conv3")(h)
    return layers.Add(name=f"{name}_add")([shortcut, h])


def wide_resnet_trunk(x, widths=(16, 32, 64), widen: int = 1, kernel_size: int = 9,
                      bottleneck: int = 4):
    """1D Wide ResNet: a stem convolution, then one stride-2 bottleneck block per width.

    Pre-activation bottleneck blocks (BN, ReLU, conv; the identity is added before the next
    activation), stride-2 convolutions instead of pooling (the projection shortcut averages
    each pair of positions before its 1x1 convolution, as in ResNet-D, He et al. 2019,
    rather than skipping every other one), widths multiplied by ``widen``
    as in Wide ResNets (Zagoruyko & Komodakis 2016), no bias in convolutions followed by
    batch norm. Ends with BN + ReLU in a layer named ``resnet_out`` (Grad-CAM's target).

    Parameters
    ----------
    x : KerasTensor, shape (batch, L, c)
    widths : tuple of int
        Base width of each block; its output has ``width * widen`` channels.
    widen : int
        The Wide ResNet expansion factor (16 in the capstone).
    kernel_size : int
    bottleneck : int
        Each block's inner width is its output width divided by this (He et al.: 4).

    Returns
    -------
    KerasTensor, shape (batch, ceil(L / 2**len(widths)), widths[-1] * widen)

    Introduced in: 09_beyond_danq
    """
    from keras import layers

    x = layers.Conv1D(widths[0] * widen, kernel_size, padding="same", use_bias=False,
                      name="resnet_stem")(x)
    for i, width in enumerate(widths):
        x = _bottleneck(x, width * widen, kernel_size, 2, f"resnet_block{i + 1}", bottleneck)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name="resnet_bn_out")(x)
    return layers.ReLU(name="resnet_out")(x)


def transformer_encoder(x, n_layers: int = 6, n_heads: int = 4, key_dim: int = 16,
                        d_model: int = 256, ff_dim: int = 256, dropout: float = 0.1,
                        position: str = "learned"):
    """Pre-LayerNorm Transformer encoder (Vaswani et al. 2017) on the trunk's positions.

    Dense projection to ``d_model``, :class:`course_lib.layers.PositionEncoding`, then ``n_layers`` times:
    x + MultiHeadAttention(LN(x)); x + FFN(LN(x)) with FFN = Dense(ff_dim, relu) ->
    Dense(d_model); a final LayerNorm. Per layer that is
    ``4 * d_model * h * k + 3 * h * k + d_model`` (attention) ``+ 2 * d_model * ff_dim +
    ff_dim + d_model`` (FFN) ``+ 4 * d_model`` (two LayerNorms) parameters.

    Parameters
    ----------
    x : KerasTensor, shape (batch, L', c)
    n_layers, n_heads, key_dim, d_model, ff_dim : int
        The capstone: 6 layers, 4 heads of 16 dimensions, model width 256, inner 256.
    dropout : float
    position : {"learned", "sinusoidal"}

    Returns
    -------
    KerasTensor, shape (batch, L', d_model)

    Introduced in: 09_beyond_danq
    """
    from keras import layers

    from course_lib.layers import PositionEncoding

    x = layers.Dense(d_model, name="head_project")(x)
    x = PositionEncoding(position, name="head_position")(x)
    for i in range(n_layers):
        n = f"head_layer{i + 1}"
        h = layers.LayerNormalization(name=f"{n}_ln1")(x)
        h = layers.MultiHeadAttention(n_heads, key_dim, dropout=dropout, name=f"{n}_attention")(h, h)
        x = layers.Add(name=f"{n}_add1")([x, h])
        h = layers.LayerNormalization(name=f"{n}_ln2")(x)
        h = layers.Dense(ff_dim, activation="relu", name=f"{n}_ff1")(h)
        h = layers.Dense(d_model, name=f"{n}_ff2")(layers.Dropout(dropout, name=f"{n}_drop")(h))
        x = layers.Add(name=f"{n}_add2")([x, h])
    return layers.LayerNormalization(name="head_ln_out")(x)


def classifier(x, n_targets: int, dense_units: int = 200, dropout: float = 0.1,
               pooling: str = "flatten", norm: bool = False):
    """The capstone's classifier: flatten (or pool), two dense layers, logits out.

    ``Flatten`` (the report's choice) gives every position its own weights; ``"max"``
    takes each channel's maximum over positions instead (global max pooling), which
    shares one detector over all positions and learns from far fewer samples (lesson 09
    measures it at the laptop budget). ``norm`` puts batch normalisation between the first
    dense layer and its ReLU, so its units cannot all switch off ("die") early in
    training. The logits layer starts with zero weights: every sequence first gets the
    output bias (see :func:`course_lib.tricks.set_prevalence_bias`), and the first
    updates are not spent undoing random predictions.

    Parameters
    ----------
    x : KerasTensor, shape (batch, L', c)
    n_targets, dense_units : int
    dropout : float
    pooling : {"flatten", "max"}
    norm : bool

    Returns
    -------
    KerasTensor, shape (batch, n_targets), float32 logits

    Introduced in: 09_beyond_danq
    """
    from keras import layers

    if pooling not in ("flatten", "max"):
        raise ValueError(f"pooling must be 'flatten' or 'max', got {pooling!r}")
    if pooling == "flatten":
        x = layers.Flatten(name="classifier_flatten")(x)
    else:
        x = layers.GlobalMaxPooling1D(name="classifier_max")(x)
    x = layers.Dropout(dropout, name="classifier_drop")(x)
    if norm:
        x = layers.Dense(dense_units, use_bias=False, name="classifier_dense")(x)
        x = layers.BatchNormalization(momentum=BN_MOMENTUM, name="classifier_bn")(x)
        x = layers.ReLU(name="classifier_relu")(x)
    else:
        x = layers.Dense(dense_units, activation="relu", name="classifier_dense")(x)
    return layers.Dense(n_targets, kernel_initializer="zeros", name="classifier_logits",
                        dtype="float32")(x)


def build_beyond_danq(
    seq_len: int = 1000,
    n_targets: int = 919,
    head: str = "transformer",
    input_mode: str = "embedding",
    embed_dim: int = 64,
    widths: tuple = (16, 32, 64),
    widen: int = 16,
    kernel_size: int = 9,
    bottleneck: int = 4,
    n_layers: int = 6,
    n_heads: int = 4,
    key_dim: int = 16,
    d_model: int = 256,
    ff_dim: int = 256,
    lstm_units: int = 128,
    dense_units: int = 200,
    classifier_norm: bool = False,
    pooling: str = "flatten",
    position: str = "learned",
    skip: bool = True,
    dropout: float = 0.1,
    learning_rate: float = 1e-4,
    warmup_steps: int = 0,
    accumulation_steps: int = 1,
    loss: str = "bce",
):
    """The capstone's model: input -> 1D Wide ResNet -> Transformer or BiLSTM -> classifier.

    R. Chaves Moreno, "Classifying non-coding DNA sequences" (capstone, 2020): an embedding,
    a 1D Wide ResNet and a Transformer-XL (here a Transformer encoder with a learned
    absolute position encoding, see :class:`course_lib.layers.PositionEncoding`), or a bidirectional LSTM
    (here followed by batch norm);
    the head's output is concatenated with the ResNet's (skip connection), flattened and
    passed to two dense layers. The model outputs **logits** and is compiled with
    binary cross-entropy from logits; use :func:`course_lib.domains.capstone.predict_probabilities` for probabilities.
    Layers are named ``input_*``, ``resnet_*``, ``head_*`` and ``classifier_*`` so
    :func:`course_lib.domains.capstone.count_parameters` can sum them per part.

    Parameters
    ----------
    seq_len : int
        Input length L; ``X`` has shape (batch, L, 4), float32, A, C, G, T one-hot.
    n_targets : int
        Output shape (batch, n_targets), float32 logits.
    head : {"none", "transformer", "bilstm"}
        What runs on the trunk's shortened sequence; "none" is the ResNet alone.
    input_mode : {"onehot", "embedding"}
        Feed the one-hot bases to the trunk, or a learned ``embed_dim`` embedding of them.
    embed_dim, widths, widen, kernel_size, bottleneck : see :func:`wide_resnet_trunk`
    n_layers, n_heads, key_dim, d_model, ff_dim, position : see :func:`transformer_encoder`
    lstm_units : int
        Units per direction of the BiLSTM head.
    dense_units, pooling, classifier_norm : see :func:`classifier`
    skip : bool
        Concatenate the trunk's output with the head's before the classifier.
    dropout : float
    learning_rate, warmup_steps, accumulation_steps, loss
        Passed to :func:`course_lib.tricks.compile_logits` (Adam at 1e-4 as the capstone).

    Returns
    -------
    keras.Model
        Compiled; ``model.output`` has shape (batch, n_targets), float32 logits.

    Introduced in: 09_beyond_danq
    """
    import keras
    from keras import layers

    from course_lib.layers import OneHotToTokens
    from course_lib.tricks import compile_logits

    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    if input_mode not in ("onehot", "embedding"):
        raise ValueError(f"input_mode must be 'onehot' or 'embedding', got {input_mode!r}")
    if seq_len < 2 ** len(widths):
        raise ValueError(f"seq_len={seq_len} is shorter than the trunk's total stride "
                         f"{2 ** len(widths)}; use longer sequences or fewer widths")
    inputs = keras.Input(shape=(seq_len, 4), name="dna")
    x = inputs
    if input_mode == "embedding":
        # N(0, 1) as PyTorch's nn.Embedding (the capstone's framework); Keras's default U(-0.05, 0.05)
        # starts the trunk on inputs 20 times smaller than one-hot ones (measured in lesson 09 at the
        # defaults, median ROC AUC: ResNet + BiLSTM 0.556 -> 0.743 at seed 0, ResNet + Transformer
        # 0.527 -> 0.826 at seed 1)
        embed = layers.Embedding(5, embed_dim, embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0),
                                 name="input_embedding")
        x = embed(OneHotToTokens(name="input_tokens")(x))
    trunk = wide_resnet_trunk(x, widths, widen, kernel_size, bottleneck)
    parts = [trunk]
    if head == "transformer":
        parts.insert(0, transformer_encoder(trunk, n_layers, n_heads, key_dim, d_model, ff_dim,
                                            dropout, position))
    elif head == "bilstm":
        # batch norm puts the LSTM's small tanh outputs on the trunk's scale before the skip (the
        # Transformer ends in layer norm); measured in lesson 09 at the defaults, median ROC AUC
        # 0.544 -> 0.859 at seed 1, 0.743 -> 0.882 at seed 0, 0.675 -> 0.732 at seed 2
        lstm = layers.Bidirectional(layers.LSTM(lstm_units, return_sequences=True), name="head_bilstm")(trunk)
        parts.insert(0, layers.BatchNormalization(momentum=BN_MOMENTUM, name="head_bn")(lstm))
    if head != "none" and not skip:
        parts = parts[:1]
    x = layers.Concatenate(name="classifier_skip")(parts) if len(parts) > 1 else parts[0]
    x = classifier(x, n_targets, dense_units, dropout, pooling, classifier_norm)
    model = keras.Model(inputs, x, name=f"resnet_{head}_{input_mode}")
    compile_logits(model, learning_rate, warmup_steps, accumulation_steps, loss)
    return model


# --------------------------------------------------------------------------------------
# The k-mer logistic-regression baseline (lessons 04, 07 and 08)
# --------------------------------------------------------------------------------------

def fit_kmer_baseline(train_strings: list[str], y: np.ndarray, ks=(1, 2, 3, 4, 5),
                      C: float = 1e6, max_iter: int = 100, normalize: bool = False,
                      class_weight: str | None = None, seed: int | None = None):
    """Logistic regression on standardized k-mer counts, one per target: the course's baseline.

    Lesson 08 (Zhang & Kamath's baseline): scikit-learn with an l2 penalty of 1e-6
    (``C = 1e6``) on raw counts, k = 1..5 (1,364 columns). Lesson 07 calls it through
    :func:`course_lib.domains.resistance.kmer_fit_predict` (``C = 1``, ``normalize=True``,
    ``class_weight="balanced"``, ``max_iter=2000``); lesson 04 tunes its own C by
    cross-validation in its cell. Counts come from :func:`course_lib.sequences.kmer_counts`. Targets with a single class in training
    get a constant predictor.

    Parameters
    ----------
    train_strings : list of str
    y : np.ndarray of 0/1, shape (n, T), or shape (n,) for one target
    ks : sequence of int
        k-mer lengths counted.
    C : float
        Inverse l2 penalty.
    max_iter : int
        lbfgs iterations per target (C = 1e6 barely regularizes, so lbfgs stops at
        ``max_iter``: an early stop that regularizes; the warning is silenced).
    normalize : bool
        Count shares per sequence instead of counts (:func:`~course_lib.sequences.kmer_counts`).
    class_weight : {None, "balanced"}
        scikit-learn's class weights.
    seed : int, optional
        ``random_state`` of the regressions.

    Returns
    -------
    callable
        ``predict(strings)`` -> np.ndarray of float32 probabilities, shape (n, T), or (n,)
        for a 1-D ``y``.

    Introduced in: 08_genome_language
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    from course_lib.sequences import kmer_counts

    y = np.asarray(y)
    one_target = y.ndim == 1
    Y = y[:, None] if one_target else y
    counts = kmer_counts(list(train_strings), k=ks, normalize=normalize)
    scaler = StandardScaler().fit(counts)
    X = scaler.transform(counts)
    fits = []
    # one BLAS thread: these small problems only lose time to thread start-up and contention
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for t in range(Y.shape[1]):
            if Y[:, t].min() == Y[:, t].max():
                fits.append(float(Y[0, t]))
            else:
                fits.append(LogisticRegression(C=C, max_iter=max_iter, class_weight=class_weight,
                                               random_state=seed).fit(X, Y[:, t]))

    def predict(strings: list[str]) -> np.ndarray:
        Z = scaler.transform(kmer_counts(list(strings), k=ks, normalize=normalize))
        cols = [np.full(len(Z), f) if isinstance(f, float) else f.predict_proba(Z)[:, 1]
                for f in fits]
        probabilities = np.stack(cols, axis=1).astype(np.float32)
        return probabilities[:, 0] if one_target else probabilities

    return predict

# --------------------------------------------------------------------------------------
# Both strands
# --------------------------------------------------------------------------------------


def average_strands(pred: np.ndarray) -> np.ndarray:
    """Average the predictions of the forward half and the reverse-complement half.

    The one strand average of the course: DeepSEA's files hold every region forward, then
    reverse-complemented in the same order.

    Parameters
    ----------
    pred : np.ndarray, shape (N, T)
        Predictions for all N rows of a DeepSEA-layout split, in file order.

    Returns
    -------
    np.ndarray, shape (N // 2, T)
        ``(pred[:N/2] + pred[N/2:]) / 2``, one row per region, in forward-row order.

    Introduced in: 05_danq_deepsea
    """
    pred = np.asarray(pred)
    if pred.ndim != 2 or len(pred) % 2:
        raise ValueError(f"pred must have shape (N, T) with N even (forward + reverse halves), got {pred.shape}")
    half = len(pred) // 2
    return (pred[:half] + pred[half:]) / 2

