"""Lesson 09 builders: shapes, parameter counts by formula, safe-mode save/reload, Grad-CAM."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import interpretation, layers, metrics, models
from course_lib.domains import capstone
from course_lib.training import load_model, save_model

L, T = 32, 3


def _onehot(n=6, length=L, seed=0):
    codes = np.random.default_rng(seed).integers(0, 4, (n, length))
    return np.eye(4, dtype=np.float32)[codes]


def _tiny(head="transformer", input_mode="embedding", **options):
    return models.build_beyond_danq(L, T, head=head, input_mode=input_mode,
                                  **{**models.SIZES["beyond_danq"]["tiny"], **options})


@pytest.mark.parametrize("head", models.HEADS)
@pytest.mark.parametrize("input_mode", ["onehot", "embedding"])
def test_save_and_reload_in_safe_mode_gives_identical_logits(tmp_path, head, input_mode):
    model = _tiny(head, input_mode)
    X = _onehot()
    before = model.predict(X, verbose=0)
    assert before.shape == (6, T) and before.dtype == np.float32
    save_model(model, tmp_path / "m.keras")
    after = load_model(tmp_path / "m.keras").predict(X, verbose=0)
    np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("position", ["learned", "sinusoidal"])
def test_position_encodings_reload(tmp_path, position):
    model = _tiny(position=position)
    X = _onehot()
    save_model(model, tmp_path / "m.keras")
    np.testing.assert_array_equal(model.predict(X, verbose=0),
                                  load_model(tmp_path / "m.keras").predict(X, verbose=0))


@pytest.mark.parametrize("seq_len, widths, expected", [(32, (4, 4, 8), 4), (1000, (4, 4, 8), 125),
                                                       (600, (4, 4, 8), 75), (33, (4, 8), 9)])
def test_trunk_halves_the_length_per_block(seq_len, widths, expected):
    model = models.build_beyond_danq(seq_len, T, head="none", input_mode="onehot", widths=widths,
                                   widen=2, kernel_size=3, dense_units=4)
    assert model.get_layer("resnet_out").output.shape[1:] == (expected, widths[-1] * 2)


def test_parameters_per_part_match_the_formulas():
    e, w, k, dense = 4, (4, 4, 8), 5, 8
    h, kd, d, ff = 2, 4, 8, 8
    model = _tiny()
    counts = capstone.count_parameters(model)
    assert counts["input"] == 5 * e  # N, A, C, G, T
    # stem e*k*4 ; block: bn0 4*c_in, 1x1 c_in*c/4, bn1 4*c/4, k conv k*(c/4)^2, bn2, 1x1 (c/4)*c,
    # projection c_in*c (every block strides); final bn 4*c_out
    def block(c_in, c):
        i = c // 4
        return 4 * c_in + c_in * i + 4 * i + k * i * i + 4 * i + i * c + c_in * c
    resnet = e * k * w[0] + block(w[0], w[0]) + block(w[0], w[1]) + block(w[1], w[2]) + 4 * w[2]
    assert counts["resnet"] == resnet
    per_layer = (4 * d * h * kd + 3 * h * kd + d) + (2 * d * ff + ff + d) + 4 * d
    length = math.ceil(L / 8)
    assert counts["head"] == (w[2] * d + d) + length * d + per_layer + 2 * d
    flat = length * (d + w[2])
    assert counts["classifier"] == flat * dense + dense + dense * T + T
    assert sum(counts[p] for p in capstone.PARTS) == counts["total"] == model.count_params()


def test_capstone_transformer_has_the_reported_size():
    # 6 layers, 4 heads x 16, width 256, inner 256: about 1.2M in the layers (report: 1.3M total)
    per_layer = (4 * 256 * 64 + 3 * 64 + 256) + (2 * 256 * 256 + 256 + 256) + 4 * 256
    assert per_layer == 198_592
    assert 1.2e6 < 6 * per_layer + 1024 * 256 + 256 + 125 * 256 + 512 < 1.6e6


def test_bilstm_head_and_no_skip():
    with_skip = capstone.count_parameters(_tiny("bilstm"))
    without = capstone.count_parameters(_tiny("bilstm", skip=False))
    units = models.SIZES["beyond_danq"]["tiny"]["lstm_units"]
    # two LSTMs on 8 channels, then batch norm of their 2 x units outputs (scale, shift, moving mean and variance)
    assert with_skip["head"] == 2 * 4 * units * (8 + units + 1) + 4 * 2 * units
    # the skip adds the trunk's 8 channels at each of the 4 positions to the first dense layer
    assert with_skip["classifier"] - without["classifier"] == 4 * 8 * 8


def test_tokens_and_sinusoidal_table_by_hand():
    x = np.array([[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]], np.float32)
    np.testing.assert_array_equal(np.asarray(layers.OneHotToTokens()(x)), [[1, 2, 3, 4, 0]])
    table = layers.sinusoidal_table(3, 4)
    np.testing.assert_allclose(table[0], [0, 1, 0, 1])
    np.testing.assert_allclose(table[1], [np.sin(1), np.cos(1), np.sin(0.01), np.cos(0.01)], rtol=1e-6)


@pytest.mark.parametrize("kwargs, match", [({"head": "xl"}, "head must be"),
                                           ({"input_mode": "kmer"}, "input_mode"),
                                           ({"position": "rope"}, "position encoding")])
def test_bad_options_say_what_to_use(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _tiny(**kwargs)


def test_build_named_and_errors():
    assert models.build_named("resnet", "tiny", L, T).name == "resnet_none_embedding"
    with pytest.raises(ValueError, match="choose one of"):
        models.build_named("resnet_xl", "tiny", L, T)


def test_predict_probabilities_is_the_sigmoid_of_the_logits():
    model = _tiny()
    X = _onehot()
    logits = model.predict(X, verbose=0)
    np.testing.assert_allclose(capstone.predict_probabilities(model, X), 1 / (1 + np.exp(-logits)), rtol=1e-5)


def test_grad_cam_shape_and_sign():
    model = _tiny("none", "onehot")
    cam = interpretation.grad_cam(model, _onehot(), output=1)
    assert cam.shape == (6, L) and cam.dtype == np.float32 and (cam >= 0).all()
    # nearest-neighbour upsampling: 8 input bases share each of the 4 trunk positions
    assert (cam[:, :8] == cam[:, :1]).all()
    with pytest.raises(ValueError, match="no layer"):
        interpretation.grad_cam(model, _onehot(), layer="conv")


@pytest.mark.tensorflow(reason="its reference Grad-CAM is taken with a tf.GradientTape")
def test_grad_cam_matches_a_gradient_tape_reference():
    """interpretation.grad_cam (any backend, through gradients.input_gradients) equals Grad-CAM
    taken with one TensorFlow GradientTape over the whole model."""
    import keras
    import tensorflow as tf

    from course_lib import interpretation

    keras.utils.set_random_seed(0)  # an unseeded model's map is 0 everywhere at some draws
    model = _tiny("transformer", "onehot")
    logits = model.get_layer("classifier_logits")  # zero-initialised: give it weights, or the map is 0
    kernel, bias = logits.get_weights()
    logits.set_weights([np.random.default_rng(0).normal(size=kernel.shape).astype("float32"), bias])
    X = _onehot()
    probe = keras.Model(model.inputs[0], [model.get_layer("resnet_out").output, model.output])
    with tf.GradientTape() as tape:
        acts, out = probe(X, training=False)
        score = out[:, 1]
    grads = tape.gradient(score, acts).numpy()
    cam = np.maximum((grads.mean(axis=1, keepdims=True) * acts.numpy()).sum(-1), 0)
    expected = np.repeat(cam, X.shape[1] // cam.shape[1], axis=1)
    ours = interpretation.grad_cam(model, X, output=1)
    assert expected.max() > 0 and interpretation.grad_cam is interpretation.grad_cam
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-6 * float(expected.max()))


def test_attention_cost_is_quadratic_in_length():
    cost = capstone.attention_cost([100, 200], n_heads=4, key_dim=16, d_model=256)
    assert cost["attention_macs"].tolist() == [2 * 64 * 100**2, 2 * 64 * 200**2]
    assert cost["projection_macs"].iloc[1] == 2 * cost["projection_macs"].iloc[0]
    assert cost["score_bytes"].tolist() == [4 * 4 * 100**2, 4 * 4 * 200**2]


@pytest.mark.slow
def test_trained_model_with_warmup_and_accumulation_reloads(tmp_path):
    model = _tiny("transformer", warmup_steps=3, accumulation_steps=2)
    X = _onehot(8)
    y = (np.random.default_rng(0).random((8, T)) < 0.3).astype(np.float32)
    model.fit(X, y, batch_size=2, epochs=1, verbose=0)
    save_model(model, tmp_path / "m.keras")
    again = load_model(tmp_path / "m.keras")
    assert again.optimizer.gradient_accumulation_steps == 2
    schedule = again.optimizer._learning_rate  # Keras' own CosineDecay: no custom object
    assert [float(schedule(s)) for s in range(4)] == pytest.approx([1e-4 / 3, 2e-4 / 3, 1e-4, 1e-4])
    np.testing.assert_array_equal(model.predict(X, verbose=0), again.predict(X, verbose=0))


def test_capstone_metrics_by_hand():
    y = np.array([[1, 0], [0, 0], [0, 1], [0, 0]])
    p = np.array([[0.9, 0.1], [0.2, 0.3], [0.6, 0.2], [0.1, 0.1]])
    got = metrics.capstone_metrics(y, p, train_prevalence=[0.75, 0.25])
    assert got["accuracy"] == 6 / 8 and got["all_negative_accuracy"] == 6 / 8
    # target 0 ranks perfectly (ROC 1, PR 1); in target 1 the positive (0.2) beats two of
    # three negatives and one negative (0.3) ranks above it: ROC 2/3, average precision 1/2
    assert got["weighted_roc_auc"] == pytest.approx(0.75 * 1 + 0.25 * (2 / 3))
    assert got["weighted_pr_auc"] == pytest.approx(0.75 * 1 + 0.25 * (1 / 2))
    with pytest.raises(ValueError, match="T weights"):
        metrics.capstone_metrics(y, p, [1.0])


def test_estimate_memory_counts_weights_adam_moments_and_one_batch_of_outputs():
    model = _tiny("none", "onehot")
    one, four = capstone.estimate_memory(model, 1), capstone.estimate_memory(model, 4)
    assert one["weights_mb"] == four["weights_mb"] == 12 * model.count_params() / 2**20
    assert 0 < one["activations_mb"] and four["activations_mb"] == pytest.approx(
        4 * one["activations_mb"])


def _resnet_formula(e, widths, widen, k, ratio):
    """Trunk parameters by hand: stem, three strided bottleneck blocks, final batch norm."""
    def block(c_in, c):
        i = c // ratio
        return 4 * c_in + c_in * i + 4 * i + k * i * i + 4 * i + i * c + c_in * c
    w = [x * widen for x in widths]
    return e * k * w[0] + block(w[0], w[0]) + block(w[0], w[1]) + block(w[1], w[2]) + 4 * w[2]


def test_capstone_resnet_is_within_1_percent_of_the_reported_4_7m():
    import keras

    size = models.SIZES["beyond_danq"]["capstone"]
    expected = _resnet_formula(size["embed_dim"], size["widths"], size["widen"], size["kernel_size"],
                               size["bottleneck"])
    assert expected == pytest.approx(4.7e6, rel=0.01)
    x = keras.Input((64, size["embed_dim"]))
    trunk = keras.Model(x, models.wide_resnet_trunk(x, size["widths"], size["widen"], size["kernel_size"],
                                                   size["bottleneck"]))
    assert trunk.count_params() == expected
    # the usual bottleneck ratio 4 with kernel 9 is what the lesson first used: 2.18M
    assert _resnet_formula(64, (16, 32, 64), 16, 9, 4) == 2_178_560


def test_max_pooling_classifier_with_batch_norm_counts_and_reloads(tmp_path):
    model = _tiny("none", pooling="max", classifier_norm=True)
    counts = capstone.count_parameters(model)
    c, dense = 8, models.SIZES["beyond_danq"]["tiny"]["dense_units"]
    # max over positions: c features, no bias in the dense layer, batch norm 4 * dense
    assert counts["classifier"] == c * dense + 4 * dense + dense * T + T
    X = _onehot()
    save_model(model, tmp_path / "m.keras")
    np.testing.assert_allclose(load_model(tmp_path / "m.keras").predict(X, verbose=0),
                               model.predict(X, verbose=0), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="pooling must be"):
        _tiny(pooling="mean")


def test_logits_start_at_the_output_bias():
    from course_lib import tricks

    model = _tiny()
    y = np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 1, 0]])
    tricks.set_prevalence_bias(model, y)
    np.testing.assert_allclose(model.predict(_onehot(), verbose=0),
                               np.tile(tricks.prevalence_logits(y), (6, 1)), atol=1e-6)


def _lesson_09_cell(start: str) -> str:
    import nbformat

    from conftest import NOTEBOOKS

    nb = nbformat.read(NOTEBOOKS / "09_beyond_danq.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code" and start in c.source]
    assert len(cells) == 1, f"lesson 09 should have one code cell with {start!r}"
    return cells[0]


@pytest.mark.parametrize("name, head, options", [
    ("resnet", "none", {}), ("resnet", "none", {"input_mode": "onehot"}),
    ("resnet_transformer", "transformer", {}),
    ("resnet_transformer", "transformer", {"position": "sinusoidal", "skip": False}),
    ("resnet_bilstm", "bilstm", {"pooling": "max", "classifier_norm": True}),
])
def test_lesson_09s_model_cell_builds_the_librarys_models(name, head, options):
    """The capstone's blocks written out in lesson 09's Model cell and build_named give the same
    layers (names, classes) and the same starting weights at one seed."""
    import keras

    ns = dict(keras=keras, layers=keras.layers, np=np, models=models, SIZE="tiny",
              OneHotToTokens=layers.OneHotToTokens, PositionEncoding=layers.PositionEncoding)
    exec(_lesson_09_cell("def build_capstone("), ns)
    keras.utils.set_random_seed(0)
    ours = ns["build_capstone"](head, 64, 3, **options)
    keras.utils.set_random_seed(0)
    library = models.build_named(name, "tiny", 64, 3, **options)
    assert ([(l.name, type(l).__name__) for l in ours.layers]
            == [(l.name, type(l).__name__) for l in library.layers])
    for a, b in zip(ours.get_weights(), library.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_lesson_09s_grad_cam_cell_is_architectures_grad_cam():
    """Lesson 09's Grad-CAM, written on gradients.input_gradients, equals interpretation.grad_cam."""
    import keras

    from course_lib import gradients

    ns = dict(keras=keras, np=np, gradients=gradients)
    exec(_lesson_09_cell("def grad_cam("), ns)
    model = models.build_named("resnet", "tiny", 64, 3, input_mode="onehot")
    logits = model.get_layer("classifier_logits")  # starts at zero weights: give it some, or the map is 0
    kernel, bias = logits.get_weights()
    logits.set_weights([np.random.default_rng(0).normal(size=kernel.shape).astype("float32"), bias])
    X = np.eye(4, dtype="float32")[np.random.default_rng(1).integers(0, 4, (6, 64))]
    for output in (0, 2):
        ours, theirs = ns["grad_cam"](model, X, output), interpretation.grad_cam(model, X, output=output)
        assert ours.shape == theirs.shape == (6, 64) and theirs.max() > 0
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6 * float(theirs.max()))
