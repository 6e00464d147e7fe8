"""Model builders: published parameter counts, output shapes, safe-mode save/reload."""

import numpy as np
import pytest

import keras

from course_lib import models, training
from course_lib.domains import language, resistance


def _params(model, name):
    return model.get_layer(name).count_params()


def test_danq_published_parameter_counts():
    model = models.build_danq()
    # 4*26*320 + 320 and 2 directions * 4 gates * (320*(320+320) + 320)
    assert _params(model, "conv") == 33_600
    assert _params(model, "bilstm") == 1_640_960
    assert model.get_layer("pool").output.shape[1] == 75  # (1000 - 26 + 1) // 13
    assert _params(model, "dense") == 75 * 640 * 925 + 925
    assert model.output.shape == (None, 919)


def test_deepsea_published_shapes():
    model = models.build_deepsea()
    assert model.get_layer("conv3").output.shape[1:] == (53, 960)
    assert _params(model, "conv1") == 4 * 8 * 320 + 320
    assert _params(model, "conv2") == 320 * 8 * 480 + 480
    assert _params(model, "conv3") == 480 * 8 * 960 + 960
    assert _params(model, "dense") == 53 * 960 * 925 + 925
    assert model.output.shape == (None, 919)


@pytest.mark.parametrize(
    "builder, kwargs",
    [
        (models.build_danq, dict(filters=8, lstm_units=4, dense_units=8)),
        (models.build_deepsea, dict(filters=(4, 4, 4), dense_units=8)),
    ],
)
def test_small_variant_output_follows_targets(builder, kwargs):
    model = builder(seq_len=200, n_targets=7, **kwargs)
    x = np.zeros((3, 200, 4), np.float32)
    out = model.predict(x, verbose=0)
    assert out.shape == (3, 7)
    assert np.all((out > 0) & (out < 1))


@pytest.mark.parametrize("builder", [models.build_danq, models.build_deepsea])
def test_too_short_input_is_a_clear_error(builder):
    with pytest.raises(ValueError, match="too short"):
        builder(seq_len=20)


@pytest.mark.parametrize(
    "builder, kwargs",
    [
        (models.build_danq, dict(filters=8, lstm_units=4, dense_units=8)),
        (models.build_deepsea, dict(filters=(4, 4, 4), dense_units=8)),
    ],
)
def test_save_reload_safe_mode_gives_identical_predictions(tmp_path, builder, kwargs):
    model = builder(seq_len=200, n_targets=5, **kwargs)
    x = np.random.default_rng(0).random((4, 200, 4)).astype(np.float32)
    model.fit(x, np.ones((4, 5), np.float32), epochs=1, verbose=0)  # non-initial weights
    path = tmp_path / "m.keras"
    training.save_model(model, path)
    again = training.load_model(path)
    np.testing.assert_array_equal(model.predict(x, verbose=0), again.predict(x, verbose=0))


def test_load_missing_model_says_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="course train"):
        training.load_model(tmp_path / "nope.keras")


@pytest.mark.parametrize("name, body, match", [
    ("m.keras", b"not a zip at all", r"m.keras is not a Keras 3 archive"),
    ("m.h5", b"\x89HDF\r\n\x1a\n" + bytes(64), r"m.h5 is an HDF5 file \(Keras 2's .h5\)"),
    ("m.keras", None, r"m.keras could not be loaded as a Keras model in safe mode"),
], ids=["not-zip", "keras2-h5", "truncated-zip"])
def test_files_that_are_not_models_are_named(tmp_path, name, body, match):
    path = tmp_path / name
    if body is None:  # a zip whose config is damaged
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("metadata.json", '{"keras_version": "3.0.0"}')
            archive.writestr("config.json", '{"class_name": "Functional", "config": ')
        body = buffer.getvalue()
    path.write_bytes(body)
    with pytest.raises(ValueError, match=match):
        training.load_model(path)


def test_a_lambda_layer_is_refused_by_safe_mode(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match=r"lambda.keras could not be loaded .* safe mode.*Lambda"):
        training.load_model(tmp_path / "lambda.keras")


def test_two_writers_of_one_checkpoint_leave_one_complete_file(tmp_path):
    """Two runs of a lesson into one run directory: each save is a rename of a whole file."""
    import threading

    path = tmp_path / "runs" / "best.keras"
    path.parent.mkdir()
    x = np.ones((2, 60, 4), np.float32)
    built = [models.build_danq(seq_len=60, n_targets=3, filters=4, kernel_size=6, pool_size=3,
                               lstm_units=2, dense_units=4) for _ in range(2)]
    threads = [threading.Thread(target=lambda m=m: [training.save_model(m, path) for _ in range(3)])
               for m in built]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loaded = training.load_model(path).predict(x, verbose=0)
    assert any(np.allclose(loaded, m.predict(x, verbose=0)) for m in built)
    assert sorted(p.name for p in path.parent.iterdir()) == ["best.keras"]


@pytest.mark.slow
def test_a_resistance_lstm_with_max_pooling_reloads_in_a_fresh_process(tmp_path):
    """Lesson 07's pooling="max" model uses a custom layer; a new process must know it."""
    import subprocess
    import sys

    model = resistance.build_resistance_lstm(seq_len=20, embedding_dim=4, units=3, n_layers=1,
                                          pooling="max")
    x = np.random.default_rng(0).integers(0, 5, (3, 20)).astype(np.int32)
    training.save_model(model, tmp_path / "r.keras")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "p.npy", model.predict(x, verbose=0))
    code = ("import numpy as np; from course_lib import training; "
            f"m = training.load_model(r'{tmp_path / 'r.keras'}'); "
            f"p = m.predict(np.load(r'{tmp_path / 'x.npy'}'), verbose=0); "
            f"np.testing.assert_allclose(p, np.load(r'{tmp_path / 'p.npy'}'), rtol=1e-5)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-1500:]


# One of each model type a lesson or `course train` saves: (name, builder, input)
def _every_saved_model():
    rng = np.random.default_rng(0)
    onehot = lambda n, L: np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, L))]  # noqa: E731
    codes = lambda n, L, k=4: rng.integers(0, k, (n, L)).astype(np.int32)  # noqa: E731
    yield "04 primer CNN", models.build_primer_cnn(seq_len=30, filters=4), onehot(3, 30)
    for name in ("danq", "deepsea"):  # 05, 06, course train
        yield f"05 {name}", models.build_model(name, "tiny", 200, 3), onehot(3, 200)
    for kind in ("dense", "simple_rnn", "lstm", "gru", "conv1d"):  # 01-03
        yield f"01 {kind}", models.build_sequence_classifier(kind, 20, channels=4, units=2,
                                                              seed=0), onehot(3, 20)
    for pooling in ("last", "max"):  # 07
        yield f"07 {pooling}", resistance.build_resistance_lstm(
            seq_len=20, embedding_dim=4, units=3, n_layers=1, pooling=pooling), codes(3, 20, 5)
    for cell in ("rnn", "gru", "lstm"):  # 08
        yield f"08 {cell}", language.build_language_model(cell, 4, 1, 2, 0.01, 0), codes(3, 12)
    yield "08 multitask", language.build_multitask_gru(3, 4, 1, 2, 0.0, 0.01, 0), codes(3, 12)
    for name in ("resnet", "resnet_transformer", "resnet_bilstm"):  # 09, course train
        yield f"09 {name}", models.build_named(name, "tiny", 200, 3), onehot(3, 200)
    yield "09 one-hot", models.build_named("resnet", "tiny", 200, 3,
                                           input_mode="onehot"), onehot(3, 200)


@pytest.mark.slow
def test_every_saved_model_type_reloads_in_a_fresh_process_in_safe_mode(tmp_path):
    """Every model a lesson or `course train` saves reloads with training.load_model (safe mode)
    in a new process that has imported nothing else, and predicts the same."""
    import json
    import subprocess
    import sys

    saved = []
    for i, (name, model, x) in enumerate(_every_saved_model()):
        training.save_model(model, tmp_path / f"{i}.keras")
        np.save(tmp_path / f"{i}.x.npy", x)
        np.save(tmp_path / f"{i}.p.npy", model.predict(x, verbose=0))
        saved.append(name)
    code = f"""
import json, sys
import numpy as np
from course_lib import training
bad = []
for i, name in enumerate(json.loads(sys.argv[1])):
    try:
        m = training.load_model(r'{tmp_path}/%d.keras' % i)
        p = m.predict(np.load(r'{tmp_path}/%d.x.npy' % i), verbose=0)
        np.testing.assert_allclose(p, np.load(r'{tmp_path}/%d.p.npy' % i), rtol=1e-4, atol=1e-6)
    except Exception as err:
        bad.append(f"{{name}}: {{type(err).__name__}}: {{str(err)[:300]}}")
print("\\n".join(bad))
sys.exit(1 if bad else 0)
"""
    result = subprocess.run([sys.executable, "-c", code, json.dumps(saved)], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1500:]
    assert len(saved) == 18
