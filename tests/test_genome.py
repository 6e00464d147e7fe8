"""course_lib.genome on real files written into tmp_path: peak files, a FASTA, windows, GC
content, background, chromosome splits, the batch generator, the stand-in, and bad input.

Measured for the thresholds (stand-in of 3 x 200 kb, 200 peaks, 200-bp windows, seeds 0-3):
the GC-only ROC AUC of peaks against GC-matched background is 0.500 at every seed (KS p = 1.0),
against random background 0.69-0.74 (KS p < 1e-4); peak windows average 0.47-0.52 GC where the
genome averages 0.44-0.48. The whole file runs in about 10 s on two cores.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import traceback

import bioframe
import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from course_lib import genome, metrics
from course_lib.genome import GenomeDataError

NARROW = "chr1\t100\t300\tp1\t500\t.\t5.0\t3.0\t2.0\t40\n"  # summit at 140


def write_fasta(path, chroms: dict[str, str], width: int = 60):
    path.write_text("".join(f">{name}\n" + "".join(seq[i:i + width] + "\n"
                                                    for i in range(0, len(seq), width))
                            for name, seq in chroms.items()))
    return path


def random_dna(n: int, seed: int = 0, gc: float = 0.5) -> str:
    p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
    return "".join(np.random.default_rng(seed).choice(list("ACGT"), n, p=p))


def refused(fn, *words, error=GenomeDataError) -> str:
    """The message of a GenomeDataError raised by course_lib itself (never from inside pyfaidx,
    pandas or bioframe), checked to hold every one of ``words``."""
    with pytest.raises(error) as info:
        fn()
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert frame.filename.endswith(os.path.join("course_lib", "genome.py")), frame
    message = str(info.value)
    assert all(word in message for word in words), (words, message)
    return message


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    info = genome.simulate_genome(tmp_path_factory.mktemp("standin"), n_chroms=3,
                                  chrom_length=200_000, n_peaks=200, seed=3)
    fasta = genome.open_genome(info["genome"])
    peaks = genome.read_peaks(info["peaks"])
    sizes = genome.chromosome_sizes(fasta)
    windows = genome.summit_windows(peaks, 200, sizes)
    gc, _ = genome.base_fractions(genome.fetch_sequences(fasta, windows))
    return dict(info=info, fasta=fasta, peaks=peaks, sizes=sizes, windows=windows, gc=gc)


@pytest.fixture
def small(tmp_path):
    """A two-chromosome FASTA (chr1 1,000 bp, chr2 600 bp) with its index beside it."""
    path = write_fasta(tmp_path / "small.fa", {"chr1": random_dna(1000, 1),
                                                "chr2": random_dna(600, 2)})
    fasta = genome.open_genome(path)
    return fasta, genome.chromosome_sizes(fasta)


# ------------------------------------------------------------------------------ reading peaks
HEADERS = "track name=peaks\nbrowser position chr1:1-1000\n# a comment\n\n"


@pytest.mark.parametrize("form", ["plain", "crlf", "gzip"])
def test_read_peaks_skips_header_lines_and_reads_crlf_and_gzip(tmp_path, form):
    """track/browser/# and blank lines are skipped; CRLF and gzip give the same peaks."""
    text = HEADERS + "chr1\t10\t20\nchr2\t5\t9\tname\n"
    if form == "crlf":
        text = text.replace("\n", "\r\n")
    path = tmp_path / ("p.bed.gz" if form == "gzip" else "p.bed")
    path.write_bytes(gzip.compress(text.encode()) if form == "gzip" else text.encode())
    peaks = genome.read_peaks(path)
    assert peaks["chrom"].tolist() == ["chr1", "chr2"]
    assert peaks[["start", "end", "summit", "line"]].values.tolist() == [[10, 20, 15, 5],
                                                                          [5, 9, 7, 6]]


def test_read_peaks_takes_the_summit_from_narrowpeak_column_10_else_the_centre(tmp_path):
    """narrowPeak's column 10 is an offset from start; plain BED and -1 use the centre."""
    (tmp_path / "p.narrowPeak").write_text(NARROW + NARROW.replace("\t40\n", "\t-1\n"))
    (tmp_path / "p.bed").write_text("chr1\t100\t300\n")
    assert genome.read_peaks(tmp_path / "p.narrowPeak")["summit"].tolist() == [140, 200]
    assert genome.read_peaks(tmp_path / "p.bed")["summit"].tolist() == [200]


# ------------------------------------------------------------------------ windows and GC
@pytest.mark.parametrize("window", [1, 50, 51, 200])
def test_summit_windows_have_the_window_length_and_centre_on_the_summit(small, window):
    """Each window is ``window`` bp long and its centre base is the summit."""
    _, sizes = small
    peaks = pd.DataFrame({"chrom": ["chr1", "chr2"], "start": [300, 200], "end": [500, 400],
                          "summit": [350, 333]})
    windows = genome.summit_windows(peaks, window, sizes)
    assert ((windows["end"] - windows["start"]) == window).all()
    assert (windows["start"] + window // 2).tolist() == [350, 333]


def test_fetch_sequences_reads_the_bases_written(tmp_path):
    """The window's bases are the FASTA's, upper-cased, 0-based half-open."""
    seq = random_dna(300, 5).lower()
    fasta = genome.open_genome(write_fasta(tmp_path / "g.fa", {"chrA": seq}, width=70))
    windows = pd.DataFrame({"chrom": ["chrA"], "start": [65], "end": [145]})
    assert genome.fetch_sequences(fasta, windows) == [seq[65:145].upper()]


def test_base_fractions_are_exact_on_known_strings():
    """GC among ACGT and the fraction of other characters, hand-counted."""
    gc, other = genome.base_fractions(["GGCC", "ATAT", "ACGN", "acgtacgg", "NNNN"])
    np.testing.assert_allclose(gc[:4], [1.0, 0.0, 2 / 3, 5 / 8])
    np.testing.assert_allclose(other, [0, 0, 0.25, 0, 1.0])
    assert np.isnan(gc[4])


# ----------------------------------------------------------------------------- background
@pytest.mark.parametrize("how", ["gc_matched", "random"])
def test_background_never_overlaps_a_peak(standin, how):
    """No background window touches any peak interval (bioframe.overlap finds none)."""
    background, _ = genome.sample_background(standin["fasta"], standin["peaks"], 300, 200,
                                             how=how, match_gc=standin["gc"], seed=1)
    assert len(background) == 300 and ((background["end"] - background["start"]) == 200).all()
    hits = bioframe.overlap(background, standin["peaks"][["chrom", "start", "end"]],
                            how="inner")
    assert len(hits) == 0


def test_gc_matched_background_shares_the_peaks_gc_and_random_does_not(standin):
    """GC alone separates peaks from random background, not from GC-matched background."""
    gc = standin["gc"]
    scores = {}
    for how in ("gc_matched", "random"):
        background, _ = genome.sample_background(standin["fasta"], standin["peaks"], len(gc),
                                                 200, how=how, match_gc=gc, seed=0)
        y = np.r_[np.ones(len(gc)), np.zeros(len(background))]
        scores[how] = (metrics.roc_auc(y, np.r_[gc, background["gc"]]),
                       ks_2samp(gc, background["gc"]).pvalue)
    assert abs(scores["gc_matched"][0] - 0.5) < 0.05 and scores["gc_matched"][1] > 0.2
    assert scores["random"][0] > 0.6 and scores["random"][1] < 1e-3


# ------------------------------------------------------------------------------ the split
def test_split_by_chromosome_keeps_held_out_chromosomes_out_of_train(standin):
    """Every window of a validation or test chromosome is in its split, none in train."""
    windows, sizes = standin["windows"], standin["sizes"]
    split = genome.split_by_chromosome(windows, ["chr2"], ["chr3"], sizes)
    chrom = windows["chrom"].to_numpy()
    assert set(chrom[split == "train"]) == {"chr1"}
    assert (split[chrom == "chr2"] == "valid").all() and (split[chrom == "chr3"] == "test").all()


# ---------------------------------------------------------------------------- the batches
def labelled(standin, n=None):
    windows = standin["windows"].head(n).copy() if n else standin["windows"].copy()
    windows["label"] = np.arange(len(windows)) % 2
    return windows


def test_genome_windows_gives_the_bases_of_one_hot_windows(standin):
    """Unshuffled, unflipped batches are one_hot_windows of the same table, labels in order."""
    windows = labelled(standin)
    batches = genome.GenomeWindows(standin["info"]["genome"], windows, 64, shuffle=False,
                                   reverse_complement=False)
    X = np.concatenate([batches[i][0] for i in range(len(batches))])
    y = np.concatenate([batches[i][1] for i in range(len(batches))])
    np.testing.assert_array_equal(X, genome.one_hot_windows(standin["fasta"], windows))
    np.testing.assert_array_equal(y[:, 0], windows["label"].to_numpy())


def test_reverse_complement_flips_about_half_the_windows_and_is_seeded(standin):
    """Each window comes forward or reverse-complemented, about half each; a seed repeats."""
    windows = labelled(standin)
    forward = genome.one_hot_windows(standin["fasta"], windows)
    batches = genome.GenomeWindows(standin["info"]["genome"], windows, 64, shuffle=False, seed=4)
    X = np.concatenate([batches[i][0] for i in range(len(batches))])
    same = (X == forward).all(axis=(1, 2))
    flipped = (X == forward[:, ::-1, ::-1]).all(axis=(1, 2))
    assert (same | flipped).all() and 0.35 < flipped.mean() < 0.65
    again = genome.GenomeWindows(standin["info"]["genome"], windows, 64, seed=4)
    other = genome.GenomeWindows(standin["info"]["genome"], windows, 64, seed=5)
    twin = genome.GenomeWindows(standin["info"]["genome"], windows, 64, seed=4)
    np.testing.assert_array_equal(again[1][0], twin[1][0])
    np.testing.assert_array_equal(again[1][1], twin[1][1])
    assert not np.array_equal(again[1][0], other[1][0])


def test_genome_windows_length_and_the_last_partial_batch(standin):
    """ceil(n / batch_size) batches; the last holds the remainder."""
    batches = genome.GenomeWindows(standin["info"]["genome"], labelled(standin, 10), 4)
    assert len(batches) == 3
    assert [batches[i][0].shape for i in range(3)] == [(4, 200, 4), (4, 200, 4), (2, 200, 4)]
    assert batches[2][1].shape == (2, 1)


# ------------------------------------------------------------------------- the FASTA index
def test_open_genome_without_an_index_writes_nothing_beside_the_fasta(tmp_path, monkeypatch):
    """A FASTA without .fai in a read-only folder: the index lands under $COURSE_DATA_DIR and
    the folder is unchanged (root ignores chmod, so the listing itself is compared)."""
    folder = tmp_path / "data"
    folder.mkdir()
    seq = random_dna(500, 7)
    write_fasta(folder / "g.fa", {"chr1": seq})
    folder.chmod(0o555)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    try:
        before = sorted(os.listdir(folder))
        fasta = genome.open_genome(folder / "g.fa")
        assert fasta["chr1"][10:20] == seq[10:20]
        assert sorted(os.listdir(folder)) == before == ["g.fa"]
        assert [p.name for p in (tmp_path / "cache" / "fai").iterdir()][0].endswith("g.fa.fai")
    finally:
        folder.chmod(0o755)


# ---------------------------------------------------------------------------- the stand-in
def digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())}


def test_the_standin_is_reproducible(tmp_path):
    """Same seed: byte-identical genome, index and peaks; another seed: other files."""
    kwargs = dict(n_chroms=3, chrom_length=120_000, n_peaks=50)
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        genome.simulate_genome(tmp_path / name, seed=seed, **kwargs)
    a, b, c = (digests(tmp_path / n) for n in "abc")
    assert set(a) == {"genome.fa", "genome.fa.fai", "peaks.narrowPeak"}
    assert a == b and a["genome.fa"] != c["genome.fa"] and a["peaks.narrowPeak"] != c[
        "peaks.narrowPeak"]


def test_the_standins_peaks_sit_in_gc_richer_dna_than_the_genome(standin):
    """Peak windows are GC-richer than the genome as a whole (N excluded)."""
    fasta, sizes = standin["fasta"], standin["sizes"]
    gc_genome, _ = genome.base_fractions(["".join(fasta[c][:] for c in sizes)])
    assert standin["gc"].mean() > gc_genome[0] + 0.02


# ------------------------------------------------------------------------------ bad input
BAD_RECORDS = {
    "two-columns": ("chr1\t100\n", ["2 column(s)", "3 tab-separated"]),
    "space-separated": ("chr1 100 200\n", ["tabs"]),
    "non-integer-start": ("chr1\t1e2\t200\n", ["'1e2'", "whole"]),
    "header-without-hash": ("chrom\tstart\tend\n", ["'start'", "'#'"]),
    "zero-length": ("chr1\t100\t100\n", ["length 0", "start < end"]),
    "negative-start": ("chr1\t-5\t100\n", ["start -5 is negative", "from 0"]),
    "summit-outside": (NARROW.replace("\t40\n", "\t250\n"), ["summit", "outside", "-1"]),
    "summit-not-a-number": (NARROW.replace("\t40\n", "\tx\n"), ["column 10", "'x'"]),
}


@pytest.mark.parametrize("name", BAD_RECORDS)
def test_a_bad_peak_record_is_refused_with_its_file_and_line(tmp_path, name):
    """The message names the file, the record's line (after a good one) and the fix."""
    body, words = BAD_RECORDS[name]
    path = tmp_path / "bad.bed"
    path.write_text("# header\nchr1\t10\t20\n" + body)
    refused(lambda: genome.read_peaks(path), "bad.bed, line 3", *words)


@pytest.mark.parametrize("body", [b"", b"track name=x\n# only headers\n",
                                  bytes(range(256)) * 4, "damaged gzip"])
def test_an_unreadable_or_empty_peak_file_is_refused_by_name(tmp_path, body):
    """Empty, header-only, binary and damaged-gzip peak files are named, no traceback."""
    if body == "damaged gzip":
        zipped = bytearray(gzip.compress(("chr1\t10\t20\tp\t0\t.\t1\t1\t1\t5\n" * 300).encode()))
        zipped[40:80] = bytes(40)
        body = bytes(zipped)
    path = tmp_path / "bad.bed"
    path.write_bytes(body)
    refused(lambda: genome.read_peaks(path), "bad.bed")


@pytest.mark.parametrize("record, words", [
    ("chr2\t400\t700\n", ["ends past the chromosome (600 bp)", "assembly", "bedClip"]),
])
def test_an_interval_past_the_chromosome_end_is_refused(tmp_path, small, record, words):
    """An interval ending past its chromosome is refused by line (another assembly)."""
    _, sizes = small
    (tmp_path / "p.bed").write_text("chr1\t10\t300\n" + record)
    peaks = genome.read_peaks(tmp_path / "p.bed")
    refused(lambda: genome.summit_windows(peaks, 200, sizes, "p.bed"), "p.bed, line 2", *words)


def test_chromosome_names_without_chr_are_refused_naming_both_and_the_fix(tmp_path, small):
    """'1' against a genome of 'chr1': both names and the sed fix are in the message."""
    _, sizes = small
    (tmp_path / "p.bed").write_text("1\t10\t300\n2\t10\t300\n")
    peaks = genome.read_peaks(tmp_path / "p.bed")
    refused(lambda: genome.peaks_on_genome(peaks, sizes, "p.bed"), "p.bed", "'1'", "'chr1'",
            "'chr' prefix", "sed")


def test_peaks_on_chromosomes_the_genome_lacks_are_refused(tmp_path, small):
    """Peaks sharing no chromosome with the genome: the file and the assembly are named;
    peaks partly on other chromosomes keep those on the genome and count the rest."""
    _, sizes = small
    (tmp_path / "p.bed").write_text("chrZ\t10\t300\n")
    refused(lambda: genome.peaks_on_genome(genome.read_peaks(tmp_path / "p.bed"), sizes,
                                           "p.bed"), "p.bed", "'chrZ'", "same assembly")
    (tmp_path / "q.bed").write_text("chrZ\t10\t300\nchr1\t10\t300\n")
    kept = genome.peaks_on_genome(genome.read_peaks(tmp_path / "q.bed"), sizes, "q.bed")
    assert kept["chrom"].tolist() == ["chr1"] and kept.attrs["n_other_chroms"] == 1


@pytest.mark.parametrize("name, body, words", [
    ("g.fa.gz", "gzip", ["g.fa.gz", "gunzip", "bgzip"]),
    ("g.fa", b"hello, this is not a genome\n", ["g.fa", "'>' header"]),
    ("g.fa", bytes(range(256)) * 8, ["g.fa", "not a FASTA"]),
    ("g.fa", b"", ["g.fa", "not a FASTA"]),
    ("g.fa", b">chr1\nACGTACGT\nACG\nACGTACGT\n", ["g.fa", "lines of equal length"]),
])
def test_a_genome_that_cannot_be_indexed_is_refused_and_nothing_is_written(
        tmp_path, monkeypatch, name, body, words):
    """Plain gzip and non-FASTA files: a clear error, no index beside the file or cached."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "data"
    folder.mkdir()
    if body == "gzip":
        body = gzip.compress(b">chr1\n" + b"ACGT" * 50 + b"\n")
    (folder / name).write_bytes(body)
    refused(lambda: genome.open_genome(folder / name), *words)
    assert os.listdir(folder) == [name]
    assert not list((tmp_path / "cache").rglob("*.fai"))


def test_a_missing_file_is_named_with_the_parameter(tmp_path):
    """A peak file or genome that is not there names the path and the -p parameter."""
    refused(lambda: genome.read_peaks(tmp_path / "no.bed"), "no.bed", "-p PEAKS",
            error=FileNotFoundError)
    refused(lambda: genome.open_genome(tmp_path / "no.fa"), "no.fa", "-p GENOME",
            error=FileNotFoundError)


def test_held_out_chromosomes_the_genome_lacks_or_shares_are_refused(standin):
    """TEST_CHROMS not in the genome, and VALID_CHROMS overlapping TEST_CHROMS."""
    windows, sizes = standin["windows"], standin["sizes"]
    refused(lambda: genome.split_by_chromosome(windows, ["chr2"], ["chrX"], sizes),
            "-p TEST_CHROMS", "'chrX'", "'chr3'")
    refused(lambda: genome.split_by_chromosome(windows, ["chr3"], ["3"], sizes),
            "-p TEST_CHROMS", "'3'", "'chr' prefix")
    refused(lambda: genome.split_by_chromosome(windows, ["chr2", "chr3"], ["chr3"], sizes),
            "chr3", "-p VALID_CHROMS", "-p TEST_CHROMS")


def test_too_few_background_windows_are_refused(tmp_path, standin):
    """An all-N chromosome leaves no usable window; a tiny genome cannot hold n windows."""
    fasta = genome.open_genome(write_fasta(tmp_path / "n.fa", {"chr1": "N" * 5000,
                                                               "chr2": random_dna(5000)}))
    peaks = pd.DataFrame({"chrom": ["chr2"], "start": [2000], "end": [2200]})
    refused(lambda: genome.sample_background(fasta, peaks, 5, 200, how="random",
                                             chroms=["chr1"]), "skipped for N", "NEG_RATIO")
    refused(lambda: genome.sample_background(fasta, peaks, 50, 200, how="random",
                                             chroms=["chr2"]), "NEG_RATIO", "fit on ['chr2']")
    refused(lambda: genome.sample_background(standin["fasta"], standin["peaks"], 10**6, 200,
                                             match_gc=standin["gc"]), "NEG_RATIO")


def test_resolve_genome_refuses_mixed_and_unknown_names(tmp_path):
    """GENOME simulated with PEAKS a path, and a name neither a file nor registered, are
    refused before anything is written."""
    standin = tmp_path / "standin"
    refused(lambda: genome.resolve_genome("simulated", tmp_path / "p.bed", standin),
            "GENOME and PEAKS", "-p PEAKS")
    refused(lambda: genome.resolve_genome("hg99", "ctcf", standin), "'hg99'", "simulated")
    assert not standin.exists()


def test_a_window_past_the_chromosome_end_is_dropped_and_counted(tmp_path, small):
    """A summit closer to its chromosome's end than half the window: that window is dropped
    and counted (a real peak near a telomere or on chrM), the others kept in order."""
    _, sizes = small
    (tmp_path / "p.bed").write_text("chr1\t10\t300\nchr2\t450\t590\nchr1\t400\t600\n")
    peaks = genome.read_peaks(tmp_path / "p.bed")
    windows = genome.summit_windows(peaks, 200, sizes, "p.bed")
    assert windows.attrs["n_past_end"] == 1  # the summit chr2:520 of a 600-bp chr2
    assert windows[["chrom", "start", "end"]].values.tolist() == [["chr1", 55, 255],
                                                                  ["chr1", 400, 600]]


def test_registry_names_are_fetched_and_a_gzipped_genome_is_joined_once(tmp_path, monkeypatch):
    """GENOME and PEAKS as registry names (the lesson's real-data path), through a real registry
    file and a local mirror folder: two plain-gzipped chromosome files are unzipped and joined
    into one indexed genome.fa inside the cache, once; the peak file is the dataset's file."""
    from course_lib import data

    mirror = tmp_path / "mirror"
    chroms = {"chr21": random_dna(3000, 1), "chr22": random_dna(2000, 2)}
    (mirror / "toy_genome").mkdir(parents=True)
    for name, seq in chroms.items():
        (mirror / "toy_genome" / f"{name}.fa.gz").write_bytes(
            gzip.compress(f">{name}\n{seq}\n".encode()))
    (mirror / "toy_peaks").mkdir()
    (mirror / "toy_peaks" / "p.bed.gz").write_bytes(gzip.compress(b"chr22\t900\t1100\n"))
    (mirror / "toy_vcf").mkdir()
    (mirror / "toy_vcf" / "README.txt").write_text("calls on chr22\n")
    (mirror / "toy_vcf" / "v.vcf.gz").write_bytes(gzip.compress(b"##fileformat=VCFv4.2\n"))
    registry = tmp_path / "registry.toml"
    registry.write_text("".join(
        f'[{ds}]\ndescription = "d"\nlicence = "l"\ncitation = "c"\nhomepage = "h"\n'
        + "".join(f'[[{ds}.files]]\nname = "{f}"\nurl = ["https://example.org/{f}"]\n'
                  f'sha256 = ""\n' for f in files)
        for ds, files in {"toy_genome": ["chr21.fa.gz", "chr22.fa.gz"],
                          "toy_peaks": ["p.bed.gz"],
                          "toy_vcf": ["README.txt", "v.vcf.gz"]}.items()))
    monkeypatch.setattr(data, "REGISTRY_PATH", registry)
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))

    fasta_path, peaks_path, standin = genome.resolve_genome("toy_genome", "toy_peaks",
                                                            tmp_path / "unused")
    assert standin is None and fasta_path == tmp_path / "cache" / "toy_genome" / "genome.fa"
    fasta = genome.open_genome(fasta_path)
    assert genome.chromosome_sizes(fasta) == {"chr21": 3000, "chr22": 2000}
    assert fasta["chr22"][100:160] == chroms["chr22"][100:160]
    assert genome.read_peaks(peaks_path)[["chrom", "summit"]].values.tolist() == [["chr22", 1000]]
    stamp = fasta_path.stat().st_mtime_ns
    assert genome.resolve_genome("toy_genome", "toy_peaks", tmp_path / "unused")[0] == fasta_path
    assert fasta_path.stat().st_mtime_ns == stamp  # joined once
    assert not (tmp_path / "unused").exists()
    # lesson 11's VCF parameter: the dataset's file with the asked suffix
    vcf = genome.resolve_file("toy_vcf", (".vcf.gz", ".vcf"))
    assert vcf == tmp_path / "cache" / "toy_vcf" / "v.vcf.gz"
    assert genome.resolve_file("toy_vcf").name == "README.txt"
    assert genome.resolve_file(str(vcf)) == vcf  # a path is a path
    refused(lambda: genome.resolve_file("toy_peaks", (".vcf.gz",)), "'toy_peaks'", ".vcf.gz")
