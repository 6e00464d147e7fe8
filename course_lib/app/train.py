"""The ``course train`` command: train DanQ, DeepSEA or a lesson 09 model on a DeepSEA-layout
folder from the shell or a Slurm job, resume after a kill, evaluate, write metrics.

The generic pieces it uses (seeds, checkpointed training, mixed precision, the distribution
strategy) are in :mod:`course_lib.training`; the data layout is :mod:`course_lib.domains.deepsea`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np

from course_lib.notebooks import dump_metrics
from course_lib.training import (completed_epochs, set_seed, train_model,
                                 use_mixed_precision)


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
    from course_lib import models
    from course_lib.domains import deepsea
    from course_lib.metrics import evaluate_targets, summarize_targets

    X, y = deepsea.load_split(directory, "test")
    pred = model.predict(X.astype(np.float32), batch_size=batch_size, verbose=0)
    if logits:
        from scipy.special import expit

        pred = expit(pred.astype(np.float64))
    pred = models.average_strands(pred.astype(np.float32))
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
    from course_lib.domains import deepsea

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
    from course_lib.domains import deepsea

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
    from course_lib import models, tricks

    # --size full and --size capstone both name the published sizes (models.size_options)
    if TRAIN_MODELS[args.model] == "sigmoid":
        return models.build_model(args.model, args.size, seq_len, n_targets, args.lr)
    model = models.build_named(
        args.model, args.size, seq_len, n_targets,
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
    parser.add_argument("--data", default="simulated",
                        help="'simulated' (the offline stand-in, written to OUT/data), 'deepsea' "
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
    from course_lib.domains import deepsea

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
    from course_lib.domains import deepsea
    from course_lib.app.slurm import preemption_callback, worker_output_dir

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
    (out / "metrics.json").write_text(dump_metrics(metrics, indent=1))
    print(dump_metrics({k: v for k, v in metrics.items() if k.endswith("_all")}))
    return 0


def distribution_strategy():
    """``MirroredStrategy`` when several GPUs are visible, else the default strategy.

    Inside an ``srun`` step with several tasks, ``MultiWorkerMirroredStrategy``
    (:func:`course_lib.app.slurm.multiworker_strategy`). Strategies are TensorFlow's: on the JAX
    and PyTorch backends this is the default strategy, whose scope changes nothing (training
    runs on one device), and several srun tasks are an error that says so.

    Returns
    -------
    tf.distribute.Strategy
        Build and compile the model inside ``strategy.scope()``.

    Introduced in: 05_danq_deepsea
    """
    import keras
    import tensorflow as tf

    from course_lib.app.slurm import multiworker_strategy

    strategy = multiworker_strategy()  # several tasks of an srun step: one replica set per task
    if strategy is not None:
        return strategy
    if keras.backend.backend() != "tensorflow":  # listing GPUs would start TensorFlow on them
        return tf.distribute.get_strategy()
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
