"""Running the course on a Slurm cluster: sweeps, gathering, multi-worker training, preemption.

The batch scripts live in ``slurm/`` (see ``slurm/README.md``); this module is what they call:

- job-array sweeps: :func:`read_sweep` reads a table with one setting per row,
  :func:`task_arguments` turns row ``SLURM_ARRAY_TASK_ID`` into ``course`` options, and
  ``course gather DIR`` (:func:`gather`) collects every task's metrics into one table;
- several nodes: :func:`multiworker_strategy` builds ``MultiWorkerMirroredStrategy`` from
  TensorFlow's ``SlurmClusterResolver`` inside an ``srun`` step with several tasks, and
  :func:`worker_output_dir` gives each non-chief worker its own output folder;
- preemption and time limits: :func:`preemption_callback` turns ``SIGUSR1`` (sent by
  ``#SBATCH --signal=B:USR1@SECONDS``) into "finish this epoch, keep the backup,
  ``scontrol requeue`` the job, exit"; the requeued run resumes from the backup.

Helpers for the batch scripts: ``python -m course_lib.app.slurm task-args SWEEP INDEX --style run``
and ``python -m course_lib.app.slurm array-range SWEEP``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

PREEMPTED_EXIT = 75  # EX_TEMPFAIL: "try again later"; the job has been requeued
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


# --------------------------------------------------------------------------------------
# Sweeps: one array task per row of a table
# --------------------------------------------------------------------------------------

def read_sweep(path: str | Path) -> list[dict[str, str]]:
    """Read a sweep table: a header of parameter names, then one setting per row.

    Parameters
    ----------
    path : str or Path
        A ``.tsv`` (tab-separated) or ``.csv`` file; lines starting with ``#`` are comments.

    Returns
    -------
    list of dict
        One ``{name: value}`` per row, values as written (``course`` converts them).

    Raises
    ------
    ValueError
        Empty table, a bad column name, or a row with the wrong number of fields.

    Introduced in: slurm/README.md (sweeps)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no sweep file {path}; write a table with one setting per row")
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a spreadsheet's CSV may start with a BOM
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a text table (not UTF-8): write the sweep as tab- or "
                         "comma-separated text, one setting per line") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    rows = list(csv.reader(lines, delimiter=delimiter))
    if len(rows) < 2:
        raise ValueError(f"{path}: a sweep needs a header line and at least one setting")
    header = [h.strip() for h in rows[0]]
    bad = [h for h in header if not _NAME.match(h)]
    if bad or len(set(header)) != len(header):
        raise ValueError(f"{path}: column names must be distinct parameter names, got {header}"
                         f" (separate columns with {'commas' if delimiter == ',' else 'tabs'})")
    settings = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}: setting on line {number} has {len(row)} fields, "
                             f"the header has {len(header)}")
        settings.append(dict(zip(header, (v.strip() for v in row))))
    return settings


def task_arguments(setting: dict[str, str], style: str) -> list[str]:
    """The ``course`` options that apply one sweep setting.

    Parameters
    ----------
    setting : dict
        One row of :func:`read_sweep`.
    style : {"run", "train"}
        ``run``: notebook parameters, ``-p NAME VALUE``; ``train``: options,
        ``--name VALUE`` with underscores written as dashes (``batch_size`` -> ``--batch-size``).

    Returns
    -------
    list of str

    Examples
    --------
    >>> task_arguments({"EPOCHS": "3"}, "run")
    ['-p', 'EPOCHS', '3']
    >>> task_arguments({"batch_size": "64"}, "train")
    ['--batch-size', '64']
    """
    if style == "run":
        return [a for name, value in setting.items() for a in ("-p", name, value)]
    if style == "train":
        return [a for name, value in setting.items()
                for a in (f"--{name.lower().replace('_', '-')}", value)]
    raise ValueError(f"style must be 'run' (course run) or 'train' (course train), got {style!r}")


def sweep_setting(path: str | Path, index: int) -> dict[str, str]:
    """Row ``index`` (0-based, the ``SLURM_ARRAY_TASK_ID``) of a sweep table."""
    settings = read_sweep(path)
    if not 0 <= index < len(settings):
        raise ValueError(f"array task {index} has no setting: {path} has {len(settings)} "
                         f"(submit with --array={array_range(path)})")
    return settings[index]


def array_range(path: str | Path) -> str:
    """The ``--array`` value covering every setting of a sweep table, e.g. ``0-3``."""
    return f"0-{len(read_sweep(path)) - 1}"


# --------------------------------------------------------------------------------------
# course gather: one row per array task
# --------------------------------------------------------------------------------------

def _task_index(folder: Path) -> int | None:
    match = re.fullmatch(r"task-(\d+)", folder.name)
    return int(match.group(1)) if match else None


def _read_metrics(folder: Path) -> dict | None:
    """``metrics.json`` (course train) or ``<lesson>.metrics.json`` (course run) in a task folder."""
    found = sorted(folder.glob("metrics.json")) or sorted(folder.glob("*.metrics.json"))
    if not found:
        return None
    return _read_json(found[0], "the task's metrics: rerun the task (its slurm-*.out log says "
                      "why it stopped) or delete the file to mark the task missing")


def _read_json(path: Path, fix: str) -> dict:
    """A JSON object from ``path``; a damaged file is named, with ``fix``."""
    try:
        value = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON ({err}); it should hold {fix}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} holds a {type(value).__name__}, not a JSON object "
                         f"{{name: value}}; it should hold {fix}")
    return value


def gather(directory: str | Path, expected: int | None = None) -> list[dict]:
    """One row per array task: its index, its setting and its metrics.

    Parameters
    ----------
    directory : str or Path
        The sweep folder: ``task-<i>/`` subfolders, each with ``setting.json`` (written by
        ``slurm/sweep.sh``) and a metrics file; ``sweep.tsv``/``sweep.csv`` when present
        gives the expected number of tasks.
    expected : int, optional
        Number of tasks; tasks without a folder or metrics get a row with
        ``status = "missing"``.

    Returns
    -------
    list of dict
        Sorted by task; keys ``task``, ``status`` ("ok" or "missing"), the setting's
        parameters, then the metrics.

    Introduced in: slurm/README.md (sweeps)
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no sweep folder {directory}; pass the folder sweep.sh wrote "
                                "(runs/sweep-<array job id> by default)")
    if expected is None:
        tables = sorted(directory.glob("sweep.[tc]sv"))
        expected = len(read_sweep(tables[0])) if tables else None
    folders = {_task_index(f): f for f in directory.iterdir() if f.is_dir() and _task_index(f) is not None}
    indices = sorted(set(folders) | set(range(expected or 0)))
    if not indices:
        raise FileNotFoundError(f"{directory} has no task-<i> folders; did the array job run?")
    rows = []
    for i in indices:
        folder = folders.get(i, directory / f"task-{i}")
        setting_file = folder / "setting.json"
        setting = _read_json(setting_file, "the task's parameters as written by slurm/sweep.sh; "
                             "delete it to gather the task without them") \
            if setting_file.is_file() else {}
        metrics = _read_metrics(folder) if folder.is_dir() else None
        rows.append({"task": i, "status": "ok" if metrics is not None else "missing",
                     **setting, **(metrics or {})})
    return rows


def write_table(rows: list[dict], path: str | Path) -> Path:
    """Write rows as CSV (``.csv``) or TSV (anything else); columns in first-seen order."""
    path = Path(path)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, delimiter="," if path.suffix == ".csv" else "\t")
        writer.writeheader()
        writer.writerows(rows)
    return path


def add_gather_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``course gather DIR`` (called by the ``course`` CLI)."""
    parser.description = ("Gather the metrics of a job-array sweep (DIR/task-<i>/) into one "
                          "table, one row per task; exits 1 when a task has no metrics.")
    parser.add_argument("directory", metavar="DIR", help="the sweep folder written by slurm/sweep.sh")
    parser.add_argument("-o", "--output", default=None,
                        help="table to write (.csv or .tsv; default DIR/results.csv)")
    parser.add_argument("--expected", type=int, default=None,
                        help="number of array tasks (default: rows of DIR/sweep.tsv)")


def run_gather(args: argparse.Namespace) -> int:
    """``course gather``: write the table, print it, return 1 if any task is missing."""
    out = Path(args.output or Path(args.directory) / "results.csv")
    if out.suffix.lower() not in (".csv", ".tsv"):
        raise ValueError(f"-o/--output: {out.name} must end in .csv or .tsv (the table is "
                         "written as text; open it in a spreadsheet from there)")
    rows = gather(args.directory, args.expected)
    out = write_table(rows, out)
    _print_rows(rows)
    missing = [r["task"] for r in rows if r["status"] != "ok"]
    print(f"{len(rows)} tasks -> {out}")
    if missing:
        print(f"tasks without metrics: {missing} (see their slurm-*.out logs)", file=sys.stderr)
        return 1
    return 0


def _print_rows(rows: list[dict]) -> None:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    for line in [columns, *cells]:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip())


# --------------------------------------------------------------------------------------
# Several nodes: MultiWorkerMirroredStrategy from the Slurm step
# --------------------------------------------------------------------------------------

def step_tasks() -> int:
    """Number of tasks of the current ``srun`` step (1 outside a step, e.g. in the batch shell)."""
    return int(os.environ.get("SLURM_STEP_NUM_TASKS", "1"))


def task_rank() -> int:
    """This task's rank in the ``srun`` step (0 outside a step)."""
    return int(os.environ.get("SLURM_PROCID", "0")) if step_tasks() > 1 else 0


def local_gpu_count() -> int:
    """GPUs this task may use, from ``CUDA_VISIBLE_DEVICES`` or ``SLURM_GPUS_ON_NODE``.

    Never calls ``nvidia-smi`` (absent on CPU nodes, where TensorFlow's resolver would fail).
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return len([d for d in visible.split(",") if d.strip() and d.strip() != "-1"])
    return int(os.environ.get("SLURM_GPUS_ON_NODE", "0") or 0)


def port_base() -> int:
    """First gRPC port of this job's workers: ``COURSE_PORT_BASE`` or derived from the job id.

    Each job gets its own block of 16 ports, so two multi-worker jobs sharing a node do not
    collide.
    """
    if "COURSE_PORT_BASE" in os.environ:
        return int(os.environ["COURSE_PORT_BASE"])
    return 12000 + (int(os.environ.get("SLURM_JOB_ID", "0")) % 1250) * 16


def slurm_cluster_resolver(gpus_per_task: int | None = None):
    """TensorFlow's ``SlurmClusterResolver`` with GPU counts given explicitly.

    Parameters
    ----------
    gpus_per_task : int, optional
        Default: :func:`local_gpu_count` divided among this node's tasks. With 0 (CPU nodes)
        the resolver gets one placeholder slot per task and ``auto_set_gpu=False``, and reports
        no accelerators, so the strategy uses the CPU.

    Returns
    -------
    tf.distribute.cluster_resolver.SlurmClusterResolver
        Valid only inside an ``srun`` step (it reads ``SLURM_STEP_*``).
    """
    import tensorflow as tf

    SlurmClusterResolver = tf.distribute.cluster_resolver.SlurmClusterResolver

    if step_tasks() < 2 or "SLURM_STEP_TASKS_PER_NODE" not in os.environ:
        raise RuntimeError("the Slurm cluster resolver works only inside an srun step with "
                           "several tasks; launch training with `srun course train ...`")
    per_node = max(int(n) for n in re.findall(r"(\d+)(?:\(x\d+\))?",
                                                os.environ["SLURM_STEP_TASKS_PER_NODE"]))
    if gpus_per_task is None:
        gpus_per_task = local_gpu_count() // per_node
    gpus = gpus_per_task

    class _Resolver(SlurmClusterResolver):
        def num_accelerators(self, task_type=None, task_id=None, config_proto=None):
            return {"GPU": gpus}

    if gpus == 0:
        return _Resolver(port_base=port_base(), gpus_per_node=per_node, gpus_per_task=1,
                         auto_set_gpu=False)
    return _Resolver(port_base=port_base(), gpus_per_node=gpus * per_node,
                     gpus_per_task=gpus, auto_set_gpu=per_node > 1)


def multiworker_strategy(gpus_per_task: int | None = None):
    """``MultiWorkerMirroredStrategy`` over the tasks of this ``srun`` step, or ``None``.

    Call it before any other TensorFlow operation. Outside a step with several tasks (a
    laptop, the batch shell, ``srun -n 1``) it returns ``None`` so the caller falls back to
    one machine (``MirroredStrategy`` over its GPUs).

    Parameters
    ----------
    gpus_per_task : int, optional
        See :func:`slurm_cluster_resolver`.

    Returns
    -------
    tf.distribute.MultiWorkerMirroredStrategy or None

    Raises
    ------
    RuntimeError
        In a step with several tasks on the JAX or PyTorch backend of Keras: the strategy is
        TensorFlow's, and without it each task would train a model of its own.
    """
    if step_tasks() < 2:
        return None
    from course_lib.gradients import require_tensorflow

    require_tensorflow(f"multi-worker training ({step_tasks()} tasks in this srun step)")
    import tensorflow as tf

    class _MultiWorker(tf.distribute.MultiWorkerMirroredStrategy):
        # Two Keras 3 calls MultiWorkerMirroredStrategy cannot take (keras-team/keras#20585):
        # fit() reduces its first (x, y) batch in one call, and the logs' scalars with
        # axis=0. Reduce each tensor in turn (same order on every worker), scalars across
        # replicas only (the same mean).
        def reduce(self, reduce_op, value, axis=None):
            parent = super(_MultiWorker, self)

            def one(v):
                rank = self.experimental_local_results(v)[0].shape.rank
                return parent.reduce(reduce_op, v, None if rank == 0 else axis)

            return tf.nest.map_structure(one, value)

    return _MultiWorker(cluster_resolver=slurm_cluster_resolver(gpus_per_task))


def worker_output_dir(out: str | Path) -> Path:
    """Where this worker writes: ``out`` for the chief (rank 0), ``out/worker-<rank>`` else.

    All workers of a multi-worker run save checkpoints and logs; giving the others their own
    folder keeps them from overwriting the chief's files (and lets a test compare them).
    """
    rank = task_rank()
    return Path(out) if rank == 0 else Path(out) / f"worker-{rank}"


# --------------------------------------------------------------------------------------
# Preemption and time limits: SIGUSR1 -> finish the epoch -> requeue -> resume
# --------------------------------------------------------------------------------------

class Preempted(SystemExit):
    """Training stopped on the preemption signal after saving its backup (exit code 75)."""

    def __init__(self, message: str):
        super().__init__(PREEMPTED_EXIT)
        self.message = message

    def __str__(self) -> str:
        return self.message


def requeue_job(job_id: str | None = None) -> bool:
    """``scontrol requeue`` this Slurm job (``SLURM_JOB_ID``); False outside a Slurm job."""
    job_id = job_id or os.environ.get("SLURM_JOB_ID")
    if not job_id:
        return False
    if os.environ.get("SLURM_ARRAY_JOB_ID") and os.environ.get("SLURM_ARRAY_TASK_ID"):
        job_id = f"{os.environ['SLURM_ARRAY_JOB_ID']}_{os.environ['SLURM_ARRAY_TASK_ID']}"
    proc = subprocess.run(["scontrol", "requeue", job_id], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"scontrol requeue {job_id} failed: {proc.stderr.strip()} "
              "(was the job submitted with --requeue?)", file=sys.stderr)
        return False
    return True


class PreemptionFlag:
    """Set by a signal handler (installed at construction, before any slow import).

    A signal that arrives before the handler is installed kills the process (the default
    action of ``SIGUSR1``), so create it first thing.
    """

    def __init__(self, signum: int = signal.SIGUSR1):
        self.signum = signum
        self.requested = False
        signal.signal(signum, self._handle)

    def _handle(self, received, frame) -> None:
        self.requested = True
        print(f"received signal {received}: stopping at the end of this epoch", flush=True)


def reseed_dropout(model, seed: int, epoch: int) -> int:
    """Set the model's random-state variables (Keras ``SeedGenerator``) from ``(seed, epoch)``.

    Returns
    -------
    int
        How many generators were set.
    """
    import numpy as np

    from course_lib.gradients import seed_unseeded_dropout

    states = [v for v in model.variables if v.path.endswith("seed_generator_state")]
    for i, state in enumerate(states):
        first = (int(seed) * 1_000_003 + epoch * 7_919 + i) % 2**32
        state.assign(np.array([first, 0], dtype=state.dtype))
    if states:
        seed_unseeded_dropout((int(seed) * 1_000_003 + epoch * 7_919) % 2**32)
    return len(states)


def preemption_callback(signum: int = signal.SIGUSR1, requeue: bool = True, seed: int = 0):
    """A Keras callback: on ``signum``, stop after the current epoch and requeue the job.

    The handler is installed when the callback is created, so create it before slow setup
    (data loading). Put it after ``BackupAndRestore`` in the callback list: at the end of the
    epoch during which the signal came, the backup is written first, then this callback
    requeues the job (when running under Slurm and ``requeue``) and raises
    :class:`Preempted`, a ``SystemExit`` with code 75. Raising (rather than
    ``stop_training``) skips ``on_train_end``, so ``BackupAndRestore`` keeps its backup and
    the requeued run resumes at the next epoch.

    ``BackupAndRestore`` restores weights and optimizer, not the random state of dropout
    layers, so a resumed run would draw other dropout masks than an uninterrupted one. The
    callback therefore sets every ``SeedGenerator`` of the model at the start of each epoch
    from ``(seed, epoch)``: with a fixed seed (and data order seeded by epoch), a run
    interrupted and resumed ends with the same weights as one that was not.

    Parameters
    ----------
    signum : int
        The signal, by default ``SIGUSR1`` as sent by ``#SBATCH --signal=B:USR1@SECONDS``.
    requeue : bool
        Run ``scontrol requeue $SLURM_JOB_ID`` before exiting.
    seed : int
        Base of the per-epoch dropout seeds.

    Returns
    -------
    keras.callbacks.Callback
        Its ``flag.requested`` is true once the signal has arrived.
    """
    flag = PreemptionFlag(signum)
    import keras

    class PreemptionCallback(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.flag = flag

        def on_epoch_begin(self, epoch, logs=None):
            reseed_dropout(self.model, seed, epoch)

        def on_epoch_end(self, epoch, logs=None):
            if not self.flag.requested:
                return
            # Said before `scontrol requeue`: Slurm stops the job as soon as it is requeued,
            # so a line printed after the requeue may never reach the job's log.
            print(f"preempted after epoch {epoch + 1}: backup saved", flush=True)
            queued = requeue and requeue_job()
            what = "job requeued" if queued else "not requeued"
            print(f"{what}; rerun the same command to resume", flush=True)  # the line above said the rest
            raise Preempted(f"preempted after epoch {epoch + 1}: backup saved, {what}; "
                            "rerun the same command to resume")

    return PreemptionCallback()


# --------------------------------------------------------------------------------------
# python -m course_lib.app.slurm: helpers for the batch scripts
# --------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """``task-args SWEEP INDEX --style run|train [--write FILE]`` or ``array-range SWEEP``."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.app.slurm")
    sub = parser.add_subparsers(dest="action", required=True)
    task = sub.add_parser("task-args", help="print a sweep row's course options, one per line")
    task.add_argument("sweep")
    task.add_argument("index", type=int)
    task.add_argument("--style", choices=["run", "train"], required=True)
    task.add_argument("--write", help="also save the setting as JSON here")
    rng = sub.add_parser("array-range", help="print the --array range of a sweep table")
    rng.add_argument("sweep")
    args = parser.parse_args(argv)
    try:
        if args.action == "array-range":
            print(array_range(args.sweep))
            return 0
        setting = sweep_setting(args.sweep, args.index)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.write:
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text(json.dumps(setting, indent=1))
    print("\n".join(task_arguments(setting, args.style)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
