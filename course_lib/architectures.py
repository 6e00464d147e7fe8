"""Beyond DanQ: embedding, 1D Wide ResNet, Transformer encoder and BiLSTM heads.

The models of the capstone "Classifying non-coding DNA sequences" (R. Chaves Moreno,
2020), rebuilt in Keras 3 from the layers its report names. Its code is not public, so
widths it does not state are our choice and are documented in :data:`SIZES`.
"""

from __future__ import annotations

import numpy as np
import keras
from keras import layers, ops

from course_lib.interpretation import grad_cam  # noqa: F401  (Grad-CAM lives with the attributions)
from course_lib.tricks import compile_logits  # also registers LinearWarmup for loading

#: The parts every builder names its layers after, in order (see :func:`count_parameters`).
PARTS = ("input", "resnet", "head", "classifier")

#: Heads on top of the trunk: none (ResNet only), a Transformer encoder or a BiLSTM.
HEADS = ("none", "transformer", "bilstm")

#: Batch-norm momentum of the moving statistics: 0.9 (PyTorch's default) rather than
#: Keras's 0.99, which averages over ~100 batches and lags in runs of a few hundred updates.
BN_MOMENTUM = 0.9

#: Laptop-to-capstone layer sizes. ``capstone`` follows the report: 64-dimensional
#: embedding, 3 bottleneck blocks widened 16 times, 6 Transformer layers of 4 heads x 16
#: dimensions, model width 256, inner 256. The report does not state the kernel width, the
#: base widths, the bottleneck ratio or the dense width; ours are kernel 8 (DeepSEA's),
#: base widths 16, 32, 64 (Wide ResNet's), bottleneck ratio 2 and dense width 200, which
#: give 4.67M ResNet parameters against the report's 4.7M (ratio 4 and kernel 9 give 2.18M).
#: ``small`` is the laptop size: widened 4 times, one Transformer layer, and a classifier
#: with global max pooling and batch norm (see :func:`classifier`), because at lesson 09's
#: budget the flattened classifier learned nothing; ``tiny`` is for tests.
SIZES = {
    "capstone": dict(embed_dim=64, widths=(16, 32, 64), widen=16, kernel_size=8, bottleneck=2,
                     n_layers=6, n_heads=4, key_dim=16, d_model=256, ff_dim=256, lstm_units=128,
                     dense_units=200),
    "small": dict(embed_dim=16, widths=(16, 32, 64), widen=4, kernel_size=9, bottleneck=2,
                  n_layers=1, n_heads=4, key_dim=8, d_model=32, ff_dim=64, lstm_units=16,
                  dense_units=32, pooling="max", classifier_norm=True),
    "tiny": dict(embed_dim=4, widths=(4, 4, 8), widen=1, kernel_size=5, bottleneck=4, n_layers=1,
                 n_heads=2, key_dim=4, d_model=8, ff_dim=8, lstm_units=4, dense_units=8),
}


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


def _bottleneck(x, width: int, kernel_size: int, stride: int, name: str, bottleneck: int = 4):
    """Pre-activation bottleneck block (He et al. 2016): BN-ReLU-conv x 3, identity added.

    The 1x1 -> k -> 1x1 convolutions run at ``width // bottleneck`` channels inside."""
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

    Dense projection to ``d_model``, :class:`PositionEncoding`, then ``n_layers`` times:
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
    absolute position encoding, see :class:`PositionEncoding`), or a bidirectional LSTM;
    the head's output is concatenated with the ResNet's (skip connection), flattened and
    passed to two dense layers. The model outputs **logits** and is compiled with
    binary cross-entropy from logits; use :func:`predict_probabilities` for probabilities.
    Layers are named ``input_*``, ``resnet_*``, ``head_*`` and ``classifier_*`` so
    :func:`count_parameters` can sum them per part.

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
        parts.insert(0, layers.Bidirectional(layers.LSTM(lstm_units, return_sequences=True),
                                             name="head_bilstm")(trunk))
    if head != "none" and not skip:
        parts = parts[:1]
    x = layers.Concatenate(name="classifier_skip")(parts) if len(parts) > 1 else parts[0]
    x = classifier(x, n_targets, dense_units, dropout, pooling, classifier_norm)
    model = keras.Model(inputs, x, name=f"resnet_{head}_{input_mode}")
    compile_logits(model, learning_rate, warmup_steps, accumulation_steps, loss)
    return model


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


def build_named(name: str, size: str = "small", seq_len: int = 1000, n_targets: int = 919,
                learning_rate: float = 1e-4, **options):
    """``resnet``, ``resnet_transformer`` or ``resnet_bilstm`` at a named size (:data:`SIZES`).

    Parameters
    ----------
    name : {"resnet", "resnet_transformer", "resnet_bilstm"}
    size : {"capstone", "small", "tiny"}
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
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {sorted(SIZES)}")
    return build_beyond_danq(seq_len, n_targets, head=heads[name], learning_rate=learning_rate,
                             **{**SIZES[size], **options})


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


def measure_cost(model, X, y, batch_size: int = 32, steps: int = 3) -> dict:
    """Training throughput and a memory estimate of one model on this machine.

    Throughput: ``steps`` timed ``train_on_batch`` calls after one untimed warm-up call
    (which traces the graph); the model's weights change. Memory: parameters plus Adam's
    two moments (3 x 4 bytes per parameter) and the float32 outputs of every layer for
    one batch (a lower bound on the activations kept for the backward pass).

    Parameters
    ----------
    model : keras.Model
        Compiled.
    X : np.ndarray, shape (>= batch_size, L, 4), float32
    y : np.ndarray, shape (>= batch_size, T), float32
    batch_size, steps : int

    Returns
    -------
    dict
        ``samples_per_s``, ``weights_mb`` and ``activations_mb``.

    Introduced in: 09_beyond_danq
    """
    import time

    if len(X) < batch_size:
        raise ValueError(f"need at least batch_size={batch_size} sequences, got {len(X)}")
    xb, yb = np.asarray(X[:batch_size], np.float32), np.asarray(y[:batch_size], np.float32)
    model.train_on_batch(xb, yb)
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(xb, yb)
    seconds = time.perf_counter() - start
    return {"samples_per_s": batch_size * steps / seconds, **estimate_memory(model, batch_size)}


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


# Scores live in course_lib.metrics; this name stays importable from here.
from course_lib.metrics import capstone_metrics  # noqa: E402,F401
