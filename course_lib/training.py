"""Generic training: seeds, data splits, checkpointed and resumable training, mixed precision,
the distribution strategy, load-or-train. The ``course train`` command is
:mod:`course_lib.app.train`."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and Keras/TensorFlow so a run can be repeated exactly.

    The course's one place that seeds every generator, through ``keras.utils.set_random_seed``:
    Python's ``random``, NumPy's global generator, TensorFlow (when installed), PyTorch on the
    torch backend and Keras' own seed generator.
    (:func:`course_lib.gradients.seed_unseeded_dropout` seeds only PyTorch's generator, on
    purpose: it reseeds dropout every epoch and must leave the other generators alone.)

    Parameters
    ----------
    seed : int
        The seed. The same seed gives the same weights, batches and numbers.
    deterministic : bool
        Also ask TensorFlow for deterministic kernels (``enable_op_determinism``),
        which makes two runs on the same machine bit-identical at a small speed cost.

    Introduced in: 04_one_hot_cnn
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {seed!r}; pass e.g. -p SEED 42")
    os.environ["PYTHONHASHSEED"] = str(seed)  # for child processes; this one's hash is fixed
    import keras

    keras.utils.set_random_seed(int(seed))
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def use_xla() -> None:
    """Let Keras compile training steps with XLA (``jit_compile=True``) on TensorFlow.

    Keras refuses XLA while TensorFlow's op determinism (:func:`set_seed`'s default) is on, so
    this turns op determinism off. Runs stay seeded (same weights, same batches); XLA on a CPU
    is not documented as bit-exact between runs. No effect on the JAX and PyTorch backends.

    Introduced in: 08_genome_language
    """
    import keras

    if keras.backend.backend() == "tensorflow":
        # the counterpart of tf.config.experimental.enable_op_determinism, not exported by TF
        from tensorflow.python.framework import config

        config.disable_op_determinism()


def split_dataset(
    labels: np.ndarray,
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stratified train / validation / test indices.

    Parameters
    ----------
    labels : np.ndarray, shape (n,)
        Class labels (any hashable values); each split keeps their proportions.
    fractions : tuple of 3 floats
        Train, validation and test fractions; they must sum to 1.
    seed : int
        Seed for the shuffle.

    Returns
    -------
    train, valid, test : np.ndarray of int, shapes (n_train,), (n_valid,), (n_test,)
        Disjoint, sorted indices into ``labels``.

    Introduced in: 04_one_hot_cnn
    """
    from sklearn.model_selection import train_test_split

    labels = np.asarray(labels)
    if len(fractions) != 3 or not np.isclose(sum(fractions), 1.0) or min(fractions) <= 0:
        raise ValueError(
            f"fractions must be three positive numbers summing to 1 (train, valid, test), got {fractions}"
        )
    _, counts = np.unique(labels, return_counts=True)
    if counts.min() < 3:
        raise ValueError(
            "every class needs at least 3 examples to appear in train, validation and test; "
            f"the smallest class has {counts.min()}"
        )
    idx = np.arange(len(labels))
    train, rest = train_test_split(
        idx, train_size=fractions[0], stratify=labels, random_state=seed
    )
    valid_share = fractions[1] / (fractions[1] + fractions[2])
    valid, test = train_test_split(
        rest, train_size=valid_share, stratify=labels[rest], random_state=seed
    )
    return np.sort(train), np.sort(valid), np.sort(test)


# --------------------------------------------------------------------------------------
# Training with checkpoints, resumption and logs (lesson 05 and ``course train``)
# --------------------------------------------------------------------------------------


def use_mixed_precision(enabled: bool | None = None) -> bool:
    """Switch Keras to ``mixed_float16`` on GPU (outputs stay float32); no-op on CPU.

    Parameters
    ----------
    enabled : bool, optional
        Force on/off; by default on exactly when a GPU is visible.

    Returns
    -------
    bool
        Whether mixed precision is now on.

    Introduced in: 05_danq_deepsea
    """
    import keras
    import tensorflow as tf

    if enabled is None:
        enabled = bool(tf.config.list_physical_devices("GPU"))
    keras.mixed_precision.set_global_policy("mixed_float16" if enabled else "float32")
    return enabled


def train_model(
    model,
    train_data,
    valid_data,
    out_dir: str | Path,
    epochs: int = 10,
    patience: int = 3,
    verbose: int | str = "auto",
    callbacks: list | None = None,
    monitor: str = "val_loss",
):
    """Fit with best-validation checkpoints, resumption after a kill, early stopping and logs.

    ``out_dir`` receives ``checkpoints/best.keras`` (the best epoch by ``monitor``), ``backup/``
    (BackupAndRestore: rerunning the same call after a kill or preemption resumes at the
    last finished epoch; removed when training completes), ``log.csv`` (one row per epoch,
    appended across resumptions), ``logs/`` (TensorBoard) and, at the end, ``model.keras``
    (the best checkpoint). TensorBoard logs go to ``logs/`` when the ``tensorboard``
    package is installed.

    Parameters
    ----------
    model : keras.Model
        Compiled.
    train_data, valid_data : tf.data.Dataset
        Batches of ``(X (b, L, 4) float32, y (b, T) float32)``, e.g. from
        :func:`course_lib.domains.deepsea.make_dataset`.
    out_dir : str or Path
    epochs : int
        Total epochs, counting those done before a resumption.
    patience : int
        Early stopping: epochs without improvement of ``monitor``.
    verbose : int or "auto"
        Keras progress bars.
    callbacks : list, optional
        Extra Keras callbacks.
    monitor : str
        The logged quantity that picks the best epoch: ``"val_loss"`` (lowest) or a validation
        metric the model was compiled with, e.g. ``"val_auc"`` (highest: every quantity but a
        loss is maximised). Validation loss can rise while the ranking improves, when a model
        leaves the base rate and its first confident predictions are often wrong (lesson 09
        measured it: loss 0.291 -> 0.300 while the AUC went 0.62 -> 0.71); monitor the metric
        the lesson reports in that case. A name the model does not log is refused after the
        first epoch, and a folder this call created is removed.

    Returns
    -------
    keras.Model
        The best checkpoint, loaded in safe mode.

    Introduced in: 05_danq_deepsea
    """
    import keras

    if not monitor.startswith("val_"):
        raise ValueError(f"monitor must be a validation quantity such as 'val_loss' or 'val_auc', got "
                         f"{monitor!r}: the best epoch is chosen on data the model was not fitted to")
    out = Path(out_dir)
    created = not out.exists()
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    best = out / "checkpoints" / "best.keras"
    mode = "min" if monitor.endswith("loss") else "max"

    def require_monitor(epoch, logs):  # else Keras only warns and no best epoch is ever kept
        if monitor not in (logs or {}):
            if created:
                shutil.rmtree(out, ignore_errors=True)
            raise ValueError(f"monitor={monitor!r} is not logged by this model; it logs "
                             f"{sorted(logs or {})}. Compile the model with that metric or monitor one of these")

    standard = [
        keras.callbacks.LambdaCallback(on_epoch_end=require_monitor),
        keras.callbacks.BackupAndRestore(str(out / "backup")),
        keras.callbacks.ModelCheckpoint(str(best), monitor=monitor, mode=mode, save_best_only=True),
        keras.callbacks.EarlyStopping(monitor=monitor, mode=mode, patience=patience),
        keras.callbacks.CSVLogger(str(out / "log.csv"), append=True),
    ]
    if _has_tensorboard():
        standard.append(keras.callbacks.TensorBoard(str(out / "logs"), write_graph=False))
    model.fit(train_data, validation_data=valid_data, epochs=epochs, verbose=verbose, shuffle=False,
              callbacks=standard + list(callbacks or []))
    if not best.exists():  # e.g. every epoch was done before a resumption
        save_model(model, best)
    trained = load_model(best)
    save_model(trained, out / "model.keras")
    return trained


def completed_epochs(backup_dir: str | Path) -> int:
    """Epochs finished before an interruption, from a ``BackupAndRestore`` folder (0 if none).

    Introduced in: 05_danq_deepsea
    """
    meta = Path(backup_dir) / "training_metadata.json"
    return int(json.loads(meta.read_text()).get("epoch", 0)) if meta.is_file() else 0


def _has_tensorboard() -> bool:
    import importlib.util

    return importlib.util.find_spec("tensorboard") is not None


def load_or_train(path: str | Path, train: "callable", like=None):  # noqa: F821
    """Load the ``.keras`` model at ``path`` if present, else call ``train()`` (which saves it).

    Parameters
    ----------
    path : str or Path
        The checkpoint, keyed by the parameters that shape the data and the model.
    train : callable
        Trains and returns the model (and may save it at ``path`` itself).
    like : keras.Model, optional
        The model as the notebook builds it now: a checkpoint whose layers (classes, output
        shapes, parameter counts) differ from it, for example after an edited Model cell, is
        not loaded; the model is trained again and the message says why.

    Introduced in: 05_danq_deepsea
    """
    path = Path(path)
    if path.is_file():
        loaded = load_model(path)
        if like is None or architecture(loaded) == architecture(like):
            return loaded
        print(f"{path} holds another architecture than the Model cell builds now; training "
              "again (the old checkpoint is replaced)", flush=True)
    model = train()
    if not path.is_file() or like is not None:
        save_model(model, path)
    return model


def architecture(model) -> list[tuple[str, str, int]]:
    """A model's layers as (class, output shape, parameter count): what a checkpoint must match.

    Introduced in: 05_danq_deepsea
    """
    def shape(layer) -> str:
        try:
            return str(tuple(layer.output.shape))
        except (AttributeError, ValueError):
            return "?"

    return [(type(layer).__name__, shape(layer), int(layer.count_params())) for layer in model.layers]


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

    import course_lib.layers  # noqa: F401  registers the course's layers (lessons 07 and 09)
    import course_lib.tricks  # noqa: F401  registers lesson 09's warm-up schedule and losses

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
