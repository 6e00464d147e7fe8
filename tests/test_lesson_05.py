"""Lesson 05, DanQ and DeepSEA, run end to end through papermill on the offline stand-in.

The lesson states in words what holds; the evidence behind each margin is kept here.
Measured with ``course run 05 -q -o DIR -p SEED s -p RUN_DIR <fresh dir>`` (through
``cpu-slot``), read from ``DIR/05_danq_deepsea.metrics.json``. Median ROC AUC over the
stand-in's 24 targets; "long" is the median over the 7 histone-like (long-range) targets:

    machine                      seed  DanQ   DeepSEA  oracle  DanQ long  DeepSEA long
    2-core, before issue 29       0    0.980  0.943    0.986   0.966      0.947
                                  1    0.944  0.958    0.988   0.983      0.981
                                  2    0.938  0.970    0.981   0.887      0.922
                                  3    0.974  0.962    -       0.975      0.941
    AVX2-only 2-core, issue 29    0    0.973  0.940    0.986   0.965      0.941
                                  1    0.952  0.970    0.988   0.958      0.985
                                  2    0.970  0.861    0.981   0.934      0.765

(the oracle, the true rule scored against the noisy test labels, depends on the data alone:
0.981-0.988 at seeds 0-3 on both machines).
What moved on the AVX2-only machine (issue 30's reference kind): the same code and batches
(tests/test_deepsea.py holds the lesson's stream to the library's) give other floating-point
sums, and at seed 2 DeepSEA is still at the onset of learning after 6 epochs (validation loss
0.258, 0.179, 0.173, 0.155, 0.146, 0.143, still falling; DeepSEA 0.970 there on the earlier
machine). So the lesson claims only what held in all seven runs: DanQ within about 0.05 of the
oracle (worst gap 0.044), DeepSEA as close at most starts but still learning at some; which of
the two leads changes with the seed, overall and on the long-range targets.

The stand-in's sites are drawn close to their motif's consensus (``SHARPNESS`` 3). At
``SHARPNESS`` 2, the lesson's earlier default, 6 epochs did not train DeepSEA at seed 2 (median
ROC AUC 0.597, and 0.751 after 12 epochs); a learning rate of 0.001 or 0.002, batch norm or
batches of 16 reached only 0.78-0.88 there.

Wall time of the default run (seed 0): 204 s (4.8 min of CPU) on an idle 2-core machine before
issue 29, 173-225 s at seeds 0-3; on the AVX2-only 2-core machine 245 s with
``cpu-slot --alone`` (the Runtime line rounds it up), 308-348 s at seeds 1 and 2 while other
jobs shared the machine.

solutions/05, seed 0 on the AVX2-only machine (396 s on a shared machine): DanQ 0.892 -> 0.962
and DeepSEA 0.897 -> 0.940 from epoch 3 to 5 (oracle 0.986), TF-like lowest at epoch 3 (0.637,
0.589; DeepSEA's TF-like 0.548 at epoch 5); full-size batches 24.3 and 20.3 times as slow;
strand averaging +0.005 and +0.004 mean ROC AUC; worst PR AUC SPI1 (prevalence 0.027, PR AUC
0.022-0.025, oracle 0.928); largest excess over the oracle 0.0067, median gaps 0.022 and 0.038.
Seeds 0 and 1 on the earlier machine: from epoch 3 to 5 DanQ
rose 0.912 -> 0.972 and 0.893 -> 0.924, DeepSEA 0.895 -> 0.936 and 0.879 -> 0.943 (oracle 0.986,
0.988); the TF-like class lowest at epoch 3 in all four (DanQ 0.641, 0.796; DeepSEA 0.602,
0.838) and DanQ's largest gain (+0.341, +0.092). Full-size batches 17-24 times as slow as small
ones. Strand averaging raised the mean ROC AUC by 0.003-0.007 over the forward strand. The
worst PR AUC: an SP1 or SPI1 target (prevalence 0.020-0.034, PR AUC 0.023-0.054, ROC AUC
0.43-0.63, oracle PR AUC 0.93-1.00). Largest excess over the oracle 0.0001-0.0064; median gap
0.013-0.060. With the earlier stand-in (``SHARPNESS`` 2), DanQ on 2,000 regions for 6 epochs
(750 steps) reached 0.808 and 0.758 against 0.810 and 0.897 on 4,000 regions after the same
750 steps (exercise 1's ``N_TRAIN`` question).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def m(lesson_runs, tmp_path_factory):
    # a fresh RUN_DIR, so the run trains instead of loading an earlier run's checkpoints
    return lesson_runs("05_danq_deepsea", RUN_DIR=str(tmp_path_factory.mktemp("lesson05")))


def test_default_run_setup(m):
    assert m["data"] == "simulated" and m["size"] == "small" and m["n_targets"] == 24
    assert m["sharpness"] == 3.0  # at 2, DeepSEA did not train at seed 2 (module docstring)
    assert m["train_rows"] == 8000  # 4,000 regions, both strands
    assert m["oracle_median_roc_auc"] > 0.95
    assert 300_000 < m["danq_parameters"] < 400_000
    assert 500_000 < m["deepsea_parameters"] < 700_000


def test_danq_comes_within_about_005_of_the_oracle(m):
    # the headline; worst gap measured 0.044 (module docstring), floor 0.07
    assert m["oracle_median_roc_auc"] - m["danq_median_roc_auc"] < 0.07
    assert 0 <= m["danq_ece"] < 0.05


def test_deepsea_is_as_close_or_still_learning(m):
    """The lesson: DeepSEA gets as close as DanQ at most starts, but from some it is still
    learning after EPOCHS epochs. Either it came as close as DanQ's floor (0.07), or its
    validation loss still fell at the last epoch; either way it learned something."""
    reached = m["oracle_median_roc_auc"] - m["deepsea_median_roc_auc"] < 0.07
    assert reached or m["deepsea_last_val_loss_change"] < 0, m["deepsea_last_val_loss_change"]
    assert m["deepsea_median_roc_auc"] > 0.75  # worst measured 0.861
    assert 0 <= m["deepsea_ece"] < 0.05


def test_the_long_range_targets_are_learned(m):
    # DanQ's worst 0.887; DeepSEA's 0.922 where it came within 0.07 of the oracle (0.765 where it
    # was still learning); which is ahead changes with the seed, so the lesson claims no lead
    assert m["danq_long_range_median_roc_auc"] >= 0.85
    if m["oracle_median_roc_auc"] - m["deepsea_median_roc_auc"] < 0.07:
        assert m["deepsea_long_range_median_roc_auc"] >= 0.85


def test_the_notebooks_models_are_the_librarys(m):
    """DanQ and DeepSEA written out in the lesson and models.build_model (course train, lessons 06
    and 09) cannot drift: same layers, names and parameter counts."""
    from course_lib import models

    for name in ("danq", "deepsea"):
        library = models.build_model(name, m["size"], seq_len=1000, n_targets=m["n_targets"])
        assert m["model_layers"][name] == [[l.__class__.__name__, l.name, l.count_params()]
                                           for l in library.layers]


def test_the_parameter_table_counts_the_lessons_models(m):
    """The Model section counts the parameters of the builders the student just read, at the
    published and the laptop size; they equal models.build_model's, which course train uses."""
    from course_lib import models

    for name in ("danq", "deepsea"):
        for size in ("full", m["size"]):
            library = models.build_model(name, size, seq_len=1000, n_targets=m["n_targets"])
            assert m["parameter_table"][f"{name}_{size}"] == library.count_params(), (name, size)
        assert m["parameter_table"][f"{name}_{m['size']}"] == m[f"{name}_parameters"]
