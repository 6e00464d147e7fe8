"""Running lessons for ``course run``: finding them, checking their parameters, executing them
with papermill and reading back the metrics their last cell shows."""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course_lib.notebooks import dump_metrics

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
SOLUTION_DIR = NOTEBOOK_DIR.parent / "solutions"


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")



class NotebookError(RuntimeError):
    """A lesson failed: says which cell, the error, and where the executed notebook is."""



class ParameterError(ValueError):
    """A parameter the notebook does not have, or a value of the wrong type."""



@dataclass
class Lesson:
    """One lesson notebook as ``course list`` shows it."""

    path: Path
    title: str
    description: str
    runtime: str
    headline: str = ""

    @property
    def stem(self) -> str:
        return self.path.stem



def find_notebook(name: str | Path) -> Path:
    """Resolve a lesson given as a path, a file stem (``04_one_hot_cnn``) or its number (``04``).

    ``solutions/04`` (or ``solutions/04_one_hot_cnn``) names the lesson's worked solutions.

    Introduced in: 04_one_hot_cnn
    """
    path = Path(name)
    if path.is_file():
        return path
    if path.suffix != ".ipynb" and path.with_suffix(".ipynb").is_file():
        return path.with_suffix(".ipynb")
    where, key = NOTEBOOK_DIR, str(name).removesuffix(".ipynb")
    if path.parent.name == "solutions":
        where, key = SOLUTION_DIR, path.name.removesuffix(".ipynb")
    lessons = list_lessons(where)
    matches = [ls.path for ls in lessons if ls.stem == key or ls.stem.split("_")[0] == key.zfill(2)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(ls.stem for ls in lessons) or "(none found)"
    raise FileNotFoundError(
        f"no notebook '{name}': give a path to an .ipynb file, one of the lessons ({known}) "
        "or solutions/<lesson>"
    )



def list_lessons(directory: str | Path | None = None) -> list[Lesson]:
    """The numbered lessons with their title, one-line description and default runtime.

    The description is the ``**What you'll do:**`` line of the first markdown cell and the
    runtime its ``**Runtime:**`` line (see docs/CONVENTIONS.md).

    Introduced in: 04_one_hot_cnn
    """
    import nbformat

    directory = Path(directory) if directory else NOTEBOOK_DIR
    lessons = []
    for path in sorted(directory.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
        lessons.append(
            Lesson(
                path=path,
                title=_field(text, r"^#\s+(.+)$"),
                description=_field(text, r"\*\*What you'll do:\*\*\s*(.+)$"),
                runtime=_field(text, r"\*\*Runtime:\*\*\s*(.+)$"),
                headline=_headline(nb),
            )
        )
    return lessons



def _headline(nb) -> str:
    """The first sentence of the lesson's "What the default run shows" paragraph."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        marker = re.search(r"\*\*What the default run shows:\*\*\s*", cell.source)
        if marker:
            paragraph = " ".join(cell.source[marker.end():].split("\n\n")[0].split())
            return re.split(r"(?<=[.!?])\s+(?=[A-Z`(])", paragraph)[0]
        if re.search(r"^## ", cell.source, flags=re.MULTILINE):
            break
    return ""



def _field(text: str, pattern: str) -> str:
    match = re.search(pattern, text, flags=re.MULTILINE)
    return match.group(1).strip() if match else ""



def notebook_parameters(path: str | Path) -> dict[str, dict]:
    """The names, types and defaults of a notebook's ``parameters`` cell.

    Returns
    -------
    dict
        Name -> ``{"default": str, "help": str, "type": str}`` (the type papermill infers from
        the default; ``help`` is the comment after it).

    Introduced in: 04_one_hot_cnn
    """
    import papermill

    found = papermill.inspect_notebook(str(path))
    return {
        name: {"default": info["default"], "help": info.get("help") or "",
               "type": _type_of(info["default"], info["inferred_type_name"])}
        for name, info in found.items()
    }



def _type_of(default: str, annotated: str) -> str:
    """The type of a parameter: its annotation if any, else that of its literal default."""
    if annotated and annotated != "None":
        return annotated
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return "None"
    return type(value).__name__ if value is not None else "None"



def convert_parameters(path: str | Path, raw: dict[str, Any]) -> dict[str, Any]:
    """Check parameter names against the notebook and convert string values to their types.

    Strings (as given on the command line) are converted to the type of the notebook's
    default: ``int``, ``float``, ``bool`` (true/false/1/0/yes/no) or ``str``; other
    values are kept as they are.

    Numbers are checked against what their defaults and names say (:func:`_check_range`):
    no negative counts, sizes or rates; fractions (``*_FRACTION``, ``DROPOUT``, ``*_NOISE``,
    ``*_THRESHOLD``, ``PRESENCE``, ``*_RATE``) in [0, 1]; a positive ``LEARNING_RATE`` and
    ``SHARPNESS``; and no 0 for a whole-number parameter whose default is positive, unless its
    comment in the ``parameters`` cell says what 0 means (``0 keeps the longest``, ``0 skips
    part 2``).

    Raises
    ------
    ParameterError
        For a name the notebook does not have (the message lists the ones it has), a value
        that does not convert, or one out of range (the message names ``-p NAME VALUE``).

    Introduced in: 04_one_hot_cnn
    """
    known = notebook_parameters(path)
    out = {}
    for name, value in raw.items():
        if name not in known:
            listing = ", ".join(f"{k} (default {v['default']})" for k, v in known.items())
            raise ParameterError(
                f"{Path(path).name} has no parameter {name!r}. Its parameters are: {listing}"
            )
        out[name] = _convert(name, value, known[name]["type"])
        _check_range(name, out[name], known[name])
        _check_choice(name, out[name], known[name])
    return out



_OPEN_ENDED = re.compile(r"path|folder|file|\.csv|\.keras|\.npz|see ")



def _check_choice(name: str, value: Any, info: dict) -> None:
    """Refuse a word the parameter's comment does not offer: ``CELL = "gru"  # "rnn", "gru" or
    "lstm"`` takes one of those three (a comment that also allows a path or a folder is open)."""
    options = re.findall(r'"([^"]+)"', info.get("help", ""))
    default = info["default"].strip('"\'')
    if (not isinstance(value, str) or len(options) < 2 or default not in options
            or _OPEN_ENDED.search(info.get("help", ""))):
        return
    if value not in options:
        raise ParameterError(f"-p {name} {value}: {name} is one of " + ", ".join(options)
                             + f" (default {info['default']})")



#: Numbers that must be above 0, with what to say instead.
_POSITIVE = {
    "LEARNING_RATE": "the learning rate must be positive, e.g. 0.001",
    "SHARPNESS": "the stand-in's sites are drawn from the motif probabilities to this power, "
                 "which must be positive (1: the matrices as they are, larger: closer to the consensus)",
}



_FRACTION = re.compile(r"^(DROPOUT|PRESENCE)$|_(FRACTION|DROPOUT|NOISE|THRESHOLD|RATE)$")



def _check_range(name: str, value: Any, info: dict, given: str = "") -> None:
    """Refuse a number the parameter cannot take (see :func:`convert_parameters`); a list of
    numbers (``GRID_UNITS = [16]``) is checked number by number."""
    try:
        default = ast.literal_eval(info["default"])
    except (ValueError, SyntaxError):
        return
    if isinstance(value, list) and isinstance(default, list) and default:
        for item in value:  # each number as if it were the parameter
            _check_range(name, item, {**info, "default": repr(default[0])},
                         f"-p {name} '{json.dumps(value)}' (the entry {item})")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        return
    given = given or f"-p {name} {value}"
    if value < 0 and default >= 0:
        raise ParameterError(f"{given}: {name} cannot be negative (default {info['default']})")
    if name in _POSITIVE and value <= 0:
        raise ParameterError(f"{given}: {_POSITIVE[name]} (default {info['default']})")
    if _FRACTION.search(name) and name != "LEARNING_RATE" and value > 1:
        raise ParameterError(f"{given}: {name} is a fraction between 0 and 1 "
                             f"(default {info['default']})")
    if (value == 0 and isinstance(default, int) and default > 0 and name != "SEED"
            and not re.search(r"\b0\b", info.get("help", ""))):
        raise ParameterError(f"{given}: {name} must be at least 1 (default {info['default']}); "
                             "0 would leave nothing to train on or compute")



def _convert(name: str, value: Any, type_name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            lowered = value.strip().lower()
            if lowered in {"true", "1", "yes"}:
                return True
            if lowered in {"false", "0", "no"}:
                return False
            raise ValueError(value)
    except ValueError:
        raise ParameterError(
            f"parameter {name} expects a value of type {type_name}, got {value!r}"
        ) from None
    if type_name in {"list", "dict", "tuple", "None"}:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value



def read_metrics(executed: Any) -> dict:
    """The dict shown by the cell tagged ``metrics`` of an executed notebook.

    Parameters
    ----------
    executed : nbformat.NotebookNode or path
        An executed notebook.

    Introduced in: 04_one_hot_cnn
    """
    import nbformat

    nb = executed if hasattr(executed, "cells") else nbformat.read(executed, as_version=4)
    cells = [c for c in nb.cells if "metrics" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        raise NotebookError("the notebook has no cell tagged 'metrics' (see docs/CONVENTIONS.md)")
    for output in cells[-1].get("outputs", []):
        data = output.get("data", {})
        if "application/json" in data:
            return dict(data["application/json"])
        text = data.get("text/plain") or output.get("text")
        if text:
            try:
                return json.loads(text if isinstance(text, str) else "".join(text))
            except json.JSONDecodeError:
                continue
    raise NotebookError("the 'metrics' cell showed no JSON dict: call show_metrics({...}) in it")



def check_output_dir(output_dir: str | Path) -> Path:
    """Refuse an output folder that is, or lies under, a file (``-o OUTDIR``); return it."""
    out = Path(output_dir)
    taken = next((q for q in [out, *out.parents] if q.exists()), None)
    if taken is not None and not taken.is_dir():
        raise ParameterError(f"-o {out}: {taken} is a file, not a folder; choose another -o OUTDIR")
    return out



def run_notebook(
    notebook: str | Path,
    parameters: dict[str, Any] | None = None,
    output_dir: str | Path = "runs",
    progress: bool = False,
    log_output: bool = False,
    cell_clock: bool = False,
) -> dict:
    """Execute a lesson with papermill and return its metrics.

    Writes ``output_dir/<stem>.ipynb`` (the executed notebook) and, on success,
    ``output_dir/<stem>.metrics.json``. The kernel process's own stderr (TensorFlow's C++ log
    lines, ipykernel's warnings and its shutdown noise, none of them a cell's output) goes to
    ``output_dir/<stem>.kernel.log`` rather than the terminal, unless ``log_output``.

    Parameters
    ----------
    notebook : str or Path
        Path, stem or lesson number.
    parameters : dict, optional
        Values for the notebook's ``parameters`` cell; strings are converted to the type of
        each default (see :func:`convert_parameters`).
    output_dir : str or Path
        Where the executed notebook and the metrics go (created if needed).
    progress, log_output : bool
        Show papermill's progress bar / stream the cells' output to this process's stdout and
        stderr while they run (for a batch job's log).
    cell_clock : bool
        Print a line to stdout as each code cell starts (``[04_one_hot_cnn] cell 14/31 Train:
        history = model.fit(...``) and another with its duration when it ends (``course run``).

    Returns
    -------
    dict
        The metrics dict of the ``metrics`` cell.

    Raises
    ------
    ParameterError
        Unknown parameter name or badly typed value (nothing is executed).
    NotebookError
        A cell raised: the message names the cell, its first lines and the error.

    Introduced in: 04_one_hot_cnn
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    path = find_notebook(notebook)
    params = convert_parameters(path, parameters or {})
    out_dir = check_output_dir(output_dir)
    executed = out_dir / f"{path.stem}.ipynb"
    if executed.resolve() == path.resolve():
        raise ParameterError(
            f"the output {executed} would overwrite the lesson itself; choose another -o OUTDIR"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics_path = out_dir / f"{path.stem}.metrics.json"
    metrics_path.unlink(missing_ok=True)
    if log_output:  # the cells' output as it comes (papermill's log_output needs a logging setup)
        where = {"stdout_file": sys.stdout, "stderr_file": sys.stderr,
                 "kernel_manager_class": _kernel_logging_to(None)}
    else:  # a batch job's log keeps everything; a terminal only the cells' story
        where = {"kernel_manager_class": _kernel_logging_to(out_dir / f"{path.stem}.kernel.log")}
    try:
        nb = papermill.execute_notebook(
            str(path),
            str(executed),
            parameters=params,
            progress_bar=progress,
            kernel_name="python3",
            engine_name=_clock_engine() if cell_clock else None,
            **({"cell_clock": path.stem} if cell_clock else {}),
            **where,
        )
    except PapermillExecutionError as err:
        raise NotebookError(_describe_failure(path, executed, err)) from None
    metrics = read_metrics(nb)
    tmp = metrics_path.with_suffix(".json.tmp")
    tmp.write_text(dump_metrics(metrics, indent=2) + "\n")
    tmp.replace(metrics_path)
    return metrics



def _kernel_logging_to(log: Path | None) -> type:
    """A Jupyter kernel manager whose kernel keeps its process's own output out of the cells.

    ipykernel forwards what a library writes to the process's file descriptors (TensorFlow's
    C++ start-up lines: "All log messages before absl::InitializeLog() ...", "Could not find
    cuda drivers") into the running cell's output, so the executed lesson and the site would
    open on them; started with ``capture_fd_output`` off, the kernel leaves them on its
    process's stderr, which goes to ``log`` (appended), or to this process's stderr when
    ``log`` is None (a batch job's log). Cells' own prints and figures are unchanged.
    An ipykernel traceback from the kernel's own shutdown lands there too, where a user will
    not mistake it for the lesson's error.
    """
    from jupyter_client.manager import AsyncKernelManager

    class KernelLogManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw["extra_arguments"] = [*kw.get("extra_arguments", []),
                                     "--IPKernelApp.capture_fd_output=False"]
            if log is None:
                return await super().start_kernel(**kw)
            with open(log, "ab") as stream:  # the kernel holds its own copy once started
                kw.setdefault("stderr", stream)
                return await super().start_kernel(**kw)

    return KernelLogManager



def _clock_engine() -> str:
    """Register (once) a papermill engine that reports each code cell's start and duration."""
    from papermill.engines import NBClientEngine, papermill_engines

    class CellClockEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, cell_clock="", **kwargs):
            _attach_cell_clock(nb_man, cell_clock)
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    if "course-cell-clock" not in papermill_engines._engines:
        papermill_engines.register("course-cell-clock", CellClockEngine)
    return "course-cell-clock"



def _attach_cell_clock(nb_man: Any, stem: str) -> None:
    """Wrap ``nb_man.cell_start`` / ``cell_complete`` to print which code cell runs, and how long."""
    import time

    cells = nb_man.nb.cells
    code = [i for i, c in enumerate(cells) if c.cell_type == "code" and c.source.strip()]
    section, started = {}, {}
    heading = ""
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            titles = [ln.lstrip("#").strip() for ln in cell.source.splitlines() if ln.startswith("#")]
            heading = titles[-1] if titles else heading
        section[i] = heading
    start, complete = nb_man.cell_start, nb_man.cell_complete

    def cell_start(cell, cell_index=None, **kwargs):
        if cell_index in code:
            first = next(ln for ln in cell.source.splitlines() if ln.strip()).strip()
            first = first if len(first) <= 60 else first[:57] + "..."
            title = section[cell_index]
            where = f" {title if len(title) <= 40 else title[:37] + '...'}:" if title else ""
            print(f"[{stem}] cell {code.index(cell_index) + 1}/{len(code)}{where} {first}", flush=True)
            started[cell_index] = time.perf_counter()
        return start(cell, cell_index, **kwargs)

    def cell_complete(cell, cell_index=None, **kwargs):
        if cell_index in started:
            seconds = time.perf_counter() - started.pop(cell_index)
            print(f"[{stem}] cell {code.index(cell_index) + 1}/{len(code)} done in {seconds:.1f} s", flush=True)
        return complete(cell, cell_index, **kwargs)

    nb_man.cell_start, nb_man.cell_complete = cell_start, cell_complete



def _describe_failure(path: Path, executed: Path, err: Any) -> str:
    source = [line for line in (err.source or "").splitlines() if line.strip()]
    shown = "\n".join("    " + line for line in source[:8])
    if len(source) > 8:
        shown += "\n    ..."
    return (
        f"{path.name} failed in cell {err.cell_index} (execution count {err.exec_count}):\n"
        f"{shown}\n\n{err.ename}: {_ANSI.sub('', str(err.evalue))}\n\n"
        f"The executed notebook, with the full traceback, is {executed}"
    )
