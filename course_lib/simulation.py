"""Simulated DNA and toy sequences with their ground truth.

- Planted motifs (lessons 01, 04, 06): the primer data set (Zou et al. 2019, "A primer on deep
  learning in genomics", Nature Genetics 51:12-18) is 2,000 random sequences of 50 bp; about
  half carry the motif ``CGACCGAACTCC`` once and are labelled 1. :func:`simulate_motif_dataset`
  makes that data set, generalized: any length, motif (a string or a position weight matrix),
  class balance, background base frequencies and seed, and it records where each motif was
  planted. :func:`sample_background`, :func:`sample_from_pwm` and :func:`plant_motif` are its
  parts.
- Toy tasks of lessons 01-03: :func:`simulate_binary_strings`, :func:`simulate_multi_motif_dataset`,
  :func:`simulate_block_sequences`.

The simulators that need a data set's own layout or catalogue live with it: the DeepSEA
stand-in in :mod:`course_lib.domains.deepsea`, the resistance fragments in
:mod:`course_lib.domains.resistance`, the toy genomes in :mod:`course_lib.domains.language`.
Importing this module does not import Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from course_lib.motifs import _check_pwm
from course_lib.sequences import decode

SeedLike = int | np.random.Generator


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
    return decode(rng.choice(4, size=(n, length), p=p).astype(np.uint8))


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
    p = _check_pwm(pwm, normalize=True)
    n = _check_count("n", n)
    rng = np.random.default_rng(seed)
    u = rng.random((n, p.shape[0], 1))
    codes = (u > np.cumsum(p, axis=1)[None, :, :3]).sum(axis=2)  # inverse CDF
    return decode(codes.astype(np.uint8))


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
        pwm = _check_pwm(motif, normalize=True)
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

# --------------------------------------------------------------------------------------
# Lessons 01-03: binary strings, several motifs, block sequences
# --------------------------------------------------------------------------------------

@dataclass
class BinaryStrings:
    """Random 0/1 strings and whether each holds the motif.

    Attributes
    ----------
    strings : list of str
        n strings of ``length`` characters from ``"01"``.
    X : np.ndarray, shape (n, length, 1), float32
        The digits as one input channel.
    labels : np.ndarray of int64, shape (n,)
        1 where the motif occurs.

    Introduced in: 01_motif_detection
    """

    strings: list[str]
    X: np.ndarray
    labels: np.ndarray


def simulate_binary_strings(n: int, length: int = 10, motif: str = "111",
                            seed: int = 0) -> BinaryStrings:
    """Uniform random 0/1 strings, labelled 1 when ``motif`` occurs anywhere in them.

    Parameters
    ----------
    n : int
        Number of strings (the slides: 1,000 for training and 40 for test).
    length : int
        Characters per string (10 in the slides).
    motif : str
        A string over ``"01"``; ``"111"`` in the slides.
    seed : int

    Returns
    -------
    BinaryStrings

    Introduced in: 01_motif_detection
    """
    if set(motif) - set("01") or not motif:
        raise ValueError(f"motif must be a non-empty string of 0s and 1s, got {motif!r}")
    if length < len(motif) or n < 1:
        raise ValueError(f"need n >= 1 and length >= len(motif)={len(motif)}, got {n}, {length}")
    digits = np.random.default_rng(seed).integers(0, 2, size=(n, length))
    strings = ["".join(map(str, row)) for row in digits]
    labels = np.array([motif in s for s in strings], dtype=np.int64)
    return BinaryStrings(strings, digits[:, :, None].astype(np.float32), labels)


def simulate_multi_motif_dataset(
    n: int, length: int, pwms: Sequence[np.ndarray], presence: float = 0.5, seed: int = 0
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Random DNA in which each motif is planted, independently, in a share of the sequences.

    Each motif instance is sampled from its PWM and planted (forward strand) at a random
    position; motifs may overlap one another, a later one overwriting an earlier one.

    Parameters
    ----------
    n, length : int
    pwms : sequence of np.ndarray, each shape (w_j, 4)
        ACGT probabilities, e.g. ``motifs.load_jaspar_motif("MA0138.3").pwm``.
    presence : float
        Probability that a given motif is planted in a given sequence.
    seed : int

    Returns
    -------
    sequences : list of str
    labels : np.ndarray, shape (n, n_motifs), float32
        1 where motif j was planted in sequence i.
    positions : np.ndarray of int64, shape (n, n_motifs)
        Start of each planted motif, -1 where absent.

    Introduced in: 02_motif_discovery
    """
    if not 0 < presence < 1:
        raise ValueError(f"presence is a probability in (0, 1), got {presence}")
    if any(len(p) > length for p in pwms):
        raise ValueError(f"a motif is longer than the sequences ({length}); raise length")
    rng = np.random.default_rng(seed)
    seqs = sample_background(n, length, seed=rng)
    labels = (rng.random((n, len(pwms))) < presence).astype(np.float32)
    positions = np.full((n, len(pwms)), -1, dtype=np.int64)
    for j, pwm in enumerate(pwms):
        rows = np.nonzero(labels[:, j])[0]
        sites = sample_from_pwm(pwm, n=len(rows), seed=rng)
        starts = rng.integers(0, length - len(pwm) + 1, size=len(rows))
        for i, site, start in zip(rows, sites, starts):
            seqs[i] = plant_motif(seqs[i], site, int(start))
        positions[rows, j] = starts
    return seqs, labels, positions


def simulate_block_sequences(n: int = 200, length: int = 1000, max_block: int = 19,
                             seed: int = 0) -> np.ndarray:
    """Sequences of consecutive blocks ``0^k 1^k``, each k drawn uniformly from 1..max_block.

    Parameters
    ----------
    n, length : int
        The slides: 200 sequences of length 1,000.
    max_block : int
        The slides: 19.
    seed : int

    Returns
    -------
    np.ndarray of int8, shape (n, length)
        Each row starts with a block of 0s; the last block is cut at ``length``.

    Introduced in: 03_vanishing_gradients
    """
    if n < 1 or length < 2 or max_block < 1:
        raise ValueError(f"need n >= 1, length >= 2, max_block >= 1; got {n}, {length}, {max_block}")
    rng = np.random.default_rng(seed)
    out = np.empty((n, length), dtype=np.int8)
    for i in range(n):
        parts, total = [], 0
        while total < length:
            k = int(rng.integers(1, max_block + 1))
            parts += [np.zeros(k, np.int8), np.ones(k, np.int8)]
            total += 2 * k
        out[i] = np.concatenate(parts)[:length]
    return out


# --------------------------------------------------------------------------------------
# Lesson 05: the offline stand-in for DeepSEA's data
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Lesson 07: gene fragments with resistance mutations
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Lesson 08: toy genomes
# --------------------------------------------------------------------------------------


