"""Variant effects (lesson 11): ``course_lib.variants`` and ``course score-variants``.

A small stand-in genome (3 x 200 kb, lesson 10's simulator) and two tiny untrained Keras
models (one and two sigmoid outputs on 200-bp windows) are built once per module. Scores are
checked against a hand computation (windows cut from the genome as strings, one-hot encoded
and reverse-complemented here, ``model.predict`` on each strand); the command runs once as a
user runs it (a subprocess) and on each bad input through ``course``'s entry point in this
process (a subprocess per case would cost seconds each for importing Keras).
"""

from __future__ import annotations

import gzip

import keras
import numpy as np
import pandas as pd
import pytest
from test_cli import course

from course_lib import genome, motifs, training, variants
from course_lib.app import cli
from course_lib.genome import GenomeDataError
from course_lib.sequences import one_hot_encode

WINDOW = 200
LENGTH = 200_000
HEADER = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"


# ------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("standin")
    info = genome.simulate_genome(folder, n_chroms=3, chrom_length=LENGTH, n_peaks=150, seed=0)
    info["fasta"] = genome.open_genome(info["genome"])
    info["sizes"] = genome.chromosome_sizes(info["fasta"])
    info["folder"] = folder
    return info


def _tiny_model(n_outputs: int, window: int = WINDOW):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((window, 4))
    x = keras.layers.Conv1D(8, 9, activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling1D()(x)  # every base moves the output a little
    return keras.Model(inputs, keras.layers.Dense(n_outputs, activation="sigmoid")(x))


@pytest.fixture(scope="module")
def models(standin):
    paths = {}
    for name, model in (("one", _tiny_model(1)), ("two", _tiny_model(2)),
                        ("short", _tiny_model(1, window=100))):
        paths[name] = standin["folder"] / f"{name}.keras"
        training.save_model(model, paths[name])
    return {name: (path, training.load_model(path)) for name, path in paths.items()}


def snvs(fasta, n: int, window: int = WINDOW, start: int = 20_000, step: int = 4_999):
    """``n`` SNVs whose whole window is A/C/G/T: REF from the genome, ALT the next base."""
    rows = []
    for chrom in ("chr1", "chr2", "chr3"):
        for pos in range(start, LENGTH - window, step):
            seq = fasta[chrom][pos - 1 - window // 2:pos - 1 - window // 2 + window]
            if set(seq) <= set("ACGT") and len(rows) < n:
                ref = fasta[chrom][pos - 1:pos]
                rows.append((chrom, pos, f"v{len(rows)}", ref, "ACGT"["ACGT".index(ref) - 3]))
    return rows


def vcf_text(records, contigs: dict | None = None, header: bool = True) -> str:
    head = "##fileformat=VCFv4.2\n" + "".join(
        f"##contig=<ID={c},length={n}>\n" for c, n in (contigs or {}).items()) + HEADER
    body = "".join(f"{c}\t{p}\t{i}\t{r}\t{a}\t.\tPASS\t.\n" for c, p, i, r, a in records)
    return (head if header else "") + body


def write_vcf(path, records, contigs=None, header=True):
    path.write_text(vcf_text(records, contigs, header))
    return path


def table(records) -> pd.DataFrame:
    return pd.DataFrame(records, columns=["chrom", "pos", "id", "ref", "alt"])


def scored(model, fasta, frame, window=WINDOW, **kwargs) -> pd.DataFrame:
    return pd.concat(list(variants.score_chunks(model, fasta, frame, window, **kwargs)),
                     ignore_index=True)


# ------------------------------------------------------------------------------- windows
@pytest.mark.parametrize("window", [200, 201, 10])
def test_windows_put_the_ref_base_at_the_centre_and_differ_only_there(standin, window):
    fasta = standin["fasta"]
    frame = table(snvs(fasta, 12, window=window))
    ref, alt = variants.variant_windows(fasta, frame, window)
    assert ref.shape == alt.shape == (12, window, 4)
    centre = window // 2
    assert "".join("ACGT"[i] for i in ref[:, centre].argmax(1)) == "".join(frame["ref"])
    assert "".join("ACGT"[i] for i in alt[:, centre].argmax(1)) == "".join(frame["alt"])
    differs = (ref != alt).any(axis=2)
    assert differs[:, centre].all() and differs.sum() == len(frame)
    for k, row in frame.iterrows():  # the window is the genome's, 1-based POS made 0-based
        start = row["pos"] - 1 - centre
        assert "".join("ACGT"[i] for i in ref[k].argmax(1)) == fasta[row["chrom"]][
            start:start + window]


# ------------------------------------------------------------------------------- scores
def _by_hand(model, fasta, frame):
    """Probabilities of ref and alt on each strand, from strings cut and encoded here."""
    eye = np.eye(4, dtype=np.float32)
    out = {}
    for allele in ("ref", "alt"):
        seqs = []
        for row in frame.itertuples():
            seq = fasta[row.chrom][row.pos - 1 - WINDOW // 2:row.pos - 1 - WINDOW // 2 + WINDOW]
            if allele == "alt":
                seq = seq[:WINDOW // 2] + row.alt + seq[WINDOW // 2 + 1:]
            seqs.append(seq)
        X = eye[[["ACGT".index(b) for b in s] for s in seqs]]
        out[allele] = (model.predict(X, verbose=0).astype(np.float64),
                       model.predict(X[:, ::-1, ::-1], verbose=0).astype(np.float64))
    return out


def _logit(p):
    return np.log(p) - np.log1p(-p)


def test_scores_are_the_difference_and_log_odds_change_averaged_over_strands(standin, models):
    fasta, (_, model) = standin["fasta"], models["two"]
    frame = table(snvs(fasta, 16))
    got = scored(model, fasta, frame, output_names=["a", "b"])
    hand = _by_hand(model, fasta, frame)
    for i, name in enumerate(["a", "b"]):
        (ref_f, ref_r), (alt_f, alt_r) = hand["ref"], hand["alt"]
        p_ref, p_alt = (ref_f[:, i] + ref_r[:, i]) / 2, (alt_f[:, i] + alt_r[:, i]) / 2
        np.testing.assert_allclose(got[f"{name}_ref"], p_ref, rtol=1e-5)
        np.testing.assert_allclose(got[f"{name}_alt"], p_alt, rtol=1e-5)
        np.testing.assert_allclose(got[f"{name}_diff"], got[f"{name}_alt"] - got[f"{name}_ref"])
        np.testing.assert_allclose(got[f"{name}_logit_diff"], _logit(p_alt) - _logit(p_ref),
                                   rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(got[f"{name}_logit_diff_fwd"],
                                   _logit(alt_f[:, i]) - _logit(ref_f[:, i]), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(got[f"{name}_logit_diff_rev"],
                                   _logit(alt_r[:, i]) - _logit(ref_r[:, i]), rtol=1e-4, atol=1e-6)
        assert (np.abs(got[f"{name}_diff"]) > 0).all()  # the model sees every base
    assert list(got.columns[:5]) == ["chrom", "pos", "id", "ref", "alt"]
    pd.testing.assert_frame_equal(got[frame.columns], frame)


def test_a_strand_symmetric_model_scores_both_strands_alike(standin):
    """A filter equal to its own reverse complement, averaged over positions: the reverse
    strand must give the forward strand's prediction (the reverse complement is right). The
    tanh keeps it non-linear: a linear one scores A<->T and C<->G changes 0."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((WINDOW, 4))
    conv = keras.layers.Conv1D(1, 5, activation="tanh")
    dense = keras.layers.Dense(1, activation="sigmoid")
    model = keras.Model(inputs, dense(keras.layers.GlobalAveragePooling1D()(conv(inputs))))
    kernel, bias = conv.get_weights()
    conv.set_weights([(kernel + kernel[::-1, ::-1]) / 2 * 5, bias])
    dense.set_weights([np.full((1, 1), 10.0, np.float32), np.zeros(1, np.float32)])
    frame = table(snvs(standin["fasta"], 10))
    got = scored(model, standin["fasta"], frame)
    np.testing.assert_allclose(got["output0_logit_diff_fwd"], got["output0_logit_diff_rev"],
                               atol=1e-5)
    np.testing.assert_allclose(got["output0_logit_diff"], got["output0_logit_diff_fwd"],
                               atol=1e-5)
    assert (np.abs(got["output0_logit_diff"]) > 1e-4).all()


def test_scoring_by_chunks_does_not_change_the_numbers(standin, models):
    fasta, (_, model) = standin["fasta"], models["two"]
    frame = table(snvs(fasta, 20))
    small = scored(model, fasta, frame, chunk=7)
    whole = scored(model, fasta, frame, chunk=10_000)
    # equal to float32 precision: TensorFlow's CPU kernels may round the last bit differently
    # for another batch composition (seen: 1e-7 in a logit_diff of 4e-4)
    pd.testing.assert_frame_equal(small, whole, check_exact=False, rtol=1e-5, atol=1e-6)
    assert len(list(variants.score_chunks(model, fasta, frame, WINDOW, chunk=7))) == 3


# ------------------------------------------------------------------------------- reading
def test_multi_allelic_records_give_one_row_per_alt(standin, tmp_path):
    fasta = standin["fasta"]
    (c, p, _, ref, _), = snvs(fasta, 1)
    others = [b for b in "ACGT" if b != ref]
    base = fasta[c][p + 6]
    snv = "ACGT"["ACGT".index(base) - 3]
    path = write_vcf(tmp_path / "m.vcf", [(c, p, "multi", ref, ",".join(others)),
                                          (c, p + 7, "mixed", base, f"{snv},{base}A")])
    got, skipped = variants.read_variants(path, standin["sizes"])
    assert list(got["alt"]) == [*others, snv]
    assert list(got["id"]) == ["multi"] * 3 + ["mixed"]
    assert list(got["pos"]) == [p] * 3 + [p + 7]
    assert skipped["indel"] == 1


def test_indels_symbolic_alleles_and_breakends_are_skipped_and_counted(standin, tmp_path):
    fasta = standin["fasta"]
    good = snvs(fasta, 3)
    c, p = good[0][0], good[0][1] + 11
    ref = fasta[c][p - 1]
    records = good + [
        (c, p, "del", ref + "A", ref), (c, p + 1, "ins", "A", "ACGT"),
        (c, p + 2, "sv", "A", "<DEL>"), (c, p + 3, "star", "A", "C,*"),
        (c, p + 4, "bnd1", "A", "A[chr2:1000["), (c, p + 5, "bnd2", "A", "]chr3:500]A"),
        (c, p + 6, "bnd3", "A", ".A")]
    got, skipped = variants.read_variants(write_vcf(tmp_path / "s.vcf", records,
                                                    standin["sizes"]), standin["sizes"])
    assert list(got["id"]) == ["v0", "v1", "v2", "star"]
    assert skipped == {"indel": 2, "symbolic": 5, "other_chromosome": 0}


def test_lower_case_alleles_are_read_as_upper_case_and_scored(standin, models, tmp_path):
    fasta = standin["fasta"]
    records = [(c, p, i, r.lower(), a.lower()) for c, p, i, r, a in snvs(fasta, 5)]
    path = write_vcf(tmp_path / "lower.vcf", records)
    kept, report = variants.prepare(fasta, path, WINDOW)
    assert report["n_scored"] == 5 and report["ref_mismatches"] == 0
    assert "".join(kept["ref"]) == "".join(r for _, _, _, r, _ in records).upper()


def test_a_few_ref_mismatches_are_counted_not_scored(standin, tmp_path):
    fasta = standin["fasta"]
    records = snvs(fasta, 40)
    c, p, i, r, a = records[5]
    records[5] = (c, p, i, a, "ACGT"["ACGT".index(a) - 3] if a != r else r)  # REF != genome
    kept, report = variants.prepare(fasta, write_vcf(tmp_path / "v.vcf", records), WINDOW)
    assert report["ref_mismatches"] == report["skipped"]["ref_mismatch"] == 1
    assert report["n_variants"] == 40 and report["n_scored"] == 39
    assert i not in set(kept["id"])


def test_many_ref_mismatches_mean_another_build_and_are_refused(standin, tmp_path):
    fasta = standin["fasta"]
    records = snvs(fasta, 40)
    for k in range(10, 20):  # 25% of REF alleles disagree with the genome
        c, p, i, r, a = records[k]
        records[k] = (c, p, i, a, r)
    path = write_vcf(tmp_path / "v.vcf", records)
    with pytest.raises(GenomeDataError, match="build") as err:
        variants.prepare(fasta, path, WINDOW)
    first = records[10]
    assert f"{first[0]}:{first[1]}" in str(err.value) and "v.vcf" in str(err.value)
    assert "10 of 40" in str(err.value)
    kept, report = variants.prepare(fasta, path, WINDOW, max_mismatch=0.3)  # the threshold
    assert report["ref_mismatches"] == 10 and len(kept) == 30


def test_chromosomes_named_without_chr_are_refused_with_the_fix(standin, tmp_path):
    records = [(c[3:], p, i, r, a) for c, p, i, r, a in snvs(standin["fasta"], 6)]
    path = write_vcf(tmp_path / "v.vcf", records)
    with pytest.raises(GenomeDataError) as err:
        variants.read_variants(path, standin["sizes"])
    message = str(err.value)
    assert "v.vcf" in message and f"{records[0][0]}:{records[0][1]}" in message
    assert "'chr' prefix" in message and "bcftools annotate --rename-chrs" in message
    assert "peak" not in message


def test_another_assembly_s_chromosomes_are_refused(standin, tmp_path):
    path = write_vcf(tmp_path / "v.vcf", [("chrUn_KI270302v1", 100, ".", "A", "C")])
    with pytest.raises(GenomeDataError, match="same assembly"):
        variants.read_variants(path, standin["sizes"])


def test_some_unknown_chromosomes_are_counted(standin, tmp_path):
    records = snvs(standin["fasta"], 6) + [("chrUn", 100, ".", "A", "C"),
                                           ("chrM", 5, ".", "G", "T")]
    _, report = variants.prepare(standin["fasta"], write_vcf(tmp_path / "v.vcf", records),
                                 WINDOW)
    assert report["skipped"]["other_chromosome"] == 2 and report["n_scored"] == 6
    assert report["n_variants"] == 8


def test_a_position_past_the_chromosome_end_is_refused(standin, tmp_path):
    records = snvs(standin["fasta"], 3) + [("chr2", LENGTH + 1, "far", "A", "C")]
    with pytest.raises(GenomeDataError, match="past the end") as err:
        variants.read_variants(write_vcf(tmp_path / "v.vcf", records), standin["sizes"])
    assert f"chr2:{LENGTH + 1}" in str(err.value) and "genome it was called on" in str(err.value)


def test_n_in_the_genome_at_the_variant_is_counted(standin, tmp_path):
    fasta = standin["fasta"]
    assert fasta["chr1"][4999:5001] == "NN"  # the stand-in's chromosomes start with 10 kb of N
    records = snvs(fasta, 40) + [("chr1", 5000, "n_ref", "N", "A"),
                                 ("chr1", 5001, "a_ref", "A", "C")]
    kept, report = variants.prepare(fasta, write_vcf(tmp_path / "v.vcf", records), WINDOW)
    assert report["skipped"]["ref_not_acgt"] == 1  # REF N, as the genome says
    assert report["skipped"]["ref_mismatch"] == 1  # REF A where the genome has N
    assert report["n_scored"] == 40 and not {"n_ref", "a_ref"} & set(kept["id"])


def test_variants_whose_window_leaves_the_chromosome_are_counted(standin, tmp_path):
    fasta = standin["fasta"]
    assert set(fasta["chr3"][LENGTH - 300:]) <= set("ACGT")
    # 1-based LENGTH - 99 is the last position whose 200-bp window (it at index 100) fits
    records = []
    for k, pos in enumerate((LENGTH - 99, LENGTH - 98, LENGTH)):
        ref = fasta["chr3"][pos - 1]
        records.append(("chr3", pos, f"end{k}", ref, "ACGT"["ACGT".index(ref) - 3]))
    kept, report = variants.prepare(fasta, write_vcf(tmp_path / "v.vcf", records), WINDOW)
    assert list(kept["id"]) == ["end0"] and report["skipped"]["near_chromosome_end"] == 2
    assert report["ref_mismatches"] == 0


def test_check_model_refuses_another_window_or_alphabet(models):
    (_, short), (_, one) = models["short"], models["one"]
    with pytest.raises(GenomeDataError, match="--window 100"):
        variants.check_model(short, WINDOW)
    variants.check_model(one, WINDOW)
    protein = keras.Model(inp := keras.Input((WINDOW, 20)), keras.layers.Dense(1)(inp))
    with pytest.raises(GenomeDataError, match="one-hot DNA"):
        variants.check_model(protein, WINDOW)


def test_simulated_variants_read_back_as_their_truth(standin, tmp_path):
    from cyvcf2 import VCF

    truth = variants.simulate_variants(standin, tmp_path / "sim.vcf", n_per_class=10, seed=3)
    assert truth["kind"].value_counts().to_dict() == {
        "core": 10, "flank": 10, "background": 10, "create": 10}
    rows = [(r.CHROM, r.POS, r.ID, r.REF, r.ALT[0]) for r in VCF(str(tmp_path / "sim.vcf"))]
    assert rows == list(truth[["chrom", "pos", "id", "ref", "alt"]].itertuples(index=False,
                                                                             name=None))
    assert rows == sorted(rows, key=lambda r: (int(r[0][3:]), r[1]))
    assert (truth["ref"] != truth["alt"]).all()
    _, report = variants.prepare(standin["fasta"], tmp_path / "sim.vcf", WINDOW)
    assert report["ref_mismatches"] == 0


def test_a_created_site_is_one_base_from_a_motif_match_where_there_was_none(standin):
    """Each `create` change, applied to the genome, makes a placement of the matrix score at
    least 12 bits where no placement in the 200 bp around scored 8; and each is far from the
    peaks and planted sites it was told to avoid."""
    fasta = standin["fasta"]
    pwm = motifs.load_jaspar_motif(standin["motif"]).pwm
    table = motifs.log_odds(pwm)
    w = len(table)
    avoid = standin["sites"][["chrom", "position"]]
    created = variants.find_created_sites(fasta, pwm, avoid=avoid)
    assert len(created) >= 10

    def best(seq):
        x = one_hot_encode(seq)
        placements = np.lib.stride_tricks.sliding_window_view(x, w, axis=0)  # (n, 4, w)
        forward = np.einsum("nbw,wb->n", placements, table)
        reverse = np.einsum("nbw,wb->n", placements, table[::-1, ::-1])
        return float(np.maximum(forward, reverse).max())

    for row in created.itertuples():
        around = fasta[row.chrom][row.position - 100:row.position + 100]
        assert around[100] == row.ref != row.alt
        assert best(around) < 8.0
        assert best(around[:100] + row.alt + around[101:]) >= 12.0 - 1e-9
        near = avoid[avoid["chrom"] == row.chrom]["position"]
        assert (abs(near - row.position) >= 2_000).all()
    n_sites = int((standin["sites"]["kind"] == "peak").sum())
    assert len(created) < n_sites  # so the create class runs out first
    for n in (len(created) + 1, n_sites + 1):
        with pytest.raises(GenomeDataError, match="-p N_PER_CLASS"):
            variants.simulate_variants(standin, standin["folder"] / "many.vcf", n_per_class=n)


# ------------------------------------------------------------------------------- the command
def _args(models, model, vcf, out, *extra, standin):
    return ["score-variants", "--model", str(models[model][0]), "--genome",
            str(standin["genome"]), "--vcf", str(vcf), "--out", str(out), *extra]


def test_the_command_writes_one_row_per_scored_alt(standin, models, tmp_path):
    fasta = standin["fasta"]
    good = snvs(fasta, 8)
    c, p = good[0][:2]
    records = good + [(c, p + 3, "del", fasta[c][p + 2] + "A", fasta[c][p + 2]),
                      (c, p + 4, "sv", fasta[c][p + 3], "<DUP>"), ("chrUn", 7, "un", "A", "C")]
    vcf = write_vcf(tmp_path / "v.vcf", records)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "scores.tsv"
    result = course(*_args(models, "one", vcf, out, standin=standin))
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.read_text().splitlines()[0].split("\t") == [
        "chrom", "pos", "id", "ref", "alt", "output0_ref", "output0_alt", "output0_diff",
        "output0_logit_diff"]
    got = pd.read_csv(out, sep="\t")
    expected = scored(models["one"][1], fasta, table(good))
    assert list(got["id"]) == [i for _, _, i, _, _ in good]
    for column in got.columns[5:]:
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-5, atol=1e-6)
    assert "scored 8 of 11" in result.stderr
    assert "indel 1" in result.stderr and "symbolic 1" in result.stderr
    assert "other_chromosome 1" in result.stderr
    assert [q.name for q in out.parent.iterdir()] == ["scores.tsv"]  # no .part left


def test_outputs_selects_and_names_model_outputs(standin, models, tmp_path, capsys):
    fasta = standin["fasta"]
    good = snvs(fasta, 6)
    vcf = write_vcf(tmp_path / "v.vcf", good)
    out = tmp_path / "s.tsv"
    assert cli.main(_args(models, "two", vcf, out, "--outputs", "ctcf=1,first=0",
                          standin=standin)) == 0
    got = pd.read_csv(out, sep="\t")
    assert list(got.columns[5:]) == [f"{n}_{s}" for n in ("ctcf", "first")
                                     for s in ("ref", "alt", "diff", "logit_diff")]
    expected = scored(models["two"][1], fasta, table(good))
    for name, i in (("ctcf", 1), ("first", 0)):
        for s in ("ref", "alt", "diff", "logit_diff"):
            np.testing.assert_allclose(got[f"{name}_{s}"], expected[f"output{i}_{s}"],
                                       rtol=1e-5, atol=1e-6)
    assert cli.main(_args(models, "two", vcf, out, "--outputs", "ctcf=2", standin=standin)) == 2
    assert "0 to 1" in capsys.readouterr().err


def _bad_inputs(tmp, standin, models):
    """name -> (arguments, words the message must have), each input written into tmp."""
    fasta, sizes = standin["fasta"], standin["sizes"]
    good = snvs(fasta, 30)
    text = vcf_text(good, sizes)
    write_vcf(tmp / "good.vcf", good)
    write_vcf(tmp / "noheader.vcf", good, header=False)
    body = gzip.compress(text.encode())
    (tmp / "half.vcf.gz").write_bytes(body[:len(body) // 2])
    many = text + "".join(f"chr1\t{20_000 + k}\t.\tA\tC\t.\tPASS\t.\n" for k in range(20_000))
    big = gzip.compress(many.encode())
    (tmp / "cut.vcf.gz").write_bytes(big[:len(big) // 2])
    write_vcf(tmp / "build.vcf", [(c, p, i, a, r) for c, p, i, r, a in good])
    write_vcf(tmp / "nochr.vcf", [(c[3:], p, i, r, a) for c, p, i, r, a in good])
    write_vcf(tmp / "past.vcf", good[:3] + [("chr2", LENGTH + 5, ".", "A", "C")])
    return {
        "vcf-without-header": ("one", "noheader.vcf", [], ["noheader.vcf", "##fileformat"]),
        "vcf-gzip-cut-in-the-header": ("one", "half.vcf.gz", [], ["half.vcf.gz", "cut short"]),
        "vcf-gzip-cut-in-the-records": ("one", "cut.vcf.gz", [], ["cut.vcf.gz", "cut short",
                                                                 "chr1:"]),
        "wrong-genome-build": ("one", "build.vcf", [], ["build.vcf", "genome build",
                                                        f"{good[0][0]}:{good[0][1]}"]),
        "chromosomes-without-chr": ("one", "nochr.vcf", [], ["nochr.vcf", "'chr' prefix",
                                                             "bcftools annotate"]),
        "position-past-the-end": ("one", "past.vcf", [], ["past.vcf", f"chr2:{LENGTH + 5}",
                                                          "past the end"]),
        "model-window-differs": ("short", "good.vcf", ["--window", "200"], ["short.keras",
                                                                            "--window 100"]),
        "output-folder-missing": ("one", "good.vcf", [], ["--out", "nodir", "does not exist"]),
        "model-file-missing": ("missing", "good.vcf", [], ["--model", "none.keras",
                                                           "no such model file"]),
        "vcf-missing": ("one", "absent.vcf", [], ["absent.vcf", "no such VCF"]),
    }


BAD = ["vcf-without-header", "vcf-gzip-cut-in-the-header", "vcf-gzip-cut-in-the-records",
       "wrong-genome-build", "chromosomes-without-chr", "position-past-the-end",
       "model-window-differs", "output-folder-missing", "model-file-missing", "vcf-missing"]


@pytest.mark.parametrize("name", BAD)
def test_bad_input_is_refused_clearly_and_nothing_is_written(name, standin, models, tmp_path,
                                                             capfd):
    model, vcf, extra, words = _bad_inputs(tmp_path, standin, models)[name]
    paths = {**models, "missing": (tmp_path / "none.keras", None)}
    (tmp_path / "out").mkdir()
    out = tmp_path / ("nodir" if name == "output-folder-missing" else "out") / "scores.tsv"
    code = cli.main(_args(paths, model, tmp_path / vcf, out, *extra, standin=standin))
    err = capfd.readouterr().err
    assert code != 0, err
    assert "Traceback" not in err and err.count("course: error:") == 1
    missing = [w for w in words if w not in err]
    assert not missing, f"the message lacks {missing}:\n{err}"
    assert not out.exists() and list((tmp_path / "out").iterdir()) == []


def test_a_cut_vcf_through_the_command_exits_non_zero_without_a_traceback(standin, models,
                                                                          tmp_path):
    _bad_inputs(tmp_path, standin, models)
    out = tmp_path / "scores.tsv"
    result = course(*_args(models, "one", tmp_path / "cut.vcf.gz", out, standin=standin))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cut.vcf.gz" in result.stderr and "cut short" in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".scores.tsv.part*"))


def test_reading_a_block_at_a_time_gives_the_whole_table_and_report(standin, tmp_path):
    """course score-variants streams the VCF (prepare_blocks): blocks of 4 rows give the rows
    and the report prepare gives in one piece, skipped records after the last block included."""
    fasta = standin["fasta"]
    good = snvs(fasta, 13)
    bad_ref = [(c, p, i, "ACGT"["ACGT".index(r) - 1], a) for c, p, i, r, a in good[:1]]
    records = good + bad_ref + [("chrUn", 100, ".", "A", "C"), (good[0][0], good[0][1] + 3,
                                                               ".", "AT", "A")]
    path = write_vcf(tmp_path / "v.vcf", sorted(records, key=lambda r: (r[0], r[1])))
    whole, report = variants.prepare(fasta, path, WINDOW, max_mismatch=0.2)
    streamed = {}
    blocks = list(variants.prepare_blocks(fasta, path, WINDOW, 0.2, streamed, block=4))
    assert len(blocks) >= 4
    pd.testing.assert_frame_equal(pd.concat(blocks, ignore_index=True), whole)
    assert streamed == report
    assert report["skipped"]["ref_mismatch"] == 1 and report["skipped"]["indel"] == 1
    assert report["skipped"]["other_chromosome"] == 1
