"""Training throughput of DanQ and DeepSEA: our Keras 3 builders vs plain PyTorch.

Both frameworks train the same published architecture (full size, 919 targets, 1000 bp) on
the same random batches of 100, on the CPU; runs are interleaved (Keras, PyTorch, Keras,
PyTorch, ...) and only steady-state steps after warm-up are timed, each step one
``train_on_batch`` / one PyTorch optimizer step (Keras ``fit()`` can stall seconds before it
returns, which is not throughput). The float32 matmul peak through TensorFlow is measured
in the same run, and each model's fraction of it printed, using analytic FLOP counts
(forward = 2 x multiply-adds; training = 3 x forward, less the first layer's input
gradient): DanQ about 1.14 GFLOP per sample, DeepSEA about 3.28.

Run (needs ``pip install torch==2.13.0``; PyTorch is skipped with a message otherwise)::

    python benchmarks/bench_danq_throughput.py --steps 6 --rounds 2

Goals (issue 7): Keras at least 1.5 x PyTorch, and at least 60% of peak.
Numbers from a shared 2-core machine vary with the other users' load; compare ratios
from one run only.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

L, T, BATCH = 1000, 919, 100


def flops_per_sample(name: str) -> float:
    """Training FLOPs per sample of the published model (see the module docstring)."""
    if name == "danq":
        macs = {"conv": 975 * 26 * 4 * 320, "lstm": 75 * 2 * 4 * 320 * 640,
                "dense": 75 * 640 * 925, "out": 925 * T}
    else:
        macs = {"conv": 993 * 8 * 4 * 320, "conv2": 241 * 8 * 320 * 480,
                "conv3": 53 * 8 * 480 * 960, "dense": 53 * 960 * 925, "out": 925 * T}
    forward = 2 * sum(macs.values())
    return 3 * forward - 2 * macs["conv"]


def matmul_peak(seconds: float = 3.0) -> float:
    """float32 GFLOP/s of a 2048 x 2048 matmul loop through TensorFlow."""
    import tensorflow as tf

    a = tf.random.normal((2048, 2048))
    f = tf.function(lambda x: tf.matmul(x, x))
    f(a).numpy()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        f(a).numpy()
        n += 1
    return 2 * 2048**3 * n / (time.perf_counter() - start) / 1e9


def keras_stepper(name: str, x, y):
    from course_lib.models import build_model

    model = build_model(name, "full", L, T)
    return lambda: model.train_on_batch(x, y)


def torch_stepper(name: str, x, y):
    import torch
    from torch import nn

    class DanQ(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(4, 320, 26)
            self.pool = nn.MaxPool1d(13, 13)
            self.lstm = nn.LSTM(320, 320, batch_first=True, bidirectional=True)
            self.drop1, self.drop2 = nn.Dropout(0.2), nn.Dropout(0.5)
            self.dense = nn.Sequential(nn.Flatten(), nn.Linear(75 * 640, 925), nn.ReLU(), nn.Linear(925, T))

        def forward(self, x):                       # x: (batch, 4, L)
            h = self.drop1(self.pool(torch.relu(self.conv(x))))
            h, _ = self.lstm(h.transpose(1, 2))
            return self.dense(self.drop2(h))

    def deepsea():
        return nn.Sequential(
            nn.Conv1d(4, 320, 8), nn.ReLU(), nn.MaxPool1d(4), nn.Dropout(0.2),
            nn.Conv1d(320, 480, 8), nn.ReLU(), nn.MaxPool1d(4), nn.Dropout(0.2),
            nn.Conv1d(480, 960, 8), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(),
            nn.Linear(53 * 960, 925), nn.ReLU(), nn.Linear(925, T))

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    model = DanQ() if name == "danq" else deepsea()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss = nn.BCEWithLogitsLoss()
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 2, 1)))
    yt = torch.from_numpy(y)

    def step():
        opt.zero_grad()
        out = loss(model(xt), yt)
        out.backward()
        opt.step()
        return float(out.detach())
    return step


def time_steps(step, steps: int, warmup: int) -> float:
    """Samples per second over ``steps`` steady-state steps."""
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * BATCH / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["danq", "deepsea"])
    parser.add_argument("--steps", type=int, default=6, help="timed steps per round")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved Keras/PyTorch rounds")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (BATCH, L))]
    y = (rng.random((BATCH, T)) < 0.05).astype(np.float32)
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch is not installed (pip install torch==2.13.0): timing Keras only")
    peak = matmul_peak()
    print(f"float32 matmul peak through TensorFlow: {peak:.0f} GFLOP/s")
    for name in args.models:
        steppers = {"keras": keras_stepper(name, x, y)}
        if have_torch:
            steppers["pytorch"] = torch_stepper(name, x, y)
        rates = {k: [] for k in steppers}
        for _ in range(args.rounds):
            for k, step in steppers.items():
                rates[k].append(time_steps(step, args.steps, args.warmup))
        gflop = flops_per_sample(name) / 1e9
        for k, r in rates.items():
            best = max(r)
            print(f"{name:8s} {k:8s} {best:7.1f} samples/s (rounds: {', '.join(f'{v:.1f}' for v in r)}); "
                  f"{best * gflop:6.1f} GFLOP/s = {best * gflop / peak:.0%} of peak ({gflop:.2f} GFLOP/sample)")
        if have_torch:
            print(f"{name:8s} keras / pytorch = {max(rates['keras']) / max(rates['pytorch']):.2f} (goal >= 1.5)")


if __name__ == "__main__":
    main()
