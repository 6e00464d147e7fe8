"""The ``course`` command: list and run lessons, manage data, train models.

Examples
--------
::

    course list
    course run 04_one_hot_cnn -p EPOCHS 20 -o runs/
    course run all
    course data list
    course data fetch primer
    course data path primer sequences.txt
    course train danq --data simulated --epochs 2 --out runs/danq
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course",
        description="Deep learning for genomics: run the lessons, fetch their data, train models.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    sub.add_parser("list", help="list the lessons with a description and their default runtime")

    run = sub.add_parser(
        "run",
        help="execute a lesson notebook with papermill",
        description="Execute a lesson with papermill. Writes OUTDIR/<stem>.ipynb and "
        "OUTDIR/<stem>.metrics.json.",
    )
    run.add_argument("notebook", help="path, stem (04_one_hot_cnn), number (04), 'all', "
                     "solutions/04 (a lesson's worked solutions) or 'solutions' (all of them)")
    run.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a value of the notebook's parameters cell (repeatable)",
    )
    run.add_argument("-o", "--output-dir", default="runs", metavar="OUTDIR",
                     help="where executed notebooks and metrics go (default: runs)")
    run.add_argument("--log-output", action="store_true", help="stream the cells' output")
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no line per cell (by default each code cell's start and duration are shown)")
    run.add_argument("--check", action="store_true",
                     help="check the parameters (names, types, ranges, choices) and stop: nothing "
                     "runs and nothing is written (for a Slurm sweep, check each row before sbatch)")

    data = sub.add_parser("data", help="the data registry: list, fetch, path")
    dsub = data.add_subparsers(dest="data_command", metavar="ACTION")
    dsub.required = True
    dsub.add_parser("list", help="the registered datasets and whether they are cached")
    fetch = dsub.add_parser("fetch", help="download and verify a dataset into the cache")
    fetch.add_argument("name")
    fetch.add_argument("--timeout", type=float, default=60.0, help="seconds per network read")
    path = dsub.add_parser("path", help="print the cached path of a dataset or one of its files")
    path.add_argument("name")
    path.add_argument("file", nargs="?")

    for name, help_text in (
        ("train", "train a model (DanQ, DeepSEA, ...) from the command line"),
        ("gather", "gather the metrics of a job-array sweep into one table"),
        ("site", "build the course website from executed lessons (course run all -o RUNS_DIR)"),
        ("score-variants", "score the variants of a VCF with a trained model (lesson 11)"),
    ):
        _plug(sub, name, _PLUGGED[name], help_text)
    return parser


# Subcommands implemented in their topic's module: ``course NAME`` calls
# ``course_lib.app.<module>.add_<NAME>_arguments(parser)`` and ``run_<NAME>(args) -> int``.
_PLUGGED = {"train": "train", "gather": "slurm", "site": "site", "score-variants": "score"}


def _plug(sub, name: str, module: str, help_text: str) -> None:
    parser = sub.add_parser(name, help=help_text)
    module = importlib.import_module(f"course_lib.app.{module}")
    getattr(module, f"add_{name.replace('-', '_')}_arguments")(parser)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``course`` command; returns the exit code."""
    args = _build_parser().parse_args(argv)
    # Lesson kernels inherit this: hide TensorFlow's C++ start-up chatter (CUDA probing on CPU
    # machines); set TF_CPP_MIN_LOG_LEVEL yourself to see it.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        if args.command == "list":
            return _list()
        if args.command == "run":
            return _run(args)
        if args.command == "data":
            return _data(args)
        if args.command in _PLUGGED:
            mod = importlib.import_module(f"course_lib.app.{_PLUGGED[args.command]}")
            return int(getattr(mod, f"run_{args.command.replace('-', '_')}")(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, FileNotFoundError, RuntimeError, OSError, ImportError) as err:  # ImportError:
        # an optional extra that is not installed (course site without .[site])
        print(f"course: error: {err}", file=sys.stderr)
        return 2 if isinstance(err, (ValueError, FileNotFoundError, ImportError)) else 1
    return 0


def _list() -> int:
    from course_lib.app.runner import list_lessons

    lessons = list_lessons()
    if not lessons:
        print("no lessons found (run from a clone of the course repository)")
        return 1
    width = max(len(ls.stem) for ls in lessons)
    for ls in lessons:
        print(f"{ls.stem:<{width}}  {ls.description}")
        print(f"{'':<{width}}  runtime: {ls.runtime}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from course_lib.app.runner import (SOLUTION_DIR, NotebookError, find_notebook, list_lessons,
                                       run_notebook)

    params = dict(args.parameter)
    if args.notebook in ("all", "solutions"):
        paths = [ls.path for ls in list_lessons(SOLUTION_DIR if args.notebook == "solutions" else None)]
    else:
        paths = [find_notebook(args.notebook)]
    if args.check:
        from course_lib.app.runner import check_output_dir, convert_parameters

        check_output_dir(args.output_dir)
        for path in paths:
            given = convert_parameters(path, params if len(paths) == 1 else _shared(path, params))
            print(f"{path.stem}: parameters OK ({len(given)} set: "
                  + (", ".join(f"{k}={v!r}" for k, v in given.items()) or "defaults") + ")")
        return 0
    failed = []
    summary = {}
    for path in paths:
        print(f"running {path} ...", flush=True)
        start = time.perf_counter()
        out = Path(args.output_dir)
        if path.resolve().parent == SOLUTION_DIR.resolve():
            out = out / "solutions"  # a solution has its lesson's stem: keep both runs
        try:
            metrics = run_notebook(path, params if len(paths) == 1 else _shared(path, params),
                                   out, log_output=args.log_output, cell_clock=not args.quiet)
        except NotebookError as err:
            print(f"\n{err}\n", file=sys.stderr)
            failed.append(path.stem)
            continue
        seconds = time.perf_counter() - start
        summary[path.stem] = metrics
        print(f"{path.stem}: done in {seconds:.0f} s -> {out / path.stem}.ipynb")
        print(json.dumps(metrics, indent=2, sort_keys=True))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _shared(path: Path, params: dict) -> dict:
    """With ``course run all``, pass each notebook only the parameters it has."""
    from course_lib.app.runner import notebook_parameters

    known = notebook_parameters(path)
    return {k: v for k, v in params.items() if k in known}


def _data(args: argparse.Namespace) -> int:
    from course_lib import data

    if args.data_command == "list":
        for row in data.list_datasets():
            cached = "cached" if row.get("cached") else "not cached"
            size = row.get("size") or row.get("total_size")
            size_text = f"{size / 1e6:,.1f} MB" if size else "size unknown"
            print(f"{row['name']:<18} {size_text:>14}  {cached:<10}  {row.get('description', '')}")
        print(f"cache: {data.cache_dir()}  (set COURSE_DATA_DIR to change it)")
        return 0
    if args.data_command == "fetch":
        where = data.fetch(args.name, timeout=args.timeout)
        print(where)
        return 0
    print(data.data_path(args.name, args.file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
