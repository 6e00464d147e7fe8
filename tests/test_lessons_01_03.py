"""Lessons 01-03 (the recurrent and 1D-convolutional class), each run once end to end with papermill
at default parameters; their metrics are asserted with tolerances."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


def test_01_lstm_and_conv1d_find_the_motif_at_every_position(lesson_runs):
    """Lesson 01 at default parameters (Keras on JAX, 6,020 training sequences of 200 bp, 60 epochs,
    Adam with clipnorm 1, the LSTM's forget biases chrono-initialised for 200 steps), tested on
    400 bp. Measured here with `course run 01 -q -o DIR -p SEED s` (issue 29):

    | seed | worst motif bin Conv1D / LSTM | no-motif Conv1D / LSTM | test acc. Conv1D / LSTM / SimpleRNN |
    | 0    | 1.000 / 0.919                 | 0.993 / 0.977          | 0.995 / 0.995 / 0.502               |
    | 1    | 0.985 / 1.000                 | 0.993 / 0.983          | 1.000 / 0.998 / 0.540               |
    | 2    | 1.000 / 0.982                 | 0.997 / 0.950          | 1.000 / 0.992 / 0.512               |

    Worst case: Conv1D 0.985, LSTM 0.919 in a motif bin (seed 0's last bin); floors 0.95 and 0.9
    (the lesson: "at least nine motifs in ten in every bin"). Binary strings: Conv1D 1.00, 0.91,
    1.00; SimpleRNN 0.76, 0.995, 0.87; Dense 0.85, 0.85, 0.815. The SimpleRNN does not learn on 200 bp at any seed
    (test accuracy at chance), so the lesson says that and no more: issue 29 found that on 100 bp
    its early-motif deficit is what one seed shows (seed 1: last bin minus first -0.06), so no
    forgetting claim is made or asserted. Each Conv1D filter over one-hot DNA has 4 f + 1 = 49
    weights (the Summary's formula; the notebook's cell asserts it against Keras)."""
    m = lesson_runs("01_motif_detection")
    assert m["params_agree"] is True
    assert m["backend"] == "jax"
    assert m["test_len"] == 400
    assert m["conv1d_weights_per_filter"] == 4 * 12 + 1, "4 channels x width 12, and a bias"
    assert m["dna_model_layers"]["conv1d"][0] == ["Conv1D", 16 * (4 * 12 + 1)]
    binary = m["binary_test_accuracy"]
    assert binary["conv1d"] >= 0.9
    assert binary["simple_rnn"] >= 0.62   # "111" is in about half of the strings
    assert binary["dense"] >= 0.65
    dna = m["dna_test_accuracy"]
    assert dna["conv1d"] >= 0.97
    assert dna["lstm"] >= 0.97
    assert 0.4 <= dna["simple_rnn"] <= 0.65, "the SimpleRNN should not find a motif in 200 bp"
    position = m["accuracy_by_position"]   # the last entry is "no motif"
    assert min(position["conv1d"]) >= 0.95, "global max pooling does not care where the motif is"
    assert min(position["lstm"][:-1]) >= 0.9, f"the LSTM should find the motif: {position['lstm']}"
    assert position["lstm"][-1] >= 0.9, "the LSTM should not call a motif where there is none"


def test_02_filters_recover_both_planted_jaspar_motifs(lesson_runs):
    """Lesson 02 at default parameters. The Tomtom call is written in the lesson's cell (a test in
    test_motifs.py holds it to motifs.match_motifs). The header and Summary both say the binary
    consensus "holds `111`" (issue 29: the header said N0111NN, the Summary 111); measured here:
    at seed 0 consensus N0111NN, q 2.0e-30 (REST) and 2.1e-23 (NRF1), test accuracy 0.947, the
    same as the library's call gave before the rewrite; earlier runs at seeds 1 and 2 gave q <= 1e-19."""
    m = lesson_runs("02_motif_discovery")
    assert "111" in m["binary_consensus"]
    assert m["binary_test_accuracy"] >= 0.95
    assert len(m["planted"]) == 2
    assert m["n_recovered"] == 2, f"planted {m['planted']}, recovered {m['recovered']}"
    assert all(q < 0.05 for q in m["best_q_value"].values())
    assert m["dna_test_accuracy"] >= 0.85


def test_03_lstm_ahead_of_simple_rnn_and_gradients_decay(lesson_runs):
    """Lesson 03 at default parameters (Keras on JAX). Measured here with
    `course run 03 -q -o DIR -p SEED s` (issue 29):

    | seed | LSTM / SimpleRNN / always 1 | lag below 1%: SimpleRNN, GRU, LSTM, Conv1D | Conv1D min inside | at lag 13: Conv1D / SimpleRNN | final loss SGD / momentum / Nesterov / Adam |
    | 0    | 0.985 / 0.926 / 0.911       | 4, 28, none, 14                            | 1.00              | 14.7 / 6.4e-7                  | 0.434 / 0.277 / 0.265 / 0.260               |
    | 1    | 0.988 / 0.924 / 0.912       | 8, 28, 12, 14                              | 0.96              | 1.63 / 6.7e-4                  | 0.658 / 0.307 / 0.304 / 0.168               |
    | 2    | 0.990 / 0.911 / 0.908       | 4, 27, 69, 14                              | 0.34              | 0.74 / 4.5e-6                  | 0.661 / 0.241 / 0.201 / 0.213               |

    Floors: the Conv1D's smallest gradient inside its receptive field, relative to lag 1, >= 0.2
    (worst 0.34); at lag 13 the Conv1D's relative gradient is >= 100 times the SimpleRNN's
    (worst ratio about 2,400, seed 1); the SimpleRNN's gradient falls below 1% sooner than any other
    model's (worst margin: 8 against the LSTM's 12, seed 1); momentum, Nesterov and Adam each end at least 0.1 below plain SGD
    at the same learning rate (smallest gap 0.157, seed 0).
    """
    m = lesson_runs("03_vanishing_gradients")
    assert m["backend"] == "jax"
    assert m["lstm_accuracy"] >= m["simple_rnn_accuracy"] + 0.03, "the LSTM should learn to count"
    assert m["lstm_accuracy"] >= m["base_rate"] + 0.03, "the LSTM should beat always answering 1"
    assert m["simple_rnn_accuracy"] <= m["base_rate"] + 0.03, "the SimpleRNN stays near the base rate"
    assert m["simple_rnn_accuracy"] >= m["base_rate"] - 0.01
    lags = m["lag_below_1pct"]
    assert lags["simple_rnn"] is not None and lags["simple_rnn"] < 2 * 19, (
        f"the SimpleRNN's gradient should fade before the 38 steps the task needs: {lags}")
    others = [100 + 1 if v is None else v for k, v in lags.items() if k != "simple_rnn"]
    assert lags["simple_rnn"] < min(others), f"the SimpleRNN's gradient should fade first: {lags}"
    # the convolution: no fading inside its receptive field, exactly zero beyond it
    assert lags["conv1d"] == 14   # 3 causal convolutions of width 5: receptive field 13
    assert m["conv1d_max_beyond"] == 0.0
    assert m["conv1d_min_relative_inside"] >= 0.2, "no fading inside the receptive field"
    edge = m["relative_gradient_at_receptive_field"]
    assert edge["conv1d"] >= 100 * edge["simple_rnn"], f"relative gradient at lag 13: {edge}"
    final = m["final_optimizer_loss"]
    assert set(final) == {"SGD", "SGD + momentum", "SGD + Nesterov", "Adam"}
    for name in ("SGD + momentum", "SGD + Nesterov", "Adam"):
        assert final[name] <= final["SGD"] - 0.1, f"{name} should end far below plain SGD: {final}"


def test_03_the_notebooks_models_are_the_librarys(lesson_runs):
    """The SimpleRNN and LSTM written out in lesson 03 and models.build_sequence_classifier agree.
    (The lag models and gradient by lag written in lesson 03 are held to recurrent.build_lag_model
    and recurrent.gradient_by_lag in test_recurrent.py.)"""
    from course_lib import models

    m = lesson_runs("03_vanishing_gradients")
    for kind in ("simple_rnn", "lstm"):
        library = models.build_sequence_classifier(kind, 100, 1, 1, read_out="flatten", dropout=0.2,
                                                   loss="mse", seed=0)
        assert m["model_layers"][kind] == [[l.__class__.__name__, l.count_params()] for l in library.layers]


def test_01_the_notebooks_dna_models_are_the_librarys(lesson_runs):
    """The SimpleRNN, LSTM and Conv1D written out in lesson 01 and build_sequence_classifier agree."""
    from course_lib import models

    m = lesson_runs("01_motif_detection")
    for kind, read_out in (("simple_rnn", "last"), ("lstm", "last"), ("conv1d", "max")):
        library = models.build_sequence_classifier(kind, None, 4, 16, kernel_size=12, read_out=read_out,
                                                   optimizer="adam", seed=0)
        assert m["dna_model_layers"][kind] == [[l.__class__.__name__, l.count_params()] for l in library.layers]
