"""Every figure function lives in course_lib.plots, draws on ``ax`` (or a new figure) and
returns the Axes it drew on (an array of Axes for several panels)."""

from __future__ import annotations

import inspect

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from course_lib import plots  # noqa: E402

RNG = np.random.default_rng(0)
Y = (RNG.random((60, 3)) < 0.3).astype(int)
TABLE = pd.DataFrame({"assay": ["TF", "TF", "Histone"], "oracle_auc": [0.9, 0.95, 0.8],
                      "roc_auc": [0.85, 0.9, 0.7], "prevalence": [0.01, 0.1, 0.2]})
CALLS = {
    "plot_history": lambda ax: plots.plot_history({"loss": [1, 0.5], "val_loss": [1.1, 0.7],
                                                   "accuracy": [0.5, 0.8]}, ax=ax),
    "plot_confusion_matrix": lambda ax: plots.plot_confusion_matrix(np.array([[5, 1], [2, 7]]),
                                                                    ["a", "b"], ax=ax),
    "plot_target_aucs": lambda ax: plots.plot_target_aucs({"m": TABLE}, ax=ax),
    "plot_reliability": lambda ax: plots.plot_reliability(Y, {"m": RNG.random((60, 3))}, ax=ax),
    "plot_prevalence": lambda ax: plots.plot_prevalence(TABLE, ax=ax),
    "plot_attribution_logo": lambda ax: plots.plot_attribution_logo(RNG.normal(size=(8, 4)), ax=ax),
    "plot_saliency_bars": lambda ax: plots.plot_saliency_bars(np.arange(8.0), "ACGTACGT", ax=ax),
    "plot_ism_heatmap": lambda ax: plots.plot_ism_heatmap(RNG.normal(size=(8, 4)), "ACGTACGT", ax=ax),
    "plot_gene_attribution": lambda ax: plots.plot_gene_attribution(np.arange(8.0), "ACGTACGT", [3], ax=ax),
    "plot_logo": lambda ax: plots.plot_logo(np.full((5, 4), 0.25), ax=ax),
    "plot_logos": lambda ax: plots.plot_logos([np.full((5, 4), 0.25)] * 3, ncols=2),
}
MULTI = {"plot_history", "plot_logos"}  # several panels: an array of Axes


def test_every_plot_function_is_covered():
    public = {n for n, f in inspect.getmembers(plots, inspect.isfunction)
              if n.startswith("plot_") and f.__module__ == plots.__name__}
    assert public == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_plot_returns_the_axes_it_drew_on(name):
    given = None if name == "plot_logos" else (
        np.array(plt.subplots(1, 2)[1]) if name == "plot_history" else plt.subplots()[1])
    out = CALLS[name](given)
    if name in MULTI:
        assert isinstance(out, np.ndarray) and all(isinstance(a, matplotlib.axes.Axes) for a in out.flat)
        if given is not None:
            assert list(out) == list(given)
    else:
        assert out is given
    plt.close("all")
