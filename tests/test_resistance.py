"""Resistance genes: catalogue, oracle, generator, safe loader of the capstone format, the LSTM."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest

from course_lib.domains import resistance as R

GYRA = R.load_reference("escherichia_coli", "gyrA")
PANEL = "ecoli_gyrA_nalidixic_acid"


def _mutate(sequence: str, codon: int, new: str, offset: int = 0) -> str:
    """Replace 1-based ``codon`` of the gene in a fragment starting at gene position ``offset``."""
    i = 3 * (codon - 1) - offset
    return sequence[:i] + new + sequence[i + 3:]


# --------------------------------------------------------------------------- catalogue


def test_reference_and_catalogue_agree_on_the_classic_codons():
    assert len(GYRA) == 2628 and GYRA[:3] == "ATG"
    assert GYRA[3 * 82:3 * 83] == "TCG" and R.translate("TCG") == "S"  # S83
    assert GYRA[3 * 86:3 * 87] == "GAC" and R.translate("GAC") == "D"  # D87
    rows = R.load_catalogue("escherichia_coli", "gyrA")
    s83 = rows[(rows["codon"] == 83)].iloc[0]
    assert s83["ref_codon"] == "TCG" and s83["ref_aa"] == "S"
    assert s83["resistant_aa"].split(",") == ["L", "W", "A", "V"]
    for species, gene in (("escherichia_coli", "parC"), ("mycobacterium_tuberculosis", "rpoB"),
                          ("mycobacterium_tuberculosis", "inhA")):
        ref = R.load_reference(species, gene)
        for row in R.load_catalogue(species, gene).itertuples():
            assert ref[3 * (row.codon - 1):3 * row.codon] == row.ref_codon.replace("N", ref[3 * row.codon - 1])


@pytest.mark.parametrize("codon, aa", [("TTG", "L"), ("TAA", "*"), ("GCN", "X"), ("atg", "M")])
def test_translate(codon, aa):
    assert R.translate(codon) == aa


_OLD_CODE = {a + b + c: "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"[i]
             for i, (a, b, c) in enumerate((a, b, c) for a in "TCAG" for b in "TCAG"
                                           for c in "TCAG")}


def _old_translate(codon: str) -> str:
    """The hand-written table ``translate`` used before it read Biopython's (the reference)."""
    return _OLD_CODE.get(codon.upper(), "X")


def test_biopython_code_table_is_the_old_hand_written_one():
    """Same codons, amino acids and codon order (the simulator draws synonyms by index)."""
    assert R._CODE == _OLD_CODE
    old_synonyms: dict[str, list[str]] = {}
    for codon, aa in _OLD_CODE.items():
        old_synonyms.setdefault(aa, []).append(codon)
    assert R._SYNONYMS == old_synonyms


def test_translate_agrees_with_the_old_table_on_real_genes_and_random_codons():
    rng = np.random.default_rng(0)
    codons = []
    for panel in R.PANELS.values():
        gene = R.load_reference(panel.species, panel.gene)
        codons += [gene[i:i + 3] for i in range(0, len(gene), 3)]  # the last may be partial
        codons += [gene[i:i + 3].lower() for i in range(1, 300, 3)]
    letters = np.array(list("ACGTNacgtnRY-"))
    codons += ["".join(rng.choice(letters, size=rng.integers(0, 5))) for _ in range(3000)]
    codons += ["GCN", "TAR", "NNN", "AA", "AAAA", ""]
    assert {R.translate(c) for c in codons} > {"*", "X", "M"}
    assert [R.translate(c) for c in codons] == [_old_translate(c) for c in codons]


def test_unknown_panel_lists_the_known_ones():
    with pytest.raises(ValueError, match="ecoli_gyrA_nalidixic_acid"):
        R.get_panel("ecoli_gyrB")


# ------------------------------------------------------------------------------ oracle

FRAGMENT = GYRA[180:420]  # codons 61..140, in frame


@pytest.mark.parametrize("changes, expected", [
    ({}, []),
    ({83: "TCA"}, []),                    # synonymous S83S: no resistance
    ({83: "TTG"}, ["S83L"]),              # the classic S83L
    ({83: "ACG"}, []),                    # S83T is not catalogued
    ({87: "AAC"}, ["D87N"]),              # D87N alone confers nalidixic acid resistance
    ({83: "TGG", 87: "GGC"}, ["S83W", "D87G"]),
])
def test_oracle_finds_catalogued_mutations(changes, expected):
    seq = FRAGMENT
    for codon, new in changes.items():
        seq = _mutate(seq, codon, new, offset=180)
    assert R.find_resistance_mutations([seq], PANEL) == [expected]
    assert R.call_resistance(seq, PANEL).tolist() == [int(bool(expected))]


def test_oracle_honours_required_mutations():
    """For ciprofloxacin, D87N counts only together with a gyrA S83 mutation (Required_mut)."""
    cipro = R.Panel("escherichia_coli", "gyrA", "Ciprofloxacin", (83, 87))
    d87n = _mutate(FRAGMENT, 87, "AAC", 180)
    assert R.find_resistance_mutations(d87n, cipro) == [[]]
    both = _mutate(d87n, 83, "TTG", 180)
    assert sorted(R.find_resistance_mutations(both, cipro)[0]) == ["D87N", "S83L"]


def test_oracle_ignores_codons_the_fragment_does_not_cover():
    assert R.call_resistance(GYRA[300:600], PANEL).tolist() == [0]


@pytest.mark.parametrize("start", [0, 1, 2, 100, 2000])
def test_locate_fragment(start):
    frag = GYRA[start:start + 200]
    frag = frag[:50] + ("A" if frag[50] != "A" else "C") + frag[51:]
    assert R.locate_fragment(frag, GYRA) == start


def test_locate_fragment_says_when_nothing_matches():
    with pytest.raises(ValueError, match="shares no"):
        R.locate_fragment("AC" * 50, GYRA)


# --------------------------------------------------------------------------- generator


def _small(**kw):
    options = dict(n=300, length=(60, 120), seed=7)
    return R.simulate_resistance_dataset(PANEL, **{**options, **kw})


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = _small(), _small(), _small(seed=8)
    assert a.sequences == b.sequences and (a.labels == b.labels).all()
    assert a.sequences != c.sequences


def test_fragments_cover_the_region_and_respect_lengths():
    ds = _small()
    r0, r1 = R.get_panel(PANEL).region
    assert (r0, r1) == (246, 261)  # codons 83..87
    lengths = np.array([len(s) for s in ds.sequences])
    assert lengths.min() >= 60 and lengths.max() <= 120
    assert (ds.starts <= r0).all() and (ds.starts + lengths >= r1).all()
    assert len(set(ds.starts.tolist())) > 20  # placed at many offsets, not one


def test_labels_are_the_oracle_plus_noise():
    ds = _small(label_noise=0.1)
    assert (R.call_resistance(ds.sequences, PANEL) == ds.true_labels).all()
    flipped = int((ds.labels != ds.true_labels).sum())
    assert 10 <= flipped <= 55  # 10% of 300: 30 expected
    assert ((ds.true_labels == 1) == np.array([bool(m) for m in ds.mutations])).all()


def test_planted_codons_carry_the_listed_amino_acid():
    ds = _small(double_rate=0.5)
    assert any(len(m) == 2 for m in ds.mutations)
    for i, names in enumerate(ds.mutations):
        for name, pos in zip(names, ds.codon_positions(i)):
            assert R.translate(ds.sequences[i][pos:pos + 3]) == name[-1]


@pytest.mark.parametrize("fraction", [0.0, 1.0])
def test_resistant_fraction_sets_the_balance(fraction):
    ds = _small(resistant_fraction=fraction, label_noise=0.0)
    assert (ds.labels == int(fraction)).all()


def test_synonymous_background_keeps_the_protein():
    ds = _small(resistant_fraction=0.0, missense_rate=0.0, synonymous_rate=0.5, length=(99, 99))
    changed = 0
    for seq, start in zip(ds.sequences, ds.starts):
        lead = (-start) % 3
        ref = GYRA[start:start + 99]
        for j in range(lead, 96, 3):
            assert R.translate(seq[j:j + 3]) == R.translate(ref[j:j + 3])
        changed += seq != ref
    assert changed == len(ds.sequences)


@pytest.mark.parametrize("kw, message", [
    (dict(length=(10, 120)), "length"),
    (dict(label_noise=1.5), "label_noise"),
    (dict(n=0), "positive number"),
])
def test_generator_validates_its_arguments(kw, message):
    with pytest.raises(ValueError, match=message):
        _small(**kw)


@pytest.mark.parametrize("panel", sorted(R.PANELS))
def test_every_panel_generates_oracle_consistent_data(panel):
    region = R.get_panel(panel).region
    ds = R.simulate_resistance_dataset(panel, n=40, length=(region[1] - region[0] + 30,) * 2,
                                       seed=1)
    assert (R.call_resistance(ds.sequences, panel) == ds.true_labels).all()
    assert ds.true_labels.sum() > 0


# ----------------------------------------------------------------- the capstone's format


class _CreatesFile:
    """Unpickling this calls Path.touch(marker): proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


@pytest.mark.parametrize("how", ["npy_object_array", "raw_pickle"])
def test_pickled_file_is_refused_without_opt_in_and_runs_nothing(tmp_path, how):
    marker = tmp_path / "pwned"
    path = tmp_path / "dataset.npy"
    payload = {"genes": ["ACGT"], "resistant": [1], "evil": _CreatesFile(marker)}
    if how == "npy_object_array":
        np.save(path, np.array(payload, dtype=object), allow_pickle=True)
    else:
        path.write_bytes(pickle.dumps(payload))
    with pytest.raises(R.UnsafeFileError, match="allow_pickle=True"):
        R.load_pickled_dataset(path)
    assert not marker.exists()


def _capstone_file(tmp_path) -> Path:
    path = tmp_path / "dataset.npy"
    np.save(path, np.array({"genes": ["acgtn", "GGCC"], "resistant": [True, False]},
                           dtype=object), allow_pickle=True)
    return path


def test_opt_in_loads_with_a_warning(tmp_path):
    with pytest.warns(UserWarning, match="runs code"):
        table = R.load_pickled_dataset(_capstone_file(tmp_path), allow_pickle=True)
    assert table["gene"].tolist() == ["ACGTN", "GGCC"] and table["resistant"].tolist() == [1, 0]


@pytest.mark.parametrize("suffix", [".csv", ".npz"])
def test_convert_to_plain_files_and_read_back(tmp_path, suffix):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = R.convert_pickled_dataset(_capstone_file(tmp_path), tmp_path / f"genes{suffix}",
                                        allow_pickle=True)
    table = R.load_gene_table(out)
    assert table["gene"].tolist() == ["ACGTN", "GGCC"] and table["resistant"].tolist() == [1, 0]


def test_plain_array_is_not_the_capstone_format(tmp_path):
    path = tmp_path / "plain.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match="plain array"):
        R.load_pickled_dataset(path)


# ------------------------------------------------------------------------------- model


def test_encode_genes_pads_with_the_masked_zero():
    X = R.encode_genes(["ACGT", "GGNA"], 6)
    assert X.dtype == np.int32
    assert X.tolist() == [[1, 2, 3, 4, 0, 0], [3, 3, 0, 1, 0, 0]]


def test_balanced_class_weights():
    assert R.balanced_class_weights(np.array([0, 0, 0, 1])) == {0: 4 / 6, 1: 2.0}
    with pytest.raises(ValueError, match="both classes"):
        R.balanced_class_weights(np.array([1, 1]))
    with pytest.raises(ValueError, match="0/1 labels"):
        R.balanced_class_weights(np.array([0, 1, 2]))


def test_balanced_class_weights_are_the_old_formula():
    """scikit-learn's "balanced" weights equal the former hand-written ``n / (2 * count)``."""
    rng = np.random.default_rng(1)
    for n, p in [(2, 0.5), (7, 0.3), (1000, 0.03), (4001, 0.5), (12345, 0.9)]:
        y = (rng.random(n) < p).astype(int)
        y[:2] = [0, 1]
        counts = np.bincount(y, minlength=2)
        old = {k: float(len(y) / (2 * counts[k])) for k in (0, 1)}
        assert R.balanced_class_weights(y) == old
        assert R.balanced_class_weights(y.astype(float)) == old


def test_capstone_model_has_the_capstone_size():
    model = R.build_resistance_lstm(seq_len=900)
    # embedding 5*50; each BiLSTM 2 directions * 4 gates * (units*(inputs + units) + units)
    expected = 5 * 50 + 2 * 4 * (62 * (50 + 62) + 62) + 2 * 4 * (62 * (124 + 62) + 62) + 124 + 1
    assert model.count_params() == expected == 149_175
    assert model.output_shape == (None, 1)


@pytest.mark.parametrize("pooling", ["last", "max"])
def test_padding_is_masked(pooling):
    """The same genes padded to 8 or to 14 get the same predictions."""
    import keras

    keras.utils.set_random_seed(0)
    short = R.build_resistance_lstm(seq_len=8, embedding_dim=4, units=3, n_layers=2, pooling=pooling)
    long = R.build_resistance_lstm(seq_len=14, embedding_dim=4, units=3, n_layers=2, pooling=pooling)
    long.set_weights(short.get_weights())
    genes = ["ACGTAC", "GGGTTTAA"]
    a = short.predict(R.encode_genes(genes, 8), verbose=0)
    b = long.predict(R.encode_genes(genes, 14), verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pooling", ["last", "max"])
def test_onehot_view_predicts_the_same(pooling):
    import keras

    from course_lib.sequences import one_hot_encode, pad_sequences

    keras.utils.set_random_seed(1)
    model = R.build_resistance_lstm(seq_len=10, embedding_dim=4, units=3, n_layers=1,
                                    pooling=pooling)
    genes = ["ACGTACGTAC", "TTGCA"]
    onehot = one_hot_encode(pad_sequences(genes, 10), unknown="zero")
    np.testing.assert_allclose(R.onehot_view(model).predict(onehot, verbose=0),
                               model.predict(R.encode_genes(genes, 10), verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_attribution_peaks_ignore_padding_and_hit_rate():
    scores = np.array([[0.1, -0.9, 0.2, 5.0], [0.0, 0.1, 0.3, 0.2]])
    assert R.attribution_peaks(scores, lengths=[3, 4]).tolist() == [2, 2]
    assert R.attribution_peaks(scores, lengths=[3, 4], sign="absolute").tolist() == [1, 2]
    with pytest.raises(ValueError, match="sign must be"):
        R.attribution_peaks(scores, lengths=[3, 4], sign="max")
    # planted codon starting at 10: bases 10..12, +-3 codons = 1..21
    assert R.peak_hit_rate(np.array([1, 0, 21, 22]), [[10], [10], [10], [10]]) == 0.5


@pytest.mark.slow
def test_staged_fit_equals_a_separate_run():
    """Predictions after 2 epochs of a 3-epoch run equal those of a 2-epoch run (same seed):
    what lets lesson 07's cross-validation loop score every epoch count with one fit."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 5, size=(24, 10)).astype(np.int32)
    y = np.array([0, 1] * 12)
    fixed = dict(batch_size=8, embedding_dim=3, units=2, n_layers=1, pooling="max")
    staged = R.lstm_fit_predict(X[:16], y[:16], X[16:], epochs=[3, 2], seed=5, **fixed)
    alone = R.lstm_fit_predict(X[:16], y[:16], X[16:], epochs=[2], seed=5, **fixed)
    assert sorted(staged) == [2, 3] and staged[2].shape == (8,)
    np.testing.assert_allclose(staged[2], alone[2], rtol=1e-5)


def test_staged_fit_needs_epoch_counts():
    with pytest.raises(ValueError, match="epochs must be"):
        R.lstm_fit_predict(np.zeros((4, 5), np.int32), np.array([0, 1, 0, 1]),
                           np.zeros((2, 5), np.int32), epochs=[])


def test_kmer_baseline_separates_different_words():
    train = ["ACGTAC" * 5, "TTTTGG" * 5] * 6
    labels = np.array([0, 1] * 6)
    p = R.kmer_fit_predict({"k": (2, 3)}, train, labels, ["ACGTAC" * 4, "TTTTGG" * 4])
    assert p.shape == (2,) and p[0] < 0.5 < p[1]


def test_load_gene_table_refuses_other_formats(tmp_path):
    with pytest.raises(ValueError, match="load_pickled_dataset"):
        R.load_gene_table(tmp_path / "dataset.npy")


def test_plot_gene_attribution_cuts_the_padding():
    import matplotlib

    matplotlib.use("Agg")
    from course_lib import plots

    ax = plots.plot_gene_attribution(np.arange(10.0), "ACGTAC", [3], title="t")
    assert len(ax.patches) == 6 + 1  # six bars and the shaded codon
    assert ax.get_title() == "t" and ax.get_ylabel() == "attribution"


def test_flank_keeps_context_on_both_sides_of_the_region():
    panel = R.get_panel("ecoli_gyrA_nalidixic_acid")
    r0, r1 = panel.region
    ds = R.simulate_resistance_dataset(panel, n=300, length=(45, 60), flank=6, seed=3)
    for start, seq in zip(ds.starts, ds.sequences):
        assert start <= r0 - 6 and start + len(seq) >= r1 + 6
    plain = R.simulate_resistance_dataset(panel, n=300, length=(45, 60), seed=3)
    assert min(r0 - s for s in plain.starts) < 6  # without it, codons reach the fragment's edge
    with pytest.raises(ValueError, match="lower flank or raise the lengths"):
        R.simulate_resistance_dataset(panel, n=3, length=(20, 30), flank=6)


def test_locate_fragment_without_a_shared_kmer_falls_back_to_identity():
    frag = list(GYRA[300:345])
    for i in range(5, 45, 6):  # a change every 6 bases: no 12-mer survives
        frag[i] = "A" if frag[i] != "A" else "C"
    frag = "".join(frag)
    assert all(frag[j:j + 12] not in GYRA for j in range(len(frag) - 11))
    assert R.locate_fragment(frag, GYRA) == 300


@pytest.mark.parametrize("name, body, match", [
    ("t.csv", "gene,label\nACGT,1\n", r"t.csv has no column 'resistant'; its columns are \['gene', 'label'\]"),
    ("t.csv", "gene,resistant\nACGT,1\nACGA,maybe\n", r"1 rows hold something else \(first: 'maybe'\)"),
    ("t.csv", "gene,resistant\nACGT,1\nACGA,2\n", r"1 rows hold something else"),
    ("t.csv", b"\x00\xff\xfe" * 100, "is not a readable CSV table"),
    ("t.npz", b"not a zip", r"t.npz is not an .npz file \(an .npz is a zip archive.*-p DATA"),
    ("nope.csv", None, r"no gene table at .*nope.csv; check -p DATA"),
], ids=["no-column", "word-label", "label-2", "binary", "npz-not-zip", "missing"])
def test_bad_gene_tables_say_what_to_fix(tmp_path, name, body, match):
    path = tmp_path / name
    if isinstance(body, str):
        path.write_text(body)
    elif body is not None:
        path.write_bytes(body)
    with pytest.raises((ValueError, FileNotFoundError), match=match):
        R.load_gene_table(path)


def test_a_gene_table_with_true_false_words_loads(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("gene,resistant\nacgt,True\nACGA,false\n")
    table = R.load_gene_table(path)
    assert table["gene"].tolist() == ["ACGT", "ACGA"] and table["resistant"].tolist() == [1, 0]
