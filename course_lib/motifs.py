"""Motifs: JASPAR access, filters turned into motifs, consensus, logos and Tomtom-style matching.

Terms used throughout:

- PFM (position frequency matrix): counts, ``np.ndarray`` of shape (w, k), one row per position,
  one column per letter of the alphabet (``ACGT`` for DNA).
- PWM (position weight matrix): probabilities, shape (w, k), every row sums to 1. This is
  what :func:`course_lib.simulation.sample_from_pwm` samples from and what Tomtom compares.

The functions take any PWM and any set of sequences, so the same steps serve convolution filters
(lesson 02) and saliency seqlets (later lessons).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

DNA = "ACGT"


@dataclass(frozen=True)
class JasparMotif:
    """One JASPAR matrix.

    Attributes
    ----------
    matrix_id : str
        The versioned JASPAR ID, e.g. ``"MA0139.2"``.
    name : str
        The transcription factor's name, e.g. ``"CTCF"``.
    counts : np.ndarray, shape (w, 4), float64
        The PFM, columns in ``ACGT`` order.

    Introduced in: 02_motif_discovery
    """

    matrix_id: str
    name: str
    counts: np.ndarray

    @property
    def pwm(self) -> np.ndarray:
        """The probabilities, shape (w, 4), float64; every row sums to 1."""
        return pfm_to_pwm(self.counts)

    @property
    def length(self) -> int:
        return int(self.counts.shape[0])


def _jaspardb(release: str):
    from pyjaspar import jaspar_releases, jaspardb

    if release not in jaspar_releases:
        raise ValueError(
            f"unknown JASPAR release {release!r}; pyjaspar ships {sorted(jaspar_releases)}"
        )
    return jaspardb(release=release)


def _from_bio(motif) -> JasparMotif:
    counts = np.array([motif.counts[c] for c in DNA], dtype=np.float64).T
    return JasparMotif(matrix_id=str(motif.matrix_id), name=str(motif.name), counts=counts)


def load_jaspar_motif(matrix_id: str, release: str = "JASPAR2024") -> JasparMotif:
    """One JASPAR matrix from the database that the ``pyjaspar`` package ships (no download).

    Parameters
    ----------
    matrix_id : str
        ``"MA0139.2"`` for that version, or ``"MA0139"`` for the latest version in ``release``.
    release : str
        ``"JASPAR2024"`` by default; see ``pyjaspar.jaspar_releases``.

    Returns
    -------
    JasparMotif
        ID, name and counts (w, 4) in ``ACGT`` order; ``.pwm`` gives the probabilities.

    Introduced in: 02_motif_discovery
    """
    import warnings

    with warnings.catch_warnings():  # pyjaspar warns, then returns None: we raise instead
        warnings.simplefilter("ignore")
        motif = _jaspardb(release).fetch_motif_by_id(matrix_id)
    if motif is None:
        raise ValueError(
            f"{matrix_id!r} is not in {release}; check the ID on jaspar.elixir.no "
            "(e.g. 'MA0139.2' for CTCF) or try another release"
        )
    return _from_bio(motif)


@functools.lru_cache(maxsize=8)
def _database(release: str, collection: str, tax_group: str | None) -> tuple[JasparMotif, ...]:
    motifs = _jaspardb(release).fetch_motifs(collection=collection, tax_group=tax_group)
    return tuple(_from_bio(m) for m in motifs)


def load_jaspar_database(
    release: str = "JASPAR2024", collection: str = "CORE", tax_group: str | None = "vertebrates"
) -> list[JasparMotif]:
    """All matrices of a JASPAR collection (latest version of each), e.g. the 879 CORE vertebrates.

    Parameters
    ----------
    release, collection, tax_group : str
        Which matrices; ``tax_group=None`` keeps every group. The result is cached.

    Returns
    -------
    list of JasparMotif

    Introduced in: 02_motif_discovery
    """
    motifs = list(_database(release, collection, tax_group))
    if not motifs:
        raise ValueError(
            f"no {collection} matrices for tax_group={tax_group!r} in {release}; "
            "check the spelling (e.g. 'vertebrates', 'insects', 'plants')"
        )
    return motifs


def pfm_to_pwm(pfm: np.ndarray, pseudocount: float = 0.0) -> np.ndarray:
    """Counts to probabilities, adding ``pseudocount`` to every cell first.

    Parameters
    ----------
    pfm : np.ndarray, shape (w, k)
        Non-negative counts.
    pseudocount : float
        Added to each count; an all-zero row becomes uniform whatever its value.

    Returns
    -------
    np.ndarray, shape (w, k), float64
        Every row sums to 1.

    Introduced in: 02_motif_discovery
    """
    pfm = np.asarray(pfm, dtype=np.float64)
    if pfm.ndim != 2 or pfm.shape[0] == 0:
        raise ValueError(f"a PFM has shape (width, alphabet size), got {pfm.shape}")
    if (pfm < 0).any():
        raise ValueError("a PFM holds counts, which cannot be negative")
    pfm = pfm + pseudocount
    totals = pfm.sum(axis=1, keepdims=True)
    uniform = np.full_like(pfm, 1.0 / pfm.shape[1])
    return np.where(totals > 0, pfm / np.where(totals > 0, totals, 1.0), uniform)


def information_content(pwm: np.ndarray, background: float | np.ndarray | None = None) -> np.ndarray:
    """Information content (bits) of every position of a PWM.

    Parameters
    ----------
    pwm : np.ndarray, shape (w, k)
        Probabilities; rows sum to 1.
    background : float or np.ndarray of shape (k,), optional
        Background probabilities; uniform ``1/k`` by default.

    Returns
    -------
    np.ndarray, shape (w,), float64
        ``sum_j p_j log2(p_j / b_j)``: 2 bits for a fixed DNA base, 0 for a uniform column.

    Introduced in: 02_motif_discovery
    """
    pwm = np.asarray(pwm, dtype=np.float64)
    bg = np.full(pwm.shape[1], 1.0 / pwm.shape[1]) if background is None else np.broadcast_to(
        np.asarray(background, dtype=np.float64), (pwm.shape[1],))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pwm > 0, pwm * np.log2(pwm / bg), 0.0)
    return terms.sum(axis=1)


def log_odds(pwm: np.ndarray, pseudocount: float = 0.01) -> np.ndarray:
    """Log2 odds of each base of a PWM against a uniform background: the scoring matrix.

    A window's motif score is the sum of one entry per position (the window's base there).
    The pseudocount keeps a base the matrix never saw from scoring minus infinity.

    Parameters
    ----------
    pwm : np.ndarray, shape (w, 4)
        Probabilities (or counts), columns A, C, G, T; each row is scaled to sum to 1.
    pseudocount : float
        Added to every probability, the row then scaled to sum to 1 again.

    Returns
    -------
    np.ndarray, shape (w, 4), float64
        ``log2(p / 0.25)``, in bits.

    Introduced in: 11_variant_effects
    """
    p = _check_pwm(pwm, normalize=True) + pseudocount
    return np.log2(p / p.sum(axis=1, keepdims=True) / 0.25)


def trim_pwm(pwm: np.ndarray, min_information: float = 0.5) -> tuple[np.ndarray, int]:
    """Cut the uninformative edges off a PWM.

    Filters and seqlets are often wider than the motif they hold, or hold it off-centre; the
    flanks are near-uniform columns that blur a comparison with a database.

    Parameters
    ----------
    pwm : np.ndarray, shape (w, k)
        Probabilities.
    min_information : float
        Keep from the first to the last position with at least this many bits.

    Returns
    -------
    trimmed : np.ndarray, shape (w', k)
        The PWM itself when no position reaches ``min_information``.
    start : int
        Index in ``pwm`` of the first kept position.

    Introduced in: 02_motif_discovery
    """
    pwm = np.asarray(pwm, dtype=np.float64)
    keep = np.nonzero(information_content(pwm) >= min_information)[0]
    if len(keep) == 0:
        return pwm, 0
    return pwm[keep[0]:keep[-1] + 1], int(keep[0])


def _check_pwm(pwm: np.ndarray, alphabet: str = DNA, normalize: bool = False) -> np.ndarray:
    """``pwm`` as a float64 array of shape (width, len(alphabet)), or a ValueError saying how
    to fix it.

    Parameters
    ----------
    pwm : array-like, shape (width, len(alphabet))
        One row per position, one column per letter of ``alphabet``.
    alphabet : str
        The letters of the columns, in order.
    normalize : bool
        Also require at least one row, each non-negative with a positive sum, and scale every
        row to sum to 1 (so counts work as probabilities); what a sampler needs.

    Returns
    -------
    np.ndarray of float64, shape (width, len(alphabet))
    """
    m = np.asarray(pwm, dtype=np.float64)
    k = len(alphabet)
    if m.ndim != 2 or m.shape[1] != k:
        raise ValueError(
            f"pwm must have shape (width, {k}) with columns {', '.join(alphabet)}, got "
            f"{m.shape}; transpose a ({k}, width) matrix with pwm.T, or pass the alphabet whose "
            "letters are the PWM's columns"
        )
    if not normalize:
        return m
    if m.shape[0] == 0:
        raise ValueError(f"pwm has no positions (shape {m.shape}); a motif needs at least one")
    if not np.isfinite(m).all() or (m < 0).any() or (m.sum(axis=1) <= 0).any():
        raise ValueError(
            "pwm must hold non-negative probabilities (or counts) with a positive sum in "
            "every row; convert log-odds scores to probabilities first"
        )
    return m / m.sum(axis=1, keepdims=True)


def consensus(
    pwm: np.ndarray, alphabet: str = DNA, threshold: float = 0.8, ambiguous: str = "N"
) -> str:
    """The consensus string: each position's most likely letter if its probability reaches
    ``threshold``, else ``ambiguous``.

    Parameters
    ----------
    pwm : np.ndarray, shape (w, k)
        Probabilities, columns in ``alphabet`` order.
    alphabet : str
        ``"ACGT"``, or ``"01"`` for the binary strings of lesson 01.
    threshold : float
        In (0, 1]. The slides use 0.8.
    ambiguous : str
        The letter for positions below the threshold.

    Returns
    -------
    str of length w

    Introduced in: 02_motif_discovery
    """
    pwm = _check_pwm(pwm, alphabet)
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold is a probability in (0, 1], got {threshold}")
    best = pwm.argmax(axis=1)
    keep = pwm.max(axis=1) >= threshold
    return "".join(alphabet[b] if k else ambiguous for b, k in zip(best, keep))


def pwm_from_strings(instances: Sequence[str], alphabet: str = DNA) -> np.ndarray:
    """The PWM of aligned, equal-length instances, counted with Biopython's ``Bio.motifs``.

    Parameters
    ----------
    instances : sequence of str
        Aligned sites, all of the same length, letters from ``alphabet``.
    alphabet : str
        ``"ACGT"`` or any other alphabet, e.g. ``"01"``.

    Returns
    -------
    np.ndarray, shape (w, len(alphabet)), float64
        Probabilities, columns in ``alphabet`` order.

    Introduced in: 02_motif_discovery
    """
    from Bio import motifs
    from Bio.Seq import Seq

    instances = list(instances)
    if not instances:
        raise ValueError("no instances: a PWM needs at least one aligned site")
    if len({len(s) for s in instances}) != 1:
        raise ValueError("instances have different lengths; align (cut) them to one width first")
    bad = set("".join(instances)) - set(alphabet)
    if bad:
        raise ValueError(f"letters {sorted(bad)} are not in the alphabet {alphabet!r}")
    motif = motifs.create([Seq(s) for s in instances], alphabet=alphabet)
    pwm = motif.counts.normalize()
    return np.array([pwm[c] for c in alphabet], dtype=np.float64).T


def filter_activations(model, X: np.ndarray, layer: str, batch_size: int = 256) -> np.ndarray:
    """The output of one layer (e.g. a Conv1D's activations) for every input.

    Parameters
    ----------
    model : keras.Model
        A built functional or Sequential model.
    X : np.ndarray, shape (n, L, k), float32
        Inputs.
    layer : str
        Name of the layer whose output you want.

    Returns
    -------
    np.ndarray, shape (n, L_out, n_filters), float32

    Introduced in: 02_motif_discovery
    """
    import keras

    names = [lyr.name for lyr in model.layers]
    if layer not in names:
        raise ValueError(f"model has no layer {layer!r}; its layers are {names}")
    probe = keras.Model(model.inputs, model.get_layer(layer).output)
    return np.asarray(probe.predict(X, batch_size=batch_size, verbose=0))


def activation_windows(
    sequences: np.ndarray | Sequence[str],
    activations: np.ndarray,
    kernel_size: int,
    width: int | None = None,
    threshold: float = 0.5,
    mode: str = "threshold",
    padding: str = "valid",
):
    """The input windows behind one filter's strongest activations.

    ``mode="threshold"`` keeps every position whose activation exceeds ``threshold`` times the
    filter's maximum over all inputs (the DanQ authors' method for their filters);
    ``mode="argmax"`` keeps one window per sequence, at its largest activation, if that is
    positive. Windows that would run off either end of a sequence are skipped.

    Parameters
    ----------
    sequences : np.ndarray of shape (n, L, k), or sequence of n str of length L
        The inputs the activations came from.
    activations : np.ndarray, shape (n, L_out)
        One filter's activation at every output position.
    kernel_size : int
        The filter's width.
    width : int, optional
        Window width, centred on the filter's receptive field; ``kernel_size`` by default.
    threshold : float
        Fraction of the maximum activation, in [0, 1) (``mode="threshold"``).
    mode : {"threshold", "argmax"}
    padding : {"valid", "same"}
        The convolution's padding, which fixes where output position p looks.

    Returns
    -------
    windows : np.ndarray of shape (m, width, k), or list of m str
        The same kind as ``sequences``.
    where : np.ndarray of int, shape (m, 2)
        (sequence index, window start) of each window.

    Introduced in: 02_motif_discovery
    """
    acts = np.asarray(activations, dtype=np.float64)
    if acts.ndim != 2 or acts.shape[0] != len(sequences):
        raise ValueError(
            f"activations must have shape (n_sequences={len(sequences)}, L_out), got {acts.shape}; "
            "pass one filter's slice, e.g. acts[:, :, f]"
        )
    if mode not in ("threshold", "argmax") or padding not in ("valid", "same"):
        raise ValueError(f"mode must be 'threshold' or 'argmax' and padding 'valid' or 'same', "
                         f"got {mode!r}, {padding!r}")
    width = kernel_size if width is None else width
    length = len(sequences[0])
    if mode == "argmax":
        rows = np.arange(len(acts))
        cols = acts.argmax(axis=1)
        keep = acts[rows, cols] > 0
        rows, cols = rows[keep], cols[keep]
    else:
        top = acts.max(initial=0.0)
        rows, cols = np.nonzero(acts > threshold * top) if top > 0 else (np.array([], int),) * 2
    shift = (kernel_size - width) // 2 - ((kernel_size - 1) // 2 if padding == "same" else 0)
    starts = cols + shift
    inside = (starts >= 0) & (starts + width <= length)
    rows, starts = rows[inside], starts[inside]
    where = np.stack([rows, starts], axis=1).astype(np.int64)
    if isinstance(sequences, np.ndarray):
        index = starts[:, None] + np.arange(width)[None, :]
        return sequences[rows[:, None], index], where
    return [sequences[r][s:s + width] for r, s in zip(rows, starts)], where


def filters_to_pfms(
    model, X: np.ndarray, layer: str, threshold: float = 0.5, width: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every filter of a Conv1D layer as a PFM, by its max-activating subsequences.

    For each filter, the windows of one-hot input that activate it above ``threshold`` times
    its maximum activation over ``X`` are stacked and counted (Quang & Xie, "DanQ", Nucleic
    Acids Research 44, e107 (2016), who follow Kelley et al.'s Basset).

    Parameters
    ----------
    model : keras.Model
    X : np.ndarray, shape (n, L, k), float32
        One-hot inputs, usually the test set.
    layer : str
        Name of the Conv1D layer.
    threshold : float
        Fraction of each filter's maximum activation.
    width : int, optional
        Window width; the filter's kernel size by default.

    Returns
    -------
    pfms : np.ndarray, shape (n_filters, width, k), float64
        Counts (an all-zero PFM for a filter that never fires).
    n_sites : np.ndarray of int, shape (n_filters,)
        How many windows went into each PFM.

    Introduced in: 02_motif_discovery
    """
    conv = model.get_layer(layer)
    kernel_size = int(conv.kernel_size[0])
    padding = conv.padding
    acts = filter_activations(model, X, layer)
    width = kernel_size if width is None else width
    pfms = np.zeros((acts.shape[2], width, X.shape[2]), dtype=np.float64)
    n_sites = np.zeros(acts.shape[2], dtype=np.int64)
    for f in range(acts.shape[2]):
        windows, _ = activation_windows(X, acts[:, :, f], kernel_size, width, threshold,
                                        padding=padding)
        pfms[f] = windows.sum(axis=0) if len(windows) else 0.0
        n_sites[f] = len(windows)
    return pfms, n_sites


def match_motifs(
    pwms: Sequence[np.ndarray] | np.ndarray,
    database: Sequence[JasparMotif] | None = None,
    names: Sequence[str] | None = None,
    n_top: int = 1,
) -> "pd.DataFrame":
    """Compare every query PWM with every database motif, Tomtom-style (``memelite.tomtom``).

    Tomtom (Gupta et al., Genome Biology 8, R24 (2007)) aligns each query with each target at
    every offset and on both strands and turns the best alignment's score into a p-value.
    q-values are Benjamini-Hochberg over all query x target p-values, as MEME's Tomtom does.

    Parameters
    ----------
    pwms : sequence of np.ndarray, each shape (w_i, 4), or np.ndarray (n, w, 4)
        Query probabilities, columns ``ACGT``.
    database : sequence of JasparMotif, optional
        Targets; JASPAR 2024 CORE vertebrates (:func:`load_jaspar_database`) by default.
    names : sequence of str, optional
        A label per query (``filter_0``, ``filter_1``, ... by default).
    n_top : int
        Rows per query, best first.

    Returns
    -------
    pd.DataFrame
        Columns ``query``, ``rank``, ``match_id``, ``match_name``, ``p_value``, ``q_value``,
        ``offset``, ``overlap``, ``strand``; ``n_queries * n_top`` rows.

    Introduced in: 02_motif_discovery
    """
    import pandas as pd
    from memelite import tomtom

    database = load_jaspar_database() if database is None else list(database)
    queries = [np.asarray(p, dtype=np.float64) for p in pwms]
    for i, q in enumerate(queries):
        if q.ndim != 2 or q.shape[1] != 4:
            raise ValueError(f"query {i} has shape {q.shape}; each PWM must be (width, 4), ACGT")
    names = [f"filter_{i}" for i in range(len(queries))] if names is None else list(names)
    if len(names) != len(queries):
        raise ValueError(f"{len(names)} names for {len(queries)} queries")
    Q = [np.ascontiguousarray(q.T) for q in queries]
    T = [np.ascontiguousarray(m.pwm.T) for m in database]
    p, _, offsets, overlaps, strands = tomtom(Q, T)
    q = _benjamini_hochberg(p)
    rows = []
    for i, name in enumerate(names):
        for rank, j in enumerate(np.argsort(p[i], kind="stable")[:n_top], start=1):
            rows.append({
                "query": name, "rank": rank, "match_id": database[j].matrix_id,
                "match_name": database[j].name, "p_value": float(p[i, j]),
                "q_value": float(q[i, j]), "offset": int(offsets[i, j]),
                "overlap": int(overlaps[i, j]), "strand": "-" if strands[i, j] else "+",
            })
    return pd.DataFrame(rows)


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values of all entries of ``p`` (any shape), same shape (scipy's)."""
    from scipy.stats import false_discovery_control

    flat = np.asarray(p, dtype=np.float64).ravel()
    return false_discovery_control(flat, method="bh").reshape(np.shape(p))


