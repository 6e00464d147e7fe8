"""Attributions on models whose gradients are known in closed form, and their scoring.

A linear model f(x) = sum_lb W[l, b] x[l, b] + c has gradient W everywhere, so saliency,
gradient x input, integrated gradients and ISM all have exact expected values: a swapped
axis, a wrong output index or a flipped sign fails these tests.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import interpretation as interp
from course_lib import plots
from course_lib.sequences import one_hot_encode

L = 6
SEQS = ["ACGTAC", "GGTTCA", "TACGGA"]


def _weights(n_out: int) -> np.ndarray:
    """Distinct, signed weights, shape (L * 4, n_out): W[l, b, o] = (l - 2.5) * (b + 1) + o."""
    l, b, o = np.meshgrid(np.arange(L), np.arange(4), np.arange(n_out), indexing="ij")
    return ((l - 2.5) * (b + 1) + 10 * o).reshape(L * 4, n_out).astype(np.float32)


def _dense_model(n_out: int, activation: str | None = None, bias: float = 0.5):
    import keras

    model = keras.Sequential([keras.Input((L, 4)), keras.layers.Flatten(),
                              keras.layers.Dense(n_out, activation=activation)])
    model.layers[-1].set_weights([_weights(n_out), np.full(n_out, bias, np.float32)])
    return model


@pytest.fixture(scope="module")
def linear():
    return _dense_model(2)


@pytest.fixture(scope="module")
def X():
    return one_hot_encode(SEQS)


def _W(output: int) -> np.ndarray:
    return _weights(2)[:, output].reshape(L, 4)


@pytest.mark.parametrize("output", [0, 1])
def test_saliency_of_a_linear_model_is_its_weights(linear, X, output):
    grad = interp.saliency(linear, X, output=output)
    assert grad.shape == (3, L, 4) and grad.dtype == np.float32
    np.testing.assert_allclose(grad, np.broadcast_to(_W(output), X.shape), rtol=1e-6)


def test_gradient_x_input_keeps_the_observed_base(linear, X):
    gxi = interp.gradient_x_input(linear, X, output=1)
    np.testing.assert_allclose(gxi, X * _W(1), rtol=1e-6)
    # "ACGTAC": A at 0 -> W[0, 0]; C at 1 -> W[1, 1]; hand-checked values
    assert gxi[0, 0, 0] == pytest.approx((0 - 2.5) * 1 + 10)
    assert gxi[0, 1, 1] == pytest.approx((1 - 2.5) * 2 + 10)


def test_primer_saliency_clips_negative_contributions(linear, X):
    s = interp.primer_saliency(linear, X, output=1)
    expected = np.clip((X * _W(1)).sum(axis=2), 0, None)
    np.testing.assert_allclose(s, expected, rtol=1e-6)
    assert s.shape == (3, L) and (s >= 0).all()


@pytest.mark.parametrize("baseline, reference", [("zeros", 0.0), ("uniform", 0.25)])
def test_integrated_gradients_of_a_linear_model(linear, X, baseline, reference):
    ig = interp.integrated_gradients(linear, X, output=1, baseline=baseline, n_steps=4)
    np.testing.assert_allclose(ig, (X - reference) * _W(1), rtol=1e-5, atol=1e-5)


def test_integrated_gradients_with_shuffled_baselines_averages_them(linear, X):
    ig = interp.integrated_gradients(linear, X, output=1, baseline="shuffle", n_shuffles=3,
                                     n_steps=2, seed=7)
    refs = interp.dinucleotide_shuffle(X, 3, seed=7)
    expected = ((X[:, None] - refs) * _W(1)).mean(axis=1)
    np.testing.assert_allclose(ig, expected, rtol=1e-5, atol=1e-5)


def test_integrated_gradients_is_complete_on_a_nonlinear_model(X):
    """sum(IG) = f(x) - f(baseline) for a sigmoid model (midpoint rule, 64 steps)."""
    model = _dense_model(1, activation="sigmoid", bias=-20.0)
    ig = interp.integrated_gradients(model, X, output=0, baseline="zeros", n_steps=64)
    f_x = model.predict(X, verbose=0)[:, 0]
    f_0 = model.predict(np.zeros_like(X), verbose=0)[:, 0]
    np.testing.assert_allclose(ig.sum(axis=(1, 2)), f_x - f_0, atol=2e-3)


def test_saliency_of_a_sigmoid_model_matches_the_chain_rule(X):
    model = _dense_model(1, activation="sigmoid", bias=-20.0)
    p = model.predict(X, verbose=0)[:, 0]
    expected = (p * (1 - p))[:, None, None] * _weights(1)[:, 0].reshape(L, 4)
    np.testing.assert_allclose(interp.saliency(model, X, output=0), expected, rtol=1e-4, atol=1e-7)


def test_ism_of_a_linear_model_is_the_weight_difference(linear, X):
    deltas = interp.saturation_mutagenesis(linear, X, output=1)
    W = _W(1)
    ref = np.einsum("nlb,lb->nl", X, W)[:, :, None]  # weight of the observed base
    np.testing.assert_allclose(deltas, W[None] - ref, rtol=1e-5, atol=1e-4)
    assert (deltas[X == 1] == 0).all()


def test_ism_groups_sequences_into_few_predict_calls(linear, X, monkeypatch):
    calls = []
    original = linear.predict

    def counting(inputs, **kwargs):
        calls.append(len(inputs))
        return original(inputs, **kwargs)

    monkeypatch.setattr(linear, "predict", counting)
    interp.saturation_mutagenesis(linear, X, output=1)
    assert calls == [len(X) * (1 + 3 * L)]  # all sequences and mutants in one call
    calls.clear()
    deltas = interp.saturation_mutagenesis(linear, X, output=1, rows_per_call=2 * (1 + 3 * L))
    assert calls == [2 * (1 + 3 * L), 1 + 3 * L]  # never splits a sequence's mutants
    np.testing.assert_allclose(deltas, interp.saturation_mutagenesis(linear, X, output=1))


def test_ism_attribution_is_minus_the_mean_effect_at_the_observed_base():
    X = one_hot_encode(["AC"])[None][0]
    deltas = np.array([[[0.0, -1.0, -2.0, -3.0], [4.0, 0.0, 0.0, 0.0]]], np.float32)
    attr = interp.ism_attribution(deltas, X)
    # position 0 (A): mean of (0, -1, -2, -3) = -1.5 -> 0 - (-1.5) = 1.5; position 1 (C): -1
    np.testing.assert_allclose(attr, [[[1.5, 0, 0, 0], [0, -1.0, 0, 0]]])


@pytest.mark.parametrize("method", interp.METHODS)
def test_attribute_dispatches_every_method(linear, X, method):
    out = interp.attribute(linear, X, method, output=1)
    assert out.shape == X.shape and out.dtype == np.float32
    direct = {"saliency": lambda: interp.saliency(linear, X, 1),
              "gradient_x_input": lambda: interp.gradient_x_input(linear, X, 1),
              "integrated_gradients": lambda: interp.integrated_gradients(linear, X, 1),
              "ism": lambda: interp.ism_attribution(
                  interp.saturation_mutagenesis(linear, X, 1), X)}[method]()
    np.testing.assert_allclose(out, direct, rtol=1e-5, atol=1e-5)


def test_logit_model_removes_the_softmax_and_centres_the_logits(X):
    import keras

    model = _dense_model(2, activation="softmax")
    logits = interp.logit_model(model).predict(X, verbose=0)
    z = X.reshape(3, -1) @ _weights(2) + 0.5
    np.testing.assert_allclose(logits, z - z.mean(axis=1, keepdims=True), rtol=1e-4, atol=1e-4)
    p1 = model.predict(X, verbose=0)[:, 1]
    np.testing.assert_allclose(keras.ops.sigmoid(2 * logits[:, 1]), p1, rtol=1e-4)
    assert model.layers[-1].get_config()["activation"] == "softmax"  # original untouched


def test_position_scores_reductions():
    a = np.array([[[1.0, -3.0, 0.5, 0.0], [0.0, 0.0, 2.0, 0.0]]])
    np.testing.assert_allclose(interp.position_scores(a, "sum"), [[-1.5, 2.0]])
    np.testing.assert_allclose(interp.position_scores(a, "max_abs"), [[3.0, 2.0]])


def test_motif_mask_and_find_motif():
    mask = interp.motif_mask(np.array([1, 3]), length=5, motif_length=2)
    assert mask.tolist() == [[False, True, True, False, False], [False, False, False, True, True]]
    assert interp.motif_mask(np.array([-1]), 4, 2).tolist() == [[False] * 4]
    assert interp.find_motif(["AACGTA", "acgt", "TTTT"], "CGT").tolist() == [2, 1, -1]


def test_positional_auc_hand_checked():
    scores = np.array([[0.9, 0.8, 0.1, 0.2]])
    mask = np.array([[True, False, True, False]])
    result = interp.positional_auc(scores, mask)
    assert result["auroc"] == pytest.approx(0.5)  # 2 of 4 positive-negative pairs ordered
    assert result["auprc"] == pytest.approx(0.75)  # precision 1 at the first hit, 0.5 at the second


@pytest.mark.parametrize("k, min_fraction, expected", [(2, 1.0, 0.5), (3, 1.0, 0.0),
                                                       (3, 0.6, 0.5), (1, 1.0, 1.0),
                                                       (2, None, 0.75), (3, None, 0.5)])
def test_top_k_hit_rate(k, min_fraction, expected):
    scores = np.array([[5.0, 4.0, 0.0, 1.0], [3.0, 0.0, 2.0, 1.0]])
    mask = np.array([[True, True, False, False], [True, True, False, False]])
    assert interp.top_k_hit_rate(scores, mask, k, min_fraction) == pytest.approx(expected)


def test_dinucleotide_shuffle_keeps_dinucleotides_and_ends():
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 40)) for _ in range(3)]
    X = one_hot_encode(seqs)
    S = interp.dinucleotide_shuffle(X, n_shuffles=5, seed=1)
    assert S.shape == (3, 5, 40, 4) and S.dtype == np.float32
    codes, shuffled = X.argmax(2), S.argmax(3)

    def pairs(c):
        return np.bincount(c[:-1] * 4 + c[1:], minlength=16)

    for i in range(3):
        for j in range(5):
            assert (pairs(shuffled[i, j]) == pairs(codes[i])).all()
            assert shuffled[i, j, 0] == codes[i, 0] and shuffled[i, j, -1] == codes[i, -1]
    assert (shuffled != codes[:, None]).any(axis=2).all()  # every copy differs from the input
    np.testing.assert_array_equal(S, interp.dinucleotide_shuffle(X, 5, seed=1))
    assert not np.array_equal(S, interp.dinucleotide_shuffle(X, 5, seed=2))


def test_dinucleotide_shuffle_refuses_n():
    with pytest.raises(ValueError, match="exactly one 1"):
        interp.dinucleotide_shuffle(one_hot_encode(["ACNGT"], unknown="zero"))


def test_extract_seqlets_finds_the_bumps():
    scores = np.zeros((2, 12))
    scores[0, 3:6] = 1.0
    scores[0, 8:11] = 0.7
    scores[1, 0:2] = -1.0  # nothing positive: no seqlet
    seqlets, sums = interp.extract_seqlets(scores, width=3, max_per_sequence=3)
    assert seqlets.tolist() == [[0, 3], [0, 8]]
    np.testing.assert_allclose(sums, [3.0, 2.1])
    one, _ = interp.extract_seqlets(scores, width=3, max_per_sequence=3, min_share=0.8)
    assert one.tolist() == [[0, 3]]


@pytest.mark.parametrize("both_strands", [False, True])
def test_seqlet_pwm_recovers_a_planted_motif_from_jittered_windows(both_strands):
    from course_lib.motifs import consensus
    from course_lib.sequences import reverse_complement
    from course_lib.simulation import plant_motif, sample_background

    motif, width, rng = "GATTACAG", 8, np.random.default_rng(3)
    seqs = sample_background(30, 40, seed=4)
    starts = rng.integers(5, 27, 30)
    flip = rng.random(30) < 0.5 if both_strands else np.zeros(30, bool)
    seqs = [plant_motif(s, reverse_complement(motif) if f else motif, int(p))
            for s, p, f in zip(seqs, starts, flip)]
    jitter = rng.integers(-2, 3, 30)  # seqlet windows off by up to 2 bp
    seqlets = np.stack([np.arange(30), starts + jitter], axis=1)
    pwm = interp.seqlet_pwm(one_hot_encode(seqs), seqlets, width, both_strands=both_strands)
    assert pwm.shape == (width, 4)
    np.testing.assert_allclose(pwm.sum(axis=1), 1.0)
    found = consensus(pwm, threshold=0.5)
    assert found in (motif, reverse_complement(motif))


@pytest.mark.parametrize("found, expected", [("CGACCG", 0), ("CGNCCG", 1), ("CGTTCG", 2),
                                             ("CGACC", 6)])
def test_consensus_distance(found, expected):
    assert interp.consensus_distance(found, "CGACCG") == expected


def test_compare_methods_table(linear, X):
    mask = interp.motif_mask(np.array([4, 4, 4]), L, 2)
    options = {"integrated_gradients": {"baseline": "zeros"}}
    table, attributions = interp.compare_methods(linear, X, mask, output=1, k=2, options=options)
    assert list(table.index) == list(interp.METHODS)
    assert set(attributions) == set(interp.METHODS)
    assert {"auroc", "auprc", "top_k_hit_rate", "seconds"} <= set(table.columns)
    gxi = interp.positional_auc((X * _W(1)).sum(axis=2), mask)
    for method in ("gradient_x_input", "integrated_gradients"):  # equal for a linear model
        assert table.loc[method, "auroc"] == pytest.approx(gxi["auroc"])
        assert table.loc[method, "auprc"] == pytest.approx(gxi["auprc"])
    # saliency's max |W| per position grows with l, the same for every sequence: 4-5 rank top
    assert table.loc["saliency", "auroc"] == pytest.approx(1.0)
    assert table.loc["saliency", "top_k_hit_rate"] == pytest.approx(1.0)


@pytest.mark.parametrize("call, match", [
    (lambda m, X: interp.saliency(m, X[0]), r"pass X\[None\]"),
    (lambda m, X: interp.saliency(m, X[:, :, :3]), r"shape \(n, L, 4\)"),
    (lambda m, X: interp.saliency(m, X, output=2), "not an index"),
    (lambda m, X: interp.saliency(m, X[:, :4]), "pad or cut"),
    (lambda m, X: interp.integrated_gradients(m, X, baseline="gaussian"), "baseline must be"),
    (lambda m, X: interp.attribute(m, X, "deeplift"), "method must be"),
    (lambda m, X: interp.positional_auc(np.zeros((1, 3)), np.zeros((1, 3), bool)), "no motif"),
    (lambda m, X: interp.top_k_hit_rate(np.zeros((1, 3)), np.ones((1, 3), bool), k=4), "k must"),
])
def test_errors_say_what_to_do(linear, X, call, match):
    with pytest.raises(ValueError, match=match):
        call(linear, X)


def test_plots_draw(X):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    attr = X[0] * _W(1)

    ax = plots.plot_attribution_logo(attr, highlight=(np.int64(2), np.int64(4)), title="gxi")
    assert ax.get_ylabel() == "attribution"
    ax = plots.plot_saliency_bars(np.arange(L, dtype=float), SEQS[0], motif_span=(2, 4))
    colours = [p.get_facecolor() for p in ax.patches]
    assert colours[2] == colours[3] != colours[0]
    ax = plots.plot_ism_heatmap(np.zeros((L, 4)), SEQS[0])
    assert ax.images[0].get_array().shape == (4, L)
    assert plots.plot_ism_heatmap is plots.plot_ism_heatmap  # the old name still works
    plt.close("all")


# -- lesson 06 writes the dinucleotide shuffle and the scoring out in its cells (issue 29) ---------

def _lesson_06_functions(*names, **context):
    """The functions ``names`` as lesson 06's cells define them, executed in ``context``."""
    import ast

    import nbformat
    import pandas as pd

    from conftest import NOTEBOOKS
    from course_lib import metrics

    ns = dict(np=np, pd=pd, interpretation=interp, metrics=metrics, **context)
    nb = nbformat.read(NOTEBOOKS / "06_saliency.ipynb", as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "%pip" in cell.source:
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name in names:
                exec(compile(ast.Module([node], []), "06_saliency.ipynb", "exec"), ns)
                found.append(node.name)
    assert sorted(found) == sorted(names), f"lesson 06 should define each of {names} once: {found}"
    return ns


@pytest.mark.parametrize("length", [2, 3, 12, 50, 1000])
def test_lesson_06s_dinucleotide_shuffle_is_the_librarys(length):
    """Same sequences, same random generator: the lesson's cell and dinucleotide_shuffle give
    the same shuffles, and both keep every dinucleotide count."""
    ns = _lesson_06_functions("dinucleotide_shuffle", "dinucleotide_counts")
    rng = np.random.default_rng(length)
    X = one_hot_encode(["".join(rng.choice(list("ACGT"), length)) for _ in range(3)])
    library = interp.dinucleotide_shuffle(X, n_shuffles=4, seed=5).argmax(axis=3)
    rng = np.random.default_rng(5)
    ours = np.array([[ns["dinucleotide_shuffle"](c, rng) for _ in range(4)]
                     for c in X.argmax(axis=2)])
    np.testing.assert_array_equal(ours, library)
    for codes, copies in zip(X.argmax(axis=2), ours):
        for copy in copies:
            assert (ns["dinucleotide_counts"](copy) == ns["dinucleotide_counts"](codes)).all()


def test_dinucleotide_shuffle_draws_every_valid_sequence_equally_often():
    """ACAGATACA: each of the 12 sequences of 9 bases with its first base and dinucleotide
    counts, found by brute force over all 4^9, comes up about equally often (uniform)."""
    import itertools

    def pairs(c):
        return tuple(np.bincount(np.asarray(c[:-1]) * 4 + np.asarray(c[1:]), minlength=16))

    codes = one_hot_encode(["ACAGATACA"])[0].argmax(axis=1)
    valid = {c for c in itertools.product(range(4), repeat=9)
             if c[0] == codes[0] and pairs(c) == pairs(codes)}
    draws = interp.dinucleotide_shuffle(one_hot_encode(["ACAGATACA"]), 3000, seed=0)
    seen = {}
    for s in draws[0].argmax(axis=2):
        seen[tuple(int(b) for b in s)] = seen.get(tuple(int(b) for b in s), 0) + 1
    assert set(seen) == valid and len(valid) == 12
    expected = 3000 / len(valid)
    assert all(abs(n - expected) < 0.25 * expected for n in seen.values()), (seen, expected)


def test_lesson_06s_scoring_is_compare_methods(X):
    """The lesson's score_methods (written in its cell) and compare_methods (its solutions'
    copy) give the same AUROC, AUPRC and top-k hit rate on the same model and sequences."""
    model = _dense_model(2, activation="softmax")
    explained = interp.logit_model(model)
    ig = {"baseline": "shuffle", "n_shuffles": 3, "n_steps": 4, "seed": 1}
    ns = _lesson_06_functions("score_against_truth", "score_methods", TOP_K=2, ig_options=ig)
    mask = interp.motif_mask(np.array([1, 2, 4]), L, 2)
    ours, attributions = ns["score_methods"](explained, X, mask, output=1, k=2)
    theirs, _ = interp.compare_methods(explained, X, mask, output=1, k=2,
                                       options={"integrated_gradients": ig})
    columns = ["auroc", "auprc", "top_k_hit_rate"]
    assert list(ours.index) == list(theirs.index) == list(interp.METHODS)
    np.testing.assert_allclose(ours[columns].to_numpy(float), theirs[columns].to_numpy(float))
    assert set(attributions) == set(interp.METHODS)
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 3, size=(3, L)).astype(float)  # ties: the stable order decides
    for k in (1, 2, 5):
        got = ns["score_against_truth"](scores, mask, k)
        assert got == pytest.approx({**interp.positional_auc(scores, mask),
                                     "top_k_hit_rate": interp.top_k_hit_rate(scores, mask, k)})
