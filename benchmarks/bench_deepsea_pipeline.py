"""Input pipeline: batches per second from a train.mat-layout HDF5 file, and peak memory.

Writes (once, reused) an HDF5 file with DeepSEA's train.mat layout (``trainxdata`` uint8
(1000, 4, N), ``traindata`` uint8 (919, N)) of about ``--gb`` GB, then iterates
``course_lib.domains.deepsea.make_dataset`` over it (batch 100, shuffled across chunks, float32
(100, 1000, 4) ACGT batches) and reports samples/s as a ratio to DanQ's training
consumption measured side by side in the same run (full-size DanQ, batch 100,
``train_on_batch`` steps after warm-up), and the process's peak resident memory (VmHWM)
before and after iterating.

Run::

    python benchmarks/bench_deepsea_pipeline.py --gb 1.5 --file /tmp/bench_train.mat

Goals (issue 7): pipeline >= 10 x DanQ's consumption; memory bounded by the chunk size
(about chunk_rows x chunks_in_buffer x 4 kB, 134 MB at the defaults), under 1 GB, whatever
the file size. The first pass may read from disk, later ones from the page cache; the
script reports the pass it timed. Measured on a shared machine: compare within one run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

L, T = 1000, 919


def vm_hwm_mb() -> float:
    """Peak resident set size of this process, MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_file(path: Path, gb: float, block: int = 20000) -> int:
    import h5py

    rows = int(gb * 1e9 / (L * 4 + T)) // block * block
    rng = np.random.default_rng(0)
    eye = np.eye(4, dtype=np.uint8)
    with h5py.File(path.with_suffix(".part"), "w", userblock_size=512) as f:
        x = f.create_dataset("trainxdata", (L, 4, rows), dtype="uint8")
        y = f.create_dataset("traindata", (T, rows), dtype="uint8")
        for start in range(0, rows, block):
            x[:, :, start:start + block] = eye[rng.integers(0, 4, (block, L))].transpose(1, 2, 0)
            y[:, start:start + block] = (rng.random((T, block)) < 0.03)
    path.with_suffix(".part").replace(path)
    return rows


def danq_consumption(steps: int = 4) -> float:
    from course_lib.models import build_model

    model = build_model("danq", "full", L, T)
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (100, L))]
    y = (rng.random((100, T)) < 0.03).astype(np.float32)
    for _ in range(2):
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    return steps * 100 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gb", type=float, default=1.5, help="size of the generated file")
    parser.add_argument("--file", default="/tmp/bench_deepsea/train.mat")
    parser.add_argument("--max-batches", type=int, default=0, help="stop early (0: whole file)")
    parser.add_argument("--danq-steps", type=int, default=4)
    args = parser.parse_args()
    path = Path(args.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file():
        start = time.perf_counter()
        rows = write_file(path, args.gb)
        print(f"wrote {path} ({path.stat().st_size / 1e9:.2f} GB, {rows:,} rows) in {time.perf_counter() - start:.0f} s")
    from course_lib.domains import deepsea

    # make_dataset reads only train.mat for the train split
    import tensorflow as tf  # noqa: F401  (imported before the baseline memory reading)

    before = vm_hwm_mb()
    ds = deepsea.make_dataset(path.parent, "train", batch_size=100, shuffle=True, seed=0)
    n, start = 0, time.perf_counter()
    for i, (x, _) in enumerate(ds):
        n += int(x.shape[0])
        if args.max_batches and i + 1 >= args.max_batches:
            break
    rate = n / (time.perf_counter() - start)
    after = vm_hwm_mb()
    danq = danq_consumption(args.danq_steps)
    print(f"pipeline: {rate:,.0f} samples/s over {n:,} samples (first pass over the file)")
    print(f"DanQ (full, batch 100) consumes {danq:,.1f} samples/s; pipeline / DanQ = {rate / danq:.1f} (goal >= 10)")
    print(f"peak RSS: {before:,.0f} MB before iterating, {after:,.0f} MB after "
          f"(+{after - before:,.0f} MB while iterating a {path.stat().st_size / 1e9:.2f} GB file; goal < 1 GB)")


if __name__ == "__main__":
    main()
