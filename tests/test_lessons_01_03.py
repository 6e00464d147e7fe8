"""Lessons 01-03 (the recurrent and 1D-convolutional class), each run once end to end with papermill
at default parameters; their metrics are asserted with tolerances."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.notebook


def test_01_models_detect_the_motif_and_the_simple_rnn_forgets_early_motifs(lesson_runs):
    m = lesson_runs("01_motif_detection")
    assert m["params_agree"] is True
    binary = m["binary_test_accuracy"]
    assert binary["conv1d"] >= 0.95
    assert binary["simple_rnn"] >= 0.75
    assert binary["dense"] >= 0.65
    dna = m["dna_test_accuracy"]
    assert dna["conv1d"] >= 0.97
    assert dna["simple_rnn"] >= 0.8
    rnn = m["accuracy_by_position"]["simple_rnn"][:-1]   # the last entry is "no motif"
    conv = m["accuracy_by_position"]["conv1d"][:-1]
    assert rnn[-1] - min(rnn[:2]) >= 0.08, "the SimpleRNN should find late motifs more often than early ones"
    assert min(conv) >= 0.95, "global max pooling does not care where the motif is"


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
    """The SimpleRNN and LSTM written out in lesson 03 and recurrent.build_sequence_classifier agree."""
    from course_lib import recurrent

    m = lesson_runs("03_vanishing_gradients")
    for kind in ("simple_rnn", "lstm"):
        library = recurrent.build_sequence_classifier(kind, 100, 1, 1, read_out="flatten", dropout=0.2,
                                                      loss="mse", seed=0)
        assert m["model_layers"][kind] == [[l.__class__.__name__, l.count_params()] for l in library.layers]


def test_01_the_notebooks_dna_models_are_the_librarys(lesson_runs):
    """The SimpleRNN, LSTM and Conv1D written out in lesson 01 and build_sequence_classifier agree."""
    from course_lib import recurrent

    m = lesson_runs("01_motif_detection")
    for kind, read_out in (("simple_rnn", "last"), ("lstm", "last"), ("conv1d", "max")):
        library = recurrent.build_sequence_classifier(kind, None, 4, 16, kernel_size=12, read_out=read_out,
                                                      optimizer="adam", seed=0)
        assert m["dna_model_layers"][kind] == [[l.__class__.__name__, l.count_params()] for l in library.layers]
