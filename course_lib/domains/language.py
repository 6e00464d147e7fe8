"""Genome language models: next-base prediction with an RNN and its honest baseline, a
k-th order Markov chain, plus the multitask regulatory-feature comparison (a bidirectional
GRU against k-mer logistic regression) of Zhang & Kamath, *Learning the Language of the
Genome using RNNs* (Stanford CS224d report).

A genome is handled as a list of **segments**: runs of A, C, G, T only. FASTA records are
separate segments and every run of ``N`` (or another non-ACGT character) splits a record,
so no k-mer, window or prediction crosses a record boundary or a gap.

Introduced in: 08_genome_language
"""

from __future__ import annotations

import importlib.resources
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_lib.metrics import bits_per_base, perplexity
from course_lib.sequences import integer_encode, kmer_counts

#: The repeating unit of the paper's toy genome.
REPEAT_UNIT = "AGCTTGAGGC"
#: Held-out perplexities reported by Zhang & Kamath (their Table of results).
PAPER_PERPLEXITY = {"repeating": 1.002, "random": 4.003, "ecoli": 3.679, "plasmodium": 2.938}
#: Registry datasets of the two real genomes the paper used.
REGISTRY_GENOMES = {"ecoli": "ecoli_k12_mg1655", "plasmodium": "plasmodium_falciparum_3d7"}
_BREAK = re.compile(r"[^ACGT]+")


@dataclass
class Genome:
    """A genome as ACGT-only segments, with what was skipped to get them.

    Introduced in: 08_genome_language
    """

    name: str
    segments: list[str]
    n_records: int = 1
    skipped_runs: int = 0
    skipped_bases: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def n_bases(self) -> int:
        """Total bases over all segments."""
        return sum(len(s) for s in self.segments)

    def summary(self) -> str:
        """One line: bases, segments, records, skipped runs of N (and any trimming)."""
        text = (f"{self.name}: {self.n_bases:,} bases in {len(self.segments)} segment(s) from "
                f"{self.n_records} record(s)")
        if self.skipped_runs:
            text += (f"; skipped {self.skipped_runs} run(s) of N or other non-ACGT characters "
                     f"({self.skipped_bases:,} characters), which split the sequence")
        return "; ".join([text] + self.notes)


def split_segments(sequences: list[str], name: str = "genome") -> Genome:
    """Cut sequences at every run of non-ACGT characters (upper-casing first).

    Parameters
    ----------
    sequences : list of str
        One string per record.
    name : str

    Returns
    -------
    Genome
        Segments of length >= 1; empty pieces are dropped.

    Introduced in: 08_genome_language
    """
    segments, runs, skipped = [], 0, 0
    for seq in sequences:
        seq = seq.upper()
        gaps = _BREAK.findall(seq)
        runs += len(gaps)
        skipped += sum(len(g) for g in gaps)
        segments += [s for s in _BREAK.split(seq) if s]
    return Genome(name, segments, len(sequences), runs, skipped)


def read_fasta_genome(path: str | Path) -> Genome:
    """Read every record of a FASTA file (``.gz`` accepted) into one :class:`Genome`.

    Parameters
    ----------
    path : str or Path
        FASTA, plain or gzip-compressed. Records become separate segments; runs of ``N``
        are skipped and split a record (see :meth:`Genome.summary`).

    Returns
    -------
    Genome

    Introduced in: 08_genome_language
    """
    from course_lib.data import read_fasta

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no FASTA file at {path}; check the path (in a lesson: -p DATA "
                                "with a .fa, .fasta, .fna file, optionally .gz)")
    gzipped = path.name.lower().endswith(".gz")
    try:
        records = [sequence for _, _, sequence in read_fasta(path)]
    except ValueError as err:
        raise ValueError(f"{path} is not a FASTA file ({str(err).splitlines()[0]}); each record "
                         "needs a '>' header line followed by its sequence") from None
    except (EOFError, OSError) as err:  # a cut or damaged .gz, or a binary file
        cut = " (cut short or damaged)" if isinstance(err, EOFError) else ""
        raise ValueError(f"{path} cannot be read as {'gzipped ' if gzipped else ''}"
                         f"FASTA{cut} ({type(err).__name__}: {err}); copy or download it again, or "
                         "pass -p DATA with a FASTA file of DNA") from None
    _refuse_protein(records, path)
    genome = split_segments(records, path.name)
    if not genome.segments:
        raise ValueError(f"{path} holds no A/C/G/T bases; pass a FASTA file of DNA")
    return genome


_PROTEIN_ONLY = re.compile(r"[EFILPQefilpq*]")


def _refuse_protein(records: list[str], path: Path) -> None:
    """A genome is DNA: amino-acid letters (E F I L P Q) or few A/C/G/T/N mean a protein file."""
    for number, record in enumerate(records, start=1):
        acgt = sum(record.upper().count(base) for base in "ACGTN")
        letters = sum(ch.isalpha() for ch in record)
        found = _PROTEIN_ONLY.search(record)
        if found or (letters and acgt < 0.5 * letters):
            raise ValueError(
                f"{path}: record {number} looks like protein, not DNA ("
                + (f"amino-acid letter {found.group()!r}" if found else
                   f"only {acgt / letters:.0%} of its letters are A/C/G/T/N")
                + "); a language model of a genome needs nucleotides: pass -p DATA with a DNA "
                "FASTA (e.g. NCBI's *_genomic.fna), not a proteome (*.faa)"
            )


def load_genome(data: str, length: int = 30_000, seed: int = 0) -> Genome:
    """A genome by name or path.

    Parameters
    ----------
    data : str
        ``"repeating"``, ``"random"`` (both ``length`` bases), ``"lambda"`` (phage lambda,
        NC_001416.1, shipped with the course), ``"ecoli"`` / ``"plasmodium"`` (downloaded
        through the registry), or a path to a FASTA file.
    length : int
        Length of the two toy genomes.
    seed : int
        Seed of the random genome.

    Returns
    -------
    Genome

    Introduced in: 08_genome_language
    """
    if data == "repeating":
        return split_segments([repeating_genome(length)], "repeating")
    if data == "random":
        return split_segments([random_genome(length, seed)], "random")
    if data == "lambda":
        path = importlib.resources.files("course_lib.files") / "genomes" / "lambda_phage.fa.gz"
        genome = read_fasta_genome(Path(str(path)))
        genome.name = "lambda"
        return genome
    if data in REGISTRY_GENOMES:
        from course_lib import data as registry

        folder = registry.fetch(REGISTRY_GENOMES[data])
        path = next(p for p in sorted(folder.iterdir()) if ".fa" in p.name or ".fna" in p.name)
        genome = read_fasta_genome(path)
        genome.name = data
        return genome
    if Path(data).suffix.lower() in (".fa", ".fasta", ".fna", ".gz") or Path(data).is_file():
        return read_fasta_genome(data)
    raise ValueError(f"unknown genome {data!r} (-p DATA): use 'lambda', 'ecoli', 'plasmodium' "
                     "(or the toys 'repeating', 'random') or a path to a FASTA file (.fa, .fasta, "
                     ".fna, optionally .gz)")


def trim_genome(genome: Genome, max_bases: int) -> Genome:
    """The first ``max_bases`` bases of a genome (whole segments, then part of the last one).

    Introduced in: 08_genome_language
    """
    if max_bases < 1:
        raise ValueError(f"max_bases must be >= 1, got {max_bases} (in a lesson: -p MAX_BASES "
                         f"{max_bases}; use -p MAX_BASES 0 to keep the whole genome)")
    kept, left = [], max_bases
    for seg in genome.segments:
        if left <= 0:
            break
        kept.append(seg[:left])
        left -= len(kept[-1])
    return Genome(genome.name, kept, genome.n_records, genome.skipped_runs, genome.skipped_bases,
                  genome.notes + [f"trimmed to the first {max_bases:,} bases"])


@dataclass
class GenomeSplit:
    """Consecutive train / validation / test stretches of a genome, as segment lists.

    ``valid_context`` and ``test_context`` hold, for each held-out segment, the bases just
    before it in the same record (empty after a gap): history for the models, never scored.

    Introduced in: 08_genome_language
    """

    train: list[str]
    valid: list[str]
    test: list[str]
    valid_context: list[str]
    test_context: list[str]


def split_genome(genome: Genome, fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
                 ) -> GenomeSplit:
    """Cut the concatenated segments into consecutive train / validation / test stretches.

    The test stretch is the last ``fractions[2]`` of the bases, never seen in training.

    Parameters
    ----------
    genome : Genome
    fractions : (float, float, float)
        Shares of the bases, summing to 1.

    Returns
    -------
    GenomeSplit
        A segment crossing a cut is split there; the piece before the cut becomes the
        history (context) of the piece after it.

    Introduced in: 08_genome_language
    """
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    total = genome.n_bases
    cuts = [0, round(total * fractions[0]), round(total * (fractions[0] + fractions[1])), total]
    parts: list[list[str]] = [[], [], []]
    contexts: list[list[str]] = [[], [], []]
    start = 0
    for seg in genome.segments:
        for i in range(3):
            lo, hi = max(cuts[i] - start, 0), min(cuts[i + 1] - start, len(seg))
            if hi > lo:
                parts[i].append(seg[lo:hi])
                contexts[i].append(seg[:lo])
        start += len(seg)
    return GenomeSplit(parts[0], parts[1], parts[2], contexts[1], contexts[2])


def _with_context(segments: list[str], context: list[str], k: int) -> list[str]:
    """Prefix each held-out segment with up to ``k`` preceding bases (``context``)."""
    return [(c[-k:] if k else "") + s for s, c in zip(segments, context)]


def markov_fit(segments: list[str], order: int) -> np.ndarray:
    """Fit a k-th order Markov chain with add-one (Laplace) smoothing.

    Parameters
    ----------
    segments : list of str
        Training segments; (order+1)-mers are counted within each one with
        :func:`course_lib.sequences.kmer_counts`.
    order : int
        Context length k >= 0 (0 = base frequencies).

    Returns
    -------
    np.ndarray, shape (4**order, 4), float64
        ``log p(next base | previous k bases)``; row = context in ACGT lexicographic order.

    Introduced in: 08_genome_language
    """
    if not isinstance(order, (int, np.integer)) or order < 0:
        raise ValueError(f"order must be an integer >= 0, got {order!r}")
    counts = kmer_counts(segments, k=order + 1).sum(axis=0).astype(np.float64)
    counts = counts.reshape(4 ** order, 4) + 1.0
    return np.log(counts / counts.sum(axis=1, keepdims=True))


def markov_cross_entropy(log_probs: np.ndarray, segments: list[str],
                         context: list[str] | None = None) -> float:
    """Mean cross-entropy (nats per base) of a fitted chain on held-out segments.

    Parameters
    ----------
    log_probs : np.ndarray, shape (4**k, 4)
        From :func:`markov_fit`.
    segments : list of str
        Held-out segments; every base with k bases of history is scored.
    context : list of str, optional
        The bases just before each segment (e.g. the end of the training stretch), so the
        first bases of a segment are scored too. Without it they are skipped.

    Returns
    -------
    float

    Introduced in: 08_genome_language
    """
    order = int(round(np.log(log_probs.shape[0]) / np.log(4)))
    if log_probs.shape != (4 ** order, 4):
        raise ValueError(f"log_probs must have shape (4**k, 4), got {log_probs.shape}")
    if context is not None:
        segments = _with_context(segments, context, order)
    counts = kmer_counts(segments, k=order + 1).sum(axis=0)
    if counts.sum() == 0:
        raise ValueError("no held-out base has enough history; pass longer segments or context")
    return float(-(counts * log_probs.ravel()).sum() / counts.sum())


def markov_perplexities(train: list[str], test: list[str], orders=range(9),
                        context: list[str] | None = None) -> "pandas.DataFrame":  # noqa: F821
    """Held-out perplexity and bits per base of Markov chains of several orders.

    Returns
    -------
    pandas.DataFrame
        Columns ``order``, ``perplexity``, ``bits_per_base``.

    Introduced in: 08_genome_language
    """
    import pandas as pd

    rows = []
    for k in orders:
        ppl = perplexity(markov_cross_entropy(markov_fit(train, k), test, context))
        rows.append({"order": int(k), "perplexity": ppl, "bits_per_base": bits_per_base(ppl)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ recurrent model


def make_windows(segments: list[str], seq_len: int, stride: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Next-base training pairs: windows of ``seq_len`` bases and the same shifted by one.

    Parameters
    ----------
    segments : list of str
    seq_len : int
        Window length; segments shorter than ``seq_len + 1`` give no window.
    stride : int, optional
        Step between window starts; ``seq_len`` (no overlap) by default.

    Returns
    -------
    X, y : np.ndarray, shape (n, seq_len), int8
        Base codes 0..3 (A, C, G, T); ``y[:, t]`` is the base after ``X[:, t]``.

    Introduced in: 08_genome_language
    """
    if seq_len < 1:
        raise ValueError(f"seq_len must be >= 1, got {seq_len}")
    stride = stride or seq_len
    xs, ys = [], []
    for seg in segments:
        codes = integer_encode(seg)
        starts = np.arange(0, len(codes) - seq_len, stride)
        if len(starts):
            idx = starts[:, None] + np.arange(seq_len + 1)
            w = codes[idx]
            xs.append(w[:, :-1])
            ys.append(w[:, 1:])
    if not xs:
        longest = max((len(seg) for seg in segments), default=0)
        raise ValueError(f"no segment is longer than seq_len={seq_len} (the longest has "
                         f"{longest:,} bases): lower it (in a lesson: -p SEQ_LEN "
                         f"{max(longest - 1, 1)}) or give a longer genome (-p DATA)")
    return np.concatenate(xs), np.concatenate(ys)


def rnn_cross_entropy(model, segments: list[str], context: list[str] | None = None,
                      warmup: int = 200, step: int = 400) -> float:
    """Mean cross-entropy (nats per base) of a language model on held-out segments.

    Each base is predicted from a window that starts ``warmup`` to ``warmup + step`` bases
    earlier, so every prediction uses a long history (the start of a segment uses what
    there is, including ``context``).

    Parameters
    ----------
    model : keras.Model
        From :func:`build_language_model`.
    segments : list of str
        Held-out segments; every base but the very first of a segment without context is scored.
    context : list of str, optional
        Bases preceding each segment (warm-up only, never scored).
    warmup, step : int
        History length and number of bases scored per window.

    Returns
    -------
    float

    Introduced in: 08_genome_language
    """
    context = context or [""] * len(segments)
    total, count = 0.0, 0
    for seg, ctx in zip(segments, context):
        pre = ctx[max(len(ctx) - warmup, 0):]
        codes = integer_encode(pre + seg).astype(np.int32)
        first = max(len(pre), 1)  # first scored position (predicted from codes[:first])
        for start in range(first, len(codes), step):
            stop = min(start + step, len(codes))
            lo = max(start - warmup, 0)
            window = codes[lo:stop - 1]
            probs = model.predict_on_batch(window[None])[0]
            targets = codes[start:stop]
            p = probs[start - 1 - lo:, :][np.arange(len(targets)), targets]
            total -= float(np.log(np.maximum(p, 1e-12)).sum())
            count += len(targets)
    return total / count


def train_language_model(model, split: GenomeSplit, seq_len: int = 200, epochs: int = 4,
                         batch_size: int = 32, stride: int | None = None,
                         both_strands: bool = True, warmup: int = 200, seed: int = 0,
                         verbose: bool = False) -> "pandas.DataFrame":  # noqa: F821
    """Train on windows of the training stretch; keep the epoch with the best validation perplexity.

    Parameters
    ----------
    model : keras.Model
        From :func:`build_language_model`; trained in place and left at its best epoch.
    split : GenomeSplit
    seq_len, stride : int
        Window length and step (:func:`make_windows`).
    epochs, batch_size : int
    both_strands : bool
        Also train on the reverse complement of the training stretch (genes lie on both
        strands, so it is more of the same language; the held-out stretches are untouched).
    warmup : int
        History for the validation score (:func:`rnn_cross_entropy`).
    seed : int
        Window order.
    verbose : bool
        Print one line per epoch (both perplexities and the epoch's seconds).

    Returns
    -------
    pandas.DataFrame
        One row per epoch: ``epoch`` (1-based), ``train_perplexity`` (windows, during the
        epoch), ``valid_perplexity`` (validation stretch with warm-up).

    Introduced in: 08_genome_language
    """
    import pandas as pd

    from course_lib.sequences import reverse_complement

    segments = split.train + ([reverse_complement(s) for s in split.train] if both_strands else [])
    X, y = make_windows(segments, seq_len, stride)
    rng = np.random.default_rng(seed)
    rows, best, best_weights = [], np.inf, None
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(len(X))
        fit = model.fit(X[order], y[order], batch_size=batch_size, epochs=1, verbose=0,
                        shuffle=False)
        valid = perplexity(rnn_cross_entropy(model, split.valid, split.valid_context, warmup))
        rows.append({"epoch": epoch, "train_perplexity": float(np.exp(fit.history["loss"][0])),
                     "valid_perplexity": valid})
        if verbose:
            print(f"epoch {epoch}/{epochs}: train perplexity {rows[-1]['train_perplexity']:.4f}, "
                  f"valid perplexity {valid:.4f} ({time.perf_counter() - start:.0f} s)", flush=True)
        if valid < best:
            best, best_weights = valid, model.get_weights()
    model.set_weights(best_weights)
    return pd.DataFrame(rows)


def check_window(genome: Genome, seq_len: int, split: GenomeSplit | None = None) -> None:
    """Refuse, naming the genome, a window longer than the genome's training stretch.

    Parameters
    ----------
    genome : Genome
    seq_len : int
        Training window length (a lesson's ``SEQ_LEN``).
    split : GenomeSplit, optional
        The genome's :func:`split_genome` (computed if not given).

    Raises
    ------
    ValueError
        When no training segment is longer than ``seq_len``: it names the genome, the
        stretch's length and the ``-p SEQ_LEN`` that would fit.

    Introduced in: 08_genome_language
    """
    split = split or split_genome(genome)
    longest = max(map(len, split.train), default=0)
    if longest <= seq_len:
        raise ValueError(
            f"{genome.name}: the training stretch (the first 80% of its {genome.n_bases:,} bases) "
            f"is {longest:,} bases long, no longer than one window of seq_len={seq_len}: lower it "
            f"(in a lesson: -p SEQ_LEN {max(longest - 1, 1)}) or give a longer genome (-p DATA)")


def model_genome(genome: Genome, cell: str = "gru", units: int = 48, layers: int = 2,
                 embedding: int = 8, seq_len: int = 200, stride: int | None = 50,
                 epochs: int = 3, batch_size: int = 32, learning_rate: float = 0.002,
                 both_strands: bool = False, warmup: int = 200, orders=range(9),
                 seed: int = 0, verbose: bool = False, build=None) -> dict:
    """Part 1 for one genome: split 80/10/10, train the RNN, score it and the Markov chains.

    Parameters
    ----------
    genome : Genome
    cell, units, layers, embedding, learning_rate
        Passed to :func:`build_language_model`.
    seq_len, stride, epochs, batch_size, both_strands, warmup, verbose
        Passed to :func:`train_language_model` (windows of ``seq_len`` every ``stride``
        bases; ``None`` = no overlap).
    orders : iterable of int
        Markov orders fitted on the same training stretch (none if empty).
    seed : int
    build : callable, optional
        ``build(cell, units, layers, embedding, learning_rate, seed)`` returning a compiled
        model: the lesson's own Model cell; default :func:`build_language_model`.

    Returns
    -------
    dict
        ``model``, ``history`` (DataFrame per epoch), ``rnn_perplexity`` (test stretch),
        ``markov`` (DataFrame from :func:`markov_perplexities`), ``best_order``,
        ``best_markov_perplexity``.

    Introduced in: 08_genome_language
    """
    split = split_genome(genome)
    check_window(genome, seq_len, split)
    model = (build or build_language_model)(cell, units, layers, embedding, learning_rate, seed)
    if verbose:
        print(f"{genome.name}: {epochs} epoch(s) on {sum(map(len, split.train)):,} bases", flush=True)
    history = train_language_model(model, split, seq_len, epochs, batch_size, stride,
                                   both_strands=both_strands, warmup=warmup, seed=seed,
                                   verbose=verbose)
    rnn = perplexity(rnn_cross_entropy(model, split.test, split.test_context, warmup))
    out = {"model": model, "history": history, "rnn_perplexity": rnn}
    orders = list(orders)
    if orders:
        # Markov chains see the same bases: training stretch, and history before each test piece
        markov = markov_perplexities(split.train, split.test, orders, split.test_context)
        best = markov.loc[markov.perplexity.idxmin()]
        out.update(markov=markov, best_order=int(best.order),
                   best_markov_perplexity=float(best.perplexity))
    return out


def compare_settings(genome: Genome, changes: list[dict], epochs: int = 1, seed: int = 0,
                     **defaults) -> "pandas.DataFrame":  # noqa: F821
    """The paper's hyper-parameter comparison: change one setting at a time, train, score.

    Parameters
    ----------
    genome : Genome
    changes : list of dict
        Each overrides some arguments of :func:`model_genome` (``{"cell": "lstm"}``,
        ``{"layers": 3}``, ...); ``{}`` is the default.
    epochs : int
    seed : int
    **defaults
        Arguments of :func:`model_genome` shared by every row.

    Returns
    -------
    pandas.DataFrame
        One row per change: ``setting``, the settings used, ``test_perplexity``.

    Introduced in: 08_genome_language
    """
    import keras
    import pandas as pd

    rows = []
    for change in changes:
        args = {**defaults, "epochs": epochs, "seed": seed, "orders": [], **change}
        result = model_genome(genome, **args)
        keras.backend.clear_session()
        label = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in change.items()) or "default"
        rows.append({"setting": label, **{k: args[k] for k in ("cell", "layers", "seq_len",
                     "learning_rate") if k in args}, "test_perplexity": result["rnn_perplexity"]})
    return pd.DataFrame(rows)


# ------------------------------------------------------------- multitask (part 2)


def centre_codes(X: np.ndarray, width: int = 100) -> np.ndarray:
    """The middle ``width`` bases of one-hot sequences as integer codes.

    Parameters
    ----------
    X : np.ndarray, shape (n, L, 4), ACGT one-hot (uint8 or float)
    width : int

    Returns
    -------
    np.ndarray, shape (n, width), int8
        0..3 for A, C, G, T; an all-zero (N) position becomes 0 (A).

    Introduced in: 08_genome_language
    """
    if X.ndim != 3 or X.shape[2] != 4 or not 0 < width <= X.shape[1]:
        raise ValueError(f"X must be (n, L, 4) one-hot with L >= width={width}, got {X.shape}")
    lo = (X.shape[1] - width) // 2
    return X[:, lo:lo + width].argmax(axis=2).astype(np.int8)


def build_language_model(cell: str = "gru", units: int = 128, layers: int = 2,
                         embedding: int = 16, learning_rate: float = 0.003, seed: int = 0):
    """Character-level genome language model: embedding, stacked RNN, softmax over 4 bases.

    After Zhang & Kamath: an embedding of the bases, ``layers`` recurrent layers returning
    every step, and a dense softmax predicting the next base at each position.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    units : int
    layers : int
        2 or 3 in the paper.
    embedding : int
    learning_rate : float
        Adam.
    seed : int

    Returns
    -------
    keras.Model
        Input ``(batch, length)`` int codes, output ``(batch, length, 4)`` probabilities;
        compiled with sparse categorical cross-entropy.

    Introduced in: 08_genome_language
    """
    import keras

    from course_lib.training import set_seed

    kinds = {"rnn": keras.layers.SimpleRNN, "gru": keras.layers.GRU, "lstm": keras.layers.LSTM}
    if cell.lower() not in kinds:
        raise ValueError(f"cell must be one of {sorted(kinds)}, got {cell!r}")
    if layers < 1 or units < 1:
        raise ValueError(f"need layers >= 1 and units >= 1, got layers={layers}, units={units}")
    set_seed(seed, deterministic=False)
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(4, embedding)(inputs)
    for _ in range(layers):
        x = kinds[cell.lower()](units, return_sequences=True)(x)
    outputs = keras.layers.Dense(4, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name=f"{cell.lower()}_language_model")
    model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy")
    return model


def build_multitask_gru(n_targets: int, units: int = 128, layers: int = 2, embedding: int = 2,
                        dropout: float = 0.05, learning_rate: float = 0.001, seed: int = 0,
                        clipnorm: float | None = None, jit_compile: bool | str = "auto"):
    """Zhang & Kamath's multitask model: embedding, stacked bidirectional GRUs, one sigmoid per target.

    Paper: embedding size 2, 2 layers of 128 units, dropout keep probability 0.95
    (``dropout=0.05``), Adam 0.001, batch 20. All targets share every weight; the last
    layer's final states (both directions) feed the sigmoid outputs. ``clipnorm`` clips each
    gradient's norm in Adam (lesson 08's laptop recipe: 1.0 with a learning rate of 0.01);
    ``jit_compile=True`` compiles the training step with XLA, which Keras leaves off for
    TensorFlow on a CPU although it halves the time per epoch of this model there.

    Returns
    -------
    keras.Model
        Input ``(batch, length)`` int codes, output ``(batch, n_targets)`` probabilities;
        compiled with binary cross-entropy.

    Introduced in: 08_genome_language
    """
    import keras

    from course_lib.training import set_seed

    set_seed(seed, deterministic=False)
    inputs = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(4, embedding)(inputs)
    for i in range(layers):
        gru = keras.layers.GRU(units, return_sequences=i < layers - 1, dropout=dropout)
        x = keras.layers.Bidirectional(gru)(x)
    outputs = keras.layers.Dense(n_targets, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name="multitask_bigru")
    model.compile(keras.optimizers.Adam(learning_rate, clipnorm=clipnorm), "binary_crossentropy",
                  jit_compile=jit_compile)
    return model


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
