"""Genome windows: GenomeWindows' batches per second against the CNN's consumption, and memory.

Writes (once per ``--workdir``, reused) a stand-in genome with ``course_lib.genome.simulate_genome``
(``--chroms`` x ``--chrom-length`` bp, indexed FASTA), then measures, side by side in one process:

(a) the pipeline alone: ``GenomeWindows`` (reverse complement on, shuffled) indexed for
    ``--batches`` batches over a table of random ``--window``-bp windows, batches/s and windows/s;
(b) the model's consumption: lesson 10's CNN (Conv1D(32, 19) -> MaxPool(4) -> Conv1D(32, 5) ->
    GlobalMaxPool -> Dropout -> Dense(1, sigmoid), Adam, binary cross-entropy, AUC metric; the
    TensorFlow backend) in ``train_on_batch`` steps on an in-memory batch of the same shape.
    pipeline / consumption > 1 means the pipeline keeps up;
(c) end to end: ``model.fit`` for one epoch of ``--fit-steps`` batches on ``GenomeWindows``
    against ``model.fit`` on the same windows already in memory (best of ``--repeats``, each
    path warmed up first): the slowdown the pipeline causes, also with ``workers=2`` (threads),
    and a ``PyDataset`` that slices the in-memory arrays (Keras' adapter alone, no genome);
(d) peak memory: for each of ``--sizes`` a child process imports the library, builds the
    interval table, builds ``GenomeWindows`` and iterates ``--mem-batches`` batches, reporting
    its resident set (VmRSS / VmHWM from /proc) after each step. Done twice: from a table made
    in memory (the dataset's own footprint) and from a BED file of the same intervals read with
    ``read_peaks`` + ``summit_windows`` (what the lesson does with a real peak file).

Run::

    python benchmarks/bench_genome_windows.py                 # 2-4 minutes on 2 cores
    python benchmarks/bench_genome_windows.py --quick         # a smoke run (~30 s)

Goals (issue 32): the pipeline is not what training waits for (ratio well above 1, fit slowdown
near 1); peak memory at 1M intervals close to that at 10k, the difference being the coordinate
table (a few tens of bytes per interval). Measured on a shared machine: compare within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def proc_status_mb() -> dict[str, float]:
    """VmRSS and VmHWM (peak resident set) of this process, MB (Linux /proc)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out


def stand_in(workdir: Path, n_chroms: int, chrom_length: int) -> Path:
    """The stand-in genome, written once into ``workdir`` and reused."""
    from course_lib import genome

    folder = workdir / f"genome_{n_chroms}x{chrom_length}"
    fasta = folder / "genome.fa"
    if not (folder / "done").is_file():
        start = time.perf_counter()
        genome.simulate_genome(folder, n_chroms=n_chroms, chrom_length=chrom_length,
                               n_peaks=100, seed=0)
        (folder / "done").write_text("")
        print(f"wrote {fasta} ({fasta.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - start:.1f} s")
    return fasta


def random_windows(sizes: dict[str, int], n: int, window: int, seed: int = 0):
    """``n`` random windows (``chrom``, ``start``, ``end``, ``label`` 0/1), uniform over the genome."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    names = np.array(list(sizes), dtype=object)
    length = np.array([sizes[c] for c in names], np.int64)
    which = rng.choice(len(names), size=n, p=length / length.sum())
    start = (rng.random(n) * (length[which] - window)).astype(np.int64)
    return pd.DataFrame({"chrom": names[which], "start": start, "end": start + window,
                         "label": rng.integers(0, 2, n).astype(np.int64)})


def write_bed(table, path: Path) -> None:
    """The windows as a plain BED file (chrom, start, end), tab-separated."""
    if not path.is_file():
        table[["chrom", "start", "end"]].to_csv(path.with_suffix(".part"), sep="\t",
                                                header=False, index=False)
        path.with_suffix(".part").replace(path)


def build_cnn(window: int, n_filters: int = 32, width: int = 19):
    """Lesson 10's CNN, compiled as the lesson compiles it."""
    import keras

    model = keras.Sequential([
        keras.Input((window, 4)),
        keras.layers.Conv1D(n_filters, width, activation="relu", name="motif_scan"),
        keras.layers.MaxPooling1D(4),
        keras.layers.Conv1D(n_filters, 5, activation="relu", padding="same"),
        keras.layers.GlobalMaxPooling1D(),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(1, activation="sigmoid"),
    ], name="peak_cnn")
    model.compile(optimizer=keras.optimizers.Adam(0.002), loss="binary_crossentropy",
                  metrics=[keras.metrics.AUC(name="auc")])
    return model


def pipeline_rate(fasta: Path, table, batch_size: int, batches: int, **kwargs) -> float:
    """Windows/s of ``GenomeWindows[i]`` for ``batches`` batches (after one warm-up batch)."""
    from course_lib.genome import GenomeWindows

    ds = GenomeWindows(fasta, table, batch_size, shuffle=True, reverse_complement=True, seed=0,
                       **kwargs)
    ds[0]  # opens the FASTA
    batches = min(batches, len(ds) - 1)
    start = time.perf_counter()
    n = 0
    for i in range(1, batches + 1):
        n += len(ds[i][0])
    return n / (time.perf_counter() - start)


def consumption_rate(model, batch_size: int, window: int, steps: int) -> float:
    """Windows/s of ``model.train_on_batch`` on one in-memory batch (after warm-up)."""
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (batch_size, window))]
    y = rng.integers(0, 2, (batch_size, 1)).astype(np.float32)
    for _ in range(3):
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    return steps * batch_size / (time.perf_counter() - start)


def fit_times(model, fasta: Path, table, batch_size: int, repeats: int) -> dict[str, float]:
    """Seconds for one epoch of ``model.fit`` over ``table``: from the genome and from memory."""
    import keras

    from course_lib.genome import GenomeWindows

    def dataset(**kwargs):
        return GenomeWindows(fasta, table, batch_size, shuffle=True, reverse_complement=True,
                             seed=0, **kwargs)

    arrays = dataset()
    X = np.concatenate([arrays[i][0] for i in range(len(arrays))])
    y = np.concatenate([arrays[i][1] for i in range(len(arrays))])
    class InMemory(keras.utils.PyDataset):
        """The same batches from memory through the same Keras adapter: its overhead alone."""

        def __len__(self):
            return len(arrays)

        def __getitem__(self, i):
            return X[i * batch_size:(i + 1) * batch_size], y[i * batch_size:(i + 1) * batch_size]

    runs = {
        "in memory (arrays)": lambda: model.fit(X, y, batch_size=batch_size, epochs=1,
                                                shuffle=False, verbose=0),
        "PyDataset over arrays": lambda: model.fit(InMemory(), epochs=1, verbose=0),
        "GenomeWindows": lambda: model.fit(dataset(), epochs=1, verbose=0),
        "GenomeWindows(workers=2)": lambda: model.fit(dataset(workers=2), epochs=1, verbose=0),
    }
    for run in runs.values():  # warm-up: traces the train function for each input kind
        run()
    best = {name: float("inf") for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def child_memory(args) -> None:
    """Run in a child process: memory of building and iterating a dataset of ``--child`` windows."""
    t0 = time.perf_counter()
    from course_lib import genome  # imports keras and TensorFlow

    steps = {"imports": proc_status_mb()}
    fasta = Path(args.fasta)
    n = args.child
    if args.child_source == "bed":
        bed = Path(args.workdir) / f"windows_{n}_{args.window}.bed"
        peaks = genome.read_peaks(bed)
        sizes = genome.chromosome_sizes(genome.open_genome(fasta))
        table = genome.summit_windows(peaks, args.window, sizes, str(bed))
        table["label"] = np.arange(n) % 2
        del peaks
    else:
        sizes = genome.chromosome_sizes(genome.open_genome(fasta))
        table = random_windows(sizes, n, args.window)
    steps["table"] = proc_status_mb()
    table_bytes = int(table.memory_usage(index=True, deep=True).sum())
    ds = genome.GenomeWindows(fasta, table, args.batch_size, shuffle=True,
                              reverse_complement=True, seed=0)
    del table
    held = sum(a.nbytes for a in (ds.chrom, ds.start, ds.end, ds.label, ds._order))
    steps["dataset"] = proc_status_mb()
    for i in range(min(args.mem_batches, len(ds))):
        ds[i]
    steps["iterated"] = proc_status_mb()
    print(json.dumps({"n": n, "steps": steps, "table_bytes": table_bytes,
                      "dataset_array_bytes": held, "seconds": time.perf_counter() - t0}))


def measure_memory(args, fasta: Path, n: int, source: str) -> dict:
    cmd = [sys.executable, __file__, "--child", str(n), "--child-source", source,
           "--fasta", str(fasta), "--workdir", str(args.workdir), "--window", str(args.window),
           "--batch-size", str(args.batch_size), "--mem-batches", str(args.mem_batches)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"memory child for {n:,} windows failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", default="", help="stand-in genome and BED files (default: "
                        "a temporary folder, removed at the end)")
    parser.add_argument("--chroms", type=int, default=8)
    parser.add_argument("--chrom-length", type=int, default=5_000_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000],
                        help="interval counts for the memory measurement")
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--batches", type=int, default=1000, help="pipeline batches timed")
    parser.add_argument("--model-steps", type=int, default=200, help="train_on_batch steps timed")
    parser.add_argument("--fit-steps", type=int, default=300, help="batches per fit epoch")
    parser.add_argument("--repeats", type=int, default=3, help="fit timings: best of")
    parser.add_argument("--mem-batches", type=int, default=500,
                        help="batches iterated in the memory children")
    parser.add_argument("--quick", action="store_true", help="small numbers for a smoke run")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child-source", default="table", help=argparse.SUPPRESS)
    parser.add_argument("--fasta", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_memory(args)
        return
    if args.quick:
        args.chrom_length, args.sizes = 1_000_000, [1_000, 20_000]
        args.batches, args.model_steps, args.fit_steps = 100, 30, 30
        args.repeats, args.mem_batches = 1, 50
    tmp = None
    if not args.workdir:
        tmp = tempfile.TemporaryDirectory(prefix="bench_genome_windows_")
        args.workdir = tmp.name
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs")

    import tensorflow as tf
    from course_lib import genome

    fasta = stand_in(workdir, args.chroms, args.chrom_length)
    sizes = genome.chromosome_sizes(genome.open_genome(fasta))
    tables = {n: random_windows(sizes, n, args.window, seed=1) for n in args.sizes}
    for n, table in tables.items():
        write_bed(table, workdir / f"windows_{n}_{args.window}.bed")
    B, W = args.batch_size, args.window

    # (a) the pipeline alone, (b) the model's consumption
    small = tables[min(args.sizes)]
    big = tables[max(args.sizes)]
    pipe_small = pipeline_rate(fasta, small, B, args.batches)
    pipe_big = pipeline_rate(fasta, big, B, args.batches)
    model = build_cnn(W)
    model_rate = consumption_rate(model, B, W, args.model_steps)
    print(f"\nTensorFlow {tf.__version__}, batch {B}, window {W} bp, genome "
          f"{args.chroms} x {args.chrom_length:,} bp")
    print(f"(a) pipeline, GenomeWindows over {len(small):,} windows: {pipe_small / B:,.0f} "
          f"batches/s = {pipe_small:,.0f} windows/s ({min(args.batches, len(small) // B - 1)} "
          "batches, reverse complement on)")
    print(f"    pipeline, GenomeWindows over {len(big):,} windows: {pipe_big / B:,.0f} "
          f"batches/s = {pipe_big:,.0f} windows/s")
    print(f"(b) lesson 10's CNN consumes (train_on_batch): {model_rate / B:,.0f} batches/s = "
          f"{model_rate:,.0f} windows/s")
    print(f"    pipeline / consumption = {pipe_small / model_rate:.1f} ({len(small):,}), "
          f"{pipe_big / model_rate:.1f} ({len(big):,})  (> 1: the pipeline keeps up)")

    # (c) end to end
    fit_table = random_windows(sizes, args.fit_steps * B, W, seed=2)
    times = fit_times(model, fasta, fit_table, B, args.repeats)
    base = times["in memory (arrays)"]
    print(f"(c) model.fit, one epoch of {args.fit_steps} batches ({len(fit_table):,} windows), "
          f"best of {args.repeats}:")
    for name, seconds in times.items():
        print(f"    {name:26s} {seconds:6.2f} s  {len(fit_table) / seconds:8,.0f} windows/s  "
              f"x{seconds / base:.2f} of in memory")

    # (d) peak memory, one child per size
    print(f"(d) resident memory (MB, VmRSS / VmHWM peak) of a child that builds the table, "
          f"GenomeWindows, and iterates {args.mem_batches} batches:")
    peaks = {}
    for source in ("table", "bed"):
        for n in args.sizes:
            r = measure_memory(args, fasta, n, source)
            s = r["steps"]
            peaks[source, n] = s["iterated"]["VmHWM"]
            what = "table in memory" if source == "table" else "BED via read_peaks"
            print(f"    {what:18s} {n:>9,}: imports {s['imports']['VmRSS']:5.0f}, table "
                  f"{s['table']['VmRSS']:5.0f}/{s['table']['VmHWM']:5.0f}, dataset "
                  f"{s['dataset']['VmRSS']:5.0f}, iterated {s['iterated']['VmRSS']:5.0f}"
                  f"/{s['iterated']['VmHWM']:5.0f}; GenomeWindows holds "
                  f"{r['dataset_array_bytes'] / n:.0f} B/interval, the DataFrame "
                  f"{r['table_bytes'] / n:.0f} B/interval ({r['seconds']:.0f} s)")
        lo, hi = min(args.sizes), max(args.sizes)
        extra = (peaks[source, hi] - peaks[source, lo]) * 2**20 / (hi - lo)
        print(f"    {what}: peak {hi:,} / {lo:,} = {peaks[source, hi] / peaks[source, lo]:.2f} "
              f"(+{peaks[source, hi] - peaks[source, lo]:.0f} MB, {extra:.0f} B per extra interval)")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
