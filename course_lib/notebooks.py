"""What a lesson's own cells call: its run folder and its metrics.

Every lesson ends with a cell tagged ``metrics`` that calls :func:`show_metrics`; ``course run``
(:mod:`course_lib.app.runner`) writes the executed notebook and that dict as JSON next to it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
SOLUTION_DIR = NOTEBOOK_DIR.parent / "solutions"


def to_json(value: Any) -> Any:
    """JSON-ready copy of a metrics value: the one place the course turns numbers into JSON.

    numpy scalars and arrays become Python numbers and lists, paths strings, and a missing
    number (NaN, +inf or -inf, Python or numpy) becomes ``None``, written ``null``, so a metrics
    file says "no value" the same way on every machine instead of leaving it to a serializer
    (``NaN`` is not JSON; a kernel's display message turned it into the string ``'nan'``).

    Parameters
    ----------
    value : Any
        A number, string, path, numpy scalar or array, or a dict / list / tuple of them.

    Returns
    -------
    Any
        The same structure in plain Python (dict keys as strings).

    Introduced in: 04_one_hot_cnn
    """
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, np.generic):
        return to_json(value.item())
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dump_metrics(metrics: dict, **kw: Any) -> str:
    """``metrics`` as JSON text through :func:`to_json` (strict JSON: no NaN or Infinity)."""
    return json.dumps(to_json(dict(metrics)), allow_nan=False, sort_keys=True, **kw)


def show_metrics(metrics: dict) -> dict:
    """Show a lesson's headline numbers as one JSON dict (the last cell of every lesson).

    Parameters
    ----------
    metrics : dict
        Names to numbers or strings; numpy scalars and arrays are converted.

    Returns
    -------
    dict
        The JSON-ready copy that was shown.

    Introduced in: 04_one_hot_cnn
    """
    clean = to_json(dict(metrics))
    text = dump_metrics(clean, indent=2)
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({"application/json": clean, "text/plain": text}, raw=True)
            return clean
    except ImportError:
        pass
    print(text)
    return clean


def run_directory(lesson: str, run_dir: str | Path = "") -> Path:
    """Where a lesson keeps its checkpoints and generated data, whatever the kernel's cwd.

    Parameters
    ----------
    lesson : str
        The lesson's stem, e.g. ``"05_danq_deepsea"``.
    run_dir : str or Path
        The lesson's ``RUN_DIR`` parameter: a folder of your choice, used as given; ``""``
        (the default) picks ``$COURSE_RUN_DIR/<lesson>``, else ``<repository>/runs/<lesson>``
        when the course runs from a checkout (``jupyter lab notebooks/`` and ``course run``
        then share one folder), else ``<data cache>/runs/<lesson>`` (a pip install, Colab).

    Returns
    -------
    Path
        An absolute path (not created here).

    Introduced in: 05_danq_deepsea
    """
    import os

    if str(run_dir):
        return Path(run_dir).expanduser().resolve()
    if os.environ.get("COURSE_RUN_DIR", "").strip():
        return Path(os.environ["COURSE_RUN_DIR"]).expanduser().resolve() / lesson
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and os.access(root, os.W_OK):
        return root / "runs" / lesson
    from course_lib.data import cache_dir

    return cache_dir() / "runs" / lesson


