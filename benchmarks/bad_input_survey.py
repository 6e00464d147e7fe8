"""Survey: run a corpus of bad inputs as a user meets them and classify every outcome.

Each case is a command a user would type (``course run``, ``course data``, ``course train``,
``course gather``) or a library call a lesson makes (``training.load_model``, the registry's
``fetch`` against a local HTTP server that truncates, stalls and lies about lengths). Its
outcome is classified automatically:

- ``clear``          non-zero exit, no traceback, and the message has the expected words
                     (the file or the ``-p NAME`` / flag, and the fix);
- ``correct``        the input is fine (or is handled rightly) and the tool did its job;
- ``unclear``        non-zero exit without the expected words (or a needless failure);
- ``traceback``      "Traceback (most recent call last)" reached the user, or a library's own
                     exception escaped a course_lib call;
- ``silently wrong`` exit 0 although the input should have been refused;
- ``half-written``   files left in the cache or the output folder that should not be there.

Usage (the cases that may start a kernel or train take ``--lock``, held for at most
``--lock-hold`` seconds of consecutive cases, so other jobs on the machine interleave; ``--json`` files of several partial runs are merged with
``--report A.json B.json``)::

    python benchmarks/bad_input_survey.py --lock /tmp/cpu.lock --json runs/bad_input_survey.json
    python benchmarks/bad_input_survey.py --only lesson04-nan-labels,registry-short   # a few
    python benchmarks/bad_input_survey.py --area cli,registry                         # by area
    python benchmarks/bad_input_survey.py --list

The cases that use the real files under ``/work/shared/data/real`` (``$COURSE_REAL_DATA``)
are skipped, with a line saying so, where those files are absent.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gzip
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from http_server import serve  # noqa: E402

TRACEBACK = "Traceback (most recent call last)"
REAL = Path(os.environ.get("COURSE_REAL_DATA", "/work/shared/data/real"))
CATEGORIES = ["clear", "correct", "unclear", "traceback", "silently wrong", "half-written"]
SMALL_04 = ["-p", "EPOCHS", "2", "-p", "KMER_MAX_K", "2", "-p", "PATIENCE", "1"]


# ------------------------------------------------------------------------------- inputs
def table(n=120, length=40, seed=0, labels=("a", "b"), sep=",", header=("sequence", "label")):
    rng = np.random.default_rng(seed)
    rows = [sep.join(header)]
    for i in range(n):
        rows.append("".join(rng.choice(list("ACGT"), length)) + sep + labels[i % len(labels)])
    return "\n".join(rows) + "\n"


def fasta(n=60, length=40, seed=0, labels=("a", "b")):
    rng = np.random.default_rng(seed)
    return "".join(f">s{i} label={labels[i % len(labels)]}\n"
                   f"{''.join(rng.choice(list('ACGT'), length))}\n" for i in range(n))


def genome(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    seq = "".join(rng.choice(list("ACGT"), n))
    return ">chr\n" + "\n".join(seq[i:i + 70] for i in range(0, n, 70)) + "\n"


def gene_table(n=60, rows=None):
    rng = np.random.default_rng(0)
    body = rows or [("".join(rng.choice(list("ACGT"), 60)), i % 2) for i in range(n)]
    return "gene,resistant\n" + "".join(f"{g},{r}\n" for g, r in body)


# ------------------------------------------------------------------------------- cases
@dataclass
class Case:
    name: str
    area: str
    argv: list[str] | Callable  # a command, or a function(tmp) -> (rc, output) run in-process
    files: dict[str, bytes | str | Callable] = field(default_factory=dict)  # tmp-relative
    expect: list[str] = field(default_factory=list)  # all must appear in the output
    ok: bool = False  # True: the input is fine (exit 0 expected)
    env: dict[str, str] = field(default_factory=dict)
    clean: list[str] = field(default_factory=list)  # globs under tmp that must stay empty
    needs_real: bool = False
    timeout: int = 240
    server: bool = False  # {server} in argv/env is replaced by the local server's base URL
    fix: Callable | None = None  # fix(case) -> the Case a user runs after following the message


def lesson(n, data_name, body, *extra, expect=(), ok=False, env=None, real=False, files=None):
    files = files or ({data_name: body} if body is not None else {})
    argv = ["course", "run", n, "-q", "-p", "DATA", "{tmp}/" + data_name if not real else data_name,
            *extra, "-o", "{tmp}/out"]
    return dict(area=f"lesson {n}", argv=argv, files=files, expect=list(expect), ok=ok,
                env=env or {}, clean=[] if ok else ["out/*.metrics.json"], needs_real=real)


def standin10(tmp: Path) -> None:
    """A small good genome and its peaks for lesson 10 (chr1-chr8 x 120 kb, 300 peaks, in
    ``tmp/g``: the lesson's default VALID_CHROMS and TEST_CHROMS exist)."""
    from course_lib import genome

    genome.simulate_genome(tmp / "g", n_chroms=8, chrom_length=120_000, n_peaks=300, seed=0)


def peaks_with_headers(tmp: Path) -> None:
    """The good peaks gzipped, with track/browser/# lines and Windows line endings."""
    text = "track name=ctcf\nbrowser position chr1:1-1000\n# ENCODE\n"
    text += (tmp / "g" / "peaks.narrowPeak").read_text()
    (tmp / "p.bed.gz").write_bytes(gzip.compress(text.replace("\n", "\r\n").encode()))


def read_only_genome(tmp: Path) -> None:
    """The good genome without its index, in a folder the user cannot write."""
    shutil.copytree(tmp / "g", tmp / "ro")
    (tmp / "ro" / "genome.fa.fai").unlink()
    (tmp / "ro").chmod(0o555)


def lesson10(*params, files=None, expect=(), ok=False, clean=()):
    """``course run 10 -p ...``; ``{g}`` in a value is the small good stand-in written into
    ``tmp/g`` (standin10) before the case runs."""
    files = {"g": standin10, **(files or {})}
    argv = ["course", "run", "10", "-q"]
    for name, value in zip(params[::2], params[1::2]):
        argv += ["-p", name, value.replace("{g}", "{tmp}/g")]
    return dict(area="lesson 10", argv=[*argv, "-o", "{tmp}/out"], files=files,
                expect=list(expect), ok=ok, env={"COURSE_DATA_DIR": "{tmp}/cache"},
                clean=[] if ok else ["out/*.metrics.json", *clean])


def standin_variants(tmp: Path) -> None:
    """Lesson 11's inputs in ``tmp/sv``: a stand-in genome (chr1-chr3 x 200 kb), two tiny
    untrained models (``model.keras`` reads 200-bp windows, ``model100.keras`` 100 bp), a good
    VCF of SNVs and the bad VCFs of the score-variants cases; ``tmp/out`` is an empty folder."""
    import keras

    from course_lib import genome, training

    sv = tmp / "sv"
    info = genome.simulate_genome(sv, n_chroms=3, chrom_length=200_000, n_peaks=150, seed=0)
    fasta = genome.open_genome(info["genome"])
    for name, window in (("model", 200), ("model100", 100)):
        inputs = keras.Input((window, 4))
        x = keras.layers.Conv1D(4, 9, activation="relu")(inputs)
        x = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling1D()(x))
        training.save_model(keras.Model(inputs, x), sv / f"{name}.keras")
    snvs = [(c, p, fasta[c][p - 1]) for c in ("chr1", "chr2", "chr3")
            for p in range(20_000, 190_000, 17_011) if fasta[c][p - 1] in "ACGT"]
    snvs = [(c, p, r, "ACGT"["ACGT".index(r) - 3]) for c, p, r in snvs]
    head = ("##fileformat=VCFv4.2\n" + "".join(f"##contig=<ID=chr{k},length=200000>\n"
                                                for k in (1, 2, 3))
            + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")

    def vcf(rows, header=True):
        return (head if header else "") + "".join(f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t.\n"
                                                  for c, p, r, a in rows)

    (sv / "good.vcf").write_text(vcf(snvs))
    (sv / "noheader.vcf").write_text(vcf(snvs, header=False))
    small = gzip.compress(vcf(snvs).encode(), mtime=0)
    (sv / "half.vcf.gz").write_bytes(small[:len(small) // 2])
    big = gzip.compress(vcf(snvs + [("chr1", 20_000 + k, "A", "C") for k in range(20_000)])
                        .encode(), mtime=0)
    (sv / "cut.vcf.gz").write_bytes(big[:len(big) // 2])
    (sv / "build.vcf").write_text(vcf([(c, p, a, r) for c, p, r, a in snvs]))
    (sv / "nochr.vcf").write_text(vcf([(c[3:], p, r, a) for c, p, r, a in snvs]))
    (sv / "past.vcf").write_text(vcf(snvs[:3] + [("chr2", 200_005, "A", "C")]))
    c, p, r, a = snvs[0]  # fine: lower case, multi-allelic, an indel, N, unsorted, chrUn
    others = ",".join(b for b in "acgt" if b != r.lower())
    (sv / "mixed.vcf").write_text(vcf([(c, p, r.lower(), others), ("chr1", 5000, "N", "A"),
                                       (c, p + 1, "AT", "A"), ("chrUn", 9, "A", "<DEL>")]
                                      + snvs[::-1]))
    (tmp / "out").mkdir(exist_ok=True)


def lesson11(*params, expect=(), ok=False):
    """``course run 11 -p ...`` on lesson 11's inputs (:func:`standin_variants`: ``{tmp}/sv``);
    lesson 10's run folder is ``{tmp}/l10`` (its stand-in written there when asked for)."""
    argv = ["course", "run", "11", "-q", "-p", "LESSON10_RUN_DIR", "{tmp}/l10",
            "-p", "RUN_DIR", "{tmp}/out"]
    for name, value in zip(params[::2], params[1::2]):
        argv += ["-p", name, value]
    return dict(area="lesson 11", argv=[*argv, "-o", "{tmp}/out"], files={"sv": standin_variants},
                expect=list(expect), ok=ok, timeout=180,
                clean=[] if ok else ["out/*.metrics.json", "out/*.vcf"])


def score_variants(vcf="good.vcf", model="model.keras", out="{tmp}/out/scores.tsv", *extra,
                   expect=(), ok=False):
    """``course score-variants`` on lesson 11's inputs (:func:`standin_variants`)."""
    argv = ["course", "score-variants", "--model", "{tmp}/sv/" + model, "--genome",
            "{tmp}/sv/genome.fa", "--vcf", "{tmp}/sv/" + vcf, "--out", out, *extra]
    return dict(area="score-variants", argv=argv, files={"sv": standin_variants},
                expect=list(expect), ok=ok, timeout=120,
                clean=[] if ok else ["out/*", "nodir/*"])


def build_cases() -> list[Case]:
    t = table()
    cases: dict[str, dict] = {}

    # -- the CLI's own arguments (refused before a kernel starts)
    cli = {
        "run-zero-count": (["run", "04", "-p", "N_SEQUENCES", "0"], ["-p N_SEQUENCES"]),
        "run-negative-epochs": (["run", "04", "-p", "EPOCHS", "-3"], ["-p EPOCHS"]),
        "run-zero-batch": (["run", "04", "-p", "BATCH_SIZE", "0"], ["-p BATCH_SIZE"]),
        "run-unknown-parameter": (["run", "04", "-p", "EPOCH", "3"], ["EPOCH", "EPOCHS"]),
        "run-badly-typed": (["run", "04", "-p", "EPOCHS", "three"], ["EPOCHS", "type int"]),
        "run-float-for-int": (["run", "04", "-p", "EPOCHS", "2.5"], ["EPOCHS"]),
        "run-unknown-lesson": (["run", "99"], ["'99'", "04_one_hot_cnn"]),
        "run-unknown-solution": (["run", "solutions/99"], ["solutions/"]),
        "run-negative-seq-len": (["run", "04", "-p", "SEQ_LEN", "-5"], ["-p SEQ_LEN"]),
        "run-07-zero-folds": (["run", "07", "-p", "N_FOLDS", "0"], ["-p N_FOLDS"]),
        "run-07-fraction-above-1": (["run", "07", "-p", "TEST_FRACTION", "1.5"], ["-p TEST_FRACTION"]),
        "run-08-zero-stride": (["run", "08", "-p", "STRIDE", "0"], ["-p STRIDE"]),
        "run-06-zero-ig-steps": (["run", "06", "-p", "IG_STEPS", "0"], ["-p IG_STEPS"]),
        "run-08-bad-cell": (["run", "08", "-p", "CELL", "transformer"], ["CELL", "gru"]),
        "run-output-is-a-file": (["run", "04", "-p", "EPOCHS", "1"], ["afile"]),
        "data-fetch-unknown": (["data", "fetch", "nope"], ["nope", "primer"]),
        "data-path-unknown": (["data", "path", "nope"], ["nope", "primer"]),
        "train-zero-epochs": (["train", "danq", "--epochs", "0"], ["--epochs"]),
        "train-negative-batch": (["train", "danq", "--batch-size", "-5"], ["--batch-size"]),
        "train-zero-lr": (["train", "danq", "--lr", "0"], ["--lr"]),
        "train-subset-zero": (["train", "danq", "--subset", "0"], ["--subset"]),
        "train-n-targets-word": (["train", "danq", "--n-targets", "many"], ["--n-targets"]),
        "train-n-train-zero": (["train", "danq", "--n-train", "0"], ["--n-train"]),
        "train-unknown-model": (["train", "bert"], ["danq"]),
        "train-no-folder": (["train", "danq", "--data", "/nonexistent/deepsea"], ["no such folder"]),
    }
    for name, (args, expect) in cli.items():
        out = ["-o", "{tmp}/out"] if args[0] == "run" else (["--out", "{tmp}/out"]
                                                               if args[0] == "train" else [])
        files = {}
        if name == "run-output-is-a-file":
            out, files = ["-o", "{tmp}/afile"], {"afile": "x"}
        clean = {"run": ["out/*.metrics.json"], "train": ["out/metrics.json", "out/model.keras"]}
        cases[name] = dict(area="cli", argv=["course", *args, *out], expect=expect,
                           files=files, clean=clean.get(args[0], []), timeout=120)

    # -- lesson 04: DATA files as users bring them
    L4 = {
        "nan-labels": lesson("04", "x.csv", t.replace(",b\n", ",NaN\n", 3),
                             expect=["no label", "-p LABEL_COLUMN"]),
        "empty-labels": lesson("04", "x.csv", t.replace(",b\n", ",\n", 5),
                               expect=["no label", "x.csv"]),
        "binary": lesson("04", "x.csv", bytes(range(256)) * 64, expect=["x.csv", "binary"]),
        "cut-gzip": lesson("04", "x.csv.gz", gzip.compress(table(2000).encode())[:3000],
                           expect=["x.csv.gz", "cut short or damaged"]),
        "gzip-named-csv": lesson("04", "x.csv", gzip.compress(t.encode()),
                                 expect=["x.csv", "gzip", ".gz"]),
        "wrong-label-column": lesson("04", "x.csv", t, "-p", "LABEL_COLUMN", "class",
                                     expect=["'class'", "-p LABEL_COLUMN"]),
        "wrong-sequence-column": lesson("04", "x.csv", t, "-p", "SEQUENCE_COLUMN", "seq",
                                        expect=["'seq'", "-p SEQUENCE_COLUMN"]),
        "missing-file": lesson("04", "absent.csv", None, expect=["absent.csv", "no sequences file"]),
        "a-directory": lesson("04", "adir", None, expect=["adir", "folder", "-p DATA"],
                              files={"adir/x.csv": t}),
        "empty-file": lesson("04", "x.csv", "", expect=["x.csv", "empty"]),
        "header-only": lesson("04", "x.csv", "sequence,label\n", expect=["x.csv", "no"]),
        "one-class": lesson("04", "x.csv", table(labels=("a",)),
                            expect=["x.csv", "two classes", "-p LABEL_COLUMN"]),
        "semicolon-csv": lesson("04", "x.csv", table(sep=";"),
                                expect=["x.csv", "semicolons", "comma-separated"]),
        "tsv-named-csv": lesson("04", "x.csv", table(sep="\t"), expect=["x.csv", "tabs", ".tsv"]),
        "not-dna": lesson("04", "x.csv", t.replace("A", "Z", 40), expect=["x.csv", "Z"]),
        "protein-table": lesson("04", "x.csv",
                                "sequence,label\n" + "MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMF,a\n" * 10
                                + "MVHLTPEEKSAVTALWGKVNVDEVGGEALGRLLV,b\n" * 10,
                                expect=["x.csv", "not a base", "Fix or remove"]),
        "lower-case-n-and-crlf-bom": lesson(
            "04", "x.csv", ("\ufeff" + t.lower().replace("sequence,label", "sequence,label")
                            .replace("acgt", "acnt", 5)).replace("\n", "\r\n"), *SMALL_04,
            ok=True),
        "fasta-no-labels": lesson("04", "x.fa", genome(400), expect=["x.fa", "label"]),
        "fasta-header-labels": lesson("04", "x.fa", fasta(), *SMALL_04, ok=True),
        "xlsx": lesson("04", "x.xlsx", b"PK\x03\x04" + bytes(200), expect=["x.xlsx", "export", "CSV"]),
        "huge-length": lesson("04", "x.csv", t + "ACGT" * 100_000 + ",a\n", "-p", "SEQ_LEN", "0",
                              env={"COURSE_MAX_ONE_HOT_GB": "0.01"},
                              expect=["400,000", "-p SEQ_LEN"]),
        "duplicate-columns": lesson("04", "x.csv", table(header=("sequence", "sequence")),
                                    expect=["x.csv", "-p LABEL_COLUMN"]),
        "empty-data": dict(area="lesson 04", argv=["course", "run", "04", "-q", "-p", "DATA", "",
                                                   "-o", "{tmp}/out"],
                           expect=["empty", "-p DATA"], clean=["out/*.metrics.json"]),
        "numeric-labels": lesson("04", "x.csv", table(labels=("0", "1")), *SMALL_04, ok=True),
        "real-primer-as-table": lesson(
            "04", str(REAL / "deep-learning-genomics-primer" / "sequences.txt"), None,
            real=True, expect=["sequences.txt", "label"]),
        "real-genome-as-labelled-fasta": lesson(
            "04", str(REAL / "genomes" / "phiX.fasta"), None, real=True,
            expect=["phiX.fasta", "label"]),
    }
    for name, spec in L4.items():
        cases[f"lesson04-{name}"] = spec

    # -- lessons 06, 07, 08
    cases["lesson06-path-as-data"] = lesson("06", "x.csv", t, expect=["-p DATA", "simulated"])
    cases["lesson06-missing-checkpoint"] = dict(
        area="lesson 06", argv=["course", "run", "06", "-q", "-p", "DANQ_CHECKPOINT",
                                "{tmp}/danq.keras", "-o", "{tmp}/out"],
        expect=["danq.keras", "-p DANQ_CHECKPOINT"], clean=["out/*.metrics.json"])
    cases["lesson06-checkpoint-not-a-model"] = dict(
        area="lesson 06", argv=["course", "run", "06", "-q", "-p", "DANQ_CHECKPOINT",
                                "{tmp}/danq.keras", "-o", "{tmp}/out"],
        files={"danq.keras": "not a model\n"}, expect=["danq.keras", ".keras"],
        clean=["out/*.metrics.json"])
    L7 = {
        "maybe-labels": lesson("07", "genes.csv", gene_table(rows=[("ACGTACGT", 1), ("ACGTACGA", "maybe")]),
                               expect=["'resistant'", "'maybe'"]),
        "no-resistant-column": lesson("07", "genes.csv", "gene,label\nACGT,1\nACGA,0\n",
                                      expect=["genes.csv", "resistant"]),
        "empty": lesson("07", "genes.csv", "", expect=["genes.csv"]),
        "npy-pickle": lesson("07", "genes.npy", b"\x93NUMPY" + bytes(100),
                             expect=["genes.npy", ".csv"]),
        "npz-not-zip": lesson("07", "genes.npz", b"garbage" * 10, expect=["genes.npz"]),
        "missing": lesson("07", "genes.csv", None, expect=["genes.csv", "-p DATA"]),
        "real-tbdb-csv": lesson("07", str(REAL / "tbdb" / "tbdb.csv"), None, real=True,
                                expect=["tbdb.csv", "gene"]),
    }
    L7["grid-units-zero"] = dict(area="lesson 07", argv=[
        "course", "run", "07", "-q", "-p", "GRID_UNITS", "[0]", "-p", "N_GENES", "200",
        "-o", "{tmp}/out"], expect=["GRID_UNITS"], clean=["out/*.metrics.json"])
    for name, spec in L7.items():
        cases[f"lesson07-{name}"] = spec
    MT0 = ["-p", "MT_EPOCHS", "0"]
    L8 = {
        "protein-fasta": lesson("08", "p.faa", ">sp|P69905|HBA_HUMAN\nMVLSPADKTNVKAAWGKVGAHAGEYGAEALERMF\n",
                                *MT0, expect=["protein", "-p DATA"]),
        "empty-fasta": lesson("08", "g.fa", "", *MT0, expect=["g.fa"]),
        "binary": lesson("08", "g.fa", bytes(range(256)) * 64, *MT0, expect=["g.fa"]),
        "cut-gzip": lesson("08", "g.fa.gz", gzip.compress(genome(40000).encode())[:2000], *MT0,
                           expect=["g.fa.gz", "cut short or damaged"]),
        "only-n": lesson("08", "g.fa", ">x\n" + "N" * 5000 + "\n", *MT0, expect=["g.fa"]),
        "shorter-than-window": lesson("08", "g.fa", ">x\nACGTACGTAC\n", *MT0,
                                      expect=["g.fa", "-p SEQ_LEN"]),
        "missing": lesson("08", "g.fa", None, *MT0, expect=["g.fa", "-p DATA"]),
        "negative-max-bases": lesson("08", "g.fa", genome(), "-p", "MAX_BASES", "-1", *MT0,
                                     expect=["-p MAX_BASES"]),
        "unknown-dataset-name": dict(area="lesson 08", argv=[
            "course", "run", "08", "-q", "-p", "DATA", "ecolli", *MT0, "-o", "{tmp}/out"],
            expect=["ecolli", "-p DATA"], clean=["out/*.metrics.json"]),
        "deepsea-missing-folder": dict(area="lesson 08", argv=[
            "course", "run", "08", "-q", "-p", "DEEPSEA", "{tmp}/nodir", "-p", "GRID_EPOCHS", "0",
            "-p", "EPOCHS", "1", "-p", "TOY_EPOCHS", "1", "-p", "MAX_BASES", "3000",
            "-o", "{tmp}/out"], expect=["nodir", "-p DEEPSEA"], clean=["out/*.metrics.json"]),
    }
    for name, spec in L8.items():
        cases[f"lesson08-{name}"] = spec
    G10 = ("GENOME", "{g}/genome.fa")
    narrow = "chr1\t1000\t1300\tp\t0\t.\t1\t1\t1\t"
    L10 = {
        "peaks-two-columns": (["chr1\t100\n"], ["p.bed", "line 1", "tab-separated"]),
        "peaks-space-separated": (["chr1 100 200\n"], ["p.bed", "line 1", "tabs"]),
        "peaks-non-integer-start": (["chr1\t1e3\t2000\n"], ["p.bed", "line 1", "whole"]),
        "peaks-zero-length": (["chr1\t2000\t2000\n"], ["p.bed", "line 1", "start < end"]),
        "peaks-negative-start": (["chr1\t-5\t200\n"], ["p.bed", "line 1", "negative"]),
        "peaks-past-chromosome-end": (["chr1\t119900\t120300\n"],
                                      ["p.bed", "line 1", "past the chromosome", "assembly"]),
        "summit-outside-interval": ([narrow + "500\n"], ["p.bed", "line 1", "summit", "-1"]),
        "peaks-without-chr-prefix": (["1\t20000\t20300\n"], ["p.bed", "'1'", "'chr1'", "sed"]),
        "peaks-other-assembly": (["chrUn_KI270302v1\t100\t400\n"],
                                 ["p.bed", "chrUn_KI270302v1", "same assembly"]),
    }
    for name, ([body], expect) in L10.items():
        cases[f"lesson10-{name}"] = lesson10(*G10, "PEAKS", "{tmp}/p.bed", files={"p.bed": body},
                                             expect=expect)
    P10 = ("PEAKS", "{g}/peaks.narrowPeak")
    for name, body, expect in [
        ("genome-plain-gzip", lambda tmp: (tmp / "genome.fa.gz").write_bytes(gzip.compress(
            (tmp / "g" / "genome.fa").read_bytes(), mtime=0)), ["genome.fa.gz", "gunzip"]),
        ("genome-not-fasta", "sequence,label\nACGT,1\n", ["genome.fa", "'>' header"]),
    ]:
        gz = name.endswith("gzip")
        fa = "genome.fa.gz" if gz else "genome.fa"
        cases[f"lesson10-{name}"] = lesson10("GENOME", "{tmp}/" + fa, *P10, files={fa: body},
                                             expect=expect, clean=["*.fai", "cache/fai/*"])
    cases["lesson10-test-chroms-not-in-genome"] = lesson10(
        *G10, *P10, "TEST_CHROMS", '["chrX"]', expect=["-p TEST_CHROMS", "'chrX'", '"chr8"'])
    cases["lesson10-valid-and-test-chroms-overlap"] = lesson10(
        *G10, *P10, "VALID_CHROMS", '["chr8"]',
        expect=["chr8", "-p VALID_CHROMS", "-p TEST_CHROMS"])
    cases["lesson10-too-few-background-windows"] = lesson10(
        *G10, *P10, "NEG_RATIO", "100", expect=["background windows", "NEG_RATIO"])
    cases["lesson10-simulated-genome-real-peaks"] = lesson10(
        *P10, expect=["GENOME and PEAKS", "-p GENOME"])
    cases["lesson10-unknown-registry-name"] = lesson10(
        "GENOME", "hg99", "PEAKS", "ctcf_gm12878", expect=["'hg99'", "simulated"])
    cases["lesson10-peaks-gzip-headers-crlf"] = lesson10(
        *G10, "PEAKS", "{tmp}/p.bed.gz", files={"p.bed.gz": peaks_with_headers}, ok=True)
    cases["lesson10-genome-read-only-folder"] = lesson10(
        "GENOME", "{tmp}/ro/genome.fa", *P10, files={"ro": read_only_genome}, ok=True,
        clean=["ro/*.fai"])

    # -- course train on DeepSEA-layout folders
    for name, damage, expect in [
        ("labels-minus-one", "labels:-1", ["labels must be 0 or 1", "valid.mat"]),
        ("labels-two", "labels:2", ["labels must be 0 or 1", "valid.mat"]),
        ("labels-fraction", "labels:0.7", ["labels must be 0 or 1", "valid.mat"]),
        ("not-one-hot", "onehot", ["not one-hot", "valid.mat"]),
        ("missing-test", "rm:test.mat", ["test.mat"]),
        ("empty-train", "empty:train.mat", ["train.mat"]),
        ("text-as-valid", "text:valid.mat", ["valid.mat"]),
        ("wrong-keys", "keys", ["valid.mat", "validxdata"]),
        ("read-only-folder", "readonly", []),
        ("targets-mismatch", "targets", ["targets"]),
        ("out-is-a-file", "outfile", ["--out"]),
    ]:
        extra = ["--size", "tiny", "--epochs", "1", "--batch-size", "16", "--quiet"]
        out = "{tmp}/afile" if damage == "outfile" else "{tmp}/out"
        cases[f"train-{name}"] = dict(
            area="deepsea folder", argv=["course", "train", "deepsea", "--data", "{tmp}/ds",
                                          *extra, "--out", out],
            files={"ds": lambda tmp, d=damage: deepsea_folder(tmp / "ds", d)},
            expect=expect, ok=damage == "readonly",
            clean=[] if damage == "readonly" else ["out/metrics.json", "out/model.keras",
                                                   "ds/structure.json"])
        if damage == "outfile":
            cases[f"train-{name}"]["files"]["afile"] = "x"

    # -- Slurm: course gather on sweep folders
    G = {
        "no-folder": ({}, ["nodir", "sweep"], "nodir"),
        "empty-folder": ({"sweep/.keep": ""}, ["task-", "array job"], "sweep"),
        "broken-metrics": ({"sweep/task-0/metrics.json": '{"auc": 0.9', "sweep/task-1/metrics.json": '{"auc": 0.8}'},
                           ["task-0", "metrics.json"], "sweep"),
        "broken-setting": ({"sweep/task-0/setting.json": "EPOCHS=3", "sweep/task-0/metrics.json": "{}"},
                           ["setting.json"], "sweep"),
        "metrics-not-a-dict": ({"sweep/task-0/metrics.json": "[1, 2]"}, ["metrics.json"], "sweep"),
        "missing-task": ({"sweep/sweep.tsv": "EPOCHS\n1\n2\n", "sweep/task-0/metrics.json": '{"auc": 0.9}'},
                         ["[1]"], "sweep"),
        "malformed-sweep-table": ({"sweep/sweep.tsv": "EPOCHS\tSEED\n1\n2\t3\t4\n",
                                   "sweep/task-0/metrics.json": '{"auc": 0.9}'}, ["sweep.tsv"], "sweep"),
        "output-suffix": ({"sweep/task-0/metrics.json": '{"auc": 0.9}'}, ["-o", ".csv"], "sweep"),
        "good-sweep": ({"sweep/task-0/metrics.json": '{"auc": 0.9}',
                        "sweep/task-0/setting.json": '{"EPOCHS": "1"}'}, [], "sweep"),
    }
    for name, (files, expect, folder) in G.items():
        extra = ["-o", "{tmp}/results.xlsx"] if name == "output-suffix" else []
        cases[f"gather-{name}"] = dict(area="slurm", argv=["course", "gather", "{tmp}/" + folder, *extra],
                                       files=files, expect=expect, ok=name == "good-sweep",
                                       clean=["results.xlsx"], timeout=60)

    # -- Slurm: the sweep table slurm/sweep.sh reads (python -m course_lib.app.slurm)
    S = {
        "missing-table": (["array-range", "{tmp}/none.tsv"], {}, ["none.tsv"]),
        "header-only": (["array-range", "{tmp}/s.tsv"], {"s.tsv": "EPOCHS\tSEED\n"}, ["s.tsv", "setting"]),
        "bad-column-name": (["array-range", "{tmp}/s.tsv"], {"s.tsv": "learning rate\n0.1\n"},
                            ["s.tsv", "parameter names"]),
        "ragged-row": (["task-args", "{tmp}/s.tsv", "0", "--style", "run"],
                       {"s.tsv": "EPOCHS\tSEED\n1\t2\n3\n"}, ["s.tsv", "line 3"]),
        "index-out-of-range": (["task-args", "{tmp}/s.tsv", "5", "--style", "run"],
                               {"s.tsv": "EPOCHS\n1\n2\n"}, ["s.tsv", "--array"]),
        "binary-table": (["array-range", "{tmp}/s.tsv"], {"s.tsv": bytes(range(256)) * 8},
                         ["s.tsv"]),
        "excel-bom-csv": (["task-args", "{tmp}/s.csv", "0", "--style", "run"],
                          {"s.csv": "\ufeffEPOCHS,SEED\r\n1,2\r\n"}, []),
        "semicolon-csv": (["array-range", "{tmp}/s.csv"], {"s.csv": "EPOCHS;SEED\n1;2\n"},
                          ["s.csv", "commas"]),
    }
    for name, (args, files, expect) in S.items():
        cases[f"sweep-{name}"] = dict(area="slurm", argv=["python", "-m", "course_lib.app.slurm", *args],
                                      files=files, expect=expect, ok=name == "excel-bom-csv",
                                      timeout=60)

    # -- training.load_model
    for name, setup, expect in [
        ("missing", None, ["m.keras", "no model file"]),
        ("empty", b"", ["m.keras"]),
        ("text", b"hello\n", ["m.keras", ".keras"]),
        ("h5", b"\x89HDF\r\n\x1a\n" + bytes(64), ["m.keras", "HDF5"]),
        ("zip-without-config", "zip", ["m.keras"]),
        ("truncated", "truncated", ["m.keras"]),
        ("lambda-layer", "lambda", ["m.keras", "safe mode"]),
        ("directory", "dir", ["m.keras"]),
    ]:
        cases[f"load-model-{name}"] = dict(area="model loading",
                                           argv=lambda tmp, s=setup: run_load_model(tmp, s),
                                           expect=expect, timeout=120)

    # -- the registry: in-process against a local server, and the CLI through COURSE_DATA_MIRROR
    for name, route, expect, ok in [
        ("short", "short", ["could not download", "declared", "course data fetch"], False),
        ("nolength-first-use", "nolength", ["could not download", "course data fetch"], False),
        ("nolength-fasta-first-use", "nolength-fa", ["could not download", "cut short"], False),
        ("corrupt", "corrupt", ["SHA-256 mismatch", "fetch again"], False),
        ("404", "404", ["HTTP 404", "COURSE_DATA_MIRROR"], False),
        ("500", "500", ["HTTP 500", "course data fetch"], False),
        ("hang", "hang", ["timed out", "course data fetch"], False),
        ("size-lie", "sizelie", ["could not download", "registry says"], False),
        ("resume-after-short", "resume", [], True),
        ("first-use-recorded-then-changed", "tofu-changed", ["delete", ".sha256"], False),
        ("bad-registry-toml", "badtoml", ["not valid TOML"], False),
        ("bad-registry-sha", "badsha", ["sha256 must be"], False),
    ]:
        cases[f"registry-{name}"] = dict(area="registry", argv=lambda tmp, r=route: run_registry(tmp, r),
                                         expect=expect, ok=ok, timeout=60)
    primer = REAL / "deep-learning-genomics-primer"
    for name, route, env, expect, ok in [
        ("mirror-short", "short", {}, ["could not download", "course data fetch primer"], False),
        ("mirror-corrupt", "corrupt", {}, ["SHA-256 mismatch"], False),
        ("mirror-404", "404", {}, ["HTTP 404", "COURSE_DATA_MIRROR"], False),
        ("mirror-hang", "hang", {}, ["timed out"], False),
        ("mirror-good", "files", {}, [], True),
        ("mirror-missing-folder", None, {"COURSE_DATA_MIRROR": "{tmp}/nomirror"}, ["nomirror", "COURSE_DATA_MIRROR"], False),
        ("cache-dir-is-a-file", "files", {"COURSE_DATA_DIR": "{tmp}/afile"}, ["COURSE_DATA_DIR"], False),
    ]:
        mirror_env = {"COURSE_DATA_MIRROR": "{server}/" + route} if route else {}
        cases[f"data-{name}"] = dict(
            area="registry", argv=["course", "data", "fetch", "primer", "--timeout", "2"],
            env={"COURSE_DATA_DIR": "{tmp}/cache", **mirror_env, **env}, expect=expect, ok=ok,
            server=True, needs_real=True, timeout=60,
            files={"afile": "x"} if "afile" in str(env) else {},
            clean=["cache/primer/sequences.txt", "cache/primer/labels.txt"] if not ok else [])
    cases["data-path-missing-file"] = dict(
        area="registry", argv=["course", "data", "path", "primer", "nofile.txt"],
        env={"COURSE_DATA_DIR": "{tmp}/cache", "COURSE_DATA_MIRROR": str(REAL / "__primer_mirror__")},
        expect=["nofile.txt", "sequences.txt"], needs_real=True, timeout=60)

    # -- course score-variants (lesson 11): VCF, genome and model as users bring them
    SV = {
        "vcf-without-header": score_variants("noheader.vcf", expect=["noheader.vcf",
                                                                     "##fileformat"]),
        "vcf-gzip-cut-in-the-header": score_variants("half.vcf.gz", expect=["half.vcf.gz",
                                                                            "cut short"]),
        "vcf-gzip-cut-in-the-records": score_variants("cut.vcf.gz", expect=[
            "cut.vcf.gz", "reading stopped after chr1:", "cut short"]),
        "wrong-genome-build": score_variants("build.vcf", expect=[
            "build.vcf", "chr1:20000", "another genome build"]),
        "chromosomes-without-chr": score_variants("nochr.vcf", expect=[
            "nochr.vcf", "1:20000", "'chr' prefix", "bcftools annotate --rename-chrs"]),
        "position-past-chromosome-end": score_variants("past.vcf", expect=[
            "past.vcf", "chr2:200005", "past the end", "genome it was called on"]),
        "model-window-differs": score_variants("good.vcf", "model100.keras",
                                               "{tmp}/out/scores.tsv", "--window", "200",
                                               expect=["model100.keras", "--window 100"]),
        "output-folder-missing": score_variants(out="{tmp}/nodir/scores.tsv", expect=[
            "--out", "nodir", "does not exist"]),
        "model-file-missing": score_variants(model="none.keras", expect=[
            "--model", "none.keras", "no such model file"]),
        "lowercase-multiallelic-indel-n-unsorted": score_variants("mixed.vcf", ok=True),
    }
    for name, spec in SV.items():
        cases[f"score-variants-{name}"] = spec

    # -- lesson 11's parameters: the data cell and the model check
    G11 = ("GENOME", "{tmp}/sv/genome.fa")
    cases["lesson11-too-many-simulated-variants"] = lesson11(
        "N_PER_CLASS", "100000", expect=["n_per_class=100000", "-p N_PER_CLASS"])
    cases["lesson11-real-genome-simulated-vcf"] = lesson11(
        *G11, expect=["-p VCF", "stand-in", "-p GENOME"])
    cases["lesson11-unknown-vcf-name"] = lesson11(
        *G11, "VCF", "clinvar", expect=["'clinvar'", "registered dataset", "path"])
    cases["lesson11-model-window-differs"] = lesson11(
        *G11, "VCF", "{tmp}/sv/good.vcf", "MODEL", "{tmp}/sv/model100.keras",
        expect=["-p MODEL", "100-bp windows", "-p WINDOW 100"])

    return attach_fixes([Case(name=name, **spec) for name, spec in cases.items()])


# ------------------------------------------------------------------------------- fixes
def fixed(case: Case, files: dict | None = None, set_params: dict | None = None,
          drop: tuple = (), argv=None, env: dict | None = None, check: bool = False) -> Case:
    """The command a user runs after following the message: good ``files`` written over the
    bad ones, ``-p`` values changed (``set_params``) or removed (``drop``), or a new ``argv``;
    ``check`` adds ``course run --check`` (the parameter checks, without running the lesson)."""
    if argv is None:
        argv, i = [], 0
        old = list(case.argv)
        while i < len(old):
            if old[i] == "-p" and i + 2 < len(old) + 1 and old[i + 1] in drop:
                i += 3
                continue
            if old[i] == "-p" and set_params and old[i + 1] in set_params:
                argv += ["-p", old[i + 1], set_params[old[i + 1]]]
                i += 3
                continue
            argv.append(old[i])
            i += 1
        for name, value in (set_params or {}).items():
            if name not in old:
                argv[3:3] = ["-p", name, value]
    if check and "--check" not in argv:
        argv = [*argv[:2], "--check", *argv[2:]]
    return Case(name=case.name + " (fixed)", area=case.area, argv=argv, files=files or {},
                ok=True, env=case.env if env is None else env, needs_real=case.needs_real,
                timeout=case.timeout, server=case.server)


def lesson_boundary(tmp: Path, argv: list[str], env: dict) -> tuple[int, str]:
    """What ``course run NN -p ...`` does with its parameters and its ``DATA`` before it
    trains, in this process: the parameter checks of ``course run``, then the library calls
    of the lesson's data cells (the messages a student sees under the failing cell)."""
    import ast

    lesson = next(a for a in argv[2:] if not a.startswith("-"))
    raw = {argv[i + 1]: fill(argv[i + 2], tmp, "") for i, a in enumerate(argv) if a == "-p"}

    def run() -> None:
        from course_lib import data, training
        from course_lib.app import runner
        from course_lib.domains import language, resistance

        path = runner.find_notebook(lesson)
        p = {k: ast.literal_eval(v["default"]) for k, v in runner.notebook_parameters(path).items()}
        p.update(runner.convert_parameters(path, raw))
        if lesson == "04":
            data.load_sequence_dataset(p["DATA"], n=p["N_SEQUENCES"], length=p["SEQ_LEN"] or None,
                                       motif=p["MOTIF"], seed=p["SEED"],
                                       sequence_column=p["SEQUENCE_COLUMN"],
                                       label_column=p["LABEL_COLUMN"])
        elif lesson == "06" and p["DANQ_CHECKPOINT"]:
            training.load_model(p["DANQ_CHECKPOINT"])
        elif lesson == "07" and p["DATA"] != "simulated":
            resistance.load_gene_table(p["DATA"])
        elif lesson == "08":
            genome = language.load_genome(p["DATA"])
            if p["MAX_BASES"]:
                genome = language.trim_genome(genome, p["MAX_BASES"])
            language.check_window(genome, p["SEQ_LEN"])
            if p["MT_EPOCHS"] and p["DEEPSEA"] not in ("simulated", "deepsea"):
                from course_lib.domains import deepsea

                deepsea.load_split(Path(p["DEEPSEA"]), "valid", forward_only=True)
        elif lesson == "10":
            lesson10_data(p, tmp)
        elif lesson == "11":
            lesson11_data(p, tmp)

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update({k: fill(v, tmp, "") for k, v in env.items()})
    try:
        return call(run)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def lesson10_data(p: dict, tmp: Path) -> None:
    """The data cells of lesson 10 (genome and peaks, summit windows, the split, both
    backgrounds), where every bad input of the lesson is met before training."""
    from course_lib import genome as g

    run = Path(p["RUN_DIR"]) if p["RUN_DIR"] else tmp / "run10"
    genome_path, peaks_path, _ = g.resolve_genome(p["GENOME"], p["PEAKS"],
                                                  run / f"standin_seed{p['SEED']}", seed=p["SEED"])
    fasta = g.open_genome(genome_path)
    sizes = g.chromosome_sizes(fasta)
    peaks = g.peaks_on_genome(g.read_peaks(peaks_path), sizes, str(peaks_path))
    windows = g.summit_windows(peaks, p["WINDOW"], sizes, str(peaks_path))
    gc, n_fraction = g.base_fractions(g.fetch_sequences(fasta, windows))
    keep = n_fraction <= p["MAX_N_FRACTION"]
    windows, gc = windows[keep].reset_index(drop=True), gc[keep]
    split = g.split_by_chromosome(windows, p["VALID_CHROMS"], p["TEST_CHROMS"], sizes)
    held = p["VALID_CHROMS"] + p["TEST_CHROMS"]
    for how in ("random", "gc_matched"):
        for name in ("train", "valid", "test"):
            chroms = ([c for c in sizes if c not in held] if name == "train"
                      else sorted(set(windows["chrom"][split == name])))
            g.sample_background(fasta, peaks, p["NEG_RATIO"] * int((split == name).sum()),
                                p["WINDOW"], how=how, match_gc=gc[split == name], chroms=chroms,
                                max_n_fraction=p["MAX_N_FRACTION"], seed=p["SEED"])


def lesson11_data(p: dict, tmp: Path) -> None:
    """The data cell of lesson 11 (genome, VCF, the checks against the genome) and, when
    ``MODEL`` is given, its check against ``WINDOW``."""
    from course_lib import genome as g
    from course_lib import training, variants

    folder = Path(p["RUN_DIR"]) if p["RUN_DIR"] else tmp / "run11"
    folder.mkdir(parents=True, exist_ok=True)
    lesson10 = Path(p["LESSON10_RUN_DIR"]) if p["LESSON10_RUN_DIR"] else tmp / "run10"
    if p["GENOME"] == "simulated":
        genome_path, _, standin = g.resolve_genome(
            "simulated", "simulated", lesson10 / f"standin_seed{p['SEED']}", seed=p["SEED"])
    else:
        genome_path, standin = g.resolve_genome(p["GENOME"], p["GENOME"], folder)[0], None
    fasta = g.open_genome(genome_path)
    if p["VCF"] == "simulated":
        vcf = folder / f"standin_seed{p['SEED']}.vcf"
        variants.simulate_variants(standin, vcf, p["N_PER_CLASS"], seed=p["SEED"])
    else:
        vcf = g.resolve_file(p["VCF"], (".vcf.gz", ".vcf", ".bcf"))
    variants.prepare(fasta, vcf, p["WINDOW"])
    if p["MODEL"]:
        variants.check_model(training.load_model(p["MODEL"]), p["WINDOW"], "-p MODEL")


GOOD_VALUES = {"N_SEQUENCES": "200", "EPOCHS": "3", "BATCH_SIZE": "32", "SEQ_LEN": "50",
               "N_FOLDS": "3", "TEST_FRACTION": "0.2", "STRIDE": "50", "IG_STEPS": "32",
               "CELL": "gru", "GRID_UNITS": "[8]", "MAX_BASES": "0"}
TINY_TRAIN = ["course", "train", "danq", "--size", "tiny", "--epochs", "1", "--batch-size", "16",
              "--n-train", "10", "--n-targets", "2", "--quiet", "--out", "{tmp}/out"]


def attach_fixes(cases: list[Case]) -> list[Case]:
    """Give every refused case the fix its message asks for (``Case.fix``)."""
    gz_table = gzip.compress(table().encode())
    for case in cases:
        n, argv = case.name, case.argv
        if case.ok:
            continue
        if case.area == "cli" and argv[1] == "run":
            params = {argv[i + 1]: argv[i + 2] for i, a in enumerate(argv) if a == "-p"}
            if n == "run-unknown-parameter":
                new = [a if a != "EPOCH" else "EPOCHS" for a in argv]
            elif n in ("run-unknown-lesson", "run-unknown-solution"):
                new = [{"99": "04", "solutions/99": "solutions/04"}.get(a, a) for a in argv]
            elif n == "run-output-is-a-file":
                new = [a.replace("{tmp}/afile", "{tmp}/out") for a in argv]
            else:
                new = None
            case.fix = (lambda c, new=new, params=params: fixed(
                c, argv=new, set_params=None if new else {k: GOOD_VALUES[k] for k in params},
                check=True))
        elif case.area == "cli" and argv[1] == "train":
            case.fix = lambda c: fixed(c, argv=TINY_TRAIN)
        elif case.area == "cli" and argv[1] == "data":
            case.fix = lambda c: fixed(c, argv=["course", "data", "list"])
        elif case.area == "lesson 04":
            name = Path(argv[argv.index("DATA") + 1]).name
            good04 = {"x.csv": table(), "x.csv.gz": gz_table, "x.fa": fasta()}
            if n in ("lesson04-xlsx", "lesson04-gzip-named-csv", "lesson04-a-directory"):
                case.fix = lambda c: fixed(c, files={"fixed.csv": table()},
                                           set_params={"DATA": "{tmp}/fixed.csv"})
            elif n == "lesson04-empty-data":
                case.fix = lambda c: fixed(c, set_params={"DATA": "simulated"})
            elif n in ("lesson04-wrong-label-column", "lesson04-wrong-sequence-column"):
                case.fix = lambda c: fixed(c, drop=("LABEL_COLUMN", "SEQUENCE_COLUMN"))
            elif n == "lesson04-huge-length":
                case.fix = lambda c: fixed(c, set_params={"SEQ_LEN": "200"})
            elif n == "lesson04-missing-file":
                case.fix = lambda c: fixed(c, files={"absent.csv": table()})
            elif n == "lesson04-fasta-no-labels":
                case.fix = lambda c: fixed(c, files={"x.fa": fasta()})
            elif not case.needs_real:
                case.fix = lambda c, name=name, body=good04[name]: fixed(c, files={name: body})
            else:  # the real files are not tables of labelled sequences: use the shipped primer
                case.fix = lambda c: fixed(c, files={"primer.csv": table()},
                                           set_params={"DATA": "{tmp}/primer.csv"})
        elif case.area == "lesson 06":
            if n == "lesson06-path-as-data":
                case.fix = lambda c: fixed(c, set_params={"DATA": "simulated"}, check=True)
            else:
                case.fix = lambda c: fixed(c, set_params={"DANQ_CHECKPOINT": ""})
        elif case.area == "lesson 07":
            if n == "lesson07-grid-units-zero":
                case.fix = lambda c: fixed(c, set_params={"GRID_UNITS": "[8]"}, check=True)
            else:
                case.fix = lambda c: fixed(c, files={"fixed.csv": gene_table()},
                                           set_params={"DATA": "{tmp}/fixed.csv"})
        elif case.area == "lesson 08":
            if n == "lesson08-unknown-dataset-name":
                case.fix = lambda c: fixed(c, set_params={"DATA": "lambda"})
            elif n == "lesson08-deepsea-missing-folder":
                case.fix = lambda c: fixed(c, set_params={"DEEPSEA": "simulated"})
            elif n == "lesson08-negative-max-bases":
                case.fix = lambda c: fixed(c, set_params={"MAX_BASES": "0"})
            elif n == "lesson08-cut-gzip":
                case.fix = lambda c: fixed(c, files={"g.fa.gz": gzip.compress(genome().encode())})
            else:
                case.fix = lambda c: fixed(c, files={"fixed.fa": genome()},
                                           set_params={"DATA": "{tmp}/fixed.fa"})
        elif case.area == "lesson 10":
            good = {"GENOME": "{tmp}/g/genome.fa", "PEAKS": "{tmp}/g/peaks.narrowPeak"}
            if n == "lesson10-genome-plain-gzip":  # the message: gunzip it
                case.fix = lambda c: fixed(c, files={"genome.fa": lambda tmp: (
                    tmp / "genome.fa").write_bytes(gzip.decompress(
                        (tmp / "genome.fa.gz").read_bytes()))},
                    set_params={"GENOME": "{tmp}/genome.fa"})
            elif n == "lesson10-test-chroms-not-in-genome":
                case.fix = lambda c: fixed(c, set_params={"TEST_CHROMS": '["chr8"]'})
            elif n == "lesson10-valid-and-test-chroms-overlap":
                case.fix = lambda c: fixed(c, set_params={"VALID_CHROMS": '["chr7"]'})
            elif n == "lesson10-too-few-background-windows":
                case.fix = lambda c: fixed(c, set_params={"NEG_RATIO": "1"})
            else:  # a good genome and peak file, both real
                case.fix = lambda c, good=good: fixed(c, set_params=good)
        elif case.area == "deepsea folder":
            if n == "train-out-is-a-file":
                case.fix = lambda c: fixed(c, argv=[a.replace("{tmp}/afile", "{tmp}/out")
                                                    for a in c.argv])
            else:
                case.fix = lambda c: fixed(c, files={"good": lambda tmp: deepsea_folder(
                    tmp / "good", "none")}, argv=[a.replace("{tmp}/ds", "{tmp}/good")
                                                  for a in c.argv])
        elif case.area == "lesson 11":
            good = {"GENOME": "{tmp}/sv/genome.fa", "VCF": "{tmp}/sv/good.vcf"}
            if n == "lesson11-too-many-simulated-variants":
                case.fix = lambda c: fixed(c, set_params={"N_PER_CLASS": "150"})
            elif n == "lesson11-model-window-differs":  # the message: -p WINDOW 100
                case.fix = lambda c: fixed(c, set_params={"WINDOW": "100"})
            else:  # the VCF the message asks for
                case.fix = lambda c, good=good: fixed(c, set_params=good)
        elif case.area == "score-variants":
            if n == "score-variants-model-window-differs":  # the message: --window 100
                case.fix = lambda c: fixed(c, argv=[a if a != "200" else "100" for a in c.argv])
            elif n == "score-variants-output-folder-missing":  # the message: create it
                case.fix = lambda c: fixed(c, files={"nodir/.keep": ""})
            else:  # the VCF (or model) the message asks for: the good one
                case.fix = lambda c: fixed(c, argv=score_variants()["argv"])
        elif n.startswith("gather-"):
            good = {"sweep/task-0/metrics.json": '{"auc": 0.9}',
                    "sweep/task-0/setting.json": '{"EPOCHS": "1"}'}
            case.fix = lambda c, good=good: fixed(
                c, files={k.replace("sweep/", "fixed/"): v for k, v in good.items()},
                argv=["course", "gather", "{tmp}/fixed"])
        elif n.startswith("sweep-"):
            case.fix = lambda c: fixed(c, files={"fixed.tsv": "EPOCHS\tSEED\n1\t2\n3\t4\n"},
                                       argv=[*c.argv[:4], "{tmp}/fixed.tsv",
                                             *(["0", "--style", "run"] if c.argv[3] == "task-args"
                                               else [])])
        elif n.startswith("load-model-"):
            case.fix = lambda c: fixed(c, argv=lambda tmp: run_load_model(tmp, None, fixed=True))
        elif n.startswith("registry-"):
            route = n[len("registry-"):]
            route = {"nolength-first-use": "nolength", "nolength-fasta-first-use": "nolength-fa",
                     "size-lie": "sizelie", "first-use-recorded-then-changed": "tofu-changed",
                     "bad-registry-toml": "badtoml", "bad-registry-sha": "badsha"}.get(route, route)
            case.fix = lambda c, r=route: fixed(c, argv=lambda tmp: run_registry(tmp, r, fixed=True))
        elif n.startswith("data-"):
            if n == "data-path-missing-file":
                case.fix = lambda c: fixed(c, argv=["course", "data", "path", "primer"])
            else:
                case.fix = lambda c: fixed(c, env={"COURSE_DATA_DIR": "{tmp}/cache2",
                                                   "COURSE_DATA_MIRROR": "{server}/files"})
    return cases


# ------------------------------------------------------------------------------- helpers
def deepsea_folder(folder: Path, damage: str) -> None:
    import h5py
    from scipy.io import loadmat, savemat

    from course_lib.domains import deepsea

    deepsea.simulate_deepsea(folder, n_train=40, n_valid=10, n_test=10, n_targets=6,
                             seq_len=600, seed=2)
    kind, _, arg = damage.partition(":")  # "none": a good folder
    if kind in ("labels", "onehot", "keys"):
        valid = loadmat(folder / "valid.mat")
        x, y = valid["validxdata"], valid["validdata"].astype(np.float32)
        if kind == "labels":
            y[0, 0] = float(arg)
        elif kind == "onehot":
            x[1, :, 7] = 1
        keys = ("testxdata", "testdata") if kind == "keys" else ("validxdata", "validdata")
        savemat(folder / "valid.mat", {keys[0]: x, keys[1]: y}, format="5")
    elif kind == "rm":
        (folder / arg).unlink()
    elif kind == "empty":
        (folder / arg).write_bytes(b"")
    elif kind == "text":
        (folder / arg).write_text("validxdata,validdata\n1,0\n")
    elif kind == "targets":
        lines = (folder / "targets.tsv").read_text().splitlines()
        (folder / "targets.tsv").write_text("\n".join(lines[:3]) + "\n")
    elif kind == "readonly":
        for path in [*folder.iterdir(), folder]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    del h5py


def run_load_model(tmp: Path, setup, fixed: bool = False) -> tuple[int, str]:
    path = tmp / "m.keras"
    if fixed:  # the fix: a model saved by Keras, no Lambda layer
        import keras

        if path.is_dir():
            shutil.rmtree(path)
        inputs = keras.Input((8,))
        keras.Model(inputs, keras.layers.Dense(2)(inputs)).save(path)
    elif isinstance(setup, bytes):
        path.write_bytes(setup)
    elif setup == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("metadata.json", "{}")
    elif setup in ("truncated", "lambda"):
        import keras

        inputs = keras.Input((8,))
        x = keras.layers.Dense(2)(inputs)
        if setup == "lambda":
            x = keras.layers.Lambda(lambda v: v * 2)(x)
        keras.Model(inputs, x).save(path)
        if setup == "truncated":
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif setup == "dir":
        path.mkdir()
    from course_lib import training

    return call(lambda: training.load_model(path))


def call(fn) -> tuple[int, str]:
    """Run a library call as a lesson would: 0 and '' when it returns; 1 and the message when
    it raises from course_lib; 1 and a traceback when another library's exception escapes."""
    try:
        fn()
        return 0, ""
    except Exception as err:  # noqa: BLE001 - that is what is being surveyed
        frames = traceback.extract_tb(err.__traceback__)
        raised_here = frames and "course_lib" in frames[-1].filename
        message = f"{type(err).__name__}: {err}"
        return 1, message if raised_here else TRACEBACK + "\n" + "".join(
            traceback.format_exception(err))


def run_registry(tmp: Path, route: str, fixed: bool = False) -> tuple[int, str]:
    """Fetch dataset ``g`` from a local server that misbehaves as ``route`` says; ``fixed``:
    the same fetch after the fix the message asks for (the server or the registry entry put
    right, or, for a changed first-use file, its ``.sha256`` record and the file deleted)."""
    from course_lib import data

    served = tmp / "served"
    served.mkdir(exist_ok=True)
    name = "g.fa" if route == "nolength-fa" else "g.fa.gz"
    body = genome(20001).encode() if route == "nolength-fa" else gzip.compress(genome(20000).encode(), mtime=0)
    if not (fixed and route == "tofu-changed"):  # that fix keeps the server's new file
        (served / name).write_bytes(body)
    sha = ""
    import hashlib

    digest = hashlib.sha256(body).hexdigest()
    registry = tmp / "registry.toml"
    os.environ["COURSE_DATA_DIR"] = str(tmp / "cache")
    if fixed and route == "tofu-changed":  # the message: delete the record and the file
        for record in (tmp / "cache").rglob("*.sha256"):
            record.unlink()
            record.with_name(record.name[: -len(".sha256")]).unlink(missing_ok=True)
    with serve(served, hang_seconds=5) as server:
        behaviour = {"sizelie": "files", "resume": "short", "tofu-changed": "files",
                     "nolength-fa": "nolength"}.get(route, route)
        url = server.url("files" if fixed else behaviour, name)
        size = f"size = {len(body) + (0 if fixed else 10)}\n" if route == "sizelie" else ""
        if route in ("corrupt", "resume", "short"):
            sha = digest
        text = (f'[g]\ndescription = "d"\nlicence = "l"\ncitation = "c"\nhomepage = "h"\n'
                f'[[g.files]]\nname = "{name}"\nurl = ["{url}"]\nsha256 = "{sha}"\n{size}')
        if route == "badtoml" and not fixed:
            text = text.replace("[[g.files]]", "[[g.files]")
        if route == "badsha":
            text = text.replace('sha256 = ""', f'sha256 = "{digest if fixed else "abc"}"')
        registry.write_text(text)
        data.REGISTRY_PATH = registry
        try:
            if fixed:
                rc, out = call(lambda: data.fetch("g", timeout=2, progress=False))
                kept = tmp / "cache" / "g" / name
                if rc == 0 and kept.read_bytes() != (served / name).read_bytes():
                    return 1, f"the cached {kept} differs from the served file"
                return rc, out
            if route == "resume":  # a short first try, then the whole file: one correct file
                rc, out = call(lambda: data.fetch("g", timeout=2, progress=False))
                registry.write_text(text.replace("/short/", "/files/"))
                rc, out2 = call(lambda: data.fetch("g", timeout=2, progress=False))
                good = (tmp / "cache/g/g.fa.gz").read_bytes() == body if rc == 0 else False
                return (rc if good or rc else 1), out + out2
            if route == "tofu-changed":
                call(lambda: data.fetch("g", timeout=2, progress=False))  # recorded
                (served / "g.fa.gz").write_bytes(gzip.compress(genome(20000, seed=1).encode(), mtime=0))
                return call(lambda: data.fetch("g", timeout=2, progress=False, force=True))
            return call(lambda: data.fetch("g", timeout=2, progress=False))
        finally:
            data.REGISTRY_PATH = None
            os.environ.pop("COURSE_DATA_DIR", None)


def half_written(case: Case, tmp: Path) -> list[str]:
    left = [str(p.relative_to(tmp)) for pattern in case.clean for p in tmp.glob(pattern)
            if not (p.is_dir() and not any(p.iterdir()))]
    cache = tmp / "cache"
    if cache.is_dir() and case.area == "registry" and not case.ok:
        for record in cache.rglob("*.sha256"):  # a first-use hash that is not the file's
            target = record.with_name(record.name[: -len(".sha256")])
            recorded = record.read_text().split()[:1]
            if not target.is_file() or [sha256_of(target)] != recorded:
                left.append(str(record.relative_to(tmp)) + " (hash recorded from a bad body)")
    return left


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def classify(case: Case, rc: int | None, output: str, left: list[str]) -> str:
    if left:
        return "half-written"
    if TRACEBACK in output:
        return "traceback"
    if case.ok:
        return "correct" if rc == 0 else "unclear"
    if rc == 0:
        return "silently wrong"
    missing = [word for word in case.expect if word not in output]
    return "clear" if rc is not None and not missing else "unclear"


class BatchLock:
    """``flock`` held across consecutive cases for at most ``hold`` seconds, then released so
    other jobs on the machine get their turn (each locked stretch stays short)."""

    def __init__(self, path: str, hold: float) -> None:
        self.path, self.hold, self.handle, self.since = path, hold, None, 0.0

    def acquire(self) -> None:
        if self.handle is not None and time.time() - self.since > self.hold:
            self.release()
            time.sleep(2)  # let the jobs waiting for the lock take it before we ask again
        if self.handle is None:
            self.handle = open(self.path, "a")
            fcntl.flock(self.handle, fcntl.LOCK_EX)
            self.since = time.time()

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def heavy(case: Case) -> bool:
    """Cases that may start a kernel or train: the only ones that take ``--lock``."""
    return case.area.startswith("lesson") or case.area == "deepsea folder" or (
        isinstance(case.argv, list) and case.argv[1] in ("run", "train"))


def fill(value: str, tmp: Path, server_url: str) -> str:
    return value.replace("{tmp}", str(tmp)).replace("{server}", server_url)


def run_case(case: Case, tmp: Path, lock: BatchLock | None, mirror_root: Path | None,
             boundary: bool = False) -> dict:
    """Run one case in ``tmp`` and classify it; ``boundary``: a lesson case runs in this
    process at the lesson's boundary (:func:`lesson_boundary`), without a kernel."""
    for rel, body in case.files.items():
        path = tmp / rel
        if callable(body):
            body(tmp)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else body.encode())
    start = time.time()
    with contextlib.ExitStack() as stack:
        if lock and heavy(case) and not (boundary and case.area.startswith("lesson")):
            lock.acquire()
        waited = time.time() - start
        start = time.time()
        if callable(case.argv):
            rc, output = case.argv(tmp)
        elif boundary and case.area.startswith("lesson"):
            rc, output = lesson_boundary(tmp, case.argv, case.env)
        else:
            server = stack.enter_context(serve(mirror_root, hang_seconds=10)) if case.server else None
            url = server.base_url if server else ""
            env = {**os.environ, **{k: fill(v, tmp, url) for k, v in case.env.items()}}
            env.setdefault("COURSE_DATA_DIR", str(tmp / "cache"))
            try:
                result = subprocess.run([fill(a, tmp, url) for a in case.argv], capture_output=True,
                                        text=True, timeout=case.timeout, env=env, cwd=tmp)
                rc, output = result.returncode, result.stdout + result.stderr
            except subprocess.TimeoutExpired as err:
                rc, output = None, f"timed out after {case.timeout} s: {err.stderr or ''}"
    left = half_written(case, tmp)
    outcome = classify(case, rc, output, left)
    return {"name": case.name, "area": case.area, "outcome": outcome, "exit": rc,
            "seconds": round(time.time() - start, 1), "waited": round(waited, 1),
            "missing_words": [w for w in case.expect if w not in output], "left": left,
            "message": last_lines(output)}


def last_lines(output: str, n: int = 6) -> str:
    lines = [line for line in output.splitlines() if line.strip() and not line.startswith(
        ("I0000", "WARNING: All log", "[IPKernelApp]", "W0000", "E0000"))]
    return "\n".join(lines[-n:])[-1200:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", help="flock this file around each case (e.g. /tmp/cpu.lock)")
    parser.add_argument("--lock-hold", type=float, default=200,
                        help="release --lock after this many seconds of cases (default 200)")
    parser.add_argument("--json", default="runs/bad_input_survey.json")
    parser.add_argument("--only", help="comma-separated case names")
    parser.add_argument("--area", help="comma-separated areas (cli, registry, slurm, lesson 04, ...)")
    parser.add_argument("--resume", action="store_true", help="keep the cases already in --json")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--boundary", action="store_true",
                        help="run the lesson cases in this process at the lesson's boundary "
                        "(parameter checks and data loading, no kernel): minutes, not an hour")
    parser.add_argument("--fix", action="store_true",
                        help="after each refused case, apply the fix its message asks for and "
                        "record whether the same command then works ('fix works' column)")
    parser.add_argument("--report", nargs="+", help="merge these --json files, print the table")
    args = parser.parse_args(argv)
    if args.report:
        merged = {r["name"]: r for f in args.report for r in json.loads(Path(f).read_text())["cases"]}
        report(merged)
        save(Path(args.json), merged)
        return 0
    cases = build_cases()
    if args.only:
        wanted = set(args.only.split(","))
        cases = [c for c in cases if c.name in wanted]
    if args.area:
        areas = set(args.area.split(","))
        cases = [c for c in cases if c.area in areas]
    cases.sort(key=lambda c: c.ok and heavy(c))  # the slow, fine inputs last
    if args.list:
        for case in cases:
            print(f"{case.area:15} {case.name}")
        print(f"{len(cases)} cases")
        return 0
    out = Path(args.json)
    done = {r["name"]: r for r in json.loads(out.read_text())["cases"]} if (
        args.resume and out.is_file()) else {}
    have_real = REAL.is_dir()
    if not have_real:
        print(f"skipping the cases on real files: {REAL} is absent (set COURSE_REAL_DATA)")
    results = dict(done)
    lock = BatchLock(args.lock, args.lock_hold) if args.lock else None
    with tempfile.TemporaryDirectory(prefix="bad-input-") as root:
        mirror = Path(root) / "mirror"
        if have_real:  # the registry's primer, laid out as <mirror>/<route>/primer/<file>
            (mirror / "primer").mkdir(parents=True)
            for name in ("sequences.txt", "labels.txt"):
                shutil.copy(REAL / "deep-learning-genomics-primer" / name, mirror / "primer" / name)
        for i, case in enumerate(cases):
            if case.name in done:
                continue
            if case.needs_real and not have_real:
                results[case.name] = {"name": case.name, "area": case.area, "outcome": "skipped",
                                      "message": f"{REAL} absent"}
                continue
            tmp = Path(root) / case.name
            tmp.mkdir()
            if case.name == "data-path-missing-file":
                case.env["COURSE_DATA_MIRROR"] = str(mirror)
            results[case.name] = run_case(case, tmp, lock, mirror, boundary=args.boundary)
            r = results[case.name]
            if args.fix and case.fix and r["outcome"] == "clear":
                make_writable(tmp)
                after = run_case(case.fix(case), tmp, lock, mirror, boundary=args.boundary)
                r["fix_works"] = after["outcome"] == "correct"
                if not r["fix_works"]:
                    r["message"] += "\nafter the fix: " + after["message"]
            print(f"[{i + 1}/{len(cases)}] {r['outcome']:14} {r['seconds']:6.1f}s  {case.area:14} "
                  f"{case.name}", flush=True)
            if r["outcome"] not in ("clear", "correct"):
                print("    " + r["message"].replace("\n", "\n    ")[-600:], flush=True)
            make_writable(tmp)
            save(out, results)
    if lock:
        lock.release()
    report(results)
    save(out, results)
    return 0


def make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        with contextlib.suppress(OSError):
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


def counts(results: dict) -> dict:
    rows = [r for r in results.values() if r["outcome"] != "skipped"]
    return {c: sum(r["outcome"] == c for r in rows) for c in CATEGORIES} | {"total": len(rows)}


def save(out: Path, results: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"counts": counts(results), "cases": list(results.values())},
                              indent=1) + "\n")


def report(results: dict) -> None:
    print(f"\n{'case':45} {'area':15} {'outcome':14} exit  fix works")
    for r in results.values():
        print(f"{r['name']:45} {r['area']:15} {r['outcome']:14} {str(r.get('exit')):5} "
              f"{r.get('fix_works', '')}")
    c = counts(results)
    skipped = sum(r["outcome"] == "skipped" for r in results.values())
    print("\n(clear / correct / unclear / traceback / silently wrong / half-written) = ("
          + " / ".join(str(c[k]) for k in CATEGORIES) + f") of {c['total']} cases"
          + (f"; {skipped} skipped (no real data)" if skipped else ""))
    fixes = [r["fix_works"] for r in results.values() if "fix_works" in r]
    if fixes:
        print(f"after the fix the message asks for, the command works in {sum(fixes)} of "
              f"{len(fixes)} refused cases")


if __name__ == "__main__":
    sys.exit(main())
