"""Lesson 08, the genome language model, run end to end through papermill.

Evidence behind the margins (``course run 08 -q -o DIR -p SEED s``, fresh run directory, this
repository's AVX2-only 2-core machine; DIR/08_genome_language.metrics.json):

| seed | repeating RNN | random RNN | lambda RNN | best Markov (order) | targets won | GRU / k-mer median ROC AUC | GRU val loss first -> best |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 0 | 1.0055 | 4.0005 | 3.9320 | 3.9505 (3) | 83.3% of 24 | 0.976 / 0.903 | 0.272 -> 0.092 |
| 1 | 1.0063 | 4.0027 | 3.9401 | 3.9505 (3) | 83.3% of 24 | 0.877 / 0.920 | 0.302 -> 0.127 |
| 2 | 1.0049 | 4.0008 | 3.9198 | 3.9505 (3) | 79.2% of 24 | 0.960 / 0.912 | 0.242 -> 0.085 |

Worst cases against the floors: repeating 1.0063 (<= 1.01), random 0.0027 from 4 (<= 0.02),
lambda RNN - Markov -0.031 to -0.010 (|.| < 0.05: the network was ahead at all three seeds, as it
was at 3.92-3.96 against 3.95 before; the lesson says either can be ahead), 79.2% of targets won
(> 50%), GRU median ROC AUC 0.877 (>= 0.85), best validation loss 0.42 of the first epoch's
(< 0.75). The validation loss first fell at epoch 5 at seed 0 (four epochs at the base rate's
loss) and at epoch 3 at seeds 1 and 2. Before issue 29 (MT_EPOCHS 12, grid on): 100% / 91.7% / 95.8% won, GRU
median ROC AUC 0.972 / 0.948 / 0.968 (k-mer 0.903 / 0.920 / 0.912); with 8 epochs seed 2 won
37.5%. Wall time of the default run with ``cpu-slot --alone /usr/bin/time -f %e``: 330 s with 12
epochs and the grid (other work on the machine: epochs of 14-24 s), 204 s at the current defaults
(epochs of 8-16 s); seeds 1 and 2 side by side on the two cores: 272 s and 249 s.

Solution (solutions/08_genome_language.ipynb, ``EPOCHS = 2``, JAX), measured before issue 29 at
seeds 0 / 1: exercise 1, test perplexity GRU 3.9557 / 3.9710, LSTM 3.9885 / 3.9790, SimpleRNN
3.9491 / 3.9895 against the order-3 chain's 3.9505 (closest: SimpleRNN / GRU); exercise 2, WARMUP
10 moves the GRU by 0.0007 / 0.0001, capping every base's history at 10-19 bases costs 0.0044 /
0.0010; exercise 3, both strands 3.9373 / 3.9746 at the same epochs, 3.9625 / 3.9746 at the same
updates; exercise 5, k-mer median ROC AUC 0.6514 -> 0.8952 / 0.6661 -> 0.8783 from CENTRE 100 to
200, the GRU at the paper's recipe 0.4949 / 0.5023, winning 12.5% / 8.3% of the targets.
Rerun after issue 29 at seed 0 (``cpu-slot --alone /usr/bin/time -f %e course run solutions/08``,
64 s): the same values at exercises 1 to 4, exercise 4's chains 3.9881 / 3.9743 / 3.9518 / 3.9367
/ 3.9505 (orders 1, 1, 3, 3, 3; deterministic), exercise 5 k-mer 0.6514 -> 0.8952, the GRU 0.495,
winning 0% of the targets.
"""

from __future__ import annotations

import gzip

import numpy as np
import pytest

pytestmark = pytest.mark.notebook

GRU_AUC_FLOOR = 0.85  # chance is 0.5; see the seed table above
NEAR_MARKOV = 0.05  # "within a few hundredths" of the best Markov chain, either way


def test_default_run_meets_the_issue(lesson_runs):
    m = lesson_runs("08_genome_language")
    # issue 8, done means: repeating PP <= 1.01, random within 0.02 of 4
    assert m["repeating_rnn_perplexity"] <= 1.01
    assert abs(m["random_rnn_perplexity"] - 4.0) <= 0.02
    # lambda phage, held-out last 10%: the headline "the network and the best Markov chain both
    # score just below 4, within a few hundredths of each other"
    assert m["real_genome"] == "lambda" and m["real_bases"] == 48_502
    assert 0 <= m["real_markov_order"] <= 8
    assert m["real_rnn_perplexity"] < 4.0 and m["real_markov_perplexity"] < 4.0
    assert abs(m["real_rnn_perplexity"] - m["real_markov_perplexity"]) < NEAR_MARKOV
    assert m["real_rnn_bits_per_base"] == pytest.approx(np.log2(m["real_rnn_perplexity"]), abs=1e-4)
    # part 2 (issue 14's headline): the multitask GRU beats the k-mer baseline's F1 on most
    # targets, after leaving the base rate the output bias starts it at
    assert m["n_eligible_targets"] >= 10
    assert m["gru_median_roc_auc"] >= GRU_AUC_FLOOR
    assert m["fraction_targets_won"] > 0.5
    assert m["kmer_median_roc_auc"] > 0.8  # the baseline is not weakened: it reads the same 200 bp
    assert m["gru_best_val_loss"] < 0.75 * m["gru_first_val_loss"]  # it left the base rate
    assert m["grid_rows"] == 0  # GRID_EPOCHS = 0: the comparison is one parameter away


def test_the_lessons_markov_chain_is_the_librarys_on_lambda(lesson_runs):
    """The order-k Markov chains the lesson writes in its Evaluate cell score lambda's test
    stretch as ``language.markov_perplexities`` does (``model_genome`` and the solutions use the
    library's copy; tests/test_language.py checks the two functions without a run)."""
    from course_lib.domains import language

    m = lesson_runs("08_genome_language")
    split = language.split_genome(language.load_genome("lambda"))
    library = language.markov_perplexities(split.train, split.test, range(9), split.test_context)
    np.testing.assert_allclose(m["real_markov_perplexities"], library.perplexity, rtol=1e-5)
    assert m["real_markov_order"] == int(library.order[library.perplexity.idxmin()])


def test_any_fasta_with_records_and_n_runs(lesson_runs, tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("fasta") / "two_records.fa.gz"
    bases = np.array(list("ACGT"))
    with gzip.open(path, "wt") as f:  # 2 records, 3 runs of N
        f.write(">chr1 first\n" + "".join(rng.choice(bases, 3000)) + "NNNNN"
                + "".join(rng.choice(bases, 2000)) + "\n")
        f.write(">chr2\n" + "".join(rng.choice(bases, 2500)) + "NN" + "".join(rng.choice(bases, 1500))
                + "nnnN" + "".join(rng.choice(bases, 1000)) + "\n")
    m = lesson_runs("08_genome_language", DATA=str(path), GENOME_LENGTH=3000, EPOCHS=1,
                    TOY_EPOCHS=1, GRID_EPOCHS=1, MT_EPOCHS=0, SEQ_LEN=50, UNITS=8)
    assert m["real_genome"] == "two_records.fa.gz"
    assert m["real_bases"] == 10_000 and m["real_segments"] == 5 and m["real_skipped_runs"] == 3
    assert 3.5 < m["real_markov_perplexity"] < 4.5 and 3.5 < m["real_rnn_perplexity"] < 4.5
    assert m["fraction_targets_won"] is None
    assert m["grid_rows"] == 6  # the paper's comparison runs on any genome


def test_the_notebooks_models_are_the_librarys(lesson_runs):
    """The language model and the multitask GRU written out in the lesson and the library's
    builders agree (layer classes and parameter counts at the lesson's defaults)."""
    from course_lib.domains import language

    m = lesson_runs("08_genome_language")

    def layers(model):
        return [[l.__class__.__name__, l.count_params()] for l in model.layers]

    assert m["model_layers"]["language_model"] == layers(language.build_language_model("gru", 48, 2, 8, 0.002, 0))
    assert m["model_layers"]["multitask_gru"] == layers(language.build_multitask_gru(24, 32, 1, 8, 0.05, 0.01, 0, clipnorm=1.0))
