"""Lesson 08, the genome language model, run end to end through papermill."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

pytestmark = pytest.mark.notebook

GRU_AUC_FLOOR = 0.85  # chance is 0.5; measured 0.948-0.972 at seeds 0-2 (0.784 at seed 2 with 8 epochs)


def test_default_run_meets_the_issue(lesson_runs):
    m = lesson_runs("08_genome_language")
    # issue 8, done means: repeating PP <= 1.01, random within 0.02 of 4
    assert m["repeating_rnn_perplexity"] <= 1.01
    assert abs(m["random_rnn_perplexity"] - 4.0) <= 0.02
    # lambda phage: the RNN beats the best Markov order on the held-out last 10%
    assert m["real_genome"] == "lambda" and m["real_bases"] == 48_502
    assert 0 <= m["real_markov_order"] <= 8
    assert m["real_rnn_perplexity"] < m["real_markov_perplexity"] < 4.0
    assert m["real_rnn_bits_per_base"] == pytest.approx(np.log2(m["real_rnn_perplexity"]), abs=1e-4)
    # part 2 at the defaults (CENTRE 200, 16,000 stand-in regions, output biases at the prevalence,
    # best of 12 epochs), issue 14's headline: the GRU beats the k-mer baseline's F1 on more than half
    # of the targets. Measured: 100% / 91.7% / 95.8% of 24 targets won at seeds 0 / 1 / 2, GRU median
    # ROC AUC 0.972 / 0.948 / 0.968 (k-mer 0.903 / 0.920 / 0.912). The GRU leaves the base rate
    # after 2 to 4 epochs, so 12 leave it 8 to 10 epochs to learn; with 8 epochs seed 2 won 37.5%.
    assert m["n_eligible_targets"] >= 10
    assert m["gru_median_roc_auc"] >= GRU_AUC_FLOOR
    assert m["fraction_targets_won"] > 0.5
    assert m["kmer_median_roc_auc"] > 0.8  # the baseline is not weakened: it reads the same 200 bp
    assert m["grid_rows"] == 6


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
                    TOY_EPOCHS=1, GRID_EPOCHS=0, MT_EPOCHS=0, SEQ_LEN=50, UNITS=8)
    assert m["real_genome"] == "two_records.fa.gz"
    assert m["real_bases"] == 10_000 and m["real_segments"] == 5 and m["real_skipped_runs"] == 3
    assert 3.5 < m["real_markov_perplexity"] < 4.5 and 3.5 < m["real_rnn_perplexity"] < 4.5
    assert m["fraction_targets_won"] is None


def test_the_notebooks_models_are_the_librarys(lesson_runs):
    """The language model and the multitask GRU written out in the lesson and the library's
    builders agree (layer classes and parameter counts at the lesson's defaults)."""
    from course_lib import models

    m = lesson_runs("08_genome_language")

    def layers(model):
        return [[l.__class__.__name__, l.count_params()] for l in model.layers]

    assert m["model_layers"]["language_model"] == layers(models.build_language_model("gru", 48, 2, 8, 0.002, 0))
    assert m["model_layers"]["multitask_gru"] == layers(models.build_multitask_gru(24, 32, 1, 8, 0.05, 0.01, 0, clipnorm=1.0))
