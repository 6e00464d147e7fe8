"""Unit tests of course_lib.app.slurm that need no cluster: sweeps, gather, resolver settings."""

from __future__ import annotations

import json
import os
import signal

import pytest

from course_lib.app import slurm
from course_lib.app.cli import main


@pytest.fixture
def sweep_table(tmp_path):
    path = tmp_path / "grid.tsv"
    path.write_text("# learning rates and batch sizes\nlr\tbatch_size\n0.001\t32\n0.01\t64\n0.1\t128\n")
    return path


def test_read_sweep_skips_comments_and_keeps_values_as_text(sweep_table):
    assert slurm.read_sweep(sweep_table) == [
        {"lr": "0.001", "batch_size": "32"},
        {"lr": "0.01", "batch_size": "64"},
        {"lr": "0.1", "batch_size": "128"},
    ]
    assert slurm.array_range(sweep_table) == "0-2"


def test_read_sweep_csv(tmp_path):
    path = tmp_path / "folds.csv"
    path.write_text("FOLD,SEED\n0,1\n1,1\n")
    assert slurm.read_sweep(path) == [{"FOLD": "0", "SEED": "1"}, {"FOLD": "1", "SEED": "1"}]


@pytest.mark.parametrize("text, message", [
    ("lr\n", "at least one setting"),
    ("lr\tlr\n1\t2\n", "distinct"),
    ("l r\n1\n", "parameter names"),
    ("lr\tepochs\n1\n", "line 2 has 1 fields"),
])
def test_read_sweep_rejects_bad_tables(tmp_path, text, message):
    path = tmp_path / "bad.tsv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        slurm.read_sweep(path)


@pytest.mark.parametrize("style, expected", [
    ("run", ["-p", "EPOCHS", "3", "-p", "LR", "0.01"]),
    ("train", ["--epochs", "3", "--lr", "0.01"]),
])
def test_task_arguments(style, expected):
    assert slurm.task_arguments({"EPOCHS": "3", "LR": "0.01"}, style) == expected


def test_task_arguments_writes_underscores_as_dashes():
    assert slurm.task_arguments({"batch_size": "64"}, "train") == ["--batch-size", "64"]
    with pytest.raises(ValueError, match="'run'"):
        slurm.task_arguments({}, "sbatch")


def test_sweep_setting_out_of_range_names_the_array_to_submit(sweep_table):
    assert slurm.sweep_setting(sweep_table, 1) == {"lr": "0.01", "batch_size": "64"}
    with pytest.raises(ValueError, match=r"--array=0-2"):
        slurm.sweep_setting(sweep_table, 3)


def test_module_cli_prints_arguments_and_writes_setting(sweep_table, tmp_path, capsys):
    where = tmp_path / "task-2" / "setting.json"
    assert slurm.main(["task-args", str(sweep_table), "2", "--style", "train",
                       "--write", str(where)]) == 0
    assert capsys.readouterr().out.split() == ["--lr", "0.1", "--batch-size", "128"]
    assert json.loads(where.read_text()) == {"lr": "0.1", "batch_size": "128"}
    assert slurm.main(["task-args", str(sweep_table), "9", "--style", "run"]) == 2


def _task(sweep, i, setting, metrics, name="metrics.json"):
    folder = sweep / f"task-{i}"
    folder.mkdir(parents=True)
    (folder / "setting.json").write_text(json.dumps(setting))
    if metrics is not None:
        (folder / name).write_text(json.dumps(metrics))


def test_gather_one_row_per_task_and_marks_missing(tmp_path, sweep_table):
    sweep = tmp_path / "sweep-7"
    sweep.mkdir()
    (sweep / "sweep.tsv").write_text(sweep_table.read_text())
    _task(sweep, 0, {"lr": "0.001"}, {"auc": 0.7})
    _task(sweep, 1, {"lr": "0.01"}, {"auc": 0.8}, name="04_one_hot_cnn.metrics.json")
    rows = slurm.gather(sweep)
    assert [(r["task"], r["status"], r.get("auc")) for r in rows] == [
        (0, "ok", 0.7), (1, "ok", 0.8), (2, "missing", None)]
    assert rows[0]["lr"] == "0.001"


def test_course_gather_writes_table_and_fails_on_missing_task(tmp_path, capsys):
    sweep = tmp_path / "sweep-8"
    _task(sweep, 0, {"EPOCHS": "1"}, {"acc": 0.5})
    _task(sweep, 1, {"EPOCHS": "2"}, None)
    assert main(["gather", str(sweep), "-o", str(tmp_path / "t.tsv")]) == 1
    lines = (tmp_path / "t.tsv").read_text().splitlines()
    assert lines[0].split("\t") == ["task", "status", "EPOCHS", "acc"]
    assert lines[1].split("\t") == ["0", "ok", "1", "0.5"]
    assert lines[2].split("\t")[:3] == ["1", "missing", "2"]
    assert "tasks without metrics: [1]" in capsys.readouterr().err
    (sweep / "task-1" / "metrics.json").write_text('{"acc": 0.75}')
    assert main(["gather", str(sweep)]) == 0
    assert (sweep / "results.csv").read_text().splitlines()[2] == "1,ok,2,0.75"


def test_gather_without_tasks_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no task-<i> folders"):
        slurm.gather(tmp_path)
    with pytest.raises(FileNotFoundError, match="sweep.sh"):
        slurm.gather(tmp_path / "absent")


@pytest.mark.parametrize("env, expected", [
    ({"CUDA_VISIBLE_DEVICES": "0,1"}, 2),
    ({"CUDA_VISIBLE_DEVICES": ""}, 0),
    ({"CUDA_VISIBLE_DEVICES": "-1"}, 0),
    ({"SLURM_GPUS_ON_NODE": "4"}, 4),
    ({}, 0),
])
def test_local_gpu_count_never_calls_nvidia_smi(monkeypatch, env, expected):
    for name in ("CUDA_VISIBLE_DEVICES", "SLURM_GPUS_ON_NODE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert slurm.local_gpu_count() == expected


def test_port_base_separates_jobs(monkeypatch):
    monkeypatch.delenv("COURSE_PORT_BASE", raising=False)
    monkeypatch.setenv("SLURM_JOB_ID", "41")
    first = slurm.port_base()
    monkeypatch.setenv("SLURM_JOB_ID", "42")
    assert slurm.port_base() - first == 16
    monkeypatch.setenv("COURSE_PORT_BASE", "30000")
    assert slurm.port_base() == 30000


def _step(monkeypatch, rank, tasks=2, per_node="2"):
    monkeypatch.setenv("SLURM_PROCID", str(rank))
    monkeypatch.setenv("SLURM_STEP_NUM_TASKS", str(tasks))
    monkeypatch.setenv("SLURM_STEP_NODELIST", "localhost")
    monkeypatch.setenv("SLURM_STEP_TASKS_PER_NODE", per_node)
    monkeypatch.setenv("SLURM_JOB_ID", "5")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.delenv("SLURM_GPUS_ON_NODE", raising=False)


def test_resolver_on_cpu_nodes_lists_every_task_and_no_gpus(monkeypatch):
    _step(monkeypatch, rank=1)
    resolver = slurm.slurm_cluster_resolver()
    spec = resolver.cluster_spec().as_dict()
    base = slurm.port_base()
    assert spec == {"worker": [f"localhost:{base}", f"localhost:{base + 1}"]}
    assert resolver.get_task_info() == ("worker", 1)
    assert resolver.num_accelerators() == {"GPU": 0}
    assert "CUDA_VISIBLE_DEVICES" not in os.environ  # auto_set_gpu is off on CPU


def test_resolver_splits_gpus_between_tasks_of_a_node(monkeypatch):
    _step(monkeypatch, rank=0)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    resolver = slurm.slurm_cluster_resolver()
    assert resolver.num_accelerators() == {"GPU": 2}


def test_outside_a_step_there_is_no_multiworker_strategy(monkeypatch, tmp_path):
    monkeypatch.delenv("SLURM_STEP_NUM_TASKS", raising=False)
    monkeypatch.setenv("SLURM_PROCID", "3")
    assert slurm.multiworker_strategy() is None
    assert slurm.worker_output_dir(tmp_path) == tmp_path
    with pytest.raises(RuntimeError, match="srun"):
        slurm.slurm_cluster_resolver()


def test_worker_output_dir_separates_non_chief_workers(monkeypatch, tmp_path):
    _step(monkeypatch, rank=1)
    assert slurm.worker_output_dir(tmp_path) == tmp_path / "worker-1"
    _step(monkeypatch, rank=0)
    assert slurm.worker_output_dir(tmp_path) == tmp_path


def test_requeue_outside_slurm_is_a_no_op(monkeypatch):
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    assert slurm.requeue_job() is False


def test_preemption_callback_stops_after_the_epoch_with_code_75(monkeypatch):
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    previous = signal.getsignal(signal.SIGUSR1)
    try:
        callback = slurm.preemption_callback()
        callback.on_epoch_end(0)  # no signal yet: nothing happens
        os.kill(os.getpid(), signal.SIGUSR1)
        assert callback.flag.requested
        with pytest.raises(slurm.Preempted) as stop:
            callback.on_epoch_end(1)
        assert stop.value.code == slurm.PREEMPTED_EXIT == 75
        assert "after epoch 2" in str(stop.value) and "not requeued" in str(stop.value)
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_reseed_dropout_depends_only_on_seed_and_epoch():
    import keras
    import numpy as np

    def draws(epoch):
        model = keras.Sequential([keras.Input((50,)), keras.layers.Dropout(0.5)])
        assert slurm.reseed_dropout(model, seed=3, epoch=epoch) == 1
        return keras.ops.convert_to_numpy(model(np.ones((1, 50), "float32"), training=True))

    assert np.array_equal(draws(2), draws(2))
    assert not np.array_equal(draws(2), draws(3))


def test_read_sweep_of_a_spreadsheet_csv_with_a_bom(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("\ufeffEPOCHS,SEED\r\n1,2\r\n".encode())
    assert slurm.read_sweep(path) == [{"EPOCHS": "1", "SEED": "2"}]


def test_read_sweep_of_a_binary_file_names_it(tmp_path):
    path = tmp_path / "s.tsv"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match=r"s.tsv is not a text table \(not UTF-8\)"):
        slurm.read_sweep(path)
