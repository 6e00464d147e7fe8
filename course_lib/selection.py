"""Model selection: stratified k-fold cross-validation over a small hyper-parameter grid.

The pieces are separate so that a cluster job array can run them one at a time:

- :func:`parameter_grid` lists the settings of a grid (a stable order: setting ``i`` is the
  same on every machine);
- :func:`stratified_folds` gives the folds (same labels, folds and seed -> same indices);
- :func:`run_fold` fits and scores ONE (setting, fold) and returns one row;
- :func:`summarize_folds` gathers rows into a table with the mean and sd per setting;
- :func:`cross_validate` does all of it in a loop, and :func:`best_setting` picks the winner.

A *staged* parameter (typically ``epochs``) is one whose smaller values are the early stages of
a run with a larger value: with a fixed seed, 6 epochs are exactly the first 6 epochs of a
10-epoch run. :func:`run_fold_stages` fits once with the largest value and scores every
stage, so a grid over ``epochs`` costs one run per fold instead of one per value.

The model is a function ``fit_predict(setting, X_train, y_train, X_valid, seed) -> scores``
returning the probability of the positive class for ``X_valid``, so any model fits in
(a Keras network, a scikit-learn pipeline, a rule).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

#: The scores of every row (see :func:`score_binary`).
METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "f1")

FitPredict = Callable[..., np.ndarray]


def parameter_grid(grid: Mapping[str, Sequence]) -> list[dict]:
    """Every combination of a grid, in a fixed order (the last name varies fastest).

    Parameters
    ----------
    grid : mapping of name -> list of values, e.g. ``{"epochs": [5, 10], "units": [8, 16]}``

    Returns
    -------
    list of dict, ``prod(len(values))`` settings

    Introduced in: 07_resistance_lstm
    """
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty dict of name -> list of values, got {grid!r}")
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"grid[{name!r}] must be a non-empty list of values, got {values!r}; "
                             f"write a single value as [{values!r}]")
    names = list(grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(grid[n] for n in names))]


def stratified_folds(y: np.ndarray, n_folds: int = 5, seed: int = 0
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified k-fold split: each fold keeps the class proportions.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Class labels.
    n_folds : int
        At least 2 and at most the size of the smallest class.
    seed : int
        Seed of the shuffle before the split.

    Returns
    -------
    list of (train, valid) pairs of sorted int64 index arrays
        The ``valid`` parts are disjoint and together cover ``range(n)``.

    Introduced in: 07_resistance_lstm
    """
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y)
    counts = np.unique(y, return_counts=True)[1]
    if not isinstance(n_folds, (int, np.integer)) or n_folds < 2:
        raise ValueError(f"n_folds must be an integer >= 2, got {n_folds!r}")
    if counts.min() < n_folds:
        raise ValueError(f"the smallest class has {counts.min()} examples, fewer than "
                         f"n_folds={n_folds}; lower n_folds or add data")
    splitter = StratifiedKFold(n_splits=int(n_folds), shuffle=True, random_state=int(seed))
    return [(np.sort(tr).astype(np.int64), np.sort(va).astype(np.int64))
            for tr, va in splitter.split(np.zeros(len(y)), y)]


def _take(X, idx: np.ndarray):
    if isinstance(X, np.ndarray):
        return X[idx]
    return [X[i] for i in idx]


def run_fold(fit_predict: FitPredict, X, y: np.ndarray, setting: dict, fold: int,
             n_folds: int = 5, seed: int = 0) -> dict:
    """Fit and score one (setting, fold): one row of the cross-validation table.

    Parameters
    ----------
    fit_predict : callable
        ``fit_predict(setting, X_train, y_train, X_valid, seed=...)`` -> scores of class 1.
    X : np.ndarray or list
        Inputs, indexable by position (a list of strings works).
    y : np.ndarray of 0/1, shape (n,)
    setting : dict
        One entry of :func:`parameter_grid`.
    fold : int
        ``0 <= fold < n_folds``.
    n_folds, seed : int
        Define the folds (:func:`stratified_folds`); ``seed + fold`` seeds the fit.

    Returns
    -------
    dict
        The setting's values, ``fold``, ``n_train``, ``n_valid`` and :data:`METRICS`.

    Introduced in: 07_resistance_lstm
    """
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}")
    if not 0 <= fold < n_folds:
        raise ValueError(f"fold must be in 0 .. {n_folds - 1}, got {fold}")
    train, valid = stratified_folds(y, n_folds, seed)[fold]
    scores = np.asarray(fit_predict(dict(setting), _take(X, train), y[train], _take(X, valid),
                                    seed=seed + fold)).ravel()
    if scores.shape != (len(valid),):
        raise ValueError(f"fit_predict returned {scores.shape} scores for {len(valid)} "
                         "validation examples; return one probability per example")
    return {**setting, "fold": int(fold), "n_train": len(train), "n_valid": len(valid),
            **score_binary(y[valid], scores)}


def run_fold_stages(fit_predict: FitPredict, X, y: np.ndarray, setting: dict, fold: int,
                    stage: str, values: Sequence, n_folds: int = 5, seed: int = 0) -> list[dict]:
    """Fit one fold once and score it at several stages (e.g. after 6 and after 10 epochs).

    Parameters
    ----------
    fit_predict : callable
        ``fit_predict(setting, X_train, y_train, X_valid, seed=..., stages=values)`` returning
        a dict ``{value: scores of class 1 for X_valid}`` with one entry per value.
    stage : str
        The staged parameter's name; ``setting[stage]`` is set to ``max(values)``.
    values : sequence
        The stages to score.
    X, y, setting, fold, n_folds, seed
        As in :func:`run_fold`.

    Returns
    -------
    list of dict
        One :func:`run_fold`-style row per value, ``setting[stage]`` set to that value.

    Introduced in: 07_resistance_lstm
    """
    values = sorted(values)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}")
    train, valid = stratified_folds(y, n_folds, seed)[fold]
    scores = fit_predict({**setting, stage: values[-1]}, _take(X, train), y[train],
                         _take(X, valid), seed=seed + fold, stages=values)
    if not isinstance(scores, Mapping) or set(scores) != set(values):
        raise ValueError(f"fit_predict(..., stages={values}) must return a dict with one entry "
                         f"per stage, got {type(scores).__name__} "
                         f"{sorted(scores) if isinstance(scores, Mapping) else ''}")
    return [{**setting, stage: v, "fold": int(fold), "n_train": len(train),
             "n_valid": len(valid), **score_binary(y[valid], np.asarray(scores[v]).ravel())}
            for v in values]


def summarize_folds(rows: Sequence[dict] | pd.DataFrame, metrics: Sequence[str] = METRICS
                    ) -> pd.DataFrame:
    """Mean and standard deviation over folds, one row per setting.

    Parameters
    ----------
    rows : list of dict or DataFrame
        Rows of :func:`run_fold` (any order, from any machine).
    metrics : sequence of str

    Returns
    -------
    pd.DataFrame
        The setting columns, ``n_folds``, and ``<metric>_mean``, ``<metric>_sd`` (sample sd,
        ddof=1; NaN with one fold), in the order settings first appear.

    Introduced in: 07_resistance_lstm
    """
    table = pd.DataFrame(list(rows) if not isinstance(rows, pd.DataFrame) else rows)
    missing = [m for m in metrics if m not in table.columns] + \
        [c for c in ("fold",) if c not in table.columns]
    if missing:
        raise ValueError(f"rows lack columns {missing}; pass the dicts returned by run_fold")
    keys = [c for c in table.columns if c not in (*METRICS, *metrics, "fold", "n_train", "n_valid")]
    table = table.assign(_setting=table[keys].astype(str).agg("|".join, axis=1) if keys else "")
    out = []
    for _, group in table.groupby("_setting", sort=False):
        row = {k: group[k].iloc[0] for k in keys}
        row["n_folds"] = int(group["fold"].nunique())
        for m in metrics:
            row[f"{m}_mean"] = float(group[m].mean())
            row[f"{m}_sd"] = float(group[m].std(ddof=1)) if len(group) > 1 else float("nan")
        out.append(row)
    return pd.DataFrame(out)


def cross_validate(fit_predict: FitPredict, X, y: np.ndarray, grid: Mapping[str, Sequence],
                   n_folds: int = 5, seed: int = 0, stage: str | None = None) -> pd.DataFrame:
    """Run every (setting, fold) of a grid: the tidy per-fold table.

    Summarize it with :func:`summarize_folds`. Use only training data here; the test set is
    scored once, after :func:`best_setting` has been retrained on all of the training data.

    Parameters
    ----------
    fit_predict, X, y, n_folds, seed
        As in :func:`run_fold`.
    grid : mapping of name -> list of values
    stage : str, optional
        A staged parameter of ``grid`` (see :func:`run_fold_stages`): one fit per fold and
        other setting, scored at each of its values.

    Returns
    -------
    pd.DataFrame
        One row per (setting, fold), as :func:`run_fold` returns.

    Introduced in: 07_resistance_lstm
    """
    stratified_folds(y, n_folds, seed)  # validate before the first (slow) fit
    if stage is None:
        return pd.DataFrame([run_fold(fit_predict, X, y, s, f, n_folds, seed)
                             for s in parameter_grid(grid) for f in range(n_folds)])
    if stage not in grid:
        raise ValueError(f"stage {stage!r} is not a parameter of the grid {sorted(grid)}")
    others = {k: v for k, v in grid.items() if k != stage}
    rows = [row for s in (parameter_grid(others) if others else [{}]) for f in range(n_folds)
            for row in run_fold_stages(fit_predict, X, y, s, f, stage, grid[stage], n_folds,
                                       seed)]
    order = {str(s): i for i, s in enumerate(parameter_grid(grid))}
    rows.sort(key=lambda r: (order[str({k: r[k] for k in grid})], r["fold"]))
    table = pd.DataFrame(rows)
    return table[list(grid) + [c for c in table.columns if c not in grid]]


def best_setting(summary: pd.DataFrame, metric: str = "balanced_accuracy") -> dict:
    """The setting with the highest mean ``metric`` (first one on ties).

    Parameters
    ----------
    summary : pd.DataFrame from :func:`summarize_folds`
    metric : str, one of :data:`METRICS` (or any summarized metric)

    Returns
    -------
    dict of the setting's hyper-parameters (plain Python values)

    Introduced in: 07_resistance_lstm
    """
    column = f"{metric}_mean"
    if column not in summary.columns:
        raise ValueError(f"summary has no {column!r}; summarized metrics: "
                         f"{[c[:-5] for c in summary.columns if c.endswith('_mean')]}")
    keys = [c for c in summary.columns
            if c != "n_folds" and not c.endswith(("_mean", "_sd"))]
    i = int(summary[column].to_numpy().argmax())
    values = {k: summary[k].iloc[i] for k in keys}
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}


# Scores live in course_lib.metrics; this name stays importable from here.
from course_lib.metrics import score_binary  # noqa: E402,F401
