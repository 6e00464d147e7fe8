"""``course train`` and train_model: outputs, resumption after a kill, user errors."""

import argparse
import json

import keras
import numpy as np
import pandas as pd
import pytest

from course_lib import models, simulation, training
from course_lib.domains import deepsea
from course_lib.app import train

SIM = dict(n_train=40, n_valid=10, n_test=10, n_targets=6, seq_len=600, seed=2)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sim") / "deepsea_train"
    deepsea.simulate_deepsea(folder, **SIM)
    return folder


def _args(*argv):
    parser = argparse.ArgumentParser()
    train.add_train_arguments(parser)
    return parser.parse_args(list(argv))


class _Kill(keras.callbacks.Callback):
    """Simulates a preemption: raises at the end of epoch ``at``."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt(f"killed after epoch {epoch}")


def _fit(data, out, epochs, callbacks=()):
    training.set_seed(0)
    model = models.build_model("danq", "tiny", seq_len=600, n_targets=6)
    train = deepsea.make_dataset(data, "train", 20, seed=0)
    valid = deepsea.make_dataset(data, "valid", 20, shuffle=False)
    return training.train_model(model, train, valid, out, epochs=epochs, patience=10, verbose=0,
                                callbacks=list(callbacks))


@pytest.mark.slow
def test_resumes_after_a_kill_without_repeating_epochs(data, tmp_path):
    with pytest.raises(KeyboardInterrupt):
        _fit(data, tmp_path, epochs=4, callbacks=[_Kill(at=1)])
    assert (tmp_path / "backup").exists()
    assert pd.read_csv(tmp_path / "log.csv")["epoch"].tolist() == [0, 1]
    _fit(data, tmp_path, epochs=4)
    assert pd.read_csv(tmp_path / "log.csv")["epoch"].tolist() == [0, 1, 2, 3]
    assert not (tmp_path / "backup").exists()  # removed once training completed
    assert (tmp_path / "model.keras").is_file() and (tmp_path / "checkpoints" / "best.keras").is_file()


def test_course_train_writes_metrics_and_a_reloadable_model(data, tmp_path, capsys):
    out = tmp_path / "run"
    code = train.run_train(_args("deepsea", "--data", str(data), "--size", "tiny", "--epochs", "2",
                                    "--batch-size", "20", "--out", str(out), "--quiet"))
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == "deepsea" and metrics["train_rows"] == 80
    assert 0 <= metrics["median_roc_auc_all"] <= 1
    table = pd.read_csv(out / "targets.csv")
    assert len(table) == 6 and {"assay", "roc_auc", "pr_auc", "prevalence", "oracle_auc"} <= set(table.columns)
    model = training.load_model(out / "model.keras")
    X, _ = deepsea.load_split(data, "test")
    again = training.load_model(out / "model.keras")
    np.testing.assert_array_equal(model.predict(X.astype(np.float32), verbose=0),
                                  again.predict(X.astype(np.float32), verbose=0))


def test_course_train_data_deepsea_uses_the_registry_folder(data, tmp_path, monkeypatch):
    import course_lib.data

    monkeypatch.setattr(course_lib.data, "fetch", lambda name, **kw: data.parent)
    code = train.run_train(_args("danq", "--data", "deepsea", "--size", "tiny", "--epochs", "1",
                                    "--batch-size", "20", "--subset", "0.5", "--out", str(tmp_path), "--quiet"))
    assert code == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert 30 <= metrics["train_rows"] < 80


@pytest.mark.parametrize("problem, expected", [
    ("missing", "no such folder"),
    ("wrong_shape", "expected testxdata (N, 4, L)"),
    ("labels_minus_one", "labels must be 0 or 1, row 0 has [-1]"),
    ("not_one_hot", "the sequences are not one-hot (row 1"),
    ("targets_short", "targets.tsv describes 2 targets but the data have 6; fix or delete"),
])
def test_user_errors_are_one_message_and_exit_code_2(data, tmp_path, capsys, problem, expected):
    import shutil

    from scipy.io import loadmat, savemat

    folder = tmp_path / "bad"
    if problem != "missing":
        shutil.copytree(data, folder)
    if problem == "wrong_shape":
        savemat(folder / "test.mat", {"testxdata": np.zeros((2, 600, 4), np.uint8),
                                      "testdata": np.zeros((2, 6), np.uint8)}, format="5")
    if problem in ("labels_minus_one", "not_one_hot"):
        valid = loadmat(folder / "valid.mat")
        x, y = valid["validxdata"], valid["validdata"].astype(np.int16)
        if problem == "labels_minus_one":
            y[0, 0] = -1
        else:
            x[1, :, 7] = 1  # four bases at one position
        savemat(folder / "valid.mat", {"validxdata": x, "validdata": y}, format="5")
    if problem == "targets_short":
        lines = (folder / "targets.tsv").read_text().splitlines()
        (folder / "targets.tsv").write_text("\n".join(lines[:3]) + "\n")
    (folder / "structure.json").unlink(missing_ok=True)
    code = train.run_train(_args("danq", "--data", str(folder), "--out", str(tmp_path / "o")))
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("course train:") and "Traceback" not in err
    assert expected in err
    if folder.is_dir():
        assert not (folder / "structure.json").exists(), "nothing is written into --data"


@pytest.mark.parametrize("flag, value, message", [
    ("--epochs", "0", "argument --epochs: must be at least 1, got 0"),
    ("--batch-size", "-5", "argument --batch-size: must be at least 1, got -5"),
    ("--lr", "0", "argument --lr: must be positive, got 0"),
    ("--accumulation-steps", "0", "argument --accumulation-steps: must be at least 1"),
    ("--subset", "-0.1", "argument --subset: must be positive"),
    ("--n-targets", "many", "argument --n-targets: expects a whole number, got 'many'"),
])
def test_bad_numbers_are_refused_by_flag(tmp_path, flag, value, message):
    import subprocess

    result = subprocess.run(["course", "train", "danq", flag, value, "--out", str(tmp_path / "o")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "o").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet"])
def test_course_train_fits_a_lesson_09_logits_model_through_the_cli(data, tmp_path, name):
    from course_lib.app import cli

    out = tmp_path / name
    code = cli.main(["train", name, "--data", str(data), "--size", "tiny", "--epochs", "1",
                     "--batch-size", "20", "--warmup-steps", "2", "--out", str(out), "--quiet"])
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == name and metrics["train_rows"] == 80
    table = pd.read_csv(out / "targets.csv")
    assert len(table) == 6 and table["roc_auc"].dropna().between(0, 1).all()
    assert table["roc_auc"].notna().any() and 0 <= metrics["median_roc_auc_all"] <= 1
    model = training.load_model(out / "model.keras")  # safe mode
    assert model.get_layer("classifier_logits").output.shape[-1] == 6
    X, y = deepsea.load_split(data, "train")
    # the output bias started at the training log odds; one short epoch moves it only a little
    bias = model.get_layer("classifier_logits").bias.numpy()
    from course_lib import tricks
    np.testing.assert_allclose(bias, tricks.prevalence_logits(y), atol=0.5)


def test_training_prevalence_matches_the_label_means(data):
    _, y = deepsea.load_split(data, "train")
    np.testing.assert_allclose(train.training_prevalence(data, chunk_rows=7), y.mean(axis=0))
    rows = np.array([0, 3, 10, 41, 79])
    np.testing.assert_allclose(train.training_prevalence(data, rows, chunk_rows=7), y[rows].mean(axis=0))


def test_a_checkpoint_of_another_architecture_is_not_loaded(tmp_path, capsys):
    """An edited Model cell (here: other widths) retrains instead of loading the old model."""
    path = tmp_path / "model.keras"
    old = models.build_danq(seq_len=60, n_targets=3, filters=4, kernel_size=6, pool_size=3,
                            lstm_units=2, dense_units=4)
    training.save_model(old, path)
    same = models.build_danq(seq_len=60, n_targets=3, filters=4, kernel_size=6, pool_size=3,
                             lstm_units=2, dense_units=4)
    calls = []
    loaded = training.load_or_train(path, lambda: calls.append(1) or same, like=same)
    assert not calls and training.architecture(loaded) == training.architecture(old)
    edited = models.build_danq(seq_len=60, n_targets=3, filters=8, kernel_size=6, pool_size=3,
                               lstm_units=2, dense_units=4)
    result = training.load_or_train(path, lambda: calls.append(1) or edited, like=edited)
    assert calls == [1] and result is edited
    assert "another architecture" in capsys.readouterr().out
    assert training.architecture(training.load_model(path)) == training.architecture(edited)


def test_an_out_that_is_a_file_is_refused_by_flag(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    code = train.run_train(_args("danq", "--out", str(tmp_path / "afile")))
    assert code == 2 and (tmp_path / "afile").read_text() == "x"
    assert "--out" in capsys.readouterr().err


def test_monitor_val_auc_keeps_the_epoch_with_the_highest_validation_auc(data, tmp_path):
    training.set_seed(0)
    model = models.build_model("danq", "tiny", seq_len=600, n_targets=6)  # compiled with an "auc" metric
    train = deepsea.make_dataset(data, "train", 20, seed=0)
    valid = deepsea.make_dataset(data, "valid", 20, shuffle=False)
    kept = training.train_model(model, train, valid, tmp_path, epochs=3, patience=3, verbose=0,
                                monitor="val_auc")
    log = pd.read_csv(tmp_path / "log.csv")
    scores = dict(zip(["loss", "auc"], kept.evaluate(valid, verbose=0)))
    assert scores["auc"] == pytest.approx(log["val_auc"].max(), abs=1e-5)


@pytest.mark.parametrize("monitor, expected", [
    ("auc", "must be a validation quantity"),
    ("val_accuracy", "monitor='val_accuracy' is not logged by this model"),
])
def test_a_monitor_the_model_does_not_log_is_refused_and_nothing_is_left(data, tmp_path, monitor, expected):
    training.set_seed(0)
    model = models.build_model("danq", "tiny", seq_len=600, n_targets=6)
    train = deepsea.make_dataset(data, "train", 20, seed=0)
    valid = deepsea.make_dataset(data, "valid", 20, shuffle=False)
    with pytest.raises(ValueError, match=expected):
        training.train_model(model, train, valid, tmp_path / "run", epochs=2, verbose=0, monitor=monitor)
    assert not (tmp_path / "run").exists()


def test_set_seed_seeds_python_and_numpy_as_their_own_seed_functions_do():
    """training.set_seed is the course's one seeding place; Keras' set_random_seed seeds
    Python's and NumPy's global generators with the same integer."""
    import random

    training.set_seed(7, deterministic=False)
    ours = (random.random(), float(np.random.rand()))
    random.seed(7)
    np.random.seed(7)
    assert ours == (random.random(), float(np.random.rand()))
