"""Lesson 09 training tricks: hand-checked bias, warm-up values, accumulation, focal loss."""

from __future__ import annotations

import numpy as np
import pytest

import keras

from course_lib import tricks


def test_prevalence_logits_are_log_odds():
    y = np.zeros((100, 3), np.uint8)
    y[:2, 0] = 1    # 2%
    y[:50, 1] = 1   # 50%
    got = tricks.prevalence_logits(y)  # target 2 has no positives: clipped at 1e-4
    np.testing.assert_allclose(got, [np.log(0.02 / 0.98), 0.0, np.log(1e-4 / (1 - 1e-4))], rtol=1e-6)
    assert got[0] == pytest.approx(-3.8918, abs=1e-4)
    with pytest.raises(ValueError, match=r"\(n, T\)"):
        tricks.prevalence_logits(np.zeros(5))


def _dense_model(n_in=3, n_out=2, seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((n_in,))
    out = keras.layers.Dense(n_out, name="classifier_logits")(inputs)
    return keras.Model(inputs, out)


def test_prevalence_bias_starts_at_the_base_rate_and_lowers_the_first_loss():
    rng = np.random.default_rng(0)
    y = (rng.random((400, 2)) < [0.02, 0.1]).astype(np.float32)
    model = _dense_model()
    model.get_layer("classifier_logits").kernel.assign(np.zeros((3, 2), np.float32))
    X = rng.normal(size=(400, 3)).astype(np.float32)
    bce = tricks.make_loss("bce")
    before = float(bce(y, model(X)))
    assert before == pytest.approx(np.log(2), abs=1e-6)  # sigmoid(0) = 0.5 on every label
    tricks.set_prevalence_bias(model, y)
    p = 1 / (1 + np.exp(-keras.ops.convert_to_numpy(model(X))))
    np.testing.assert_allclose(p[0], y.mean(axis=0), rtol=1e-4)
    entropy = -np.mean(y.mean(0) * np.log(y.mean(0)) + (1 - y.mean(0)) * np.log(1 - y.mean(0)))
    assert float(bce(y, model(X))) == pytest.approx(entropy, rel=1e-4)
    with pytest.raises(ValueError, match="targets"):
        tricks.set_prevalence_bias(model, y[:, :1])


def test_warmup_schedule_values_and_serialization():
    schedule = tricks.warmup_schedule(1e-3, 4)
    got = [float(schedule(s)) for s in range(6)]
    np.testing.assert_allclose(got, [2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3, 1e-3], rtol=1e-6)
    assert float(tricks.warmup_schedule(1e-3, 1)(0)) == pytest.approx(1e-3)  # no ramp
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert [float(again(s)) for s in range(6)] == pytest.approx(got)  # Keras' own class
    with pytest.raises(ValueError, match="warmup_steps"):
        tricks.warmup_schedule(1e-3, 0)


def test_make_optimizer_switches():
    plain = tricks.make_optimizer(1e-4)
    assert plain.gradient_accumulation_steps is None
    assert float(plain.learning_rate) == pytest.approx(1e-4)
    tricked = tricks.make_optimizer(1e-4, warmup_steps=500, accumulation_steps=4)
    assert tricked.gradient_accumulation_steps == 4
    assert isinstance(tricked._learning_rate, keras.optimizers.schedules.CosineDecay)
    with pytest.raises(ValueError, match="accumulation_steps"):
        tricks.make_optimizer(accumulation_steps=0)


@pytest.mark.parametrize("updates", [1, 2])
def test_accumulating_4_batches_of_25_equals_batches_of_100(updates):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100 * updates, 3)).astype(np.float32)
    y = (rng.random((100 * updates, 2)) < 0.3).astype(np.float32)
    weights = []
    for batch, steps in ((100, 1), (25, 4)):
        model = _dense_model()
        model.compile(optimizer=tricks.make_optimizer(1e-2, accumulation_steps=steps),
                      loss=tricks.make_loss("bce"))
        model.fit(X, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        weights.append(model.get_layer("classifier_logits").get_weights())
    for big, accumulated in zip(*weights):
        np.testing.assert_allclose(big, accumulated, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kind, y, expected", [
    ("bce", 1.0, np.log(2)),
    ("focal", 1.0, 0.25 * 0.75 * np.log(2)),   # (1 - p_t)^2 * alpha * log 2 at p = 0.5
    ("focal", 0.0, 0.25 * 0.25 * np.log(2)),   # negatives weighted 1 - alpha
    ("balanced", 1.0, 0.75 * np.log(2)),       # gamma 0: class weight only
])
def test_losses_at_logit_zero_by_hand(kind, y, expected):
    loss = tricks.make_loss(kind)
    assert float(loss(np.array([[y]], np.float32), np.zeros((1, 1), np.float32))) == pytest.approx(expected, rel=1e-5)


def test_unknown_loss():
    with pytest.raises(ValueError, match="choose one of"):
        tricks.make_loss("hinge")


def test_prevalence_bias_from_column_means_equals_from_labels():
    y = np.zeros((50, 2), np.uint8)
    y[:5, 0] = 1
    y[:20, 1] = 1
    a, b = _dense_model(), _dense_model()
    np.testing.assert_array_equal(tricks.set_prevalence_bias(a, y),
                                  tricks.set_prevalence_bias(b, prevalence=y.mean(axis=0)))
    with pytest.raises(ValueError, match="exactly one"):
        tricks.set_prevalence_bias(a)


def _lesson_09_compile_cell() -> dict:
    """Lesson 09's compile_logits and set_prevalence_bias, executed from the notebook."""
    import nbformat

    from conftest import NOTEBOOKS

    nb = nbformat.read(NOTEBOOKS / "09_beyond_danq.ipynb", as_version=4)
    cells = [c.source for c in nb.cells
             if c.cell_type == "code" and "def compile_logits(" in c.source]
    assert len(cells) == 1, "lesson 09 should have one code cell defining compile_logits"
    ns = dict(keras=keras, np=np)
    exec(cells[0], ns)
    return ns


@pytest.mark.parametrize("loss", tricks.LOSSES)
@pytest.mark.parametrize("warmup, accumulation", [(0, 1), (1, 1), (4, 2)])
def test_lesson_09s_compile_cell_is_tricks_compile_logits(loss, warmup, accumulation):
    """The compile written out in lesson 09's Train cell and tricks.compile_logits (what
    ``course train`` calls) give the same learning rate at every update, the same gradient
    accumulation, the same loss on the same logits, and the same weights after training."""
    lesson = _lesson_09_compile_cell()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 3)).astype(np.float32)
    y = (rng.random((16, 2)) < 0.3).astype(np.float32)
    logits = rng.normal(size=(16, 2)).astype(np.float32)
    models = []
    for compile_ in (lesson["compile_logits"], tricks.compile_logits):
        model = _dense_model()
        compile_(model, 1e-2, warmup_steps=warmup, accumulation_steps=accumulation, loss=loss)
        models.append(model)
    ours, library = (m.optimizer for m in models)
    assert ours.gradient_accumulation_steps == library.gradient_accumulation_steps
    rates = [[float(o.learning_rate) if not warmup else float(o._learning_rate(step))
              for step in range(6)] for o in (ours, library)]
    np.testing.assert_allclose(rates[0], rates[1], rtol=1e-6)
    if warmup:
        assert rates[1][0] == pytest.approx(1e-2 / warmup)
    np.testing.assert_allclose(float(models[0].loss(y, logits)), float(models[1].loss(y, logits)),
                               rtol=1e-6)
    for model in models:
        model.fit(X, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(models[0].get_weights(), models[1].get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_lesson_09s_prevalence_bias_is_tricks_set_prevalence_bias():
    lesson = _lesson_09_compile_cell()
    y = np.zeros((50, 2), np.uint8)
    y[:5, 0] = 1  # target 1 has no positives: both clip it at 1e-4
    a, b = _dense_model(), _dense_model()
    lesson["set_prevalence_bias"](a, y)
    tricks.set_prevalence_bias(b, y)
    np.testing.assert_array_equal(a.get_layer("classifier_logits").bias.numpy(),
                                  b.get_layer("classifier_logits").bias.numpy())
