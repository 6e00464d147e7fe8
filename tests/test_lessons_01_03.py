"""Lessons 01-03 (the recurrent and 1D-convolutional class), each run once end to end with papermill
at default parameters; their metrics are asserted with tolerances."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


def test_01_lstm_and_conv1d_find_the_motif_at_every_position(lesson_runs):
    """Lesson 01 at default parameters (Keras on JAX, 6,020 training sequences of 200 bp, 60 epochs,
    Adam with clipnorm 1, the LSTM's forget biases chrono-initialised for 200 steps), tested on
    400 bp. Measured with `course run 01` at seeds 0, 1, 2: Conv1D 0.985-1.00 and LSTM 0.952-1.00 in
    every motif-position bin; test accuracy on 200 bp: Conv1D >= 0.994, LSTM >= 0.995, SimpleRNN
    0.50, 0.53, 0.51 (it does not learn on 200 bp). Issue 14's SimpleRNN target (earliest bin 0.3
    below the latest at every seed) is not asserted: on 200 bp it learns nothing at any seed, and on
    100 bp it forgets early motifs at 3 of 15 seeds only (the lesson's prose)."""
    m = lesson_runs("01_motif_detection")
    assert m["params_agree"] is True
    assert m["backend"] == "jax"
    assert m["test_len"] == 400
    binary = m["binary_test_accuracy"]    # seeds 0, 1, 2 on JAX: conv1d 1.00, 0.91, 1.00; simple_rnn 0.76-0.995
    assert binary["conv1d"] >= 0.9
    assert binary["simple_rnn"] >= 0.62   # 0.76 at seed 0; "111" is in about half of the strings
    assert binary["dense"] >= 0.65
    dna = m["dna_test_accuracy"]
    assert dna["conv1d"] >= 0.97
    assert dna["lstm"] >= 0.97
    assert 0.4 <= dna["simple_rnn"] <= 0.7, "the SimpleRNN should not find a motif anywhere in 200 bp"
    position = m["accuracy_by_position"]   # the last entry is "no motif"
    assert min(position["conv1d"]) >= 0.95, "global max pooling does not care where the motif is"
    assert min(position["lstm"][:-1]) >= 0.90, f"the LSTM should find the motif at every position: {position['lstm']}"
    assert position["lstm"][-1] >= 0.90, "the LSTM should not call a motif in sequences without one"


def test_02_filters_recover_both_planted_jaspar_motifs(lesson_runs):
    m = lesson_runs("02_motif_discovery")
    assert "111" in m["binary_consensus"]
    assert m["binary_test_accuracy"] >= 0.95
    assert len(m["planted"]) == 2
    assert m["n_recovered"] == 2, f"planted {m['planted']}, recovered {m['recovered']}"
    assert all(q < 0.05 for q in m["best_q_value"].values())
    assert m["dna_test_accuracy"] >= 0.85


def test_03_lstm_ahead_of_simple_rnn_and_gradients_decay(lesson_runs):
    m = lesson_runs("03_vanishing_gradients")
    # measured at seeds 0, 1, 2: LSTM 0.985-0.990, SimpleRNN 0.911-0.926, base rate 0.908-0.912
    assert m["lstm_accuracy"] >= m["simple_rnn_accuracy"] + 0.03, "the LSTM should learn to count"
    assert m["lstm_accuracy"] >= m["base_rate"] + 0.03, "the LSTM should beat always answering 1"
    assert m["simple_rnn_accuracy"] <= m["base_rate"] + 0.03, "the SimpleRNN should stay near the base rate"
    assert m["simple_rnn_accuracy"] >= m["base_rate"] - 0.01
    lags = m["lag_below_1pct"]
    assert lags["conv1d"] == 14   # 3 causal convolutions of width 5: receptive field 13
    assert set(m["final_optimizer_loss"]) == {"SGD", "SGD + momentum", "SGD + Nesterov", "Adam"}
    assert m["final_optimizer_loss"]["Adam"] < m["final_optimizer_loss"]["SGD"]


def test_03_the_notebooks_models_are_the_librarys(lesson_runs):
    """The SimpleRNN and LSTM written out in lesson 03 and models.build_sequence_classifier agree."""
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
