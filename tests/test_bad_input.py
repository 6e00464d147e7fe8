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
