"""Variant scoring: ``course score-variants`` against a per-variant loop, speed and peak memory.

Writes (once per ``--workdir``, reused) a stand-in genome with ``course_lib.genome.simulate_genome``
(``--chroms`` x ``--chrom-length`` bp, indexed FASTA), lesson 10/11's CNN (Conv1D(32, 19),
MaxPool(4), Conv1D(32, 5, same), GlobalMaxPool, Dropout(0.2), Dense(1, sigmoid); untrained: the
weights do not change the speed) saved as ``.keras``, and for each of ``--sizes`` a VCF of that
many random SNVs (sorted, REF read from the genome, a random other base as ALT, an rsID each).
Then, side by side in one run:

(a) batched: the command itself, ``python -m course_lib.app.cli score-variants`` (what a user
    types), in a child process per size: wall time, variants/s, and the child's peak resident set
    (``ru_maxrss`` of that child from ``os.wait4``). The peak of the same child that only imports
    the library and loads the model (``--import-only``) is printed as the floor;
(b) where the time goes, in this process for the smallest size: ``variants.prepare`` (read the VCF,
    check REF against the genome) and ``variants.score_chunks`` (windows and predictions);
(c) the per-variant loop a naive script writes, on ``--loop-n`` variants of the same VCF: per
    variant, fetch the window, one-hot encode it, and one ``model.predict`` per allele and per
    strand (4 calls), variants/s.

Run::

    python benchmarks/bench_score_variants.py             # 100k and 1M variants, ~6-8 min on 2 cores
    python benchmarks/bench_score_variants.py --quick     # a smoke run (2k and 20k variants, ~1 min)

Goals (issue 33): batched at least 50 times the per-variant loop; peak memory that does not grow
with the number of variants (1M within 20% of 100k). Measured on a shared machine: compare within
one run.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

ROOT = Path(__file__).resolve().parent.parent


def stand_in(workdir: Path, n_chroms: int, chrom_length: int) -> Path:
    """The stand-in genome, as the input-pipeline benchmark writes it (written once, reused)."""
    from bench_genome_windows import stand_in as write_stand_in  # benchmarks/ is on sys.path

    return write_stand_in(workdir, n_chroms, chrom_length)


def build_cnn(window: int):
    """Lesson 10's CNN, which lesson 11 scores variants with (one copy, in the other benchmark)."""
    from bench_genome_windows import build_cnn as lesson10_cnn  # benchmarks/ is on sys.path

    return lesson10_cnn(window)


def write_vcf(fasta: Path, path: Path, n: int, window: int, seed: int = 0) -> None:
    """``n`` random SNVs on the genome, sorted, REF from the genome (A/C/G/T only), one write."""
    if path.is_file():
        return
    from course_lib import genome

    g = genome.open_genome(fasta)
    names = list(g.keys())
    seqs = {c: np.frombuffer(str(g[c][:]).encode(), np.uint8) for c in names}
    rng = np.random.default_rng(seed)
    length = np.array([len(seqs[c]) for c in names], np.int64)
    counts = rng.multinomial(n, length / length.sum())
    acgt = np.frombuffer(b"ACGT", np.uint8)
    lines = []
    for c, k in zip(names, counts):
        seq = seqs[c]
        ok = np.flatnonzero(np.isin(seq, acgt))
        ok = ok[(ok >= window) & (ok < len(seq) - window)]  # whole windows: every variant scored
        pos0 = np.sort(rng.choice(ok, size=k, replace=False))
        ref = seq[pos0]
        code = np.searchsorted(acgt, ref)
        alt = acgt[(code + rng.integers(1, 4, k)) % 4]
        ref_s = ref.view("S1").astype(str)
        alt_s = alt.view("S1").astype(str)
        lines.append("\n".join(f"{c}\t{p + 1}\trs{p + 1}{c[3:]}\t{r}\t{a}\t.\tPASS\t."
                               for p, r, a in zip(pos0.tolist(), ref_s, alt_s)))
    header = ("##fileformat=VCFv4.2\n##source=benchmarks/bench_score_variants.py\n"
              + "".join(f"##contig=<ID={c},length={len(seqs[c])}>\n" for c in names)
              + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    part = path.with_suffix(".part")
    part.write_text(header + "\n".join(x for x in lines if x) + "\n")
    part.replace(path)


def run_child(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of that child alone, and its stderr tail."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, err.strip().splitlines()[-1] if err.strip() else ""


def import_only(model_path: str) -> None:
    """Child: the floor of the command's memory (imports, the genome opened, the model loaded)."""
    from course_lib import genome, training, variants  # noqa: F401

    training.load_model(model_path)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def loop_rate(model, fasta: Path, vcf: Path, n: int, window: int) -> tuple[float, np.ndarray]:
    """Variants/s of a naive per-variant script: 4 ``model.predict`` calls per variant."""
    from course_lib import genome
    from course_lib.sequences import one_hot_encode, reverse_complement

    g = genome.open_genome(fasta)
    rows = []
    with open(vcf) as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            chrom, pos, _, ref, alt = line.split("\t")[:5]
            rows.append((chrom, int(pos), ref, alt))
    rng = np.random.default_rng(1)
    rows = [rows[i] for i in np.sort(rng.choice(len(rows), size=min(n, len(rows)),
                                                replace=False))]
    centre = window // 2
    model.predict(np.zeros((1, window, 4), np.float32), verbose=0)  # warm-up (traces predict)
    diffs = []
    start = time.perf_counter()
    for chrom, pos, ref, alt in rows:
        seq = g[chrom][pos - 1 - centre:pos - 1 - centre + window]
        alt_seq = seq[:centre] + alt + seq[centre + 1:]
        x_ref = one_hot_encode([seq], unknown="zero")
        x_alt = one_hot_encode([alt_seq], unknown="zero")
        p_ref = (model.predict(x_ref, verbose=0)[0, 0]
                 + model.predict(reverse_complement(x_ref), verbose=0)[0, 0]) / 2
        p_alt = (model.predict(x_alt, verbose=0)[0, 0]
                 + model.predict(reverse_complement(x_alt), verbose=0)[0, 0]) / 2
        diffs.append(p_alt - p_ref)
    return len(rows) / (time.perf_counter() - start), np.array(diffs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", default="", help="genome, model and VCFs (default: a "
                        "temporary folder, removed at the end)")
    parser.add_argument("--chroms", type=int, default=8)
    parser.add_argument("--chrom-length", type=int, default=2_000_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="variants per VCF, one `course score-variants` run each")
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=256, help="passed to the command")
    parser.add_argument("--loop-n", type=int, default=200, help="variants for the per-variant loop")
    parser.add_argument("--split-n", type=int, default=20_000,
                        help="variants of the smallest VCF scored in process for (b); 0 skips (b)")
    parser.add_argument("--quick", action="store_true", help="small numbers for a smoke run")
    parser.add_argument("--import-only", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_only:
        import_only(args.import_only)
        return
    if args.quick:
        args.sizes, args.loop_n, args.split_n = [2_000, 20_000], 50, 2_000
    tmp = None
    if not args.workdir:
        tmp = tempfile.TemporaryDirectory(prefix="bench_score_variants_")
        args.workdir = tmp.name
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")

    import tensorflow as tf

    from course_lib import genome, training, variants

    W = args.window
    fasta = stand_in(workdir, args.chroms, args.chrom_length)
    model_path = workdir / f"cnn_{W}.keras"
    if not model_path.is_file():
        build_cnn(W).save(model_path)
    vcfs = {}
    for n in args.sizes:
        vcfs[n] = workdir / f"snvs_{n}.vcf"
        start = time.perf_counter()
        existed = vcfs[n].is_file()
        write_vcf(fasta, vcfs[n], n, W, seed=n)
        if not existed:
            print(f"wrote {vcfs[n].name} ({vcfs[n].stat().st_size / 1e6:.0f} MB) in "
                  f"{time.perf_counter() - start:.1f} s")
    print(f"TensorFlow {tf.__version__}, window {W} bp, genome {args.chroms} x "
          f"{args.chrom_length:,} bp, batch size {args.batch_size}")

    # (a) the command, one child per size
    _, floor, _ = run_child([sys.executable, __file__, "--import-only", str(model_path)])
    print(f"(a) `course score-variants` in a child process (floor: imports + model loaded, "
          f"peak {floor:,.0f} MB)")
    batched = {}
    for n in args.sizes:
        out = workdir / f"scores_{n}.tsv"
        cmd = [sys.executable, "-m", "course_lib.app.cli", "score-variants", "--model",
               str(model_path), "--genome", str(fasta), "--vcf", str(vcfs[n]), "--out", str(out),
               "--batch-size", str(args.batch_size)]
        seconds, peak, last = run_child(cmd)
        with open(out) as handle:
            rows = sum(1 for _ in handle) - 1
        batched[n] = (rows / seconds, peak)
        print(f"    {n:>9,} variants: {seconds:6.1f} s  {rows / seconds:8,.0f} variants/s  "
              f"peak RSS {peak:6,.0f} MB  ({rows:,} rows; {last})")
        out.unlink()
    lo, hi = min(args.sizes), max(args.sizes)
    if lo != hi:
        grow = (batched[hi][1] - batched[lo][1]) * 2**20 / (hi - lo)
        print(f"    peak {hi:,} / {lo:,} = {batched[hi][1] / batched[lo][1]:.2f} (goal <= 1.2; "
              f"+{batched[hi][1] - batched[lo][1]:,.0f} MB, {grow:.0f} B per extra variant)")

    model = training.load_model(model_path)
    # (b) where the time goes, in this process, for the smallest VCF
    if args.split_n:
        g = genome.open_genome(fasta)
        start = time.perf_counter()
        table, _ = variants.prepare(g, vcfs[lo], W)
        t_prepare = time.perf_counter() - start
        table = table.iloc[:args.split_n]
        k = len(table)
        start = time.perf_counter()
        for _ in variants.score_chunks(model, g, table, W, batch_size=args.batch_size):
            pass
        t_score = time.perf_counter() - start
        start = time.perf_counter()
        for s in range(0, len(table), 8192):
            variants.variant_windows(g, table.iloc[s:s + 8192], W)
        t_windows = time.perf_counter() - start
        print(f"(b) in process: prepare of all {lo:,} variants {t_prepare:.1f} s "
              f"({lo / t_prepare:,.0f}/s); score_chunks of the first {k:,} {t_score:.1f} s "
              f"({k / t_score:,.0f}/s; "
              f"of which variant_windows {t_windows:.1f} s, model.predict x4 and the rest "
              f"{t_score - t_windows:.1f} s)")
        del table

    # (c) the per-variant loop
    rate, _ = loop_rate(model, fasta, vcfs[lo], args.loop_n, W)
    print(f"(c) per-variant loop (4 model.predict calls per variant), {args.loop_n} variants: "
          f"{rate:,.1f} variants/s")
    for n in args.sizes:
        print(f"    batched / loop at {n:,}: {batched[n][0] / rate:,.0f}x (goal >= 50)")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
