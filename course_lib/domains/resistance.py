"""Drug-resistance genes: real reference genes and real resistance mutations (PointFinder),
a generator of labelled gene fragments, the known-mutation oracle, a safe loader for the
original capstone's ``dataset.npy`` and the capstone's bidirectional LSTM.

The catalogue (``course_lib.files/pointfinder/mutations.tsv``) and the reference genes are
condensed from the PointFinder database (Apache-2.0, see ``data/pointfinder/README.md``).
A :class:`Panel` picks one gene, one drug and the catalogued codons that samples may carry.

How a sample is made (:func:`simulate_resistance_dataset`):

1. Start from the reference gene, codon by codon.
2. Background variation: every codon independently becomes a random *synonymous* codon with
   probability ``synonymous_rate`` (anywhere, including the catalogued codons), or a random
   single-nucleotide *missense* change with probability ``missense_rate`` (never a stop, never
   at a catalogued codon, so it cannot create or mask a catalogued resistance).
3. With probability ``resistant_fraction`` the sample gets one (with ``double_rate`` two)
   resistance mutations: a catalogued codon of the panel changes to a codon for one of its
   listed resistant amino acids, the codon closest to the current one (fewest base changes).
4. A fragment of ``length`` bases (uniform in the given range) is cut so that it always
   covers every panel codon, with at least ``flank`` bases of the gene on either side (as an
   amplicon whose primers sit outside the region): a fragment that misses the codon could
   not carry the mutation, and a fragment position that depended on the label would leak it.
5. The true label is what the oracle calls on the fragment; then each label is flipped with
   probability ``label_noise`` (phenotyping errors).
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from Bio.Data import CodonTable

BASES = "ACGT"
# The standard genetic code (NCBI table 1) from Biopython: 61 sense codons and three stops "*".
_CODE = {**CodonTable.standard_dna_table.forward_table,
         **dict.fromkeys(CodonTable.standard_dna_table.stop_codons, "*")}
_SYNONYMS: dict[str, list[str]] = {}
for _codon, _aa in _CODE.items():
    _SYNONYMS.setdefault(_aa, []).append(_codon)


@dataclass(frozen=True)
class Panel:
    """One gene, one drug and the catalogued codons that samples may carry.

    Attributes
    ----------
    species : str
        PointFinder folder name, e.g. ``"escherichia_coli"``.
    gene : str
        Gene name as in the catalogue, e.g. ``"gyrA"``.
    drug : str
        Drug as spelled in the catalogue (compared case-insensitively).
    codons : tuple of int
        1-based codon numbers of the planted resistance mutations; fragments cover them all.

    Introduced in: 07_resistance_lstm
    """

    species: str
    gene: str
    drug: str
    codons: tuple[int, ...]

    @property
    def region(self) -> tuple[int, int]:
        """Nucleotide span (start, end), 0-based, end exclusive, covering the panel codons."""
        return 3 * (min(self.codons) - 1), 3 * max(self.codons)


#: The lesson's gene/drug sets. The quinolone resistance-determining region (QRDR) of E. coli
#: gyrA, the rifampicin resistance-determining region (RRDR, codons 426-452) of M.
#: tuberculosis rpoB, and M. tuberculosis inhA for isoniazid (katG is not in the database).
PANELS = {
    "ecoli_gyrA_nalidixic_acid": Panel("escherichia_coli", "gyrA", "Nalidixic acid", (83, 87)),
    "mtb_rpoB_rifampicin": Panel(
        "mycobacterium_tuberculosis", "rpoB", "RIFAMPICIN",
        (426, 427, 428, 429, 430, 431, 432, 433, 434, 435, 436, 437, 438, 441, 442, 443, 444,
         445, 446, 447, 450, 452)),
    "mtb_inhA_isoniazid": Panel("mycobacterium_tuberculosis", "inhA", "ISONIAZID", (21, 94)),
}


def _data_dir():
    return files("course_lib.files") / "pointfinder"


def get_panel(panel: str | Panel) -> Panel:
    """The :class:`Panel` called ``panel`` (a Panel passes through).

    Introduced in: 07_resistance_lstm
    """
    if isinstance(panel, Panel):
        return panel
    if panel not in PANELS:
        raise ValueError(f"unknown panel {panel!r}; choose one of {sorted(PANELS)} or pass a Panel")
    return PANELS[panel]


def load_catalogue(species: str | None = None, gene: str | None = None) -> pd.DataFrame:
    """The condensed PointFinder table of resistance point mutations.

    Parameters
    ----------
    species, gene : str, optional
        Keep only these rows.

    Returns
    -------
    pd.DataFrame
        One row per catalogued mutation: ``species``, ``gene``, ``codon`` (int, 1-based),
        ``ref_codon``, ``ref_aa``, ``resistant_aa`` (comma-separated one-letter codes),
        ``drugs`` (comma-separated), ``pmids``, ``required`` (PointFinder's Required_mut:
        other mutations needed, ``""`` if none) and ``notes``.

    Introduced in: 07_resistance_lstm
    """
    text = (_data_dir() / "mutations.tsv").read_text()
    table = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    table["codon"] = table["codon"].astype(int)
    if species is not None:
        table = table[table["species"] == species]
    if gene is not None:
        table = table[table["gene"] == gene]
    if table.empty:
        raise ValueError(f"no catalogued mutations for species={species!r}, gene={gene!r}; "
                         f"see {PANELS!r} for what is packaged")
    return table.reset_index(drop=True)


def load_reference(species: str, gene: str) -> str:
    """The reference (wild-type) coding sequence of a gene, upper-case A/C/G/T.

    Introduced in: 07_resistance_lstm
    """
    path = _data_dir() / f"{species}_{gene}.fsa"
    if not path.is_file():
        raise FileNotFoundError(f"no packaged reference for {species} {gene}; packaged panels: "
                                f"{sorted(PANELS)}")
    from course_lib.data import read_fasta

    return "".join(sequence for _, _, sequence in read_fasta(Path(str(path)))).upper()


def translate(codon: str) -> str:
    """One-letter amino acid of a codon (``*`` = stop, ``X`` if it holds a non-ACGT base).

    A look-up in Biopython's standard code table (``Bio.Data.CodonTable``), not
    ``Bio.Seq.Seq(codon).translate()``: Biopython resolves ambiguity codes where it can (``GCN``
    is alanine, ``TAR`` a stop) and warns on a partial codon, while the oracle must not call a
    reference or resistant amino acid from a codon it cannot read, so anything other than three
    A/C/G/T bases (either case) is ``X`` here.

    Parameters
    ----------
    codon : str
        Three bases.

    Returns
    -------
    str
        One letter: an amino acid, ``*`` or ``X``.

    Introduced in: 07_resistance_lstm
    """
    return _CODE.get(codon.upper(), "X")


# ------------------------------------------------------------------------------ the oracle


def _parse_required(text: str) -> list[list[tuple[str, int, set[str]]]]:
    """PointFinder's Required_mut: groups (``;``) of mutations that must all be present (``,``)."""
    groups = []
    for group in filter(None, text.split(";")):
        needed = []
        for item in filter(None, group.split(",")):
            gene, change = item.strip().rsplit("_", 1)
            digits = "".join(ch for ch in change if ch.isdigit())
            tail = change[change.index(digits) + len(digits):]
            needed.append((gene, int(digits), set(tail.split("."))))
        groups.append(needed)
    return groups


@lru_cache(maxsize=8)
def _kmer_index(reference: str, k: int) -> dict[str, int]:
    index: dict[str, int] = {}
    for i in range(len(reference) - k + 1):
        index.setdefault(reference[i:i + k], i)
    return index


def locate_fragment(sequence: str, reference: str, k: int = 12, min_identity: float = 0.8) -> int:
    """Offset of a fragment within the reference (ungapped), by k-mer votes.

    Every k-mer of the fragment found in the reference votes for an offset. A short, heavily
    mutated fragment may share no k-mer with the reference; then every offset is scored by
    the share of identical bases, and the best one is taken if it reaches ``min_identity``.

    Parameters
    ----------
    sequence : str
        A fragment of the reference with point mutations.
    reference : str
    k : int
        k-mer length.
    min_identity : float
        Fewest identical bases, as a share of the fragment, for the fallback scan.

    Returns
    -------
    int
        ``reference[offset + i]`` is aligned with ``sequence[i]``.

    Introduced in: 07_resistance_lstm
    """
    index = _kmer_index(reference, k)
    votes: dict[int, int] = {}
    for j in range(len(sequence) - k + 1):
        hit = index.get(sequence[j:j + k])
        if hit is not None:
            votes[hit - j] = votes.get(hit - j, 0) + 1
    if votes:
        return max(votes, key=votes.get)
    if 0 < len(sequence) <= len(reference):
        seq = np.frombuffer(sequence.encode(), dtype=np.uint8)
        ref = np.frombuffer(reference.encode(), dtype=np.uint8)
        windows = np.lib.stride_tricks.sliding_window_view(ref, len(seq))
        identity = (windows == seq).mean(axis=1)
        if identity.max() >= min_identity:
            return int(identity.argmax())
    raise ValueError(f"the fragment ({len(sequence)} bp) shares no {k}-mer with the reference "
                     f"and no offset has {min_identity:.0%} identical bases; is it from this "
                     "gene, and on the forward strand?")


def _amino_acids(sequence: str, offset: int, codons: Sequence[int]) -> dict[int, str]:
    """Amino acid at each catalogued codon fully covered by the fragment."""
    out = {}
    for c in codons:
        start = 3 * (c - 1) - offset
        if 0 <= start and start + 3 <= len(sequence):
            out[c] = translate(sequence[start:start + 3])
    return out


def _rules(rows: pd.DataFrame, drug: str) -> list[tuple]:
    """(codon, ref_aa, resistant amino acids, required groups) of the rows listing ``drug``."""
    rules = []
    for row in rows.itertuples():
        if drug.lower() in {d.strip().lower() for d in row.drugs.split(",")}:
            rules.append((row.codon, row.ref_aa, set(row.resistant_aa.split(",")),
                          _parse_required(row.required)))
    return rules


def _call(observed: dict[int, str], rules: list[tuple], gene: str) -> list[str]:
    """Catalogued mutations in ``observed`` that confer resistance (``rules`` from _rules)."""
    found = []
    for codon, ref_aa, resistant, groups in rules:
        aa = observed.get(codon)
        if aa is None or aa not in resistant:
            continue
        if groups and not any(all(g == gene and observed.get(c) in aas for g, c, aas in grp)
                              for grp in groups):
            continue
        name = f"{ref_aa}{codon}{aa}"
        if name not in found:
            found.append(name)
    return found


def find_resistance_mutations(sequences: str | Sequence[str], panel: str | Panel
                              ) -> list[list[str]]:
    """The known-mutation lookup: catalogued mutations found in each fragment.

    What a rules-based tool such as PointFinder reports: the fragment is placed on the
    reference gene, each catalogued codon it covers is translated, and a mutation counts when
    the amino acid is one of the listed resistant ones for the panel's drug and the
    mutations it requires (PointFinder's Required_mut) are present too.

    Parameters
    ----------
    sequences : str or sequence of str
        Gene fragments, forward strand, no indels.
    panel : str or Panel

    Returns
    -------
    list of list of str
        Per fragment, e.g. ``["S83L"]``; empty when none is found.

    Introduced in: 07_resistance_lstm
    """
    panel = get_panel(panel)
    reference = load_reference(panel.species, panel.gene)
    rows = load_catalogue(panel.species, panel.gene)
    codons, rules = sorted(set(rows["codon"])), _rules(rows, panel.drug)
    seqs = [sequences] if isinstance(sequences, str) else list(sequences)
    out = []
    for s in seqs:
        observed = _amino_acids(s.upper(), locate_fragment(s.upper(), reference), codons)
        out.append(_call(observed, rules, panel.gene))
    return out


def call_resistance(sequences: str | Sequence[str], panel: str | Panel) -> np.ndarray:
    """The oracle's call: 1 where a fragment carries a catalogued resistance mutation.

    Returns
    -------
    np.ndarray of int8, shape (n,)

    Introduced in: 07_resistance_lstm
    """
    return np.array([int(bool(f)) for f in find_resistance_mutations(sequences, panel)],
                    dtype=np.int8)


# ----------------------------------------------------------------------------- generator


# ------------------------------------------------------------------- the original format


class UnsafeFileError(ValueError):
    """A file would need unpickling (arbitrary code execution) and no opt-in was given."""


def load_pickled_dataset(path: str | os.PathLike, allow_pickle: bool = False) -> pd.DataFrame:
    """Read the capstone's ``dataset.npy``: a pickled dict with ``"genes"`` and ``"resistant"``.

    Unpickling runs whatever code the file's author put in it, so by default nothing is
    unpickled: the file is opened with ``np.load(allow_pickle=False)``, which refuses object
    arrays before deserializing them, and :class:`UnsafeFileError` says how to proceed.

    Parameters
    ----------
    path : str or PathLike
    allow_pickle : bool
        Set to True only for a file you trust; a warning is issued anyway.

    Returns
    -------
    pd.DataFrame
        Columns ``gene`` (str, upper case) and ``resistant`` (int8, 0/1).

    Introduced in: 07_resistance_lstm
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    if not allow_pickle:
        try:
            np.load(path, allow_pickle=False)
        except (ValueError, OSError) as err:
            raise UnsafeFileError(
                f"{path} holds pickled Python objects ({err}); unpickling an untrusted file can "
                "run arbitrary code. If you trust its source, call load_pickled_dataset(path, "
                "allow_pickle=True) once and save it with convert_pickled_dataset(...) to a "
                "plain .csv or .npz"
            ) from None
        raise ValueError(f"{path} is a plain array, not the capstone's pickled dict with "
                         "'genes' and 'resistant'")
    warnings.warn(f"unpickling {path}: this runs code stored in the file; do it only for files "
                  "you trust, and convert them with convert_pickled_dataset", stacklevel=2)
    content = np.load(path, allow_pickle=True)
    content = content.item() if isinstance(content, np.ndarray) and content.dtype == object \
        and content.shape == () else content
    return _check_gene_table(content, path)


def _check_gene_table(content, source) -> pd.DataFrame:
    if not hasattr(content, "keys") or not {"genes", "resistant"} <= set(content.keys()):
        raise ValueError(f"{source}: expected a dict with keys 'genes' and 'resistant', got "
                         f"{type(content).__name__} with {sorted(getattr(content, 'keys', list)())}")
    genes, resistant = list(content["genes"]), np.asarray(content["resistant"])
    if len(genes) != len(resistant):
        raise ValueError(f"{source}: {len(genes)} genes but {len(resistant)} labels")
    if resistant.dtype.kind in "OUS":  # text from a CSV: "1", "0", "True", ...
        words = {"0": 0, "1": 1, "false": 0, "true": 1}
        bad = [v for v in resistant if str(v).strip().lower() not in words]
        if bad:
            raise ValueError(f"{source}: 'resistant' must hold 0/1 (or False/True) labels; "
                             f"{len(bad)} rows hold something else (first: {bad[0]!r})")
        resistant = np.array([words[str(v).strip().lower()] for v in resistant])
    if not np.isin(resistant, (0, 1)).all():
        bad = resistant[~np.isin(resistant, (0, 1))]
        raise ValueError(f"{source}: 'resistant' must hold 0/1 (or False/True) labels; "
                         f"{len(bad)} rows hold something else (first: {bad[0]!r})")
    if not all(isinstance(g, str) for g in genes):
        raise ValueError(f"{source}: every gene must be a str of bases")
    return pd.DataFrame({"gene": [g.upper() for g in genes],
                         "resistant": resistant.astype(np.int8)})


def convert_pickled_dataset(source: str | os.PathLike, target: str | os.PathLike,
                            allow_pickle: bool = False) -> Path:
    """Convert the capstone's pickled ``dataset.npy`` to a plain ``.csv`` or ``.npz``.

    Parameters
    ----------
    source : path of the pickled .npy (read with :func:`load_pickled_dataset`)
    target : path ending in ``.csv`` (columns gene, resistant) or ``.npz`` (arrays ``genes``,
        unicode, and ``resistant``, int8), readable later with :func:`load_gene_table`.
    allow_pickle : bool
        Passed to :func:`load_pickled_dataset`; needed, since the source is pickled.

    Returns
    -------
    Path of the written file.

    Introduced in: 07_resistance_lstm
    """
    target = Path(target)
    if target.suffix not in (".csv", ".npz"):
        raise ValueError(f"target must end in .csv or .npz, got {target.name!r}")
    table = load_pickled_dataset(source, allow_pickle=allow_pickle)
    if target.suffix == ".csv":
        table.to_csv(target, index=False)
    else:
        np.savez(target, genes=table["gene"].to_numpy(dtype=str),
                 resistant=table["resistant"].to_numpy())
    return target


def load_gene_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a converted ``.csv`` or ``.npz`` (never unpickles).

    Returns
    -------
    pd.DataFrame with columns ``gene`` (str) and ``resistant`` (int8).

    Introduced in: 07_resistance_lstm
    """
    path = Path(path)
    if path.suffix in (".csv", ".npz") and not path.is_file():
        raise FileNotFoundError(f"no gene table at {path}; check -p DATA (a .csv or .npz with "
                                "columns gene and resistant)")
    if path.suffix == ".csv":
        try:
            table = pd.read_csv(path, dtype={"gene": str}, keep_default_na=False)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            raise ValueError(f"{path} is not a readable CSV table ({type(err).__name__}); write "
                             "one row per fragment with columns gene,resistant") from None
        missing = [c for c in ("gene", "resistant") if c not in table.columns]
        if missing:
            raise ValueError(f"{path} has no column {missing[0]!r}; its columns are "
                             f"{list(table.columns)}: name them gene and resistant")
        return _check_gene_table({"genes": table["gene"], "resistant": table["resistant"]}, path)
    if path.suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as z:
                content = {k: z[k] for k in ("genes", "resistant") if k in z.files}
        except (ValueError, OSError, zipfile.BadZipFile) as err:  # object arrays, not a zip
            if not zipfile.is_zipfile(path):
                raise ValueError(f"{path} is not an .npz file (an .npz is a zip archive; this one "
                                 "is not): check -p DATA, or write the table as a .csv with "
                                 "columns gene,resistant") from None
            raise ValueError(f"{path} is not a plain .npz of arrays genes and resistant "
                             f"({str(err).splitlines()[0]}); convert a pickled dataset with "
                             "resistance.convert_pickled_dataset") from None
        if "genes" in content:
            content["genes"] = content["genes"].tolist()
        return _check_gene_table(content, path)
    raise ValueError(f"{path.name}: expected .csv or .npz; for the pickled dataset.npy use "
                     "load_pickled_dataset")


# --------------------------------------------------------------------------------- model


def encode_genes(sequences: Sequence[str], seq_len: int) -> np.ndarray:
    """Integer codes for the Embedding: A, C, G, T = 1..4; padding and N = 0 (masked).

    Sequences are padded at the end (or cut at the end) to ``seq_len``.

    Returns
    -------
    np.ndarray, shape (n, seq_len), int32

    Introduced in: 07_resistance_lstm
    """
    from course_lib.sequences import integer_encode, pad_sequences

    padded = pad_sequences(list(sequences), seq_len, padding="post", truncating="post")
    return integer_encode(padded, offset=1, unknown="mask").astype(np.int32)


def balanced_class_weights(y: np.ndarray) -> dict[int, float]:
    """``n / (2 * count)`` per class: scikit-learn's "balanced" weights as Keras' ``class_weight``.

    Parameters
    ----------
    y : np.ndarray of 0/1, shape (n,)
        Training labels; both classes must occur.

    Returns
    -------
    dict
        ``{0: weight, 1: weight}``; the rare class gets the larger weight.

    Introduced in: 07_resistance_lstm
    """
    from sklearn.utils.class_weight import compute_class_weight

    y = np.asarray(y).astype(int).ravel()
    counts = np.bincount(y[np.isin(y, (0, 1))], minlength=2)
    if not np.isin(y, (0, 1)).all() or (counts == 0).any():
        raise ValueError(f"class weights need 0/1 labels with both classes present; got "
                         f"{counts[0]} zeros, {counts[1]} ones, labels {np.unique(y).tolist()}")
    weights = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    return {0: float(weights[0]), 1: float(weights[1])}


def train_resistance_lstm(X: np.ndarray, y: np.ndarray, epochs: int = 10, batch_size: int = 400,
                          validation_data=None, seed: int = 0, callbacks=None, verbose: int = 0,
                          build=None, **model_options):
    """Build and fit :func:`build_resistance_lstm` with balanced class weights.

    Parameters
    ----------
    X : np.ndarray, shape (n, seq_len), int32
        From :func:`encode_genes`.
    y : np.ndarray, shape (n,), 0/1
    epochs, batch_size : int
    validation_data : (X_valid, y_valid), optional
    seed : int
        Seeds Keras before the weights are drawn.
    callbacks : list of keras.callbacks.Callback, optional
    verbose : int
        Keras's ``fit`` verbosity: 0 silent, 2 one line per epoch (the lesson's progress).
    build : callable, optional
        ``build(seq_len=..., **model_options)`` returning a compiled model: the lesson's own
        Model cell; default :func:`build_resistance_lstm`.
    **model_options
        Passed to ``build`` (``units``, ``n_layers``, ...).

    Returns
    -------
    model : keras.Model
    history : keras.callbacks.History

    Introduced in: 07_resistance_lstm
    """
    from course_lib.training import set_seed

    set_seed(int(seed), deterministic=False)
    model = (build or build_resistance_lstm)(seq_len=X.shape[1], **model_options)
    history = model.fit(X, np.asarray(y, dtype=np.float32), epochs=int(epochs),
                        batch_size=int(batch_size), class_weight=balanced_class_weights(y),
                        validation_data=validation_data, callbacks=callbacks, verbose=verbose)
    return model, history


def _predict_in_batches(model, X: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """``model.predict(X)[:, 0]`` by direct calls: ``predict`` traces a new function for every
    model, and TensorFlow warns about retracing when a loop builds several models."""
    import keras

    parts = [keras.ops.convert_to_numpy(model(X[i:i + batch_size], training=False))
             for i in range(0, len(X), batch_size)]
    return np.concatenate(parts)[:, 0]


def lstm_fit_predict(X_train: np.ndarray, y_train: np.ndarray, X_valid: np.ndarray,
                     epochs: Sequence[int], seed: int = 0, **options) -> dict[int, np.ndarray]:
    """Train once for ``max(epochs)`` epochs and predict ``X_valid`` after each count of ``epochs``.

    With a fixed seed the first 15 epochs of a 25-epoch run are exactly a 15-epoch run, so one
    fit per fold scores every epoch count of a grid (lesson 07's cross-validation loop).

    Parameters
    ----------
    X_train : np.ndarray, shape (n, seq_len), int32
        From :func:`encode_genes`.
    y_train : np.ndarray, shape (n,), 0/1
    X_valid : np.ndarray, shape (m, seq_len), int32
    epochs : sequence of int
        The epoch counts at which to predict, e.g. ``[15, 25]``.
    seed : int
    **options
        The other arguments of :func:`train_resistance_lstm` (``units``, ``batch_size``,
        ``build``, ``verbose``, ...).

    Returns
    -------
    dict of epoch count -> np.ndarray, shape (m,), float32: probability of resistance.

    Introduced in: 07_resistance_lstm
    """
    import keras

    stages = sorted({int(e) for e in epochs})
    if not stages or stages[0] < 1:
        raise ValueError(f"epochs must be a non-empty list of counts >= 1, got {epochs!r}")
    predictions: dict[int, np.ndarray] = {}

    class _Predict(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 in stages:
                predictions[epoch + 1] = _predict_in_batches(self.model, X_valid)

    train_resistance_lstm(X_train, y_train, epochs=stages[-1], seed=seed,
                          callbacks=[_Predict()], **options)
    return predictions


def kmer_fit_predict(setting: dict, X_train: Sequence[str], y_train: np.ndarray,
                     X_valid: Sequence[str], seed: int = 0) -> np.ndarray:
    """Lesson 07's k-mer baseline: the course's k-mer logistic regression
    (:func:`course_lib.models.fit_kmer_baseline`) on k-mer shares, classes balanced.

    ``setting`` may hold ``k`` (k-mer lengths, default 1..5) and ``C`` (default 1.0).

    Returns
    -------
    np.ndarray, shape (n_valid,), float: probability of resistance.

    Introduced in: 07_resistance_lstm
    """
    from course_lib.models import fit_kmer_baseline

    predict = fit_kmer_baseline(list(X_train), np.asarray(y_train), ks=setting.get("k", (1, 2, 3, 4, 5)),
                                C=setting.get("C", 1.0), max_iter=2000, normalize=True,
                                class_weight="balanced", seed=seed)
    return predict(list(X_valid))


# ---------------------------------------------------------------------------- attribution


def onehot_view(model):
    """The same trained LSTM taking one-hot input, for :mod:`course_lib.interpretation`.

    The Embedding lookup of base ``b`` equals a one-hot row times the embedding matrix, so a
    bias-free Dense layer holding rows 1..4 of the matrix, after a Masking layer for the
    all-zero padding rows, gives the same outputs; every other layer is shared.

    Returns
    -------
    keras.Model
        Input (batch, seq_len, 4) float32, one-hot A, C, G, T; output (batch, 1).

    Introduced in: 07_resistance_lstm
    """
    import keras
    from keras import layers

    embedding = model.get_layer("embedding")
    weights = embedding.get_weights()[0]
    inputs = keras.Input((model.input_shape[1], len(BASES)))
    dense = layers.Dense(weights.shape[1], use_bias=False, name="embedding_as_dense")
    h = dense(layers.Masking(0.0)(inputs))
    dense.set_weights([weights[1:1 + len(BASES)]])
    for layer in model.layers[1:-1]:
        h = layer(h)
    last = model.layers[-1]  # a copy, so that the view's last layer has a single input
    head = layers.Dense.from_config(last.get_config())
    outputs = head(h)
    head.set_weights(last.get_weights())
    return keras.Model(inputs, outputs, name=f"{model.name}_onehot")


def attribution_peaks(scores: np.ndarray, lengths: Sequence[int],
                      sign: str = "positive") -> np.ndarray:
    """Position of the largest score inside each fragment (padding ignored).

    Parameters
    ----------
    scores : np.ndarray, shape (n, seq_len)
        Per-position attributions of the "resistant" output.
    lengths : sequence of int, the fragments' lengths
    sign : {"positive", "absolute"}
        ``"positive"``: the base that most supports the call (the largest score), what
        explains a resistant call. ``"absolute"``: the largest magnitude, which may also be
        a strongly *negative* position, where a change would make the gene even more
        resistant (in gyrA, the other catalogued codon).

    Returns
    -------
    np.ndarray of int64, shape (n,)

    Introduced in: 07_resistance_lstm
    """
    if sign not in ("positive", "absolute"):
        raise ValueError(f"sign must be 'positive' or 'absolute', got {sign!r}")
    scores = np.asarray(scores, dtype=np.float64)
    if sign == "absolute":
        scores = np.abs(scores)
    inside = np.arange(scores.shape[1])[None, :] < np.asarray(lengths)[:, None]
    return np.where(inside, scores, -np.inf).argmax(axis=1)


def peak_hit_rate(peaks: np.ndarray, codon_positions: Sequence[Sequence[int]],
                  tolerance_codons: int = 3) -> float:
    """Share of fragments whose peak lies within ``tolerance_codons`` codons of a planted one.

    Parameters
    ----------
    peaks : np.ndarray of int, shape (n,)
        From :func:`attribution_peaks`.
    codon_positions : per fragment, 0-based positions of the first base of planted codons.
    tolerance_codons : int

    Returns
    -------
    float in [0, 1]; NaN for no fragments.

    Introduced in: 07_resistance_lstm
    """
    if len(peaks) == 0:
        return float("nan")
    hits = [any(p - 3 * tolerance_codons <= peak <= p + 2 + 3 * tolerance_codons for p in ps)
            for peak, ps in zip(peaks, codon_positions)]
    return float(np.mean(hits))


def encode_onehot(sequences: Sequence[str], seq_len: int) -> np.ndarray:
    """One-hot input for :func:`onehot_view`: padded like :func:`encode_genes`, padding = zeros.

    Returns
    -------
    np.ndarray, shape (n, seq_len, 4), float32

    Introduced in: 07_resistance_lstm
    """
    from course_lib.sequences import one_hot_encode, pad_sequences

    padded = pad_sequences(list(sequences), seq_len, padding="post", truncating="post")
    return one_hot_encode(padded, unknown="zero")


def build_resistance_lstm(seq_len: int = 900, embedding_dim: int = 50, units: int = 62,
                          n_layers: int = 2, dropout: float = 0.18,
                          learning_rate: float = 1e-3, pooling: str = "last"):
    """The capstone's classifier: Embedding, stacked bidirectional LSTMs, sigmoid output.

    Defaults are the capstone's ("Genome sequence classification using LSTM", The Data
    Incubator): embedding 50, two bidirectional LSTM layers of 62 units, dropout 0.18
    after each, Adam, binary cross-entropy; the last LSTM returns its final state
    (``pooling="last"``). Padding (code 0) is masked, so padded positions do not reach the
    LSTMs. ``pooling="max"`` instead keeps the last LSTM's output at every position and takes
    the maximum over the real (unmasked) positions: a local change then reaches the output
    in one step, which makes small models learn in far fewer epochs (the lesson's laptop
    default).

    Parameters
    ----------
    seq_len : int
        Input length (integer codes from :func:`course_lib.domains.resistance.encode_genes`).
    embedding_dim, units, n_layers, dropout, learning_rate
        Embedding size, LSTM units per direction, number of bidirectional layers, dropout
        rate after each, Adam's learning rate.
    pooling : {"last", "max"}
        How the sequence becomes one vector (see above).

    Returns
    -------
    keras.Model
        Input (batch, seq_len) int, output (batch, 1) float32 probability of resistance;
        compiled with accuracy as metric.

    Introduced in: 07_resistance_lstm
    """
    import keras
    from keras import layers

    from course_lib.layers import MaskedMaxPooling1D

    if pooling not in ("last", "max"):
        raise ValueError(f"pooling must be 'last' (the capstone) or 'max', got {pooling!r}")
    if n_layers < 1 or units < 1 or embedding_dim < 1:
        raise ValueError(f"n_layers, units and embedding_dim must be >= 1, got {n_layers}, "
                         f"{units}, {embedding_dim}")
    model = keras.Sequential(name="resistance_lstm")
    model.add(keras.Input((seq_len,), dtype="int32"))
    # codes A, C, G, T = 1..4 (resistance.encode_genes) and 0 for padding, masked
    model.add(layers.Embedding(5, embedding_dim, mask_zero=True, name="embedding"))
    for i in range(n_layers):
        last = i == n_layers - 1 and pooling == "last"
        model.add(layers.Bidirectional(layers.LSTM(units, return_sequences=not last),
                                       name=f"bilstm_{i + 1}"))
        model.add(layers.Dropout(dropout, name=f"dropout_{i + 1}"))
    if pooling == "max":
        model.add(MaskedMaxPooling1D(name="max_over_positions"))
    model.add(layers.Dense(1, activation="sigmoid", name="resistant"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


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

    options = _SYNONYMS[aa]
    dist = np.array([sum(a != b for a, b in zip(current, o)) for o in options])
    best = [o for o, d in zip(options, dist) if d == dist.min()]
    return best[rng.integers(len(best))]


def _background(codons: list[str], lo: int, hi: int, protected: set[int], syn: float,
                missense: float, rng: np.random.Generator) -> None:
    """Synonymous and neutral missense changes, in place, on codon indices lo..hi-1."""

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

    The recipe is in :mod:`course_lib.domains.resistance`'s docstring; same arguments and seed give the same data.

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
