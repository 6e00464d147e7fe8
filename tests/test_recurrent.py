"""course_lib.domains.recurrent: toy tasks, builders, parameter formulas, gradients by lag."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import metrics, models, simulation
from course_lib.domains import recurrent


def test_binary_strings_label_the_motif():
    data = simulation.simulate_binary_strings(200, length=10, motif="111", seed=3)
    assert data.X.shape == (200, 10, 1) and data.X.dtype == np.float32
    assert data.labels.tolist() == [int("111" in s) for s in data.strings]
    assert "".join(str(int(v)) for v in data.X[0, :, 0]) == data.strings[0]
    # P(111 somewhere in 10 fair bits) = 520/1024 ~ 0.51
    assert 0.4 < data.labels.mean() < 0.62
    again = simulation.simulate_binary_strings(200, length=10, motif="111", seed=3)
    assert again.strings == data.strings


@pytest.mark.parametrize("kwargs, message", [({"motif": "121"}, "0s and 1s"),
                                             ({"length": 2}, "length")])
def test_binary_strings_validate(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulation.simulate_binary_strings(10, **kwargs)


@pytest.mark.parametrize("kind, units, channels, kernel, expected", [
    ("conv1d", 2, 1, 3, 8),          # (f + 1) n = 4 * 2
    ("simple_rnn", 2, 1, 3, 8),      # 2n + n^2 = 4 + 4
    ("simple_rnn", 1, 1, 3, 3),
    ("lstm", 1, 1, 3, 12),           # 4 (2n + n^2) = 4 * 3
    ("lstm", 3, 1, 3, 60),           # 4 * (6 + 9)
    ("gru", 2, 1, 3, 30),            # 3 (n c + n^2 + 2n) = 3 * (2 + 4 + 4)
    ("conv1d", 16, 4, 19, 1232),     # (19 * 4 + 1) * 16
    ("dense", 8, 10, 3, 88),
])
def test_parameter_formulas(kind, units, channels, kernel, expected):
    assert recurrent.layer_parameter_count(kind, units, channels, kernel) == expected


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru", "conv1d", "dense"])
@pytest.mark.parametrize("units", [1, 3])
def test_formulas_agree_with_keras(kind, units):
    channels = 4 if kind != "dense" else 12 * 4
    model = models.build_sequence_classifier(kind, length=12, channels=4, units=units,
                                                kernel_size=5)
    assert model.get_layer(kind).count_params() == recurrent.layer_parameter_count(
        kind, units, channels, kernel_size=5)


@pytest.mark.parametrize("kind, read_out, n_outputs, flat", [
    ("simple_rnn", "flatten", 1, 10 * 2), ("lstm", "last", 1, 2), ("conv1d", "max", 3, 2),
])
def test_builder_read_outs(kind, read_out, n_outputs, flat):
    model = models.build_sequence_classifier(kind, length=10, units=2, read_out=read_out,
                                                n_outputs=n_outputs, dropout=0.2)
    assert model.output_shape == (None, n_outputs)
    assert model.get_layer("output").count_params() == (flat + 1) * n_outputs


@pytest.mark.parametrize("kind, length, read_out, message", [
    ("dense", 10, "last", "recurrent layer"), ("lstm", 10, "max", "conv1d"),
    ("cnn", 10, "flatten", "kind must be"), ("lstm", None, "flatten", "fixed length"),
])
def test_builder_rejects_impossible_combinations(kind, length, read_out, message):
    with pytest.raises(ValueError, match=message):
        models.build_sequence_classifier(kind, length=length, read_out=read_out)


def test_any_length_model_reads_longer_sequences():
    model = models.build_sequence_classifier("simple_rnn", None, 4, 3, read_out="last")
    assert model.predict(np.zeros((2, 37, 4), np.float32), verbose=0).shape == (2, 1)


def test_same_seed_same_weights():
    a = models.build_sequence_classifier("lstm", 10, units=2, seed=1)
    b = models.build_sequence_classifier("lstm", 10, units=2, seed=1)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_multi_motif_dataset_plants_what_it_says():
    pwms = [np.eye(4)[[0, 0, 0, 0, 0, 0]], np.eye(4)[[2, 2, 2, 2, 2]]]  # AAAAAA and GGGGG
    seqs, labels, positions = simulation.simulate_multi_motif_dataset(300, 40, pwms, 0.5, seed=2)
    assert labels.shape == positions.shape == (300, 2)
    assert ((positions >= 0) == (labels == 1)).all()
    for s, pos, lab in zip(seqs, positions, labels):
        assert len(s) == 40
        if lab[1]:  # planted last, never overwritten
            assert s[pos[1]:pos[1] + 5] == "GGGGG"
    assert 0.4 < labels.mean() < 0.6


def test_accuracy_by_position_by_hand():
    labels = np.array([1, 1, 1, 1, 0, 0])
    preds = np.array([0, 1, 1, 1, 0, 1])
    pos = np.array([2, 8, 12, 15, -1, -1])
    table = metrics.accuracy_by_position(labels, preds, pos, bins=[0, 10, 20])
    assert table["motif_start"].tolist() == ["0-9", "10-19", "no motif"]
    assert table["n"].tolist() == [2, 2, 2]
    assert table["accuracy"].tolist() == [0.5, 1.0, 0.5]


def test_block_sequences_are_blocks():
    seqs = simulation.simulate_block_sequences(5, 200, max_block=4, seed=0)
    assert seqs.shape == (5, 200) and set(np.unique(seqs)) == {0, 1}
    for s in seqs:
        runs = np.split(s, np.nonzero(np.diff(s))[0] + 1)
        assert runs[0][0] == 0
        lengths = [len(r) for r in runs[:-2]]  # the last block may be cut
        assert max(lengths) <= 4
        assert all(a == b for a, b in zip(lengths[0::2], lengths[1::2]))  # 0^k then 1^k


def test_next_character_windows_follow_the_slides_rule():
    s = np.array([[0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1]])
    X, y = recurrent.next_character_windows(s, window=3)
    # targets t >= 3 after the first rise (t >= 3): keep 1s and 0s that follow a 1
    # t: 3(1) 4(0 after 1) 5(1) 6(0 after 1) 7(0 after 0: dropped) 8(dropped) 9 10 11 (1s)
    assert y.tolist() == [1, 0, 1, 0, 1, 1, 1]
    assert X.shape == (7, 3, 1)
    assert X[0, :, 0].tolist() == [0, 0, 1]      # s[0:3] before t=3
    assert X[-1, :, 0].tolist() == [0, 1, 1]     # s[8:11] before t=11


def test_next_character_windows_validate():
    with pytest.raises(ValueError, match="length > window"):
        recurrent.next_character_windows(np.zeros((2, 5)), window=10)


def test_gradient_by_lag_of_a_known_linear_model():
    """A Conv1D-free linear model y = sum_t w_t x_t has gradient w_t at each position."""
    import keras

    model = keras.Sequential([keras.Input((4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1, use_bias=False)])
    model.layers[-1].set_weights([np.array([[1.0], [-2.0], [0.5], [4.0]])])
    g = recurrent.gradient_by_lag(model, np.random.default_rng(0).random((7, 4, 1)), batch_size=3)
    np.testing.assert_allclose(g, [4.0, 0.5, 2.0, 1.0], rtol=1e-6)  # lag 1 = the last position
    assert recurrent.decay_lag(np.array([4.0, 0.5, 0.03, 1.0])) == 3
    assert recurrent.decay_lag(np.array([4.0, 0.5, 2.0, 1.0])) is None


def test_causal_conv_gradient_stops_at_its_receptive_field():
    model = recurrent.build_lag_model("conv1d", window=30, units=4, kernel_size=3, n_conv_layers=2)
    g = recurrent.gradient_by_lag(model, np.random.default_rng(1).random((16, 30, 1)))
    assert (g[5:] == 0).all()        # receptive field 2 * (3 - 1) + 1 = 5
    assert g[0] > 0


def test_compare_optimizers_starts_every_run_from_the_same_weights():
    import keras

    data = simulation.simulate_binary_strings(64, seed=0)
    build = lambda: models.build_sequence_classifier("conv1d", 10, units=2)  # noqa: E731
    out = recurrent.compare_optimizers(
        build, {"a": lambda: keras.optimizers.SGD(0.0), "b": lambda: keras.optimizers.SGD(0.0)},
        data.X, data.labels, epochs=2, batch_size=16)
    assert set(out) == {"a", "b"} and len(out["a"]["loss"]) == 2
    assert out["a"]["loss"] == out["b"]["loss"]  # learning rate 0: same start, same loss


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru", "conv1d"])
def test_lesson_03s_lag_cell_is_the_librarys(kind):
    """Lesson 03 writes its lag models and the gradient by lag out in a cell; with the same seed
    they are recurrent.build_lag_model's models (same output on the same input) and give
    recurrent.gradient_by_lag's curve (solutions 01 and 03 call the library's)."""
    import keras
    import nbformat

    from conftest import NOTEBOOKS

    nb = nbformat.read(NOTEBOOKS / "03_vanishing_gradients.ipynb", as_version=4)
    cell = [c.source for c in nb.cells if c.source.startswith("# gradient by lag")]
    assert len(cell) == 1, "lesson 03 should have one cell starting '# gradient by lag'"
    ns = dict(keras=keras, np=np, SEED=3, WINDOW=30, LAG_UNITS=4)
    exec(cell[0], ns)
    X = np.random.default_rng(2).integers(0, 2, (16, 30, 1)).astype(np.float32)
    lesson = ns["lag_model"](kind)
    library = recurrent.build_lag_model(kind, 30, units=4, seed=3)
    assert lesson.count_params() == library.count_params()
    np.testing.assert_allclose(lesson.predict(X, verbose=0), library.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ns["gradient_by_lag"](lesson, X),
                               recurrent.gradient_by_lag(library, X), rtol=1e-4, atol=1e-9)
