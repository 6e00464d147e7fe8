"""Benchmark batched in-silico mutagenesis of a 1,000 bp sequence through DanQ against a loop.

Run: python benchmarks/bench_ism.py [--width laptop|published --loop-mutants 60 --repeats 3]

Times, side by side in one run, on one random 1,000 bp sequence (3,000 single-base mutants):
  (a) course_lib.interpretation.saturation_mutagenesis: the sequence and its 3,000 mutants in
      one model.predict call (best of --repeats);
  (b) a loop calling model.predict on one mutant at a time, as a first attempt would;
  (c) a loop calling model(x, training=False) on one mutant at a time (no predict overhead).
The loops run on the first --loop-mutants mutants and are scaled to all 3,000 (reported as
"extrapolated"); --loop-mutants 3000 times the whole loop. The loops' effects are checked
against (a) on the mutants they computed. Prints seconds and the loop / batched ratios.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from course_lib import interpretation
from course_lib.models import build_danq
from course_lib.training import set_seed

WIDTHS = {"laptop": dict(filters=32, lstm_units=16, dense_units=32),
          "published": dict(filters=320, lstm_units=320, dense_units=925)}


def best_time(func, repeats: int) -> tuple[float, object]:
    """Smallest wall time of ``repeats`` calls (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def loop_effects(model, x: np.ndarray, n_mutants: int, call: str) -> tuple[float, np.ndarray]:
    """Effects of the first ``n_mutants`` substitutions, one forward pass each; (seconds, effects)."""
    mutants, _, _ = interpretation._mutants(x)

    def predict(batch):
        if call == "predict":
            return model.predict(batch, verbose=0)[0, 0]
        return float(model(batch, training=False)[0, 0])

    start = time.perf_counter()
    reference = predict(x[None])
    effects = np.array([predict(m[None]) - reference for m in mutants[:n_mutants]])
    return time.perf_counter() - start, effects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", choices=sorted(WIDTHS), default="laptop")
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--loop-mutants", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=512)
    args = parser.parse_args()

    set_seed(0)
    model = build_danq(seq_len=args.length, n_targets=1, **WIDTHS[args.width])
    rng = np.random.default_rng(0)
    X = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (1, args.length))]
    n_all = 3 * args.length
    n_loop = min(args.loop_mutants, n_all)
    interpretation.saturation_mutagenesis(model, X, output=0)  # warm-up: trace the predict step
    batched, deltas = best_time(
        lambda: interpretation.saturation_mutagenesis(model, X, output=0, batch_size=args.batch_size),
        args.repeats)
    pos, base = np.nonzero(X[0] == 0)
    expected = deltas[0, pos, base]
    print(f"DanQ ({args.width} width, {model.count_params():,} parameters), one {args.length} bp "
          f"sequence, {n_all:,} mutants")
    print(f"(a) batched, one predict call:   {batched:8.2f} s (best of {args.repeats})")
    for label, call in (("(b) loop of model.predict", "predict"), ("(c) loop of model(x)", "call")):
        seconds, effects = loop_effects(model, X[0], n_loop, call)
        total = seconds * n_all / n_loop
        error = float(np.max(np.abs(effects - expected[:n_loop])))
        note = "measured" if n_loop == n_all else f"extrapolated from {n_loop} mutants"
        print(f"{label + ':':32s} {total:8.2f} s ({note}); loop / batched = {total / batched:6.1f}x; "
              f"max |difference| = {error:.1e}")


if __name__ == "__main__":
    main()
