"""Every simulator of the course: simulated DNA and toy sequences with their ground truth.

- Planted motifs (lessons 01, 04, 06): the primer data set (Zou et al. 2019, "A primer on deep
  learning in genomics", Nature Genetics 51:12-18) is 2,000 random sequences of 50 bp; about
  half carry the motif ``CGACCGAACTCC`` once and are labelled 1. :func:`simulate_motif_dataset`
  makes that data set, generalized: any length, motif (a string or a position weight matrix),
  class balance, background base frequencies and seed, and it records where each motif was
  planted. :func:`sample_background`, :func:`sample_from_pwm` and :func:`plant_motif` are its
  parts.
- Toy tasks of lessons 01-03: :func:`simulate_binary_strings`, :func:`simulate_multi_motif_dataset`,
  :func:`simulate_block_sequences`.
- Lesson 05's offline stand-in for DeepSEA's data, written in DeepSEA's file layout
  (:func:`simulate_deepsea`; the layout itself is :mod:`course_lib.deepsea`).
- Lesson 07's gene fragments with real resistance mutations (:func:`simulate_resistance_dataset`;
  the catalogue and the oracle are :mod:`course_lib.resistance`).
- Lesson 08's toy genomes (:func:`repeating_genome`, :func:`random_genome`).

Importing this module does not import Keras; the domain modules it reads are imported when a
simulator runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

from course_lib.sequences import decode

if TYPE_CHECKING:
    from course_lib.resistance import Panel

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

#: JASPAR 2024 matrices used by the stand-in: eight well-known, information-rich ones of at
#: most 20 bp (CTCF, SPI1, NRF1, YY1, TP53, NFKB1, SP1, ELK1).
STANDIN_MOTIFS = ["MA0139.1", "MA0080.5", "MA0506.2", "MA0095.2", "MA0106.3", "MA0105.4",
                  "MA0079.5", "MA0028.2"]

_SLOT = 25           # one motif instance per 25 bp slot, so instances never overlap

_CENTRE = (400, 600)  # DeepSEA labels a region by its central 200 bp



def _jaspar_probabilities(matrix_ids: list[str], sharpness: float = 1.0, release: str = "JASPAR2024"
                          ) -> tuple[list[np.ndarray], list[str]]:
    """(w, 4) A, C, G, T probabilities (pseudocount 0.1, raised to ``sharpness`` and
    renormalized) and TF names per JASPAR id."""
    from course_lib.motifs import load_jaspar_motif, pfm_to_pwm

    motifs = [load_jaspar_motif(m, release=release) for m in matrix_ids]
    pwms = [pfm_to_pwm(m.counts, pseudocount=0.1) ** sharpness for m in motifs]
    return [p / p.sum(axis=1, keepdims=True) for p in pwms], [m.name for m in motifs]



def _design_targets(n_targets: int, n_motifs: int, rng: np.random.Generator) -> list[dict]:
    """Rules: ~15% DNase (any of 3 motifs), ~55% TF (one motif), ~30% histone (pair/density)."""
    n_dnase = max(1, round(0.15 * n_targets))
    n_hist = max(2, round(0.3 * n_targets)) if n_targets >= 4 else 0
    n_tf = n_targets - n_dnase - n_hist
    rules = []
    tf_motifs = rng.permutation(n_motifs)
    for i in range(n_dnase):
        rules.append(dict(assay="DNase", kind="any", motifs=sorted(rng.choice(n_motifs, 3, replace=False).tolist())))
    for i in range(n_tf):
        rules.append(dict(assay="TF", kind="centre", motifs=[int(tf_motifs[i % n_motifs])]))
    for i in range(n_hist):
        pair = rng.choice(n_motifs, 2, replace=False).tolist()
        if i % 2 == 0:
            rules.append(dict(assay="Histone", kind="pair", motifs=pair,
                              rate=float(np.exp(rng.uniform(np.log(0.01), np.log(0.12))))))
        else:
            rules.append(dict(assay="Histone", kind="density", motifs=pair[:1],
                              rate=float(np.exp(rng.uniform(np.log(0.01), np.log(0.12))))))
    return rules



def _label(slots: np.ndarray, strands: np.ndarray, rule: dict, centre: tuple = _CENTRE) -> np.ndarray:
    """Noise-free labels (n,) of one rule from the slot table (n, n_slots) of motif ids (-1: none)."""
    lo, hi = centre[0] // _SLOT, centre[1] // _SLOT
    m = rule["motifs"]
    if rule["kind"] in ("centre", "any"):
        return np.isin(slots[:, lo:hi], m).any(axis=1)
    if rule["kind"] == "density":
        return (slots == m[0]).sum(axis=1) >= 3
    a, b = m  # pair: b 2-10 slots (50-250 bp) downstream of a, both on the same strand
    hit = np.zeros(len(slots), bool)
    for k in range(2, 11):
        fwd = (slots[:, :-k] == a) & (slots[:, k:] == b) & (strands[:, :-k] == 0) & (strands[:, k:] == 0)
        rev = (slots[:, :-k] == b) & (slots[:, k:] == a) & (strands[:, :-k] == 1) & (strands[:, k:] == 1)
        hit |= (fwd | rev).any(axis=1)
    return hit



def _simulate_block(n: int, seq_len: int, pwms: list[np.ndarray], rates: np.ndarray,
                    rules: list[dict], rng: np.random.Generator, flank: float = 0.25,
                    centre: tuple = _CENTRE):
    """Integer sequences (n, L) in A, C, G, T codes, and noise-free labels (n, T).

    ``rates[j]`` is motif j's probability per central slot; flank slots use ``flank`` times it.
    """
    n_slots = seq_len // _SLOT
    lo, hi = centre[0] // _SLOT, centre[1] // _SLOT
    slots = np.full((n, n_slots), -1)
    for cols, scale in ((slice(0, lo), flank), (slice(lo, hi), 1.0), (slice(hi, n_slots), flank)):
        width = len(range(n_slots)[cols])
        probs = np.append(rates * scale, 1 - rates.sum() * scale)
        drawn = rng.choice(len(rates) + 1, size=(n, width), p=probs)
        slots[:, cols] = np.where(drawn == len(rates), -1, drawn)
    strands = rng.integers(0, 2, size=(n, n_slots))
    for rule in rules:  # long-range events planted on purpose, so they are not all chance
        if rule["kind"] == "pair":
            rows = np.flatnonzero(rng.random(n) < rule["rate"])
            k = rng.integers(2, 11, len(rows))
            s = rng.integers(0, n_slots - k)
            strand = rng.integers(0, 2, len(rows))
            first, second = np.where(strand == 0, rule["motifs"][0], rule["motifs"][1]), \
                np.where(strand == 0, rule["motifs"][1], rule["motifs"][0])
            slots[rows, s], slots[rows, s + k] = first, second
            strands[rows, s] = strands[rows, s + k] = strand
        elif rule["kind"] == "density":
            rows = np.flatnonzero(rng.random(n) < rule["rate"])
            for j in range(3):
                slots[rows, rng.integers(0, n_slots, len(rows))] = rule["motifs"][0]
    seqs = rng.choice(4, size=(n, seq_len), p=[0.29, 0.21, 0.21, 0.29]).astype(np.uint8)
    for j, pwm in enumerate(pwms):
        seq_i, slot_i = np.nonzero(slots == j)
        if not len(seq_i):
            continue
        w = len(pwm)
        cdf = np.cumsum(pwm, axis=1)
        bases = (rng.random((len(seq_i), w, 1)) > cdf[None]).sum(axis=2).clip(0, 3)
        minus = strands[seq_i, slot_i] == 1
        bases[minus] = 3 - bases[minus, ::-1]
        start = slot_i * _SLOT + rng.integers(0, _SLOT - w + 1, len(seq_i))
        seqs[seq_i[:, None], start[:, None] + np.arange(w)] = bases
    truth = np.stack([_label(slots, strands, r, centre) for r in rules], axis=1)
    return seqs, truth



def _rule_name(rule: dict, names: list[str]) -> str:
    ids = [names[m] for m in rule["motifs"]]
    if rule["kind"] == "pair":
        return f"mark:{ids[0]}+{ids[1]}"
    return {"any": "DNase", "centre": ids[0], "density": f"mark:{ids[0]}x3"}[rule["kind"]]



def _rule_text(rule: dict, motif_ids: list[str]) -> str:
    ids = [motif_ids[m] for m in rule["motifs"]]
    return {
        "any": f"any of {', '.join(ids)} in the central 200 bp",
        "centre": f"{ids[0]} in the central 200 bp",
        "pair": f"{ids[0]} then {ids[-1]} 50-250 bp downstream, same strand, anywhere",
        "density": f"3 or more {ids[0]} anywhere in the sequence",
    }[rule["kind"]]



def _add_noise(truth: np.ndarray, noise: float, prevalence: np.ndarray, rng) -> np.ndarray:
    """Drop ``noise`` of the positives; add false positives at ``noise`` x prevalence."""
    drop = rng.random(truth.shape) < noise
    add = rng.random(truth.shape) < noise * prevalence
    return np.where(truth, ~drop, add).astype(np.uint8)



def _to_file_layout(seqs: np.ndarray) -> np.ndarray:
    """ACGT integer codes (n, L) -> one-hot (n, L, 4) uint8, forward rows then RC rows, AGCT."""
    from course_lib.deepsea import _TO_ACGT

    onehot = np.eye(4, dtype=np.uint8)[seqs]
    both = np.concatenate([onehot, onehot[:, ::-1, ::-1]])  # ACGT: RC = reverse both axes
    return both[:, :, _TO_ACGT]



def simulate_deepsea(
    directory: str | Path,
    n_train: int = 4000,
    n_valid: int = 500,
    n_test: int = 1000,
    n_targets: int = 24,
    seq_len: int = 1000,
    noise: float = 0.03,
    seed: int = 0,
    flank: float = 0.1,
    sharpness: float = 2.0,
    block: int = 2000,
    motif_ids: list[str] | None = None,
    centred: bool = False,
    tf_prevalence: tuple[float, float] = (0.004, 0.15),
) -> "pandas.DataFrame":  # noqa: F821
    """Write a stand-in for DeepSEA's data: same files, keys, dtypes, orientation, AGCT order
    and strand halves, with targets defined by JASPAR motifs.

    Every 25 bp slot of a sequence holds at most one motif instance, sampled from a JASPAR
    matrix on a random strand; as around real peaks, motifs are ``1 / flank`` times denser
    in the central 200 bp than in the flanks. Targets follow DeepSEA's assay classes:

    - **TF** (about 55%): one motif in the central 200 bp;
    - **DNase** (about 15%, more frequent): any of three motifs in the central 200 bp;
    - **Histone** (about 30%, long range, anywhere in the sequence): a motif pair 50-250 bp
      apart on the same strand in a fixed order, or three or more copies of one motif.

    Prevalences range from under 1% to about 15%. Then ``noise`` of the positives are
    dropped and false positives added at ``noise`` times the prevalence. The oracle (the
    noise-free rule scored against the noisy test labels) gives each target's best
    achievable ROC AUC / PR AUC, in the returned table.

    Parameters
    ----------
    directory : str or Path
        Created if missing; receives train.mat (HDF5, written in blocks), valid.mat,
        test.mat and targets.tsv.
    n_train, n_valid, n_test : int
        Regions per split; each file holds twice as many rows (forward + reverse complement).
    n_targets : int
        Number of targets T.
    seq_len : int
        Sequence length (DeepSEA: 1000); at least 600.
    noise : float
        Label noise rate, in [0, 0.5).
    flank : float
        Motif density in the flanks relative to the central 200 bp, in [0, 1].
    sharpness : float
        Sites are sampled from the JASPAR probabilities raised to this power and
        renormalized: 1 samples the matrix as it is, 2 (the default) gives stronger sites,
        closer to the consensus, like the high-affinity sites at ChIP-seq summits. Sharper
        sites are learned in fewer epochs, which the 5-minute lesson needs.
    seed : int
        Same seed, same files.
    block : int
        Regions generated at a time (memory: about ``block * seq_len * 8`` bytes).
    motif_ids : list of str, optional
        JASPAR matrix ids (width <= 20); :data:`STANDIN_MOTIFS` by default.
    centred : bool
        False (the default): the labelled 200 bp are bases 400-600, the centre of DeepSEA's
        1000 bp windows, whatever ``seq_len``. True: the middle 200 bp of ``seq_len``
        (which must then be a multiple of 50, at least 200), so shorter stand-ins keep
        the label in the centre and a reverse-complemented row has it in the same place.
    tf_prevalence : (float, float)
        Lowest and highest prevalence of the one-motif (TF) targets, log-spaced over the
        motifs (the other classes follow from them); raising the lowest gives rare targets
        more positives, which short runs need.

    Returns
    -------
    pandas.DataFrame
        The target table (as :func:`course_lib.deepsea.read_targets` reads it back), with ``rule``,
        ``prevalence`` (test set), ``oracle_auc`` and ``oracle_auprc``.

    Introduced in: 05_danq_deepsea
    """
    import h5py
    import pandas as pd
    from scipy.io import savemat

    from course_lib.deepsea import SPLITS
    from course_lib.metrics import evaluate_targets

    shortest = 200 if centred else 600
    if seq_len < shortest or min(n_train, n_valid, n_test) < 1 or n_targets < 1 or not 0 <= noise < 0.5 \
            or not 0 <= flank <= 1 or sharpness <= 0:
        raise ValueError(
            f"need seq_len >= {shortest}, at least one region per split, n_targets >= 1 and "
            f"0 <= noise < 0.5; got seq_len={seq_len}, n=({n_train}, {n_valid}, {n_test}), "
            f"n_targets={n_targets}, noise={noise}; and 0 <= flank <= 1, sharpness > 0"
        )
    if centred and seq_len % 50:
        raise ValueError(f"centred=True needs seq_len a multiple of 50 (25 bp slots on both sides "
                         f"of the centre); got {seq_len}")
    if not 0 < tf_prevalence[0] <= tf_prevalence[1] < 1:
        raise ValueError(f"tf_prevalence must be (low, high) with 0 < low <= high < 1, got {tf_prevalence}")
    centre = (seq_len // 2 - 100, seq_len // 2 + 100) if centred else _CENTRE
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    motif_ids = list(motif_ids or STANDIN_MOTIFS)
    pwms, motif_names = _jaspar_probabilities(motif_ids, sharpness)
    if max(len(p) for p in pwms) > 20:
        raise ValueError("stand-in motifs must be at most 20 bp wide (one per 25 bp slot)")
    # TF prevalence (one motif in 8 central slots) log-spaced from 0.4% to 15% by default
    centre_prev = rng.permutation(np.geomspace(*tf_prevalence, len(pwms)))
    rates = -np.log(1 - centre_prev) / ((centre[1] - centre[0]) // _SLOT)
    rules = _design_targets(n_targets, len(pwms), rng)
    design_prev = _simulate_block(4000, seq_len, pwms, rates, rules, rng, flank, centre)[1].mean(axis=0)

    def blocks(n):
        for start in range(0, n, block):
            seqs, truth = _simulate_block(min(block, n - start), seq_len, pwms, rates, rules, rng, flank,
                                          centre)
            yield seqs, truth, _add_noise(truth, noise, design_prev, rng)

    rows = 2 * n_train  # train.mat: HDF5 with MATLAB v7.3's 512-byte user block, (L, 4, N)
    with h5py.File(directory / "train.mat.part", "w", userblock_size=512) as f:
        x = f.create_dataset("trainxdata", (seq_len, 4, rows), dtype="uint8")
        y = f.create_dataset("traindata", (n_targets, rows), dtype="uint8")
        done = 0
        for seqs, _, labels in blocks(n_train):
            k = len(seqs)
            onehot = _to_file_layout(seqs)
            x[:, :, done:done + k] = onehot[:k].transpose(1, 2, 0)
            x[:, :, n_train + done:n_train + done + k] = onehot[k:].transpose(1, 2, 0)
            y[:, done:done + k] = labels.T
            y[:, n_train + done:n_train + done + k] = labels.T
            done += k
    (directory / "train.mat.part").replace(directory / "train.mat")
    truth_test = None
    for split, n in (("valid", n_valid), ("test", n_test)):
        parts = list(blocks(n))
        seqs = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[2] for p in parts])
        _, xkey, ykey = SPLITS[split]
        savemat(directory / f"{split}.mat.part", {
            xkey: _to_file_layout(seqs).transpose(0, 2, 1),
            ykey: np.concatenate([labels, labels]),
        }, format="5", do_compression=False)
        (directory / f"{split}.mat.part").replace(directory / f"{split}.mat")
        if split == "test":
            truth_test, labels_test = np.concatenate([p[1] for p in parts]), labels
    oracle = evaluate_targets(labels_test, truth_test.astype(np.float32))
    table = pd.DataFrame({
        "index": np.arange(n_targets),
        "cell_type": [f"cell{i % 5 + 1}" for i in range(n_targets)],
        "assay": [r["assay"] for r in rules],
        "target": [_rule_name(r, motif_names) for r in rules],
        "treatment": "None",
        "rule": [_rule_text(r, [f"{n} ({i})" for n, i in zip(motif_names, motif_ids)]) for r in rules],
        "prevalence": labels_test.mean(axis=0).round(5),
        "oracle_auc": oracle["roc_auc"].round(5).values,
        "oracle_auprc": oracle["pr_auc"].round(5).values,
    })
    table.to_csv(directory / "targets.tsv.part", sep="\t", index=False)
    (directory / "targets.tsv.part").replace(directory / "targets.tsv")  # last: the folder is complete
    return table


# --------------------------------------------------------------------------------------
# Lesson 07: gene fragments with resistance mutations
# --------------------------------------------------------------------------------------

@dataclass
class ResistanceDataset:
    """Labelled gene fragments and their ground truth.

    Attributes
    ----------
    sequences : list of str
        n fragments, lengths in ``params["length"]``.
    labels : np.ndarray of int8, shape (n,)
        Observed label (1 = resistant), after label noise: what a model is trained on.
    true_labels : np.ndarray of int8, shape (n,)
        The oracle's label before noise.
    starts : np.ndarray of int64, shape (n,)
        Offset of each fragment in the reference gene (0-based nucleotides).
    mutations : list of list of str
        Planted resistance mutations per fragment, e.g. ``["S83L"]``.
    params : dict
        Every generator argument, seed included.

    Introduced in: 07_resistance_lstm
    """

    sequences: list[str]
    labels: np.ndarray
    true_labels: np.ndarray
    starts: np.ndarray
    mutations: list[list[str]]
    params: dict = field(default_factory=dict)

    def codon_positions(self, i: int) -> list[int]:
        """0-based positions in fragment ``i`` of the first base of each planted codon."""
        return [3 * (int(m[1:-1]) - 1) - int(self.starts[i]) for m in self.mutations[i]]

    def summary(self) -> str:
        from course_lib.resistance import get_panel

        n = len(self.labels)
        lengths = [len(s) for s in self.sequences]
        return (f"{n} fragments of {get_panel(self.params['panel']).gene} "
                f"({min(lengths)}-{max(lengths)} bp), {int(self.labels.sum())} labelled "
                f"resistant ({self.labels.mean():.1%}), {int((self.labels != self.true_labels).sum())}"
                f" labels flipped by noise; parameters: {self.params}")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"sequence": self.sequences, "label": self.labels,
                             "true_label": self.true_labels, "start": self.starts,
                             "mutations": [",".join(m) for m in self.mutations]})



def _closest_codon(current: str, aa: str, rng: np.random.Generator) -> str:
    from course_lib.resistance import _SYNONYMS

    options = _SYNONYMS[aa]
    dist = np.array([sum(a != b for a, b in zip(current, o)) for o in options])
    best = [o for o, d in zip(options, dist) if d == dist.min()]
    return best[rng.integers(len(best))]



def _background(codons: list[str], lo: int, hi: int, protected: set[int], syn: float,
                missense: float, rng: np.random.Generator) -> None:
    """Synonymous and neutral missense changes, in place, on codon indices lo..hi-1."""
    from course_lib.resistance import BASES, _CODE, _SYNONYMS

    for i in range(lo, hi):
        u = rng.random()
        aa = _CODE[codons[i]]
        if u < syn:
            others = [c for c in _SYNONYMS[aa] if c != codons[i]]
            if others:
                codons[i] = others[rng.integers(len(others))]
        elif u < syn + missense and (i + 1) not in protected and aa != "*":
            pos, base = rng.integers(3), BASES[rng.integers(4)]
            new = codons[i][:pos] + base + codons[i][pos + 1:]
            if _CODE[new] not in ("*", aa):
                codons[i] = new



def _check_rate(name: str, value: float) -> float:
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return float(value)



def simulate_resistance_dataset(
    panel: str | Panel = "ecoli_gyrA_nalidixic_acid",
    n: int = 1000,
    length: tuple[int, int] = (300, 900),
    resistant_fraction: float = 0.3,
    double_rate: float = 0.1,
    synonymous_rate: float = 0.03,
    missense_rate: float = 0.003,
    label_noise: float = 0.02,
    seed: int = 0,
    flank: int = 0,
) -> ResistanceDataset:
    """Gene fragments with real background variation and real resistance mutations.

    The recipe is in :mod:`course_lib.resistance`'s docstring; same arguments and seed give the same data.

    Parameters
    ----------
    panel : str or Panel
        Gene, drug and planted codons (a key of :data:`PANELS`).
    n : int
        Number of fragments.
    length : (int, int)
        Smallest and largest fragment length in bases (uniform, inclusive); at least the
        panel's region and at most the gene.
    resistant_fraction : float
        Probability that a fragment receives a resistance mutation: the class balance.
    double_rate : float
        Probability that a resistant fragment receives a second one at another codon.
    synonymous_rate, missense_rate : float
        Per-codon probabilities of background changes.
    label_noise : float
        Probability that a label is flipped.
    seed : int
    flank : int
        Fewest bases of the gene kept on either side of the panel's region. With 0 a
        catalogued codon may sit at the very first or last bases of a fragment, where a
        recurrent model sees it with no context on one side and needs many more examples.

    Returns
    -------
    ResistanceDataset

    Introduced in: 07_resistance_lstm
    """
    from course_lib.resistance import (PANELS, _amino_acids, _call, _rules, get_panel,
                                       load_catalogue, load_reference)

    panel = get_panel(panel)
    params = dict(panel=panel, n=n, length=tuple(length), flank=flank,
                  resistant_fraction=resistant_fraction, double_rate=double_rate,
                  synonymous_rate=synonymous_rate, missense_rate=missense_rate,
                  label_noise=label_noise, seed=seed)
    for name in ("resistant_fraction", "double_rate", "synonymous_rate", "missense_rate",
                 "label_noise"):
        _check_rate(name, params[name])
    reference = load_reference(panel.species, panel.gene)
    rows = load_catalogue(panel.species, panel.gene)
    if int(flank) < 0:
        raise ValueError(f"flank must be a number of bases >= 0, got {flank!r}")
    flank = int(flank)
    r0, r1 = panel.region
    r0, r1 = max(0, r0 - flank), min(len(reference), r1 + flank)
    lo_len, hi_len = (int(v) for v in length)
    if not r1 - r0 <= lo_len <= hi_len <= len(reference):
        raise ValueError(f"length={tuple(length)} must satisfy {r1 - r0} <= min <= max <= "
                         f"{len(reference)} (the panel's region with flank={flank} on either "
                         "side, and the gene's length); lower flank or raise the lengths")
    if int(n) < 1:
        raise ValueError(f"n must be a positive number of fragments, got {n!r}")
    plantable = rows[(rows["required"] == "") & rows["codon"].isin(panel.codons)
                     & rows["drugs"].str.lower().str.split(",").apply(
                         lambda ds: panel.drug.lower() in [d.strip() for d in ds])]
    if plantable.empty:
        raise ValueError(f"none of codons {panel.codons} of {panel.gene} confers resistance to "
                         f"{panel.drug!r} on its own in the catalogue; pick other codons")
    protected = set(rows["codon"])
    ref_codons = [reference[i:i + 3] for i in range(0, len(reference) - len(reference) % 3, 3)]
    rng = np.random.default_rng(seed)
    seqs, starts, planted = [], [], []
    for _ in range(int(n)):
        size = int(rng.integers(lo_len, hi_len + 1))
        start = int(rng.integers(max(0, r1 - size), min(r0, len(reference) - size) + 1))
        codons = list(ref_codons)
        c_lo, c_hi = start // 3, min(len(codons), -(-(start + size) // 3))
        _background(codons, c_lo, c_hi, protected, synonymous_rate, missense_rate, rng)
        names = []
        if rng.random() < resistant_fraction:
            count = 2 if rng.random() < double_rate and plantable["codon"].nunique() > 1 else 1
            for row_i in rng.permutation(len(plantable)):
                row = plantable.iloc[row_i]
                if any(int(m[1:-1]) == row.codon for m in names):
                    continue
                aas = [a for a in row.resistant_aa.split(",") if a not in ("*", row.ref_aa)]
                aa = aas[rng.integers(len(aas))]
                codons[row.codon - 1] = _closest_codon(codons[row.codon - 1], aa, rng)
                names.append(f"{row.ref_aa}{row.codon}{aa}")
                if len(names) == count:
                    break
        seqs.append("".join(codons)[start:start + size])
        starts.append(start)
        planted.append(names)
    codon_list, rules = sorted(protected), _rules(rows, panel.drug)
    true = np.array([int(bool(_call(_amino_acids(s, st, codon_list), rules, panel.gene)))
                     for s, st in zip(seqs, starts)], dtype=np.int8)
    flip = rng.random(len(true)) < label_noise
    labels = np.where(flip, 1 - true, true).astype(np.int8)
    params["panel"] = next((k for k, v in PANELS.items() if v == panel), panel)
    return ResistanceDataset(seqs, labels, true, np.array(starts, dtype=np.int64), planted, params)


# --------------------------------------------------------------------------------------
# Lesson 08: toy genomes
# --------------------------------------------------------------------------------------

#: The repeating unit of the paper's toy genome.
REPEAT_UNIT = "AGCTTGAGGC"



def repeating_genome(length: int = 30_000, unit: str = REPEAT_UNIT) -> str:
    """The paper's toy genome: ``unit`` repeated, cut to ``length`` bases.

    Introduced in: 08_genome_language
    """
    return (unit * (length // len(unit) + 1))[:length]



def random_genome(length: int = 30_000, seed: int = 0) -> str:
    """Independent uniform bases: no model can beat perplexity 4.

    Introduced in: 08_genome_language
    """
    rng = np.random.default_rng(seed)
    return "".join(np.array(list("ACGT"))[rng.integers(0, 4, length)])

