"""course_lib.motifs: JASPAR access, PFM/PWM arithmetic, filter windows, consensus, Tomtom table."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import motifs


def onehot(seq: str) -> np.ndarray:
    return np.eye(4, dtype=np.float32)[["ACGT".index(c) for c in seq]]


def test_load_jaspar_motif_reads_ctcf_from_the_shipped_database():
    m = motifs.load_jaspar_motif("MA0139.1", release="JASPAR2024")
    assert (m.matrix_id, m.name, m.length) == ("MA0139.1", "CTCF", 19)
    assert m.counts.shape == (19, 4)
    np.testing.assert_allclose(m.pwm.sum(axis=1), 1.0)
    assert motifs.consensus(m.pwm, threshold=0.5)[8:14] == "AGGGGG"  # CTCF's core CCAC-AGGGGGCG


def test_counts_are_in_acgt_order():
    # YY1 MA0095.2, first column as printed in pyjaspar's documentation: A C G T
    m = motifs.load_jaspar_motif("MA0095.2", release="JASPAR2020")
    assert m.counts[0].tolist() == [1126.0, 4583.0, 801.0, 661.0]


def test_base_id_gives_the_latest_version():
    assert motifs.load_jaspar_motif("MA0139").matrix_id == "MA0139.2"


@pytest.mark.parametrize("bad, message", [("MA9999.9", "not in JASPAR2024"), ("MA0139.1@x", "not in")])
def test_unknown_ids_say_what_to_do(bad, message):
    with pytest.raises(ValueError, match=message):
        motifs.load_jaspar_motif(bad)


def test_unknown_release_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="JASPAR2024"):
        motifs.load_jaspar_motif("MA0139.1", release="JASPAR1999")


def test_database_is_the_core_vertebrates():
    db = motifs.load_jaspar_database()
    assert len(db) == 879
    assert {"MA0139.2", "MA0138.3", "MA0506.3"} <= {m.matrix_id for m in db}


@pytest.mark.parametrize("pfm, pseudo, expected", [
    ([[2, 0, 0, 2]], 0.0, [[0.5, 0, 0, 0.5]]),
    ([[2, 0, 0, 2]], 1.0, [[0.375, 0.125, 0.125, 0.375]]),
    ([[0, 0, 0, 0]], 0.0, [[0.25, 0.25, 0.25, 0.25]]),
    ([[3, 1]], 0.0, [[0.75, 0.25]]),
])
def test_pfm_to_pwm(pfm, pseudo, expected):
    np.testing.assert_allclose(motifs.pfm_to_pwm(np.array(pfm), pseudo), expected)


def test_pfm_to_pwm_rejects_negative_counts():
    with pytest.raises(ValueError, match="negative"):
        motifs.pfm_to_pwm(np.array([[1, -1, 0, 0]]))


@pytest.mark.parametrize("row, bits", [
    ([1, 0, 0, 0], 2.0), ([0.25] * 4, 0.0), ([0.5, 0.5, 0, 0], 1.0), ([1, 0], 1.0),
])
def test_information_content(row, bits):
    assert motifs.information_content(np.array([row]))[0] == pytest.approx(bits)



def test_log_odds_in_bits_against_a_uniform_background():
    table = motifs.log_odds(np.array([[1, 0, 0, 0], [0.25] * 4, [2, 2, 0, 0]]))
    expected = np.log2(np.array([1.01, 0.01, 0.01, 0.01]) / 1.04 / 0.25)  # 0.01 pseudocount
    np.testing.assert_allclose(table[0], expected)
    np.testing.assert_allclose(table[1], 0.0, atol=1e-12)  # uniform: no evidence either way
    np.testing.assert_allclose(table[2], table[2, [1, 0, 3, 2]])  # counts: rows normalized
    assert table[0, 0] < 2.0 and table[0, 1] > -np.inf
    with pytest.raises(ValueError, match="shape"):
        motifs.log_odds(np.ones((4, 3)))

@pytest.mark.parametrize("pwm, alphabet, threshold, expected", [
    ([[0.9, 0.1], [0.1, 0.9], [0.5, 0.5]], "01", 0.8, "01N"),
    ([[0.7, 0.3], [0, 1]], "01", 0.8, "N1"),
    ([[0.7, 0.3], [0, 1]], "01", 0.6, "01"),
    ([[0, 0, 1, 0], [0.85, 0.05, 0.05, 0.05]], "ACGT", 0.8, "GA"),
])
def test_consensus(pwm, alphabet, threshold, expected):
    assert motifs.consensus(np.array(pwm), alphabet, threshold) == expected


def test_consensus_checks_the_alphabet_matches():
    with pytest.raises(ValueError, match="alphabet"):
        motifs.consensus(np.full((3, 4), 0.25), alphabet="01")


def test_pwm_from_strings_counts_with_biopython():
    pwm = motifs.pwm_from_strings(["0111", "1111", "0110", "0111"], alphabet="01")
    np.testing.assert_allclose(pwm, [[0.75, 0.25], [0, 1], [0, 1], [0.25, 0.75]])
    assert motifs.consensus(pwm, "01", 0.8) == "N11N"


@pytest.mark.parametrize("instances, message", [([], "at least one"), (["01", "011"], "lengths"),
                                                (["012"], "not in the alphabet")])
def test_pwm_from_strings_validates(instances, message):
    with pytest.raises(ValueError, match=message):
        motifs.pwm_from_strings(instances, alphabet="01")


def test_trim_pwm_cuts_uniform_flanks():
    pwm = np.array([[0.25] * 4, [1, 0, 0, 0], [0.25] * 4, [0, 0, 0, 1], [0.25] * 4])
    trimmed, start = motifs.trim_pwm(pwm)
    assert start == 1 and trimmed.shape == (3, 4)
    untouched, start = motifs.trim_pwm(np.full((4, 4), 0.25))
    assert start == 0 and untouched.shape == (4, 4)


# activation_windows: sequences "AACGTA" and "TTTTTT", a width-2 valid filter has 5 outputs.
ACTS = np.array([[0.0, 1.0, 4.0, 0.5, 0.0],    # best at output 2 -> input window CG
                 [0.0, 0.0, 0.0, 0.0, 2.5]])   # best at output 4 -> TT


@pytest.mark.parametrize("mode, threshold, width, expected, where", [
    ("argmax", 0.5, None, ["CG", "TT"], [[0, 2], [1, 4]]),
    ("threshold", 0.5, None, ["CG", "TT"], [[0, 2], [1, 4]]),
    ("threshold", 0.2, None, ["AC", "CG", "TT"], [[0, 1], [0, 2], [1, 4]]),
    ("argmax", 0.5, 4, ["ACGT"], [[0, 1]]),  # the TT window would run off the end: skipped
])
def test_activation_windows_on_strings(mode, threshold, width, expected, where):
    windows, at = motifs.activation_windows(["AACGTA", "TTTTTT"], ACTS, kernel_size=2,
                                            width=width, threshold=threshold, mode=mode)
    assert windows == expected
    assert at.tolist() == where


def test_activation_windows_on_one_hot_and_same_padding():
    X = np.stack([onehot("AACGTA"), onehot("TTTTTT")])
    acts = np.zeros((2, 6))
    acts[0, 3] = 1.0  # 'same' padding, kernel 3: output 3 looks at inputs 2..4 = CGT
    windows, at = motifs.activation_windows(X, acts, kernel_size=3, padding="same", mode="argmax")
    assert windows.shape == (1, 3, 4)
    np.testing.assert_array_equal(windows[0], onehot("CGT"))
    assert at.tolist() == [[0, 2]]


def test_activation_windows_checks_shapes():
    with pytest.raises(ValueError, match="one filter's slice"):
        motifs.activation_windows(["ACGT"], np.zeros((1, 3, 2)), kernel_size=2)


def test_filters_to_pfms_recovers_a_hand_set_filter():
    """A Conv1D filter set to match GATA scores 4 on GATA and at most 2 elsewhere."""
    import keras

    model = keras.Sequential([keras.Input((8, 4)), keras.layers.Conv1D(1, 4, name="conv")])
    w = onehot("GATA")[:, :, None]
    model.get_layer("conv").set_weights([w, np.zeros(1)])
    X = np.stack([onehot(s) for s in ["CCGATACC", "GATACCCC", "CCCCCCCC", "CCCCGATT"]])
    pfms, n_sites = motifs.filters_to_pfms(model, X, "conv", threshold=0.9)
    assert n_sites.tolist() == [2]
    np.testing.assert_array_equal(pfms[0], 2 * onehot("GATA"))
    assert motifs.consensus(motifs.pfm_to_pwm(pfms[0])) == "GATA"


def test_benjamini_hochberg_by_hand():
    q = motifs._benjamini_hochberg(np.array([[0.01, 0.04], [0.03, 0.5]]))
    # sorted 0.01, 0.03, 0.04, 0.5 -> 0.04, 0.06, 0.0533, 0.5 -> monotone 0.04, 0.0533, 0.0533, 0.5
    np.testing.assert_allclose(q, [[0.04, 0.16 / 3], [0.16 / 3, 0.5]])


def test_match_motifs_finds_jaspar_matrices_from_their_own_sites():
    """Sites sampled from REST and NRF1 top-match their own JASPAR 2024 IDs among 879."""
    from course_lib import simulation

    pwms = []
    for i, mid in enumerate(["MA0138.3", "MA0506.3"]):
        sites = simulation.sample_from_pwm(motifs.load_jaspar_motif(mid).pwm, n=200, seed=i)
        pwms.append(motifs.pwm_from_strings(sites))
    table = motifs.match_motifs(pwms, names=["rest", "nrf1"], n_top=2)
    assert table.shape[0] == 4
    top = table[table["rank"] == 1].set_index("query")
    assert top.loc["rest", "match_id"] == "MA0138.3" and top.loc["rest", "match_name"] == "REST"
    assert top.loc["nrf1", "match_id"] == "MA0506.3"
    assert (top["q_value"] < 1e-6).all()
    assert (table.groupby("query")["p_value"].apply(lambda p: p.is_monotonic_increasing)).all()


def test_match_motifs_validates_query_shape():
    with pytest.raises(ValueError, match=r"\(width, 4\)"):
        motifs.match_motifs([np.full((4, 6), 0.25)], database=motifs.load_jaspar_database()[:30])


@pytest.mark.parametrize("kind", ["information", "probability"])
def test_plot_logo_heights(kind):
    import matplotlib

    matplotlib.use("Agg")
    pwm = np.array([[1, 0, 0, 0], [0.25] * 4])
    from course_lib import plots

    ax = plots.plot_logo(pwm, kind=kind, title="t")
    tallest = max(p.get_path().get_extents().height for p in ax.patches)  # the A at position 0
    assert tallest == pytest.approx(2.0 if kind == "information" else 1.0, abs=0.02)
    assert ax.get_ylabel() == ("bits" if kind == "information" else "probability")
    axes = plots.plot_logos([pwm, pwm, pwm], titles=["a", "b", "c"], ncols=2)
    assert axes.shape == (2, 2) and not axes[1, 1].axison


def test_lesson_02s_filter_to_pfm_cell_is_filters_to_pfms():
    """Lesson 02 writes the DanQ filter -> PFM method out in a cell; on the same model and input
    it gives exactly motifs.filters_to_pfms's counts and site numbers."""
    import keras
    import nbformat

    from conftest import NOTEBOOKS
    from course_lib import models, sequences

    nb = nbformat.read(NOTEBOOKS / "02_motif_discovery.ipynb", as_version=4)
    cell = [c.source for c in nb.cells if c.source.startswith("# filters -> PFMs")]
    assert len(cell) == 1, "lesson 02 should have one cell starting '# filters -> PFMs'"
    rng = np.random.default_rng(0)
    X = sequences.one_hot_encode(["".join(rng.choice(list("ACGT"), 60)) for _ in range(40)])
    model = models.build_sequence_classifier("conv1d", length=60, channels=4, units=6, kernel_size=9,
                                                read_out="max", optimizer="adam", n_outputs=2, seed=0)
    weights = model.get_layer("conv1d").get_weights()
    weights[0][:, :, 5] = -1.0  # one dead filter: never fires, no windows
    weights[1][5] = -1.0
    model.get_layer("conv1d").set_weights(weights)
    ns = dict(keras=keras, np=np, model=model, X=X, test_idx=np.arange(10, 40), N_FILTERS=6,
              FILTER_WIDTH=9, ACTIVATION_THRESHOLD=0.5)
    exec(cell[0], ns)
    pfms, n_sites = motifs.filters_to_pfms(model, X[10:], "conv1d", threshold=0.5)
    np.testing.assert_array_equal(ns["n_sites"], n_sites)
    np.testing.assert_array_equal(ns["pfms"], pfms)
    assert n_sites[5] == 0 and n_sites[:5].min() > 0


def test_lesson_02s_tomtom_cell_is_match_motifs():
    """Lesson 02 writes the Tomtom call through memelite out in a cell; on the same PWMs and
    database its best match per filter, p- and q-values are motifs.match_motifs's (lesson 06
    calls the library's)."""
    import nbformat
    import pandas as pd

    from conftest import NOTEBOOKS
    from course_lib import simulation

    nb = nbformat.read(NOTEBOOKS / "02_motif_discovery.ipynb", as_version=4)
    cell = [c.source for c in nb.cells if c.source.startswith("# Tomtom")]
    assert len(cell) == 1, "lesson 02 should have one cell starting '# Tomtom'"
    pwms = [motifs.pwm_from_strings(simulation.sample_from_pwm(
        motifs.load_jaspar_motif(mid).pwm, n=60, seed=i)) for i, mid in
        enumerate(["MA0138.3", "MA0506.3"])]
    pwms.append(np.full((8, 4), 0.25))  # a flat filter: a weak best match
    ns = dict(np=np, pd=pd, motifs=motifs, filter_pwms=pwms, used=[0, 1, 2],
              n_sites=np.array([60, 60, 60]), JASPAR_RELEASE="JASPAR2024")
    exec(cell[0], ns)
    library = motifs.match_motifs(pwms, names=["filter 0", "filter 1", "filter 2"])
    cols = ["query", "match_id", "match_name"]
    assert ns["table"][cols].values.tolist() == library[cols].values.tolist()
    for col in ("p_value", "q_value"):
        np.testing.assert_allclose(ns["table"][col], library[col], rtol=1e-12)
    assert ns["table"]["match_id"].tolist()[:2] == ["MA0138.3", "MA0506.3"]
