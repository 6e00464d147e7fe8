"""Benchmark course_lib.sequences.one_hot_encode against the primer's encoder and a copy.

Run: python benchmarks/bench_one_hot.py [--n 100000 --length 1000 --primer-n 2000]

Times, side by side in one run (best of --repeats):
  (a) the primer notebook's encoder, per sequence
      LabelEncoder().fit_transform(list(seq)) then
      OneHotEncoder(categories="auto").fit_transform(codes.reshape(-1, 1)).toarray(),
      on --primer-n sequences, scaled to sequences per second;
  (b) one_hot_encode on all --n sequences (returns a new array);
  (b') one_hot_encode writing into a preallocated array (out=);
  (c) np.copyto of an output-sized float32 array into a preallocated one (the floor);
  (d) X.copy(), a copy into freshly allocated memory, which pays the same page faults as (b).
Prints sequences per second for each, ours vs primer (speed-up) and ours / copy (time).
The full default run needs about 5 GB of memory (output, copy source and destination).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from course_lib.sequences import one_hot_encode


def best_time(func, repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def random_sequences(n: int, length: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    text = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, n * length)].tobytes().decode()
    return [text[i * length:(i + 1) * length] for i in range(n)]


def primer_one_hot(sequences: list[str]) -> list[np.ndarray]:
    """The primer notebook's encoder (Zou et al. 2019), one sequence at a time."""
    from sklearn.preprocessing import LabelEncoder, OneHotEncoder

    out = []
    for seq in sequences:
        codes = LabelEncoder().fit_transform(list(seq))
        out.append(OneHotEncoder(categories="auto").fit_transform(codes.reshape(-1, 1)).toarray())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="sequences for ours and copy")
    parser.add_argument("--length", type=int, default=1000, help="bases per sequence")
    parser.add_argument("--primer-n", type=int, default=2000, help="sequences for the primer")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()

    seqs = random_sequences(args.n, args.length)
    primer_seqs = seqs[: args.primer_n]
    X = one_hot_encode(seqs)
    assert np.array_equal(X[0], primer_one_hot(seqs[:1])[0]), "encoders disagree"
    dst = np.empty_like(X)
    np.copyto(dst, X)  # touch the pages once so (c) and (b') time no page faults
    per_seq = {
        "primer (sklearn)": best_time(lambda: primer_one_hot(primer_seqs), args.repeats)
        / len(primer_seqs),
        "one_hot_encode": best_time(lambda: one_hot_encode(seqs), args.repeats) / args.n,
        "one_hot_encode(out=)": best_time(lambda: one_hot_encode(seqs, out=dst), args.repeats)
        / args.n,
        "np.copyto (floor)": best_time(lambda: np.copyto(dst, X), args.repeats) / args.n,
        "np.copy (new array)": best_time(lambda: X.copy(), args.repeats) / args.n,
    }
    print(f"n={args.n} length={args.length} primer_n={len(primer_seqs)} repeats={args.repeats}")
    for name, t in per_seq.items():
        print(f"{name:>22}: {1 / t:14,.0f} seq/s")
    ours, ours_out = per_seq["one_hot_encode"], per_seq["one_hot_encode(out=)"]
    print(f"ours vs primer:               {per_seq['primer (sklearn)'] / ours:8,.0f}x faster")
    print(f"ours / np.copyto:             {ours / per_seq['np.copyto (floor)']:8.2f}x the time")
    print(f"ours(out=) / np.copyto:       {ours_out / per_seq['np.copyto (floor)']:8.2f}x the time")
    print(f"ours / np.copy (new array):   {ours / per_seq['np.copy (new array)']:8.2f}x the time")

if __name__ == "__main__":
    main()
