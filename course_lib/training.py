"""Seeds, data splits and training helpers shared by the lessons."""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
from pathlib import Path

import numpy as np


def set_seed(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and Keras/TensorFlow so a run can be repeated exactly.

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
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(int(seed))
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


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

def distribution_strategy():
    """``MirroredStrategy`` when several GPUs are visible, else the default strategy.

    Returns
    -------
    tf.distribute.Strategy
        Build and compile the model inside ``strategy.scope()``.

    Introduced in: 05_danq_deepsea
    """
    import tensorflow as tf

    from course_lib.slurm import multiworker_strategy

    strategy = multiworker_strategy()  # several tasks of an srun step: one replica set per task
    if strategy is not None:
        return strategy
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


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
):
    """Fit with best-validation checkpoints, resumption after a kill, early stopping and logs.

    ``out_dir`` receives ``checkpoints/best.keras`` (lowest validation loss), ``backup/``
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
        :func:`course_lib.deepsea.make_dataset`.
    out_dir : str or Path
    epochs : int
        Total epochs, counting those done before a resumption.
    patience : int
        Early stopping: epochs without validation-loss improvement.
    verbose : int or "auto"
        Keras progress bars.
    callbacks : list, optional
        Extra Keras callbacks.

    Returns
    -------
    keras.Model
        The best checkpoint, loaded in safe mode.

    Introduced in: 05_danq_deepsea
    """
    import keras

    from course_lib.models import load_model, save_model

    out = Path(out_dir)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    best = out / "checkpoints" / "best.keras"
    standard = [
        keras.callbacks.BackupAndRestore(str(out / "backup")),
        keras.callbacks.ModelCheckpoint(str(best), monitor="val_loss", save_best_only=True),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience),
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
    from course_lib.models import load_model, save_model

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


def evaluate_deepsea_model(model, directory: str | Path, targets=None, batch_size: int = 256,
                           logits: bool = False):
    """Per-target test metrics of a model on a DeepSEA-layout folder, strands averaged.

    Parameters
    ----------
    model : keras.Model
        Outputs probabilities, or logits with ``logits=True`` (lesson 09's models).
    directory : str or Path
        Folder with test.mat (and targets.tsv for the stand-in).
    targets : pandas.DataFrame, optional
        Target table; read from ``directory/targets.tsv`` when present.
    batch_size : int
    logits : bool
        Apply a sigmoid to the outputs before scoring them.

    Returns
    -------
    table : pandas.DataFrame
        :func:`course_lib.metrics.evaluate_targets` on the forward-half labels.
    summary : pandas.DataFrame
        :func:`course_lib.metrics.summarize_targets` by assay class.

    Introduced in: 05_danq_deepsea
    """
    from course_lib import deepsea
    from course_lib.metrics import evaluate_targets, summarize_targets

    X, y = deepsea.load_split(directory, "test")
    pred = model.predict(X.astype(np.float32), batch_size=batch_size, verbose=0)
    if logits:
        from scipy.special import expit

        pred = expit(pred.astype(np.float64))
    pred = deepsea.average_strands(pred.astype(np.float32))
    if targets is None and (Path(directory) / "targets.tsv").is_file():
        targets = deepsea.read_targets(Path(directory) / "targets.tsv")
    table = evaluate_targets(y[: len(pred)], pred, targets)
    by = "assay" if "assay" in table.columns else None
    summary = summarize_targets(table.assign(assay="all") if by is None else table)
    return table, summary


#: Models ``course train`` builds: lesson 05's (sigmoid outputs) and lesson 09's (logits).
TRAIN_MODELS = {"danq": "sigmoid", "deepsea": "sigmoid", "resnet": "logits",
                "resnet_transformer": "logits", "resnet_bilstm": "logits"}


def training_prevalence(directory: str | Path, rows: np.ndarray | None = None,
                        chunk_rows: int = 65536) -> np.ndarray:
    """Each target's positive rate in the training labels, read in chunks (never whole).

    Parameters
    ----------
    directory : str or Path
        DeepSEA-layout folder.
    rows : np.ndarray of int, optional
        Sorted training rows (a subset); all rows by default.
    chunk_rows : int

    Returns
    -------
    np.ndarray, shape (T,), float64

    Introduced in: 09_beyond_danq
    """
    from course_lib import deepsea

    reader = deepsea.open_split(directory, "train")
    try:
        counts, n = np.zeros(reader.n_targets), 0
        for start in range(0, reader.n_rows, chunk_rows):
            stop = min(start + chunk_rows, reader.n_rows)
            y = reader.read_labels(start, stop)
            if rows is not None:
                y = y[rows[(rows >= start) & (rows < stop)] - start]
            counts += np.asarray(y, dtype=np.int64).sum(axis=0)
            n += len(y)
        return counts / max(n, 1)
    finally:
        reader.close()


def _check_targets(folder: Path, n_targets: int) -> None:
    """A ``targets.tsv`` beside the data must describe every target, before any training."""
    from course_lib import deepsea

    path = folder / "targets.tsv"
    if not path.is_file():
        return
    n_rows = len(deepsea.read_targets(path))
    if n_rows != n_targets:
        raise ValueError(f"{path} describes {n_rows} targets but the data have {n_targets}; "
                         "fix or delete targets.tsv (it only names the targets in the results)")


def build_train_model(args, seq_len: int, n_targets: int, prevalence=None):
    """The model ``course train`` fits: lesson 05's builders or lesson 09's logits models.

    Lesson 09's models are compiled with a from-logits loss
    (:func:`course_lib.tricks.compile_logits`) and, given ``prevalence``, start with the
    output bias at its log odds (:func:`course_lib.tricks.set_prevalence_bias`).

    Introduced in: 09_beyond_danq
    """
    if TRAIN_MODELS[args.model] == "sigmoid":
        from course_lib.models import build_model

        return build_model(args.model, "full" if args.size == "capstone" else args.size,
                           seq_len, n_targets, args.lr)
    from course_lib import architectures, tricks

    model = architectures.build_named(
        args.model, "capstone" if args.size == "full" else args.size, seq_len, n_targets,
        learning_rate=args.lr, warmup_steps=args.warmup_steps,
        accumulation_steps=args.accumulation_steps, loss=args.loss)
    if prevalence is not None:
        tricks.set_prevalence_bias(model, prevalence=prevalence)
    return model


def add_train_arguments(parser) -> None:
    """Arguments of ``course train MODEL`` (called by the ``course`` CLI).

    Introduced in: 05_danq_deepsea
    """
    parser.add_argument("model", choices=list(TRAIN_MODELS),
                        help="architecture: danq, deepsea (lesson 05) or lesson 09's resnet, "
                             "resnet_transformer, resnet_bilstm (logits, prevalence bias)")
    parser.add_argument("--data", default="synthetic",
                        help="'synthetic' (the offline stand-in, written to OUT/data), 'deepsea' "
                             "(the registry's real data) or a folder with train.mat, valid.mat, test.mat")
    parser.add_argument("--size", default="full", choices=["full", "capstone", "small", "tiny"],
                        help="layer sizes: 'full' is the published model (default); for the "
                             "resnet models 'full' and 'capstone' are the capstone's sizes")
    parser.add_argument("--epochs", type=_at_least(1), default=10)
    parser.add_argument("--batch-size", type=_at_least(1), default=100)
    parser.add_argument("--lr", type=_positive_float, default=1e-3, help="Adam learning rate")
    parser.add_argument("--warmup-steps", type=_at_least(0), default=0,
                        help="resnet models: updates of linear learning-rate warm-up (0: none)")
    parser.add_argument("--accumulation-steps", type=_at_least(1), default=1,
                        help="resnet models: batches whose gradients are averaged per update")
    parser.add_argument("--loss", default="bce", choices=["bce", "focal", "balanced"],
                        help="resnet models: loss on the logits")
    parser.add_argument("--patience", type=_at_least(1), default=3,
                        help="early-stopping patience (epochs)")
    parser.add_argument("--subset", type=_positive_float, default=None,
                        help="train on a stratified subset: a fraction (0.02) or a number of rows (50000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/train", help="folder for checkpoints, backup, logs, "
                        "metrics.json, targets.csv and model.keras (rerun to resume)")
    parser.add_argument("--n-train", type=_at_least(10), default=4000,
                        help="stand-in: training regions")
    parser.add_argument("--n-targets", type=_at_least(1), default=24,
                        help="stand-in: number of targets")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _at_least(low: int):
    """An argparse type: a whole number >= ``low`` (argparse names the flag in its error)."""
    import argparse

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expects a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return convert


def _positive_float(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expects a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _resolve_data(data: str, out: Path, args) -> Path:
    from course_lib import deepsea

    return deepsea.resolve_data(data, out / "data", flag="--data", n_train=args.n_train,
                                n_targets=args.n_targets, seed=args.seed)


def run_train(args) -> int:
    """``course train``: train a DanQ, DeepSEA or lesson 09 model, evaluate it, write metrics.

    Writes everything under ``args.out``; rerunning the same command after a kill resumes.
    User errors (missing or wrong-shaped files, bad subset) print one message to stderr
    and return 2 instead of raising.

    Returns
    -------
    int
        0 on success, 2 on a user error.

    Introduced in: 05_danq_deepsea
    """
    from course_lib import deepsea
    from course_lib.slurm import preemption_callback, worker_output_dir

    preempted = preemption_callback(seed=args.seed)  # SIGUSR1 (Slurm --signal): finish the epoch, requeue
    out = worker_output_dir(args.out)  # rank 0: args.out; other workers: args.out/worker-<rank>
    if out.exists() and not out.is_dir():
        print(f"course train: --out {out} is a file, not a folder; give a folder for the "
              "checkpoints, logs and metrics", file=sys.stderr)
        return 2
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        folder = _resolve_data(args.data, out, args)
        info = deepsea.verify_structure(folder)
        _check_targets(Path(folder), info["train"]["n_targets"])
        rows = None
        if args.subset is not None:
            kw = {"fraction": args.subset} if args.subset <= 1 else {"n": int(args.subset)}
            rows = deepsea.stratified_subset(folder, seed=args.seed, **kw)
    except (FileNotFoundError, ValueError, OSError, RuntimeError) as err:  # incl. data.DownloadError
        if created:  # nothing half-written: the folder this command made goes again
            shutil.rmtree(out, ignore_errors=True)
        print(f"course train: {err}", file=sys.stderr)
        return 2
    strategy = distribution_strategy()  # first: MultiWorkerMirroredStrategy must precede other ops
    set_seed(args.seed)
    use_mixed_precision()
    logits = TRAIN_MODELS[args.model] == "logits"
    prevalence = training_prevalence(folder, rows) if logits else None
    with strategy.scope():
        model = build_train_model(args, info["train"]["seq_len"], info["train"]["n_targets"], prevalence)
    train = deepsea.make_dataset(folder, "train", args.batch_size, seed=args.seed, rows=rows,
                                 first_epoch=completed_epochs(out / "backup"))
    valid = deepsea.make_dataset(folder, "valid", args.batch_size, shuffle=False)
    model = train_model(model, train, valid, out, args.epochs, args.patience,
                        verbose=0 if args.quiet else "auto", callbacks=[preempted])
    table, summary = evaluate_deepsea_model(model, folder, logits=logits)
    table.to_csv(out / "targets.csv", index=False)
    metrics = {"model": args.model, "size": args.size, "data": str(args.data),
               "train_rows": int(info["train"]["rows"] if rows is None else len(rows)),
               **{f"{k}_{g}": round(float(v), 5) for g, row in summary.iterrows()
                  for k, v in row.items() if k.startswith(("median", "mean"))}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(json.dumps({k: v for k, v in metrics.items() if k.endswith("_all")}))
    return 0
