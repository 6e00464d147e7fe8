"""The bad-input corpus of ``benchmarks/bad_input_survey.py``, as tests.

Every case is an input a user brings (a CLI argument, a registry download from a local server
that truncates, stalls and lies about lengths, a lesson's ``DATA`` file or parameter, a
DeepSEA-layout folder, a Slurm sweep table or folder, a model file). Each test asserts:

- the exit code (non-zero for a refused input, 0 for an input that is fine);
- that the message names the problem and the fix (the case's expected words);
- that no Python traceback reaches the user;
- that nothing half-written is left in the cache or the output folder;
- that after the fix the message asks for, the same command works.

The lesson cases run at the lesson's boundary in this process (the parameter checks of
``course run``, then the library calls of the lesson's data cells: the message a student sees
under the failing cell), without a kernel; ``tests/test_bad_input.py`` runs eight of them
through ``course run`` end to end, and the survey runs all of them that way.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bad_input_survey", ROOT / "benchmarks" / "bad_input_survey.py")
survey = importlib.util.module_from_spec(_spec)
sys.modules["bad_input_survey"] = survey  # dataclasses look their module up
_spec.loader.exec_module(survey)

CASES = {case.name: case for case in survey.build_cases()}
SLOW_AREAS = {"deepsea folder",  # each trains a tiny model after the fix (about 10 s)
              "score-variants",  # two `course` processes importing Keras (about 13 s)
              "lesson 11"}  # Keras models written for each case; one writes the 8-Mb stand-in


def _param(case):
    # slow: a tiny `course train` after the fix (about 10 s), or two `course run` processes
    # (about 2 s); the in-process cases (registry, lesson boundaries, model files) stay fast
    marks = [pytest.mark.slow] if case.area in SLOW_AREAS or case.area == "cli" else []
    return pytest.param(case.name, marks=marks, id=case.name)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """The primer laid out as a mirror (<mirror>/<route>/primer/<file>), from the real files."""
    if not survey.REAL.is_dir():
        return None
    root = tmp_path_factory.mktemp("mirror")
    (root / "primer").mkdir()
    for name in ("sequences.txt", "labels.txt"):
        shutil.copy(survey.REAL / "deep-learning-genomics-primer" / name, root / "primer" / name)
    return root


_FIXED_RUNS: dict[tuple, dict] = {}  # one fixed command shared by several cases runs once


def _run_fixed(fix, tmp, mirror):
    # the fixed `course train` commands are byte-identical across cases (same arguments, same
    # good folder), so they train once
    key = tuple(fix.argv) if isinstance(fix.argv, list) and fix.argv[1] == "train" else None
    if key and key in _FIXED_RUNS:
        return _FIXED_RUNS[key]
    result = survey.run_case(fix, tmp, None, mirror, boundary=True)
    if key:
        _FIXED_RUNS[key] = result
    return result


def test_the_corpus_is_large_and_every_refused_case_has_a_fix():
    assert len(CASES) >= 60
    areas = {case.area for case in CASES.values()}
    assert {"cli", "registry", "lesson 04", "lesson 07", "lesson 08", "lesson 10",
            "deepsea folder", "slurm", "model loading", "score-variants"} <= areas
    assert all(case.fix for case in CASES.values() if not case.ok), [
        case.name for case in CASES.values() if not case.ok and not case.fix]


@pytest.mark.parametrize("name", [_param(case) for case in CASES.values()])
def test_a_bad_input_is_refused_clearly_and_the_fix_works(name, tmp_path, mirror, monkeypatch):
    case = CASES[name]
    if case.needs_real and mirror is None:
        pytest.skip(f"needs the real primer files under {survey.REAL} (set COURSE_REAL_DATA)")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    if case.name == "data-path-missing-file":
        case.env["COURSE_DATA_MIRROR"] = str(mirror)
    result = survey.run_case(case, tmp_path, None, mirror, boundary=True)
    detail = f"{name}: exit {result['exit']}\n{result['message']}"
    assert not result["left"], f"half-written: {result['left']}\n{detail}"
    assert survey.TRACEBACK not in result["message"], f"a traceback reached the user\n{detail}"
    if case.ok:
        assert result["exit"] == 0, detail
        return
    assert result["exit"] not in (0, None), f"exit {result['exit']}: not refused\n{detail}"
    assert not result["missing_words"], f"the message lacks {result['missing_words']}\n{detail}"
    survey.make_writable(tmp_path)
    fix = case.fix(case)
    after = _run_fixed(fix, tmp_path, mirror)
    assert after["exit"] == 0 and after["outcome"] == "correct", (
        f"after the fix ({fix.argv if isinstance(fix.argv, list) else 'in-process'}): exit "
        f"{after['exit']}\n{after['message']}")
    os.environ.pop("COURSE_DATA_MIRROR", None)


@pytest.mark.slow
def test_course_train_writes_nothing_into_the_data_folder(tmp_path):
    """Training reads the user's DeepSEA-layout folder and writes only under --out (as root,
    a read-only folder proves nothing, so every file's size and time are compared)."""
    survey.deepsea_folder(tmp_path / "ds", "none")
    before = {q.name: (q.stat().st_size, q.stat().st_mtime_ns) for q in (tmp_path / "ds").iterdir()}
    result = survey.subprocess.run(
        ["course", "train", "danq", "--data", str(tmp_path / "ds"), "--size", "tiny", "--epochs",
         "1", "--batch-size", "16", "--quiet", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-1500:]
    after = {q.name: (q.stat().st_size, q.stat().st_mtime_ns) for q in (tmp_path / "ds").iterdir()}
    assert after == before
    assert (tmp_path / "out" / "metrics.json").is_file()
