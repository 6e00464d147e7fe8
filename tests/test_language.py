"""course_lib.domains.language: genomes as segments, Markov baselines, windows, RNN scoring, F1."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from course_lib import metrics, models, sequences
from course_lib.domains import language


def test_split_segments_skips_n_runs_and_keeps_records_apart():
    g = language.split_segments(["ACGTNNNNacg", "TTXG", "NNNN"], "toy")
    assert g.segments == ["ACGT", "ACG", "TT", "G"]
    assert (g.n_records, g.skipped_runs, g.skipped_bases, g.n_bases) == (3, 3, 9, 10)
    assert "skipped 3 run(s)" in g.summary()


def test_read_fasta_genome_reads_gzip_multi_record(tmp_path):
    path = tmp_path / "toy.fa.gz"
    with gzip.open(path, "wt") as f:
        f.write(">one\nACGTAC\nGTNNNNAC\n>two desc\nTTTT\n")
    g = language.read_fasta_genome(path)
    assert g.segments == ["ACGTACGT", "AC", "TTTT"] and g.n_records == 2 and g.skipped_runs == 1


@pytest.mark.parametrize("bad, message", [
    ("missing.fa", "no FASTA file.*-p DATA"), ("text.fa", "not a FASTA file"), ("gaps.fa", "no A/C/G/T")])
def test_read_fasta_genome_errors_say_what_to_do(tmp_path, bad, message):
    (tmp_path / "text.fa").write_text("hello\n")
    (tmp_path / "gaps.fa").write_text(">gaps\nNNNN\n")
    with pytest.raises((FileNotFoundError, ValueError), match=message):
        language.read_fasta_genome(tmp_path / bad)


def test_toy_genomes_and_the_shipped_lambda():
    assert language.repeating_genome(25) == "AGCTTGAGGCAGCTTGAGGCAGCTT"
    assert language.random_genome(100, seed=3) == language.random_genome(100, seed=3) != language.random_genome(100, seed=4)
    lam = language.load_genome("lambda")
    assert lam.n_bases == 48_502 and len(lam.segments) == 1
    assert lam.segments[0].startswith("GGGCGGCGACCTCGCGGG")


def test_unknown_genome_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown genome 'human' \(-p DATA\): use 'lambda'"):
        language.load_genome("human")


def test_a_cut_gzip_genome_says_it_is_cut_short(tmp_path):
    path = tmp_path / "g.fa.gz"
    bases = bytes(np.random.default_rng(0).choice(list(b"ACGT"), 20000))
    path.write_bytes(gzip.compress(b">x\n" + bases + b"\n")[:2000])
    with pytest.raises(ValueError, match=r"g.fa.gz cannot be read as gzipped FASTA \(cut short "
                                         r"or damaged\).*copy or download it again"):
        language.read_fasta_genome(path)


def test_a_negative_max_bases_names_the_lesson_parameter():
    with pytest.raises(ValueError, match=r"-p MAX_BASES -1; use -p MAX_BASES 0"):
        language.trim_genome(language.split_segments(["ACGT"]), -1)


def test_split_genome_is_consecutive_with_context():
    g = language.split_segments(["AAAAACCCCC", "GGGGGTTTTT"])
    sp = language.split_genome(g, (0.5, 0.2, 0.3))  # cuts at 10 and 14 of 20 bases
    assert sp.train == ["AAAAACCCCC"] and sp.valid == ["GGGG"] and sp.test == ["GTTTTT"]
    assert sp.valid_context == [""] and sp.test_context == ["GGGG"]
    with pytest.raises(ValueError, match="sum"):
        language.split_genome(g, (0.5, 0.5, 0.5))


def test_markov_fit_add_one_smoothing_by_hand():
    # "AAC": 2-mers AA, AC. Context A: counts A=1, C=1 (+1 each) over 6 -> 2/6, 2/6, 1/6, 1/6
    lp = language.markov_fit(["AAC"], order=1)
    assert lp.shape == (4, 4)
    np.testing.assert_allclose(np.exp(lp[0]), [2 / 6, 2 / 6, 1 / 6, 1 / 6])
    np.testing.assert_allclose(np.exp(lp[1]), [0.25] * 4)  # unseen context C: uniform
    np.testing.assert_allclose(np.exp(language.markov_fit(["AAC"], 0))[0], [3 / 7, 2 / 7, 1 / 7, 1 / 7])


def test_markov_perplexity_by_hand():
    lp = language.markov_fit(["AAC"], order=1)
    # held-out "AC" with one base of context "A": scores A|A (2/6) and C|A (2/6) -> PP 3
    ce = language.markov_cross_entropy(lp, ["AC"], context=["A"])
    assert language.perplexity(ce) == pytest.approx(3.0)
    assert language.bits_per_base(language.perplexity(ce)) == pytest.approx(np.log2(3))
    # without context only C|A is scored
    assert language.perplexity(language.markov_cross_entropy(lp, ["AC"])) == pytest.approx(3.0)


def test_markov_learns_the_repeat_and_not_the_noise():
    rep = language.repeating_genome(3000)
    table = language.markov_perplexities([rep[:2700]], [rep[2700:]], orders=[0, 3],
                                         context=[rep[:2700]])
    # order 3 knows the next base: each context seen ~270 times, p = 271 / 274 after add-one
    assert table.perplexity.iloc[1] == pytest.approx(274 / 271, rel=1e-3)
    assert table.perplexity.iloc[0] > 3.5
    rnd = language.random_genome(20_000, seed=1)
    assert language.perplexity(language.markov_cross_entropy(language.markov_fit([rnd[:18_000]], 0), [rnd[18_000:]])) \
        == pytest.approx(4.0, abs=0.02)


def lesson_markov_perplexities():
    """The ``markov_perplexities`` the student reads in lesson 08's Evaluate cell, run as is."""
    import ast
    from pathlib import Path

    import nbformat
    import pandas as pd

    from course_lib import sequences

    path = Path(__file__).parents[1] / "notebooks" / "08_genome_language.ipynb"
    cell = next(c.source for c in nbformat.read(path, as_version=4).cells
                if c.cell_type == "code" and "def markov_perplexities" in c.source)
    body = [node for node in ast.parse(cell).body
            if isinstance(node, ast.FunctionDef) and node.name == "markov_perplexities"]
    namespace = {"np": np, "pd": pd, "sequences": sequences}
    exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"), namespace)
    return namespace["markov_perplexities"]


@pytest.mark.parametrize("genome", ["lambda", "toy"])
def test_the_lessons_markov_chain_is_the_librarys(genome):
    """Lesson 08 writes the order-k Markov baseline in its cell; ``model_genome`` and the
    solutions use :func:`markov_perplexities`. Same perplexities on the same input: lambda's
    80/10/10 split (orders 0-8) and a toy split whose test history is shorter than k."""
    if genome == "lambda":
        split = language.split_genome(language.load_genome("lambda"))
        train, test, context, orders = split.train, split.test, split.test_context, range(9)
    else:
        train, test, context, orders = ["ACGTTGCAAC", "GGTAC"], ["TTGCA", "ACGTA"], ["AC", ""], range(5)
    ours = lesson_markov_perplexities()(train, test, context, orders)
    theirs = language.markov_perplexities(train, test, orders, context)
    assert ours.order.tolist() == theirs.order.tolist() == list(orders)
    np.testing.assert_allclose(ours.perplexity, theirs.perplexity, rtol=1e-5)


def test_make_windows_shift_by_one():
    X, y = language.make_windows(["ACGTACG", "AC"], seq_len=3, stride=2)
    np.testing.assert_array_equal(X, [[0, 1, 2], [2, 3, 0]])
    np.testing.assert_array_equal(y, [[1, 2, 3], [3, 0, 1]])
    with pytest.raises(ValueError, match=r"the longest has 3 bases\): lower it \(in a lesson: "
                                         r"-p SEQ_LEN 2\) or give a longer genome \(-p DATA\)"):
        language.make_windows(["ACG"], seq_len=5)


class _Uniform:
    """A stand-in model: probability 0.25 everywhere, records the window lengths it sees."""

    def __init__(self):
        self.lengths = []

    def predict_on_batch(self, x):
        self.lengths.append(x.shape[1])
        return np.full((1, x.shape[1], 4), 0.25, np.float32)


def test_rnn_cross_entropy_scores_every_base_once_with_history():
    model = _Uniform()
    ce = language.rnn_cross_entropy(model, ["ACGTACGTAC"], context=["GGGG"], warmup=3, step=4)
    assert ce == pytest.approx(np.log(4))
    # 4, 4 and 2 bases scored, each window starting 3 bases before its first scored base
    assert model.lengths == [3 + 4 - 1, 3 + 4 - 1, 3 + 2 - 1]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_language_model_shapes(cell):
    model = language.build_language_model(cell, units=4, layers=2, embedding=2, seed=0)
    out = model.predict(np.zeros((2, 7), np.int32), verbose=0)
    assert out.shape == (2, 7, 4)
    np.testing.assert_allclose(out.sum(axis=-1), 1, atol=1e-5)


def test_language_model_rejects_an_unknown_cell():
    with pytest.raises(ValueError, match="cell must be one of"):
        language.build_language_model("transformer")


def test_centre_codes_and_strings():
    X = np.zeros((1, 6, 4), np.uint8)
    X[0, np.arange(6), [0, 1, 2, 3, 0, 1]] = 1
    codes = language.centre_codes(X, width=2)
    np.testing.assert_array_equal(codes, [[2, 3]])
    assert sequences.decode(codes) == ["GT"]


def test_f1_by_hand_and_fraction_won():
    y = np.array([[1, 0], [1, 0], [0, 1], [0, 0]])
    p = np.array([[0.9, 0.1], [0.2, 0.1], [0.6, 0.2], [0.1, 0.1]])
    # target 0: TP 1, FP 1, FN 1 -> 2/4; target 1: nothing predicted, 1 positive -> 0
    np.testing.assert_allclose(metrics.f1_scores(y, p), [0.5, 0.0])
    np.testing.assert_allclose(metrics.f1_scores(y, p, np.array([0.15, 0.15])), [0.8, 1.0])
    assert metrics.fraction_won(np.array([0.5, 0.9, 0.1]), np.array([0.4, 0.9, 0.2]),
                                np.array([True, True, False])) == 0.5


def test_best_thresholds_reach_the_best_f1():
    y = np.array([[1], [1], [0], [0]])
    p = np.array([[0.3], [0.25], [0.2], [0.1]])
    t = metrics.best_thresholds(y, p)
    assert metrics.f1_scores(y, p, t)[0] == 1.0


def test_kmer_baseline_separates_a_planted_kmer():
    rng = np.random.default_rng(0)
    strings = ["".join(rng.choice(list("ACGT"), 30)) for _ in range(200)]
    y = np.array([[("GGGG" in s), 1] for s in strings], dtype=np.uint8)  # 2nd target constant
    predict = models.fit_kmer_baseline(strings, y, ks=(4,))
    probs = predict(strings)
    assert probs.shape == (200, 2) and np.all(probs[:, 1] == 1.0)
    assert metrics.f1_scores(y[:, :1], probs[:, :1])[0] > 0.9


def test_multitask_gru_shapes():
    model = language.build_multitask_gru(3, units=4, layers=2, seed=0)
    assert model.predict(np.zeros((2, 10), np.int32), verbose=0).shape == (2, 3)


def test_trim_genome_keeps_the_first_bases():
    g = language.trim_genome(language.split_segments(["ACGTNNAC", "GGG"]), 5)
    assert g.segments == ["ACGT", "A"] and g.n_bases == 5 and "trimmed" in g.summary()


def test_model_genome_tiny_run_scores_both_models(capsys):
    genome = language.split_segments([language.repeating_genome(600)], "tiny")
    out = language.model_genome(genome, units=4, layers=1, embedding=2, seq_len=20, epochs=2,
                                warmup=20, orders=[0, 3], seed=0, verbose=True)
    shown = capsys.readouterr().out.splitlines()  # the lesson's progress: the genome, then a line per epoch
    assert shown[0].startswith("tiny: 2 epoch(s) on ") and len(shown) == 3
    assert shown[1].startswith("epoch 1/2: train perplexity ") and "valid perplexity" in shown[2]
    assert list(out["history"].epoch) == [1, 2]
    assert out["best_order"] == 3 and out["best_markov_perplexity"] < 1.1
    assert 1.0 <= out["rnn_perplexity"] < 4.5
    again = language.model_genome(genome, units=4, layers=1, embedding=2, seq_len=20, epochs=2,
                                  warmup=20, orders=[], seed=0)
    assert again["rnn_perplexity"] == pytest.approx(out["rnn_perplexity"], rel=1e-5)  # same seed


@pytest.mark.parametrize("name, body, match", [
    ("p.faa", b">sp|P69905|HBA_HUMAN\nMVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHF\n",
     r"record 1 looks like protein, not DNA \(amino-acid letter .*-p DATA"),
    ("p.fa", b">x\nMKRWWGGHHMKRWWGGHHYYVVVV\n", r"only \d+% of its letters are A/C/G/T/N"),
    ("g.fa.gz", gzip.compress(b">chr\n" + bytes(np.random.default_rng(0).choice(list(b"ACGT"), 20000)))[:2000],
     r"g.fa.gz cannot be read as gzipped"),
], ids=["protein", "few-acgt", "cut-gzip"])
def test_files_that_are_not_dna_genomes_are_refused(tmp_path, name, body, match):
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(ValueError, match=match):
        language.read_fasta_genome(path)
