"""Issue 17: one home per concept. The old names are the new objects, and the one FASTA reader,
decoder, k-mer baseline and strand average give what the code they replaced gave (values
recorded from main at 375cb96 on the same inputs)."""

import gzip
import subprocess
import sys

import numpy as np
import pytest

from course_lib import (architectures, data, deepsea, language, metrics, models, recurrent,
                        resistance, sequences, simulation)

MOVED = [
    (recurrent, "build_sequence_classifier", models), (recurrent, "build_lag_model", models),
    (recurrent, "KINDS", models), (resistance, "build_resistance_lstm", models),
    (language, "build_language_model", models), (language, "build_multitask_gru", models),
    (language, "fit_kmer_baseline", models), (architectures, "build_beyond_danq", models),
    (architectures, "build_named", models), (architectures, "wide_resnet_trunk", models),
    (architectures, "transformer_encoder", models), (architectures, "classifier", models),
    (architectures, "HEADS", models), (architectures, "BN_MOMENTUM", models),
    (architectures, "OneHotToTokens", models), (architectures, "PositionEncoding", models),
    (resistance, "MaskedMaxPooling1D", models), (deepsea, "average_strands", models),
    (recurrent, "simulate_binary_strings", simulation), (recurrent, "BinaryStrings", simulation),
    (recurrent, "simulate_multi_motif_dataset", simulation),
    (recurrent, "simulate_block_sequences", simulation), (deepsea, "simulate_deepsea", simulation),
    (deepsea, "STANDIN_MOTIFS", simulation), (resistance, "simulate_resistance_dataset", simulation),
    (resistance, "ResistanceDataset", simulation), (language, "random_genome", simulation),
    (language, "repeating_genome", simulation), (language, "REPEAT_UNIT", simulation),
    (recurrent, "accuracy_by_position", metrics), (language, "f1_scores", metrics),
    (language, "best_thresholds", metrics), (language, "fraction_won", metrics),
    (language, "perplexity", metrics), (language, "bits_per_base", metrics),
]


@pytest.mark.parametrize("old, name, new", MOVED, ids=[f"{o.__name__}.{n}" for o, n, _ in MOVED])
def test_old_names_are_the_new_objects(old, name, new):
    assert getattr(old, name) is getattr(new, name)


def test_one_decoder():
    codes = np.array([[0, 1, 2, 3], [3, 3, 0, 1]], dtype=np.uint8)
    assert language.codes_to_strings is sequences.decode
    assert sequences.decode(codes) == ["ACGT", "TTAC"]
    assert not hasattr(simulation, "_codes_to_strings")


def test_one_size_table():
    assert architectures.SIZES is models.SIZES["beyond_danq"]
    assert models.size_options("danq", "capstone") == models.size_options("danq", "full") == {}
    assert models.size_options("beyond_danq", "full") is models.SIZES["beyond_danq"]["capstone"]
    with pytest.raises(ValueError, match="unknown size 'huge'"):
        models.size_options("deepsea", "huge")


def test_importing_the_homes_does_not_import_keras():
    code = ("import sys, course_lib.models, course_lib.simulation, course_lib.resistance, "
            "course_lib.language, course_lib.recurrent, course_lib.deepsea; "
            "print('keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


FASTA = ">r1 label=1 first\nACGTNNacgt\nGGCC\n>r2|0\nTTTTAAAA\n\n>r3 label=0\nACGTACGTAC\n"


@pytest.fixture(params=["three.fa", "three.fa.gz"])
def fasta(request, tmp_path):
    path = tmp_path / request.param
    with (gzip.open if path.suffix == ".gz" else open)(path, "wt") as handle:
        handle.write(FASTA)
    return path


def test_one_fasta_reader_plain_and_gzipped(fasta):
    assert data.read_fasta(fasta) == [("r1", "r1 label=1 first", "ACGTNNacgtGGCC"),
                                      ("r2|0", "r2|0", "TTTTAAAA"),
                                      ("r3", "r3 label=0", "ACGTACGTAC")]
    # what data._read_fasta and language.read_fasta_genome gave before they called it
    assert data._read_fasta(fasta, True) == (["r1", "r2|0", "r3"],
                                             ["ACGTNNacgtGGCC", "TTTTAAAA", "ACGTACGTAC"],
                                             ["1", "0", "0"])
    genome = language.read_fasta_genome(fasta)
    assert (genome.segments, genome.n_records, genome.skipped_runs, genome.skipped_bases) == (
        ["ACGT", "ACGTGGCC", "TTTTAAAA", "ACGTACGTAC"], 3, 1, 2)


def test_reference_genes_read_through_the_one_reader():
    gene = resistance.load_reference("escherichia_coli", "gyrA")
    assert len(gene) % 3 == 0 and set(gene) <= set("ACGT") and gene.startswith("ATG")


def test_one_kmer_baseline_reproduces_both_lessons():
    """Lesson 07's kmer_fit_predict and lesson 08's fit_kmer_baseline, as recorded before the move."""
    frags = simulation.simulate_resistance_dataset(n=120, seed=7, length=(300, 400))
    X, y = frags.sequences, frags.labels
    p1 = resistance.kmer_fit_predict({"k": (1, 2, 3), "C": 0.5}, X[:80], y[:80], X[80:], seed=0)
    p2 = resistance.kmer_fit_predict({}, X[:80], y[:80], X[80:], seed=1)
    np.testing.assert_allclose(p1[:4], [0.3674623966217041, 0.13911962509155273,
                                        0.6781362891197205, 0.7416760325431824], rtol=1e-5)
    np.testing.assert_allclose(p2[:4], [0.950134813785553, 0.1483566015958786,
                                        0.02540992759168148, 0.22812478244304657], rtol=1e-5)
    seqs = simulation.sample_background(150, 60, seed=3)
    Y = np.stack([[("ACG" in s) for s in seqs], [("TTA" in s) for s in seqs], [0] * 150],
                 1).astype(np.float32)
    pred = models.fit_kmer_baseline(seqs[:100], Y[:100], ks=(1, 2, 3))(seqs[100:])
    assert pred.shape == (50, 3) and pred.dtype == np.float32
    np.testing.assert_allclose(pred[:2], [[1.0, 0.0006430954090319574, 0.0],
                                          [3.0225437512854114e-05, 7.387603545794263e-05, 0.0]],
                               rtol=1e-4, atol=1e-9)


def test_one_strand_average():
    pred = np.array([[0.2, 0.4], [0.6, 0.0], [0.4, 0.8], [0.2, 1.0]], dtype=np.float32)
    np.testing.assert_allclose(models.average_strands(pred), [[0.3, 0.6], [0.4, 0.5]])
