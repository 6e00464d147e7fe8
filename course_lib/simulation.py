"""Simulated DNA with a planted motif, and its ground truth.

The primer data set (Zou et al. 2019, "A primer on deep learning in genomics", Nature
Genetics 51:12-18) is 2,000 random sequences of 50 bp; about half carry the motif
``CGACCGAACTCC`` once and are labelled 1. :func:`simulate_motif_dataset` makes that data
set, generalized: any length, motif (a string or a position weight matrix), class balance,
background base frequencies and seed, and it records where each motif was planted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)

SeedLike = int | np.random.Generator


def _codes_to_strings(codes: np.ndarray) -> list[str]:
    """(n, L) integer codes 0..3 -> list of n ACGT strings."""
    n, length = codes.shape
    text = _BASES[codes].tobytes().decode("ascii")
    return [text[i * length:(i + 1) * length] for i in range(n)]


def _check_count(name: str, value: int, minimum: int = 0) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_frequencies(frequencies) -> np.ndarray:
    p = np.asarray(frequencies, dtype=np.float64)
    if p.shape != (4,) or (p < 0).any() or not np.isclose(p.sum(), 1.0):
        raise ValueError(
            f"frequencies must be 4 non-negative numbers in ACGT order summing to 1, got "
            f"{frequencies!r}; e.g. (0.3, 0.2, 0.2, 0.3) for an AT-rich background"
        )
    return p / p.sum()


def sample_background(
    n: int,
    length: int,
    frequencies: tuple[float, float, float, float] = (0.25, 0.25, 0.25, 0.25),
    seed: SeedLike = 0,
) -> list[str]:
    """Draw ``n`` random sequences with independent bases.

    Parameters
    ----------
    n, length : int
        Number of sequences and their length.
    frequencies : 4 floats
        Probabilities of A, C, G, T (in that order); non-negative, summing to 1.
    seed : int or np.random.Generator
        Same seed, same sequences.

    Returns
    -------
    list of str, n sequences of ``length`` characters from ``ACGT``

    Introduced in: 01_motif_detection
    """
    n, length = _check_count("n", n), _check_count("length", length)
    p = _check_frequencies(frequencies)
    rng = np.random.default_rng(seed)
    return _codes_to_strings(rng.choice(4, size=(n, length), p=p).astype(np.uint8))


def _check_pwm(pwm) -> np.ndarray:
    m = np.asarray(pwm, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] != 4 or m.shape[0] == 0:
        raise ValueError(
            f"pwm must have shape (width, 4) with columns A, C, G, T, got {m.shape}; "
            "transpose a (4, width) matrix with pwm.T"
        )
    if not np.isfinite(m).all() or (m < 0).any() or (m.sum(axis=1) <= 0).any():
        raise ValueError(
            "pwm must hold non-negative probabilities (or counts) with a positive sum in "
            "every row; convert log-odds scores to probabilities first"
        )
    return m / m.sum(axis=1, keepdims=True)


def sample_from_pwm(pwm: np.ndarray, n: int = 1, seed: SeedLike = 0) -> list[str]:
    """Draw ``n`` motif instances from a position weight matrix.

    Parameters
    ----------
    pwm : np.ndarray, shape (width, 4), float
        Base probabilities per position, columns in ACGT order. Rows are normalized to
        sum to 1, so counts work too.
    n : int
    seed : int or np.random.Generator

    Returns
    -------
    list of str, n strings of ``width`` characters

    Introduced in: 01_motif_detection
    """
    p = _check_pwm(pwm)
    n = _check_count("n", n)
    rng = np.random.default_rng(seed)
    u = rng.random((n, p.shape[0], 1))
    codes = (u > np.cumsum(p, axis=1)[None, :, :3]).sum(axis=2)  # inverse CDF
    return _codes_to_strings(codes.astype(np.uint8))


def plant_motif(sequence: str, motif: str, position: int) -> str:
    """Overwrite ``sequence[position:position + len(motif)]`` with ``motif``.

    Parameters
    ----------
    sequence, motif : str
    position : int
        0-based start; the motif must fit: ``0 <= position <= len(sequence) - len(motif)``.

    Returns
    -------
    str, same length as ``sequence``

    Introduced in: 01_motif_detection
    """
    last = len(sequence) - len(motif)
    if not isinstance(position, (int, np.integer)) or not 0 <= position <= last:
        raise ValueError(
            f"position {position!r} does not fit a {len(motif)}-bp motif in a "
            f"{len(sequence)}-bp sequence; use 0 <= position <= {last}"
        )
    return sequence[:position] + motif + sequence[position + len(motif):]


@dataclass
class SimulatedMotifData:
    """A simulated data set and its ground truth.

    Attributes
    ----------
    sequences : list of str, n sequences of equal length
    labels : np.ndarray, shape (n,), int64
        1 where a motif was planted, else 0.
    positions : np.ndarray, shape (n,), int64
        0-based start of the planted motif, -1 for negatives.
    motif : str
        The planted string, or the consensus (argmax) of the PWM.
    motif_length : int

    Introduced in: 01_motif_detection
    """

    sequences: list[str]
    labels: np.ndarray
    positions: np.ndarray
    motif: str
    motif_length: int

    def to_frame(self) -> pd.DataFrame:
        """One row per sequence: ``sequence``, ``label``, ``position``."""
        return pd.DataFrame(
            {"sequence": self.sequences, "label": self.labels, "position": self.positions}
        )


def simulate_motif_dataset(
    n: int = 2000,
    length: int = 50,
    motif: str | np.ndarray = "CGACCGAACTCC",
    positive_fraction: float = 0.5,
    frequencies: tuple[float, float, float, float] = (0.25, 0.25, 0.25, 0.25),
    seed: SeedLike = 0,
) -> SimulatedMotifData:
    """Random background sequences, a motif planted once in each positive.

    ``round(n * positive_fraction)`` sequences, at shuffled indices, get the motif at a
    uniformly random offset in ``0 .. length - width``. Negatives are plain background;
    by chance a background sequence can contain the motif (for the 12-bp default in a
    50-bp sequence, about 39 / 4**12, i.e. 1 in 100,000 sequences). Such sequences are
    kept with their label; the rate is far below any model's error rate.

    Parameters
    ----------
    n, length : int
    motif : str or np.ndarray of shape (width, 4)
        A string of ``ACGT`` planted exactly, or a PWM in ACGT order from which every
        positive gets its own instance (:func:`sample_from_pwm`).
    positive_fraction : float in [0, 1]
    frequencies : 4 floats, ACGT background probabilities summing to 1
    seed : int or np.random.Generator
        Same seed, identical output.

    Returns
    -------
    SimulatedMotifData

    Introduced in: 01_motif_detection
    """
    n, length = _check_count("n", n), _check_count("length", length)
    if not 0.0 <= positive_fraction <= 1.0:
        raise ValueError(f"positive_fraction must be in [0, 1], got {positive_fraction!r}")
    if isinstance(motif, str):
        consensus = motif.upper()
        if not consensus or set(consensus) - set("ACGT"):
            raise ValueError(f"motif must be a non-empty string of A, C, G, T, got {motif!r}")
    else:
        pwm = _check_pwm(motif)
        consensus = "".join("ACGT"[i] for i in pwm.argmax(axis=1))
    width = len(consensus)
    if width > length:
        raise ValueError(f"motif of {width} bp does not fit in length {length}; raise length")
    rng = np.random.default_rng(seed)
    n_pos = int(round(n * positive_fraction))
    labels = rng.permutation(np.repeat(np.array([1, 0], dtype=np.int64), [n_pos, n - n_pos]))
    sequences = sample_background(n, length, frequencies, seed=rng)
    positives = np.flatnonzero(labels)
    positions = np.full(n, -1, dtype=np.int64)
    positions[positives] = rng.integers(0, length - width + 1, size=n_pos)
    instances = [consensus] * n_pos if isinstance(motif, str) else sample_from_pwm(pwm, n_pos, rng)
    for i, inst in zip(positives, instances):
        sequences[i] = plant_motif(sequences[i], inst, int(positions[i]))
    return SimulatedMotifData(sequences, labels, positions, consensus, width)
