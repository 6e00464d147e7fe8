"""The ``course`` command: list, run (parameters, failures), data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from conftest import NOTEBOOKS, ROOT


def course(*args, env=None, cwd=None):
    """Run the ``course`` command in a subprocess, as a user would."""
    exe = shutil.which("course")
    cmd = [exe] if exe else [sys.executable, "-m", "course_lib.app.cli"]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, timeout=600)


def make_notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def tiny(tmp_path):
    """A three-cell notebook: parameters, work, metrics."""
    return make_notebook(tmp_path / "tiny.ipynb", [
        ("N = 3\nNAME = 'x'\nRATE = 0.5\nFLAG = False", ["parameters"]),
        ("total = N * RATE\nif FLAG:\n    total += 100", []),
        ("from course_lib.notebooks import show_metrics\n"
         "show_metrics({'total': total, 'name': NAME, 'flag': FLAG})", ["metrics"]),
    ])


def test_entry_point_installed():
    assert shutil.which("course"), "the course console script is not on PATH: pip install -e ."


def test_list_shows_lessons_with_runtime():
    result = course("list")
    assert result.returncode == 0, result.stderr
    assert "04_one_hot_cnn" in result.stdout
    assert "runtime: about" in result.stdout


def test_run_injects_typed_parameters_and_writes_metrics(tiny, tmp_path):
    out = tmp_path / "out"
    result = course("run", str(tiny), "-p", "N", "4", "-p", "RATE", "2.5", "-p", "FLAG", "true",
                    "-p", "NAME", "dna", "-o", str(out))
    assert result.returncode == 0, result.stderr
    metrics = json.loads((out / "tiny.metrics.json").read_text())
    assert metrics == {"total": 110.0, "name": "dna", "flag": True}
    assert (out / "tiny.ipynb").is_file()


@pytest.mark.parametrize("value, written", [
    (float("nan"), None), (float("inf"), None), (-float("inf"), None),
    (np.float32("nan"), None), (np.float64(-np.inf), None), (np.float32(0.5), 0.5),
    (np.int64(7), 7), (np.bool_(True), True), (np.array([1.0, np.nan]), [1.0, None]),
    ((np.float16(2.0), "x"), [2.0, "x"]),
])
def test_a_missing_number_is_written_null(value, written):
    """One place (notebooks.to_json) says "no value" for every metrics file (issue 30: a NaN
    passed through a kernel's display message came back as the string 'nan' on one machine)."""
    from course_lib.notebooks import dump_metrics, to_json

    assert to_json({"v": value}) == {"v": written}
    assert json.loads(dump_metrics({"v": value})) == {"v": written}


def test_a_notebook_that_shows_nan_writes_null(tmp_path):
    """Through a real kernel: the metrics file holds null, never NaN or 'nan'."""
    nb = make_notebook(tmp_path / "gap.ipynb", [
        ("SEED = 0", ["parameters"]),
        ("import numpy as np\nfrom course_lib.notebooks import show_metrics\n"
         "show_metrics({'oracle': float('nan'), 'auc': np.float32(0.75), 'gap': np.inf})",
         ["metrics"]),
    ])
    result = course("run", str(nb), "-q", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "gap.metrics.json").read_text()
    assert "NaN" not in text and "nan" not in text.lower().replace("null", "")
    assert json.loads(text) == {"oracle": None, "auc": 0.75, "gap": None}


@pytest.mark.parametrize("log_output", [False, True], ids=["terminal", "job-log"])
def test_a_library_writing_to_the_process_stderr_stays_out_of_the_cells(tmp_path, log_output):
    """TensorFlow's C++ start-up lines are written to file descriptor 2; ipykernel would forward
    them into the cell (the site's lesson pages opened on them). They go to the kernel's log."""
    nb = make_notebook(tmp_path / "noisy.ipynb", [
        ("SEED = 0", ["parameters"]),
        ("import os\nos.write(2, b'I0000 cudart_stub.cc:31] Could not find cuda drivers\\n')\n"
         "print('the cell speaks')", []),
        ("from course_lib.notebooks import show_metrics\nshow_metrics({'seed': SEED})", ["metrics"]),
    ])
    out = tmp_path / "out"
    args = ["run", str(nb), "-q", "-o", str(out)] + (["--log-output"] if log_output else [])
    result = course(*args)
    assert result.returncode == 0, result.stderr
    outputs = nbformat.read(out / "noisy.ipynb", as_version=4).cells[1].outputs
    assert [o.get("text") for o in outputs] == ["the cell speaks\n"]
    where = result.stderr if log_output else (out / "noisy.kernel.log").read_text()
    assert "Could not find cuda drivers" in where


def test_unknown_parameter_lists_the_notebook_parameters(tiny, tmp_path):
    result = course("run", str(tiny), "-p", "EPOCHS", "3", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "no parameter 'EPOCHS'" in result.stderr
    for name in ("N", "NAME", "RATE", "FLAG"):
        assert name in result.stderr
    assert not (tmp_path / "out" / "tiny.ipynb").exists(), "nothing may run for a bad parameter"


def test_badly_typed_parameter(tiny, tmp_path):
    result = course("run", str(tiny), "-p", "N", "three", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "N expects a value of type int" in result.stderr


def test_failing_notebook_shows_the_cell_not_a_long_traceback(tmp_path):
    nb = make_notebook(tmp_path / "broken.ipynb", [
        ("SEED = 1", ["parameters"]),
        ("def load():\n    raise ValueError('file reads.csv has no column label')\nload()", []),
        ("from course_lib.notebooks import show_metrics\nshow_metrics({})", ["metrics"]),
    ])
    result = course("run", str(nb), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "broken.ipynb failed in cell 1" in result.stderr
    assert "ValueError: file reads.csv has no column label" in result.stderr
    assert "raise ValueError" in result.stderr, "the failing cell's source is shown"
    assert len(result.stderr.splitlines()) < 30
    assert "Traceback (most recent call last)" not in result.stderr
    assert not (tmp_path / "out" / "broken.metrics.json").exists()


def test_output_may_not_overwrite_the_lesson(tiny, tmp_path):
    result = course("run", str(tiny), "-o", str(tmp_path))
    assert result.returncode == 2
    assert "would overwrite the lesson itself" in result.stderr


def test_unknown_notebook(tmp_path):
    result = course("run", "99_nothing", "-o", str(tmp_path))
    assert result.returncode == 2
    assert "04_one_hot_cnn" in result.stderr, "the error lists the lessons"


def test_lesson_resolved_by_number():
    from course_lib.app.runner import find_notebook

    assert find_notebook("04") == NOTEBOOKS / "04_one_hot_cnn.ipynb"
    assert find_notebook("04_one_hot_cnn") == NOTEBOOKS / "04_one_hot_cnn.ipynb"


def test_solutions_resolved_by_number():
    from course_lib.app.runner import SOLUTION_DIR, find_notebook

    assert find_notebook("solutions/04").resolve() == SOLUTION_DIR / "04_one_hot_cnn.ipynb"
    assert find_notebook("solutions/04_one_hot_cnn").resolve() == SOLUTION_DIR / "04_one_hot_cnn.ipynb"


def test_unknown_solution_names_the_solutions(tmp_path):
    result = course("run", "solutions/99", "-o", str(tmp_path))
    assert result.returncode == 2
    assert "04_one_hot_cnn" in result.stderr and "solutions/" in result.stderr


def test_data_list_names_the_primer():
    result = course("data", "list")
    assert result.returncode == 0, result.stderr
    assert "primer" in result.stdout
    assert "COURSE_DATA_DIR" in result.stdout


def test_log_output_streams_the_cells_output(tmp_path):
    """``course run --log-output`` (what slurm/notebook.sh passes) puts each print in the job log."""
    nb = make_notebook(tmp_path / "chatty.ipynb", [
        ("SEED = 1", ["parameters"]),
        ("for epoch in range(3):\n    print(f'epoch {epoch + 1} of 3', flush=True)", []),
        ("from course_lib.notebooks import show_metrics\nshow_metrics({'seed': SEED})", ["metrics"]),
    ])
    quiet = course("run", str(nb), "-o", str(tmp_path / "quiet"))
    loud = course("run", str(nb), "--log-output", "-o", str(tmp_path / "loud"))
    assert quiet.returncode == loud.returncode == 0, loud.stderr
    assert "epoch 2 of 3" not in quiet.stdout
    assert "epoch 1 of 3" in loud.stdout and "epoch 3 of 3" in loud.stdout


def test_run_shows_each_cell_and_its_duration(tmp_path):
    """``course run`` names each code cell (its section and first line) as it starts, and its time."""
    nb = make_notebook(tmp_path / "clock.ipynb", [
        ("SEED = 1", ["parameters"]),
        ("import time\ntime.sleep(1.2)", []),
        ("from course_lib.notebooks import show_metrics\nshow_metrics({'seed': SEED})", ["metrics"]),
    ])
    nb_obj = nbformat.read(nb, as_version=4)
    nb_obj.cells.insert(1, nbformat.v4.new_markdown_cell("## Train\nSome prose."))
    nbformat.write(nb_obj, nb)
    loud = course("run", str(nb), "-o", str(tmp_path / "loud"))
    quiet = course("run", str(nb), "-q", "-o", str(tmp_path / "quiet"))
    assert loud.returncode == quiet.returncode == 0, loud.stderr
    assert "[clock] cell 1/3 SEED = 1" in loud.stdout
    assert "[clock] cell 2/3 Train: import time" in loud.stdout
    seconds = float(loud.stdout.split("[clock] cell 2/3 done in ")[1].split(" s")[0])
    assert 1.2 <= seconds < 30
    assert "[clock] cell" not in quiet.stdout


@pytest.mark.parametrize("lesson, name, value, match", [
    ("04", "EPOCHS", "-1", "-p EPOCHS -1: EPOCHS cannot be negative"),
    ("04", "N_SEQUENCES", "0", "-p N_SEQUENCES 0: N_SEQUENCES must be at least 1"),
    ("09", "ACCUMULATION_STEPS", "0", "must be at least 1"),
    ("07", "LABEL_NOISE", "1.5", "LABEL_NOISE is a fraction between 0 and 1"),
    ("03", "TRAIN_FRACTION", "2", "is a fraction"),
    ("07", "LEARNING_RATE", "0", "the learning rate must be positive"),
    ("05", "SHARPNESS", "0", "-p SHARPNESS 0.0: the stand-in's sites are drawn from the motif probabilities"),
    ("09", "SHARPNESS", "-1", "-p SHARPNESS -1.0: SHARPNESS cannot be negative"),
    ("07", "GRID_UNITS", "[16, 0]", "-p GRID_UNITS '[16, 0]' (the entry 0): GRID_UNITS must be at least 1"),
    ("08", "CELL", "transformer", "-p CELL transformer: CELL is one of rnn, gru, lstm"),
    ("06", "DATA", "my.csv", "-p DATA my.csv: DATA is one of simulated, primer"),
    ("09", "SIZE", "huge", "SIZE is one of small, capstone, tiny"),
    ("08", "DATA", "genome.fa", None),    # its comment allows a path: not a closed choice
    ("07", "GRID_UNITS", "[8, 16]", None),
    ("04", "SEQ_LEN", "0", None),         # its comment says what 0 means: keep the longest
    ("04", "SEED", "0", None),
    ("08", "MT_EPOCHS", "0", None),       # "0 skips part 2"
    ("09", "WARMUP_STEPS", "0", None),    # "0 switches it off"
    ("07", "DROPOUT", "0", None),
])
def test_parameters_out_of_range_are_refused_by_name(lesson, name, value, match):
    from course_lib.app.runner import ParameterError, convert_parameters, find_notebook

    import re

    path = find_notebook(lesson)
    if match is None:
        converted = convert_parameters(path, {name: value})[name]  # accepted, as its type
        assert converted == (json.loads(value) if value.startswith("[") else type(converted)(value))
        return
    with pytest.raises(ParameterError, match=re.escape(match)):
        convert_parameters(path, {name: value})


def test_an_out_of_range_parameter_runs_nothing_and_writes_nothing(tmp_path):
    result = course("run", "04", "-p", "N_SEQUENCES", "0", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "-p N_SEQUENCES 0" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_run_directory_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    from course_lib.notebooks import run_directory
    from course_lib.app.runner import NOTEBOOK_DIR

    monkeypatch.delenv("COURSE_RUN_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run_directory("05_danq_deepsea") == NOTEBOOK_DIR.parent / "runs" / "05_danq_deepsea"
    monkeypatch.chdir(NOTEBOOK_DIR)  # jupyter lab notebooks/: the same folder
    assert run_directory("05_danq_deepsea") == NOTEBOOK_DIR.parent / "runs" / "05_danq_deepsea"
    monkeypatch.setenv("COURSE_RUN_DIR", str(tmp_path / "shared"))
    assert run_directory("09_beyond_danq") == tmp_path / "shared" / "09_beyond_danq"
    assert run_directory("09_beyond_danq", "mine") == NOTEBOOK_DIR / "mine"  # as given, from cwd


def test_check_validates_the_parameters_and_runs_nothing(tmp_path):
    out = tmp_path / "out"
    ok = course("run", "04", "-p", "EPOCHS", "3", "-p", "DATA", "simulated", "--check", "-o", str(out))
    assert ok.returncode == 0 and "04_one_hot_cnn: parameters OK (2 set: EPOCHS=3" in ok.stdout
    bad = course("run", "04", "-p", "EPOCHS", "-3", "--check", "-o", str(out))
    assert bad.returncode == 2 and "-p EPOCHS -3" in bad.stderr
    (tmp_path / "afile").write_text("x")
    taken = course("run", "04", "--check", "-o", str(tmp_path / "afile" / "sub"))
    assert taken.returncode == 2 and "is a file, not a folder; choose another -o OUTDIR" in taken.stderr
    assert not out.exists(), "--check writes nothing"
