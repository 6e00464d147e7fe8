"""Bad input, end to end, as a user meets it: ``course run`` / ``course train`` / ``course data``
with files that are wrong in the ways real files are wrong.

Each case asserts the exit code, that the message names the problem and its fix, that no Python
traceback reaches the terminal, and that no metrics were written from refused input. The last
case fixes the file and checks that the rerun works. The library-level cases (the registry with a
server that cuts bodies short, DeepSEA-layout values, model files, gene tables, genomes) are in
the tests of each module.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

TRACEBACK = "Traceback (most recent call last)"


def course(*args, env=None, timeout=300):
    return subprocess.run(["course", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def random_table(n=200, length=40, seed=0, labels=("a", "b")):
    rng = np.random.default_rng(seed)
    rows = ["sequence,label"]
    for i in range(n):
        rows.append("".join(rng.choice(list("ACGT"), length)) + "," + labels[i % len(labels)])
    return "\n".join(rows) + "\n"


def write(path, body):
    path.write_bytes(body if isinstance(body, bytes) else body.encode())
    return path


CASES = {
    # name: (lesson, file name, body, extra parameters, env, expected text)
    "nan-labels": ("04", "x.csv", random_table().replace(",b\n", ",NaN\n", 3), [], {},
                   ["3 of 200 entries have no label", "-p LABEL_COLUMN"]),
    "binary": ("04", "x.csv", bytes(range(256)) * 64, [], {},
               ["x.csv cannot be read as a csv file", "binary data"]),
    "cut-gzip": ("04", "x.csv.gz", gzip.compress(random_table(2000).encode())[:3000], [], {},
                 ["cut short or damaged"]),
    "wrong-column": ("04", "x.csv", random_table(), ["-p", "LABEL_COLUMN", "class"], {},
                     ["no column 'class'", "-p LABEL_COLUMN"]),
    "huge-length": ("04", "x.csv", random_table() + "ACGT" * 100_000 + ",a\n",
                    ["-p", "SEQ_LEN", "0"], {"COURSE_MAX_ONE_HOT_GB": "0.01"},
                    ["length 400,000 need", "-p SEQ_LEN"]),
    "protein-genome": ("08", "proteome.faa", ">sp|P69905|HBA_HUMAN\nMVLSPADKTNVKAAWGKVGAHAGEYGAEALERMF\n",
                       ["-p", "MT_EPOCHS", "0"], {}, ["looks like protein, not DNA", "-p DATA"]),
    "gene-labels": ("07", "genes.csv", "gene,resistant\nACGTACGT,1\nACGTACGA,maybe\n", [], {},
                    ["'resistant' must hold 0/1", "'maybe'"]),
    "missing-file": ("04", "absent.csv", None, [], {}, ["no sequences file at", "absent.csv"]),
}


@pytest.mark.notebook
@pytest.mark.parametrize("case", list(CASES))
def test_a_lesson_refuses_bad_data_with_the_file_and_the_fix(case, tmp_path):
    lesson, name, body, extra, env, expected = CASES[case]
    path = tmp_path / name
    if body is not None:
        write(path, body)
    out = tmp_path / "out"
    result = course("run", lesson, "-p", "DATA", str(path), *extra, "-o", str(out), env=env)
    message = result.stdout + result.stderr
    assert result.returncode == 1, message[-2000:]
    for text in expected:
        assert text in message, f"{case}: {text!r} not in\n{result.stderr[-1500:]}"
    assert TRACEBACK not in message, f"{case}: a traceback reached the user"
    assert not list(out.glob("*.metrics.json")), "no metrics from refused input"


@pytest.mark.parametrize("args, code, expected", [
    (["run", "04", "-p", "N_SEQUENCES", "0"], 2, "-p N_SEQUENCES 0"),
    (["run", "04", "-p", "EPOCH", "3"], 2, "has no parameter 'EPOCH'"),
    (["run", "04", "-p", "EPOCHS", "three"], 2, "expects a value of type int"),
    (["data", "fetch", "nope"], 2, "primer"),
    (["train", "danq", "--data", "/nonexistent/deepsea"], 2, "no such folder"),
    (["train", "danq", "--epochs", "0"], 2, "--epochs: must be at least 1"),
    (["run", "solutions/99"], 2, "solutions/<lesson>"),
], ids=["zero-count", "unknown-parameter", "badly-typed", "unknown-dataset", "train-no-folder",
        "train-zero-epochs", "unknown-solution"])
def test_the_cli_refuses_bad_arguments_by_name(args, code, expected, tmp_path):
    result = course(*args, "-o" if args[0] == "run" else "--out", str(tmp_path / "out"),
                    env={"COURSE_DATA_DIR": str(tmp_path / "cache")}) if args[0] != "data" else \
        course(*args, env={"COURSE_DATA_DIR": str(tmp_path / "cache")})
    message = result.stdout + result.stderr
    assert result.returncode == code and expected in message, message[-1500:]
    assert TRACEBACK not in message
    assert not (tmp_path / "out").exists(), "nothing is written for a refused command"


@pytest.mark.notebook
def test_after_the_fix_the_same_command_works(tmp_path):
    path = write(tmp_path / "x.csv", random_table().replace(",b\n", ",NaN\n", 3))
    out = tmp_path / "out"
    assert course("run", "04", "-p", "DATA", str(path), "-o", str(out)).returncode == 1
    write(path, random_table())  # the labels filled in
    result = course("run", "04", "-p", "DATA", str(path), "-p", "EPOCHS", "2", "-p",
                    "KMER_MAX_K", "2", "-o", str(out))
    assert result.returncode == 0, result.stderr[-1500:]
    assert (out / "04_one_hot_cnn.metrics.json").is_file()


# ------------------------------------------------------------------------- two processes at once
FETCH = """
import sys
from pathlib import Path
from course_lib import data
data.REGISTRY_PATH = Path(sys.argv[1])
print(data.fetch("g", timeout=20, progress=False))
"""


@pytest.mark.parametrize("pinned", [True, False], ids=["pinned-sha256", "trust-on-first-use"])
def test_two_processes_fetching_one_dataset_into_one_cache_end_with_one_correct_file(
        tmp_path, pinned):
    import hashlib

    from http_server import serve

    served = tmp_path / "served"
    served.mkdir()
    body = np.random.default_rng(0).bytes(6 << 20)  # 6 MiB: the two downloads overlap
    (served / "g.bin").write_bytes(body)
    digest = hashlib.sha256(body).hexdigest()
    cache = tmp_path / "cache"
    with serve(served) as server:
        registry = write(tmp_path / "registry.toml", (
            '[g]\ndescription = "d"\nlicence = "l"\ncitation = "c"\nhomepage = "h"\n'
            f'[[g.files]]\nname = "g.bin"\nurl = ["{server.url("files", "g.bin")}"]\n'
            f'sha256 = "{digest if pinned else ""}"\nsize = {len(body)}\n'))
        env = {**os.environ, "COURSE_DATA_DIR": str(cache)}
        procs = [subprocess.Popen([sys.executable, "-c", FETCH, str(registry)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
        downloads = [r for r in server.requests if r[0].endswith("g.bin")]
    for code, out, err in results:
        assert code == 0 and TRACEBACK not in err, err[-1500:]
        assert out.strip() == str(cache / "g")
    assert hashlib.sha256((cache / "g" / "g.bin").read_bytes()).hexdigest() == digest
    assert len(downloads) == 1, "the second process waits for the first and hits the cache"
    left = sorted(p.name for p in (cache / "g").iterdir())
    assert left == (["g.bin"] if pinned else ["g.bin", "g.bin.sha256"]), left
    if not pinned:
        assert (cache / "g" / "g.bin.sha256").read_text().split()[0] == digest


# ------------------------------------------------------------------------- Slurm: course gather
GOOD_METRICS = '{"auc": 0.9}'


@pytest.mark.parametrize("files, extra, expected, fixed", [
    ({"task-0/metrics.json": '{"auc": 0.9', "task-1/metrics.json": GOOD_METRICS}, [],
     ["task-0/metrics.json is not valid JSON", "rerun the task"], {"task-0/metrics.json": GOOD_METRICS}),
    ({"task-0/metrics.json": "[1, 2]"}, [], ["task-0/metrics.json holds a list", "JSON object"],
     {"task-0/metrics.json": GOOD_METRICS}),
    ({"task-0/metrics.json": GOOD_METRICS, "task-0/setting.json": "EPOCHS=3"}, [],
     ["task-0/setting.json is not valid JSON", "delete it"], {"task-0/setting.json": '{"EPOCHS": "3"}'}),
    ({"task-0/metrics.json": GOOD_METRICS}, ["-o", "results.xlsx"],
     ["-o/--output: results.xlsx must end in .csv or .tsv"], None),
    ({"sweep.tsv": "EPOCHS\tSEED\n1\n", "task-0/metrics.json": GOOD_METRICS}, [],
     ["sweep.tsv: setting on line 2 has 1 fields, the header has 2"], {"sweep.tsv": "EPOCHS\tSEED\n1\t0\n"}),
], ids=["cut-metrics", "metrics-not-an-object", "setting-not-json", "output-not-a-table",
        "ragged-sweep-table"])
def test_course_gather_names_the_damaged_file_and_works_once_it_is_fixed(tmp_path, files, extra,
                                                                         expected, fixed):
    sweep = tmp_path / "sweep"
    for rel, body in files.items():
        (sweep / rel).parent.mkdir(parents=True, exist_ok=True)
        write(sweep / rel, body)
    extra = [str(tmp_path / a) if a.endswith(".xlsx") else a for a in extra]
    result = course("gather", str(sweep), *extra)
    message = result.stdout + result.stderr
    assert result.returncode == 2, message
    for text in expected:
        assert text in message, message
    assert TRACEBACK not in message
    assert not (sweep / "results.csv").exists() and not (tmp_path / "results.xlsx").exists()
    for rel, body in (fixed or {}).items():
        write(sweep / rel, body)
    result = course("gather", str(sweep), *([] if fixed is None else extra))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0.9" in (sweep / "results.csv").read_text()


@pytest.mark.notebook
def test_two_runs_of_one_lesson_into_one_folder_end_with_a_complete_notebook_and_metrics(tmp_path):
    import json

    import nbformat

    from course_lib.app.runner import read_metrics

    out = tmp_path / "out"
    small = ["-p", "N_SEQUENCES", "400", "-p", "EPOCHS", "2", "-p", "KMER_MAX_K", "2", "-q"]
    procs = [subprocess.Popen(["course", "run", "04", *small, "-p", "SEED", str(seed), "-o",
                               str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for seed in (1, 2)]
    results = [(p.wait(timeout=600), p.stdout.read()) for p in procs]
    for code, message in results:
        assert TRACEBACK not in message, message[-1500:]
        assert code == 0, message[-1500:]
    notebook = nbformat.read(out / "04_one_hot_cnn.ipynb", as_version=4)  # whole, parseable
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code_cells), "every cell of one run executed"
    assert not any(o.get("output_type") == "error" for c in code_cells for o in c.outputs)
    metrics = json.loads((out / "04_one_hot_cnn.metrics.json").read_text())
    assert read_metrics(notebook) == metrics, "the notebook and the metrics are from one run"
    assert sorted(p.name for p in out.iterdir()) == ["04_one_hot_cnn.ipynb", "04_one_hot_cnn.kernel.log",
                                                     "04_one_hot_cnn.metrics.json"]
