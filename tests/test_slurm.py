"""The slurm/ scripts, unchanged, on a real one-node Slurm cluster started by the tests.

Every job is tiny (a laptop-width DanQ on 1,500 simulated regions for 4 epochs, lesson 04 on
300 sequences) and runs on CPU: ``SBATCH_GRES=none`` drops the scripts' GPU request, and
sbatch command-line options shrink their cores, memory and time, as a user would at a site.
Needs root (the daemons) and Debian's Slurm packages (installed if missing); otherwise every
test here is skipped with the reason.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import time
from pathlib import Path

import numpy as np
import pytest

from slurm_cluster import ClusterUnavailable, start_cluster

pytestmark = pytest.mark.slurm
ROOT = Path(__file__).resolve().parent.parent
TRAINING = Path(importlib.util.find_spec("course_lib.app.train").origin).read_text()
# Small enough for 2 shared cores, long enough (about 4 s an epoch) to signal mid-training.
TINY_DANQ = ["--data", "simulated", "--size", "tiny", "--n-train", "1500", "--n-targets", "8",
             "--epochs", "4", "--batch-size", "50", "--seed", "0"]
SMALL_JOB = ["--cpus-per-task=1", "--mem=3G", "--time=20"]
HOOKS = "worker_output_dir" in TRAINING and "preemption_callback" in TRAINING
needs_hooks = pytest.mark.skipif(
    not HOOKS,
    reason="course train does not call course_lib.app.slurm's hooks yet (worker_output_dir, "
           "preemption_callback, multiworker_strategy): see slurm/README.md, 'Status'")


@pytest.fixture(scope="module")
def cluster():
    """A one-node cluster for this module, stopped by PID at the end."""
    try:
        running = start_cluster(cpus=2, memory_mb=8000)
    except ClusterUnavailable as err:
        pytest.skip(f"no test Slurm cluster: {err}")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("slurm-runs")


def submit(cluster, workdir: Path, script: str, *args: str, sbatch: tuple = ()) -> str:
    """``sbatch [sbatch options] slurm/SCRIPT ARGS`` from the repository root, logs in workdir."""
    env = dict(cluster.env, COURSE_RUNS_DIR=str(workdir / "runs"),
               COURSE_SITE_ENV=str(workdir / "no-site.env"))  # ignore a developer's site.env
    return cluster.sbatch(*SMALL_JOB, f"--output={workdir}/slurm-%x-%j.out", *sbatch,
                          str(ROOT / "slurm" / script), *args, cwd=ROOT, env=env)


def finished(cluster, job_id: str, workdir: Path, timeout: float = 600):
    """Wait for the job; fail with its log when it did not complete with exit code 0."""
    jobs = cluster.wait(job_id, timeout=timeout)
    logs = "\n".join(p.read_text()[-3000:] for p in workdir.glob(f"slurm-*-{job_id}*.out"))
    assert all(j.ok for j in jobs), f"{[(j.job_id, j.state, j.exit_code) for j in jobs]}\n{logs}"
    return jobs


def weights(path: Path) -> list[np.ndarray]:
    from course_lib.training import load_model

    return load_model(path).get_weights()


def same_weights(a: Path, b: Path) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(weights(a), weights(b), strict=True))


def epochs_logged(out: Path) -> list[int]:
    lines = (out / "log.csv").read_text().splitlines()[1:]
    return [int(line.split(",")[0]) for line in lines]


@pytest.fixture(scope="module")
def danq_runs(cluster, workdir):
    """Two identical danq.sh jobs submitted together (they run side by side on the 2 CPUs).

    The preemption test (first in this file) signals the second while the first runs on.
    """
    started = time.perf_counter()
    plain = submit(cluster, workdir, "danq.sh", *TINY_DANQ)
    signalled = submit(cluster, workdir, "danq.sh", *TINY_DANQ) if HOOKS else None
    return {"plain": plain, "signalled": signalled, "started": started}


@needs_hooks
def test_signalled_job_requeues_and_resumes_to_the_same_weights(cluster, workdir, danq_runs):
    job = danq_runs["signalled"]
    out = workdir / "runs" / f"danq-{job}"
    # Signal as soon as the first epoch is logged: the second is then under way.
    deadline = time.monotonic() + 600
    while not (out / "log.csv").is_file() or len(epochs_logged(out)) < 1:
        assert time.monotonic() < deadline, f"no epoch logged in 600 s\n{cluster.jobs(job)}"
        assert all(j.state in ("PENDING", "RUNNING") for j in cluster.jobs(job)), cluster.jobs(job)
        time.sleep(0.25)
    cluster.run("scancel", "--signal=USR1", "--batch", job)
    signalled_at = time.perf_counter()
    [state] = finished(cluster, job, workdir)
    print(f"preemption: requeued and finished {time.perf_counter() - signalled_at:.0f} s after "
          f"the signal, {time.perf_counter() - danq_runs['started']:.0f} s from submission")
    assert state.restarts == 1
    log = (workdir / f"slurm-danq-{job}.out").read_text()
    # "job requeued" may be cut off: Slurm stops the first run as soon as it is requeued.
    assert "preempted after epoch" in log and "restart 1" in log, log
    stopped_after = int(log.split("preempted after epoch ")[1].split(":")[0])
    assert 1 <= stopped_after < 4, "the signal must arrive mid-training"
    assert epochs_logged(out) == [0, 1, 2, 3]  # none lost, none repeated
    plain = workdir / "runs" / f"danq-{danq_runs['plain']}"
    finished(cluster, danq_runs["plain"], workdir)
    assert same_weights(out / "model.keras", plain / "model.keras")


def test_danq_sh_trains_and_leaves_model_and_metrics(cluster, workdir, danq_runs):
    job = danq_runs["plain"]
    finished(cluster, job, workdir)
    print(f"danq.sh: {time.perf_counter() - danq_runs['started']:.0f} s from submission")
    out = workdir / "runs" / f"danq-{job}"
    assert (out / "model.keras").is_file() and (out / "checkpoints" / "best.keras").is_file()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == "danq" and metrics["data"] == "simulated"
    assert 0.0 <= metrics["mean_roc_auc_all"] <= 1.0
    assert epochs_logged(out) == [0, 1, 2, 3]
    assert not (out / "backup").exists()  # removed when training completes
    log = (workdir / f"slurm-danq-{job}.out").read_text()
    assert f"job {job} on" in log and "restart 0" in log


@needs_hooks
def test_two_workers_end_with_identical_weights(cluster, workdir):
    started = time.perf_counter()
    job = submit(cluster, workdir, "danq_multinode.sh", *TINY_DANQ,
                 sbatch=("--nodes=1", "--ntasks-per-node=2"))
    finished(cluster, job, workdir)
    print(f"danq_multinode.sh, 2 workers: {time.perf_counter() - started:.0f} s")
    out = workdir / "runs" / f"danq-{job}"
    chief, other = out / "model.keras", out / "worker-1" / "model.keras"
    assert chief.is_file() and other.is_file()
    assert epochs_logged(out) == epochs_logged(out / "worker-1") == [0, 1, 2, 3]
    log = (workdir / f"slurm-danq-mw-{job}.out").read_text()
    assert "2 workers" in log
    # Each worker reads its own half of every batch; only the all-reduce makes them agree.
    assert same_weights(chief, other)


def test_notebook_sh_runs_a_lesson_with_parameters(cluster, workdir):
    started = time.perf_counter()
    job = submit(cluster, workdir, "notebook.sh", "notebooks/04_one_hot_cnn.ipynb",
                 "-p", "EPOCHS", "2", "-p", "N_SEQUENCES", "300")
    finished(cluster, job, workdir)
    print(f"notebook.sh, lesson 04: {time.perf_counter() - started:.0f} s")
    out = workdir / "runs" / f"notebook-{job}"
    metrics = json.loads((out / "04_one_hot_cnn.metrics.json").read_text())
    assert metrics["epochs"] == 2
    assert metrics["n_train"] + metrics["n_valid"] + metrics["n_test"] == 300
    assert (out / "04_one_hot_cnn.ipynb").is_file()
    log = (workdir / f"slurm-notebook-{job}.out").read_text()
    assert "kept epoch" in log, "the cells' output streams into the job log (course run --log-output)"


def test_array_sweep_gathers_one_row_per_task(cluster, workdir):
    from course_lib.app.cli import main

    table = workdir / "epochs.tsv"
    table.write_text("EPOCHS\tSEED\n1\t1\n2\t2\n")
    started = time.perf_counter()
    job = submit(cluster, workdir, "sweep.sh", str(table), "run", "notebooks/04_one_hot_cnn.ipynb",
                 "-p", "N_SEQUENCES", "300", sbatch=("--array=0-1",))
    jobs = finished(cluster, job, workdir)
    print(f"sweep.sh, 2 array tasks of lesson 04: {time.perf_counter() - started:.0f} s")
    assert len(jobs) == 2
    sweep = workdir / "runs" / f"sweep-{job}"
    assert main(["gather", str(sweep)]) == 0
    with (sweep / "results.csv").open(newline="") as handle:  # values may hold commas (lists)
        rows = list(csv.DictReader(handle))
    assert [(r["task"], r["status"], r["EPOCHS"], r["epochs"]) for r in rows] == [
        ("0", "ok", "1", "1"), ("1", "ok", "2", "2")]
    assert {r["n_test"] for r in rows} == {rows[0]["n_test"]} and int(rows[0]["n_test"]) > 0

