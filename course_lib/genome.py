"""Genome coordinates: peak files, a reference genome, windows around summits, a GC-matched
background, chromosome splits, and batches read from the genome while a model trains.

Coordinates are 0-based and half-open, as in BED: ``start`` is the first base, ``end`` one past
the last. A peak's ``summit`` is an absolute 0-based position (narrowPeak column 10 is the
summit's offset from ``start``; plain BED has no summit, so the interval's centre is used).

Well-kept libraries do the parts they are made for: ``pyfaidx`` indexes and reads the FASTA
(any base range without loading the genome into memory), ``bioframe`` merges and subtracts
intervals. The reader of peak files is ours because it must name the file and line of every
bad record and skip the ``track`` / ``browser`` / ``#`` lines that BED files carry.

Introduced in: 10_genome_intervals
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from pathlib import Path
from typing import Sequence

import keras
import numpy as np
import pandas as pd

from course_lib.sequences import one_hot_encode, reverse_complement

#: Columns of a narrowPeak file (BED6+4, ENCODE); a plain BED file has the first 3 to 6.
NARROWPEAK = ("chrom", "start", "end", "name", "score", "strand", "signal_value", "p_value",
              "q_value", "peak")


class GenomeDataError(ValueError):
    """A peak file, genome or split that cannot give a correct answer; the message says the fix."""


# --------------------------------------------------------------------------------------
# Reading peaks and the genome
# --------------------------------------------------------------------------------------

def _open_text(path: Path):
    import gzip

    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt", newline="") if gzipped else open(path, newline="")


def read_peaks(path: str | os.PathLike) -> pd.DataFrame:
    """Read a BED or narrowPeak file (plain or gzipped) into one row per peak.

    ``track``, ``browser`` and ``#`` lines and blank lines are skipped; Windows line endings
    are accepted. Every record is checked: at least 3 tab-separated columns, whole-number
    ``start < end`` with ``start >= 0``, and a narrowPeak summit inside its interval.

    Parameters
    ----------
    path : str or PathLike
        The peak file.

    Returns
    -------
    pd.DataFrame
        Columns ``chrom`` (str), ``start``, ``end``, ``summit`` (int64, absolute 0-based
        summit: narrowPeak column 10 added to ``start``, else the interval's centre), and
        ``line`` (the record's line number in the file, for messages).

    Raises
    ------
    GenomeDataError
        A record that breaks the rules above, named by file and line, or a file with no peaks.

    Introduced in: 10_genome_intervals
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such peak file; pass a BED or narrowPeak path "
                                "(-p PEAKS PATH) or 'simulated'")
    from array import array

    names: dict[str, str] = {}  # one string per chromosome name, not one per record
    chroms, starts, ends, summits, lines = [], array("q"), array("q"), array("q"), array("q")
    try:
        with _open_text(path) as handle:
            for number, raw in enumerate(handle, start=1):
                text = raw.rstrip("\r\n")
                if not text.strip() or text.startswith(("track", "browser", "#")):
                    continue
                fields = text.split("\t")
                chrom, start, end, summit = _parse_record(fields, path, number)
                chroms.append(names.setdefault(chrom, chrom))
                starts.append(start)
                ends.append(end)
                summits.append(summit)
                lines.append(number)
    except (EOFError, OSError, UnicodeDecodeError, zlib.error) as err:
        raise GenomeDataError(f"{path}: cannot be read as a text peak file ({err}); is it cut "
                              "short or not a BED file? Download it again") from None
    if not chroms:
        raise GenomeDataError(f"{path}: no peak records (only headers or blank lines)")
    return pd.DataFrame({"chrom": chroms, "start": np.asarray(starts, np.int64),
                         "end": np.asarray(ends, np.int64),
                         "summit": np.asarray(summits, np.int64),
                         "line": np.asarray(lines, np.int64)})


def _parse_record(fields: list[str], path: Path, number: int) -> tuple[str, int, int, int]:
    where = f"{path}, line {number}"
    if len(fields) < 3:
        hint = " (space-separated? BED columns are separated by tabs)" if " " in fields[0] else ""
        raise GenomeDataError(f"{where}: {len(fields)} column(s); a BED record has at least "
                              f"3 tab-separated columns: chrom, start, end{hint}")
    try:
        start, end = int(fields[1]), int(fields[2])
    except ValueError:
        header = " (a header line? start it with '#' or delete it)" if fields[1].isalpha() else ""
        raise GenomeDataError(f"{where}: start {fields[1]!r} and end {fields[2]!r} must be whole "
                              f"numbers (0-based BED coordinates){header}") from None
    if start < 0:
        raise GenomeDataError(f"{where}: start {start} is negative; BED counts from 0 "
                              "(fix or drop the record)")
    if end <= start:
        raise GenomeDataError(f"{where}: interval {fields[0]}:{start}-{end} has length "
                              f"{end - start}; BED is half-open and needs start < end "
                              "(fix or drop the record)")
    summit = (start + end) // 2
    if len(fields) >= 10 and fields[9] not in ("", "-1"):
        try:
            offset = int(fields[9])
        except ValueError:
            raise GenomeDataError(f"{where}: narrowPeak column 10 (summit offset) is "
                                  f"{fields[9]!r}, not a whole number") from None
        if not 0 <= offset < end - start:
            raise GenomeDataError(f"{where}: the summit offset {offset} lies outside its "
                                  f"interval of {end - start} bp; column 10 counts from start "
                                  "(use -1 for no summit)")
        summit = start + offset
    return fields[0], start, end, summit


def open_genome(path: str | os.PathLike):
    """Open a FASTA genome for random access with ``pyfaidx``, without loading it.

    An index next to the file (``genome.fa.fai``) is used when present; otherwise the index is
    built once into the course's cache folder, never into your data folder (it may be shared
    or read-only). Plain-gzipped FASTA cannot be read at random: unzip it or recompress it with
    ``bgzip`` (pyfaidx reads BGZF).

    Parameters
    ----------
    path : str or PathLike
        The FASTA file.

    Returns
    -------
    pyfaidx.Fasta
        ``genome[chrom][start:end]`` gives upper-case bases as a ``str``.

    Introduced in: 10_genome_intervals
    """
    import pyfaidx

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such genome FASTA; pass a path (-p GENOME PATH) "
                                "or 'simulated'")
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head[:2] == b"\x1f\x8b" and head[3:4] != b"\x04":  # gzip without BGZF's extra field
        raise GenomeDataError(f"{path}: plain gzip cannot be read at random positions; run "
                              f"`gunzip {path.name}` or recompress with `bgzip` (htslib)")
    index = path.with_name(path.name + ".fai")
    if not index.is_file():
        from course_lib.data import cache_dir

        stat = path.stat()
        key = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        index = cache_dir() / "fai" / f"{key.hexdigest()[:16]}_{path.name}.fai"
        index.parent.mkdir(parents=True, exist_ok=True)
    try:
        return pyfaidx.Fasta(str(path), indexname=str(index), as_raw=True,
                             sequence_always_upper=True, rebuild=False)
    except (pyfaidx.FastaIndexingError, ValueError, OSError) as err:
        raise GenomeDataError(f"{path}: not a FASTA genome pyfaidx can index ({err}); every "
                              "record needs a '>' header and lines of equal length") from None


def chromosome_sizes(genome) -> dict[str, int]:
    """``{name: length}`` of every sequence in an opened genome (:func:`open_genome`).

    Introduced in: 10_genome_intervals
    """
    return {name: len(genome[name]) for name in genome.keys()}


def check_chromosomes(names: Sequence[str], sizes: dict[str, int], what: str) -> None:
    """Refuse chromosome names the genome lacks, and say when only a ``chr`` prefix differs.

    Parameters
    ----------
    names : sequence of str
        Names used by the peaks (or a parameter such as ``TEST_CHROMS``).
    sizes : dict
        :func:`chromosome_sizes` of the genome.
    what : str
        Where the names come from, for the message (a file or ``-p TEST_CHROMS``).

    Introduced in: 10_genome_intervals
    """
    missing = sorted(set(names) - set(sizes))
    if not missing:
        return
    shown = ", ".join(repr(m) for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
    genome = ", ".join(repr(n) for n in list(sizes)[:5]) + (", ..." if len(sizes) > 5 else "")
    renamed = {m[3:] if m.startswith("chr") else "chr" + m for m in missing}
    fix = ""
    if renamed <= set(sizes):
        fix = (" Only the 'chr' prefix differs (UCSC names chr1, Ensembl and NCBI name 1): "
               "rename one side, e.g. `sed -E 's/^chr//'` or `sed -E 's/^([0-9XYM])/chr\\1/'` "
               "on the peak file, or use a genome with the same naming.")
    if what.startswith("-p "):
        fix = fix or f" Choose names the genome has ({what} '[\"{list(sizes)[-1]}\"]')."
    else:
        fix += " Peaks and genome must come from the same assembly (e.g. both GRCh38)."
    raise GenomeDataError(f"{what} names chromosome(s) {shown} that the genome lacks (it has "
                          f"{genome}).{fix}")


def peaks_on_genome(peaks: pd.DataFrame, sizes: dict[str, int], source: str) -> pd.DataFrame:
    """The peaks on chromosomes the genome has; refuse a peak file that shares none of them.

    A genome of a few chromosomes (UCSC's per-chromosome files) keeps the peaks on those; a
    naming difference (``1`` against ``chr1``) or another assembly shares no name at all and
    is refused by :func:`check_chromosomes` with the fix.

    Returns
    -------
    pd.DataFrame
        The rows of ``peaks`` on the genome, in order; ``attrs["n_other_chroms"]`` counts the
        rest.

    Introduced in: 10_genome_intervals
    """
    on = peaks["chrom"].isin(list(sizes)).to_numpy()
    if not on.any():
        check_chromosomes(peaks["chrom"].unique(), sizes, source)
    kept = peaks[on].reset_index(drop=True)
    kept.attrs["n_other_chroms"] = int((~on).sum())
    return kept


def resolve_genome(genome: str | os.PathLike, peaks: str | os.PathLike, standin: str | os.PathLike,
                   seed: int = 0, **simulate) -> tuple[Path, Path, dict | None]:
    """One answer to a lesson's ``GENOME`` and ``PEAKS`` parameters.

    ``"simulated"`` (both) writes the stand-in once into ``standin`` (:func:`simulate_genome`,
    reused while its files are there); a registry name is fetched once (``course data
    fetch NAME``) and a plain-gzipped genome is unzipped once inside the cache; anything else
    is a path.

    Returns
    -------
    genome_path, peaks_path : Path
    standin : dict or None
        :func:`simulate_genome`'s description when the stand-in is used (its ``sites`` are
        reloaded from ``sites.tsv``).

    Introduced in: 10_genome_intervals
    """
    if (str(genome) == "simulated") != (str(peaks) == "simulated"):
        raise GenomeDataError("GENOME and PEAKS are both 'simulated' or both real: the "
                              "stand-in's peaks belong to the stand-in's genome "
                              "(-p GENOME ..., -p PEAKS ...)")
    if str(genome) == "simulated":
        folder = Path(standin)
        done = folder / "standin.json"
        if not done.is_file():
            made = simulate_genome(folder, seed=seed, **simulate)
            made["sites"].to_csv(folder / "sites.tsv", sep="\t", index=False)
            done.write_text(json.dumps({k: (str(v) if isinstance(v, Path) else v)
                                        for k, v in made.items() if k != "sites"}))
        info = json.loads(done.read_text())
        info["sites"] = pd.read_csv(folder / "sites.tsv", sep="\t")
        return Path(info["genome"]), Path(info["peaks"]), info
    fasta = Path(genome) if _is_path(genome) else _one_fasta(*_fetch_dataset(genome), genome)
    return fasta, resolve_file(peaks), None


def resolve_file(name: str | os.PathLike, suffixes: tuple[str, ...] = ()) -> Path:
    """A lesson parameter naming a file: a path as given, or a registry dataset's file.

    A name without a dot or a path separator that is not a file is looked up in the
    registry (``course data list``) and fetched once into the cache (``course data fetch``).

    Parameters
    ----------
    name : str or PathLike
    suffixes : tuple of str
        The dataset's first file ending in one of these is returned (e.g. ``(".vcf.gz",)``);
        empty: its first file.

    Returns
    -------
    Path

    Introduced in: 10_genome_intervals
    """
    if _is_path(name):
        return Path(name)
    folder, files = _fetch_dataset(name)
    wanted = [p for p in files if p.name.endswith(suffixes)] if suffixes else files
    if not wanted:
        raise GenomeDataError(f"registry dataset {name!r} holds no {' or '.join(suffixes)} "
                              f"file in {folder}")
    return wanted[0]


def _is_path(name: str | os.PathLike) -> bool:
    """A file, or what looks like one (a folder in it, or a suffix): not a registry name."""
    path = Path(name)
    return path.exists() or os.sep in str(name) or "." in path.name


def _fetch_dataset(name: str | os.PathLike) -> tuple[Path, list[Path]]:
    from course_lib import data

    known = data.load_registry()
    if str(name) not in known:
        raise GenomeDataError(f"{name!r} is neither a file nor a registered dataset (known: "
                              f"{', '.join(sorted(known))}); pass a path or 'simulated'")
    folder = data.fetch(str(name))
    return folder, sorted(p for p in folder.iterdir()
                          if not p.name.endswith((".sha256", ".part")))


def _one_fasta(folder: Path, files: list[Path], name) -> Path:
    """The registry's FASTA files, unzipped and joined once into ``<folder>/genome.fa``."""
    import gzip
    import shutil

    joined = folder / "genome.fa"
    if joined.is_file():
        return joined
    parts = [p for p in files if p.name.endswith((".fa", ".fa.gz", ".fasta", ".fasta.gz"))]
    if not parts:
        raise GenomeDataError(f"registry dataset {name!r} holds no FASTA file in {folder}")
    part = joined.with_suffix(".fa.part")
    with open(part, "wb") as out:
        for p in parts:
            with (gzip.open if p.name.endswith(".gz") else open)(p, "rb") as handle:
                shutil.copyfileobj(handle, out)
    part.rename(joined)
    return joined


# --------------------------------------------------------------------------------------
# Windows, GC content and background
# --------------------------------------------------------------------------------------

def summit_windows(peaks: pd.DataFrame, window: int, sizes: dict[str, int],
                   source: str = "peaks") -> pd.DataFrame:
    """Windows of ``window`` bp centred on each peak's summit.

    Parameters
    ----------
    peaks : pd.DataFrame
        :func:`read_peaks` output (``chrom``, ``summit``).
    window : int
        Window length in bp.
    sizes : dict
        :func:`chromosome_sizes`; a window past either end of its chromosome is refused.

    Returns
    -------
    pd.DataFrame
        ``chrom``, ``start``, ``end`` (``end - start == window``), one row per peak, in order,
        less the windows that would run past a chromosome's end (a summit closer to the end
        than ``window // 2``): they are dropped and counted in ``attrs["n_past_end"]``. A peak
        interval that itself ends past its chromosome is refused (another assembly).

    Introduced in: 10_genome_intervals
    """
    if int(window) < 1:
        raise GenomeDataError(f"window must be at least 1 bp, got {window} (-p WINDOW)")
    check_chromosomes(peaks["chrom"].unique(), sizes, source)
    start = peaks["summit"].to_numpy() - window // 2
    table = pd.DataFrame({"chrom": peaks["chrom"].to_numpy(), "start": start,
                          "end": start + window})
    length = table["chrom"].map(sizes).to_numpy()
    beyond = peaks["end"].to_numpy() > length
    if beyond.any():
        row = peaks.iloc[int(np.flatnonzero(beyond)[0])]
        line = f", line {row['line']}" if "line" in peaks else ""
        raise GenomeDataError(f"{source}{line}: the interval {row['chrom']}:{row['start']}-"
                              f"{row['end']} ends past the chromosome ({sizes[row['chrom']]:,} "
                              f"bp); {int(beyond.sum())} peak(s) do. Is the genome the peaks' "
                              "assembly? Else drop those records (or clip them: bedClip)")
    past = (table["start"].to_numpy() < 0) | (table["end"].to_numpy() > length)
    table = table[~past].reset_index(drop=True)
    table.attrs["n_past_end"] = int(past.sum())
    return table


def fetch_sequences(genome, windows: pd.DataFrame) -> list[str]:
    """The upper-case bases of every window (``chrom``, ``start``, ``end``), in order.

    Introduced in: 10_genome_intervals
    """
    return [genome[c][int(s):int(e)] for c, s, e in
            zip(windows["chrom"], windows["start"], windows["end"])]


def one_hot_windows(genome, windows: pd.DataFrame) -> np.ndarray:
    """The windows' bases one-hot encoded, shape (n, L, 4), float32; ``N`` is all zeros.

    Introduced in: 10_genome_intervals
    """
    return one_hot_encode(fetch_sequences(genome, windows), unknown="zero")


def base_fractions(sequences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """GC content (among A, C, G, T) and the fraction of other characters (``N``) per sequence.

    Returns
    -------
    gc : np.ndarray, shape (n,)
        ``(G + C) / (A + C + G + T)``; NaN for a window of ``N`` only.
    n_fraction : np.ndarray, shape (n,)

    Introduced in: 10_genome_intervals
    """
    gc = np.empty(len(sequences))
    other = np.empty(len(sequences))
    for i, s in enumerate(sequences):
        b = np.frombuffer(s.upper().encode(), np.uint8)
        strong = np.count_nonzero((b == 67) | (b == 71))
        acgt = strong + np.count_nonzero((b == 65) | (b == 84))
        gc[i] = strong / acgt if acgt else np.nan
        other[i] = 1 - acgt / len(b) if len(b) else 1.0
    return gc, other


def sample_background(genome, peaks: pd.DataFrame, n: int, window: int, how: str = "gc_matched",
                      match_gc: np.ndarray | None = None, chroms: Sequence[str] | None = None,
                      max_n_fraction: float = 0.0, oversample: int = 20,
                      seed: int = 0) -> tuple[pd.DataFrame, int]:
    """Windows from the same genome, away from every peak, as negatives.

    Candidates are drawn uniformly from the genome minus every peak widened by ``window`` on
    both sides (``bioframe``), so no negative overlaps a peak. ``"random"`` keeps the first
    ``n`` usable ones; ``"gc_matched"`` keeps, for each GC value in ``match_gc`` (repeated
    as needed), the unused candidate nearest in GC, so negatives and positives share one GC
    distribution and GC content alone no longer tells them apart.

    Parameters
    ----------
    genome : pyfaidx.Fasta
    peaks : pd.DataFrame
        Every peak (``chrom``, ``start``, ``end``): negatives avoid all of them.
    n : int
        Number of negatives.
    window : int
        Window length in bp.
    how : {"gc_matched", "random"}
    match_gc : np.ndarray, optional
        GC content of the positives (required for ``"gc_matched"``).
    chroms : sequence of str, optional
        Draw only from these chromosomes (one split at a time keeps splits apart).
    max_n_fraction : float
        Skip windows with a larger fraction of non-ACGT bases.
    oversample : int
        Candidates drawn per negative wanted (GC matching needs a wide choice).
    seed : int

    Returns
    -------
    windows : pd.DataFrame
        ``chrom``, ``start``, ``end``, ``gc``; ``n`` rows.
    n_skipped : int
        Candidates skipped for their ``N`` content.

    Introduced in: 10_genome_intervals
    """
    import bioframe

    if how not in ("gc_matched", "random"):
        raise GenomeDataError(f"background {how!r} is not 'gc_matched' or 'random' "
                              "(-p NEGATIVES)")
    if how == "gc_matched" and (match_gc is None or len(match_gc) == 0):
        raise GenomeDataError("gc_matched background needs the positives' GC content")
    sizes = chromosome_sizes(genome)
    chroms = list(sizes) if chroms is None else list(chroms)
    check_chromosomes(chroms, sizes, "the background's chromosomes")
    whole = pd.DataFrame({"chrom": chroms, "start": 0, "end": [sizes[c] for c in chroms]})
    near = peaks[["chrom", "start", "end"]].copy()
    near["start"] = (near["start"] - window).clip(lower=0)
    near["end"] = near["end"] + window
    free = bioframe.subtract(whole, bioframe.merge(near))
    free = free[free["end"] - free["start"] > window].reset_index(drop=True)
    room = (free["end"] - free["start"] - window).to_numpy(np.int64)
    if room.sum() <= 0:
        raise GenomeDataError(f"no {window}-bp window on {chroms} stays clear of the peaks; "
                              "use a smaller WINDOW or more chromosomes")
    fit = int(((free["end"] - free["start"]) // window).sum())  # disjoint windows clear of peaks
    if n > fit:
        raise GenomeDataError(f"{n} background windows of {window} bp are needed but only "
                              f"{fit} fit on {chroms} away from the peaks: lower NEG_RATIO or "
                              "WINDOW, or use more chromosomes")
    rng = np.random.default_rng(seed)
    n_candidates = max(int(n) * (oversample if how == "gc_matched" else 2), 100)
    pick = rng.choice(len(free), size=n_candidates, p=room / room.sum())
    offset = (rng.random(n_candidates) * room[pick]).astype(np.int64)
    start = free["start"].to_numpy()[pick] + offset
    candidates = pd.DataFrame({"chrom": free["chrom"].to_numpy()[pick], "start": start,
                               "end": start + window}).drop_duplicates(ignore_index=True)
    gc, other = base_fractions(fetch_sequences(genome, candidates))
    usable = (other <= max_n_fraction) & ~np.isnan(gc)
    n_skipped = int((~usable).sum())
    candidates, gc = candidates[usable].reset_index(drop=True), gc[usable]
    if len(candidates) < n:
        raise GenomeDataError(f"only {len(candidates)} background windows of {window} bp are "
                              f"usable on {chroms} ({n_skipped} skipped for N); {n} needed: "
                              "lower NEG_RATIO, use more chromosomes or allow more N")
    if how == "random":
        keep = np.arange(n)
    else:
        targets = np.resize(np.asarray(match_gc, float), n)
        keep = _nearest_unused(gc, targets[rng.permutation(n)])
    out = candidates.iloc[keep].reset_index(drop=True)
    out["gc"] = gc[keep]
    return out, n_skipped


def _nearest_unused(values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each target in turn, the index of the nearest value not taken yet."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    taken = np.zeros(len(values), bool)
    chosen = np.empty(len(targets), np.int64)
    for i, t in enumerate(targets):
        j = int(np.searchsorted(sorted_values, t))
        lo, hi = j - 1, j
        while lo >= 0 and taken[lo]:
            lo -= 1
        while hi < len(values) and taken[hi]:
            hi += 1
        if lo < 0 or (hi < len(values) and sorted_values[hi] - t < t - sorted_values[lo]):
            lo = hi
        taken[lo] = True
        chosen[i] = order[lo]
    return chosen


def split_by_chromosome(windows: pd.DataFrame, valid_chroms: Sequence[str],
                        test_chroms: Sequence[str], sizes: dict[str, int]) -> np.ndarray:
    """The split of every window by its chromosome: ``"train"``, ``"valid"`` or ``"test"``.

    Windows around neighbouring summits overlap and share sequence; a random split puts
    copies of the same bases on both sides and the test score rises without any learning.
    Whole chromosomes held out cannot leak.

    Parameters
    ----------
    windows : pd.DataFrame
        With a ``chrom`` column.
    valid_chroms, test_chroms : sequence of str
        Held-out chromosomes (``-p VALID_CHROMS``, ``-p TEST_CHROMS``); disjoint, in the genome.
    sizes : dict
        :func:`chromosome_sizes`.

    Returns
    -------
    np.ndarray of str, shape (n,)

    Introduced in: 10_genome_intervals
    """
    valid_chroms, test_chroms = list(valid_chroms), list(test_chroms)
    check_chromosomes(valid_chroms, sizes, "-p VALID_CHROMS")
    check_chromosomes(test_chroms, sizes, "-p TEST_CHROMS")
    both = sorted(set(valid_chroms) & set(test_chroms))
    if both:
        raise GenomeDataError(f"{both} are both validation and test chromosomes; a chromosome "
                              "belongs to one split (-p VALID_CHROMS, -p TEST_CHROMS)")
    split = np.full(len(windows), "train", dtype=object)
    chrom = windows["chrom"].to_numpy()
    split[np.isin(chrom, valid_chroms)] = "valid"
    split[np.isin(chrom, test_chroms)] = "test"
    for name in ("train", "valid", "test"):
        if not (split == name).any():
            raise GenomeDataError(f"no window falls in the {name} split; choose "
                                  "VALID_CHROMS and TEST_CHROMS that hold peaks and leave "
                                  "others for training")
    return split.astype(str)


# --------------------------------------------------------------------------------------
# Batches read from the genome
# --------------------------------------------------------------------------------------

class GenomeWindows(keras.utils.PyDataset):
    """Batches of one-hot windows read from the genome while the model trains.

    Only the table of coordinates is held in memory; each batch's bases are read from the
    indexed FASTA when Keras asks for it, so a genome-wide peak set trains in the memory of
    one batch. With ``reverse_complement=True`` each window is flipped to the other strand
    with probability 1/2 (a new draw every epoch): a binding site reads on either strand.

    Parameters
    ----------
    genome_path : str or PathLike
        The FASTA (opened per process with :func:`open_genome`).
    windows : pd.DataFrame
        ``chrom``, ``start``, ``end`` (equal lengths) and ``label``.
    batch_size : int
    shuffle : bool
        A new order every epoch (seeded).
    reverse_complement : bool
        Random strand per window and epoch.
    seed : int
    **kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size`` of ``keras.utils.PyDataset``.

    Introduced in: 10_genome_intervals
    """

    def __init__(self, genome_path, windows: pd.DataFrame, batch_size: int = 64,
                 shuffle: bool = True, reverse_complement: bool = True, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        lengths = (windows["end"] - windows["start"]).unique()
        if len(lengths) != 1:
            raise GenomeDataError(f"windows of {len(lengths)} different lengths; batches need "
                                  "one length")
        self.genome_path = str(genome_path)
        self.chrom = windows["chrom"].to_numpy()
        self.start = windows["start"].to_numpy(np.int64)
        self.end = windows["end"].to_numpy(np.int64)
        self.label = windows["label"].to_numpy(np.float32)
        self.batch_size = int(batch_size)
        self.shuffle, self.flip, self.seed = shuffle, reverse_complement, seed
        self.epoch = 0
        self._genome = None
        self._order = self._draw_order()

    def _draw_order(self) -> np.ndarray:
        if not self.shuffle:
            return np.arange(len(self.label))
        return np.random.default_rng((self.seed, self.epoch)).permutation(len(self.label))

    def __len__(self) -> int:
        return -(-len(self.label) // self.batch_size)

    def __getitem__(self, index: int):
        if self._genome is None:
            self._genome = open_genome(self.genome_path)
        rows = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        bases = [self._genome[self.chrom[i]][int(self.start[i]):int(self.end[i])] for i in rows]
        X = one_hot_encode(bases, unknown="zero")
        if self.flip:
            flip = np.random.default_rng((self.seed, self.epoch, index)).random(len(rows)) < 0.5
            X[flip] = reverse_complement(X[flip])
        return X, self.label[rows, None]

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._order = self._draw_order()



# --------------------------------------------------------------------------------------
# The offline stand-in: a small genome and its peaks, in the real formats
# --------------------------------------------------------------------------------------

#: GC content of the stand-in's stretches (isochores) and how strongly peaks prefer each:
#: real genomes alternate GC-poor and GC-rich stretches, and peaks sit mostly in the rich ones.
ISOCHORES = {0.37: 0.25, 0.42: 0.6, 0.48: 1.5, 0.55: 3.0}


def simulate_genome(folder: str | os.PathLike, n_chroms: int = 8, chrom_length: int = 1_000_000,
                    n_peaks: int = 2000, motif: str = "MA0139.2", motif_fraction: float = 0.8,
                    decoy_rate: float = 2e-5, seed: int = 0) -> dict:
    """Write a stand-in genome (``genome.fa`` + ``.fai``) and its peaks (``peaks.narrowPeak``).

    Each chromosome is a chain of stretches of 20-80 kb, each with its own GC content
    (:data:`ISOCHORES`), starts with 10 kb of ``N`` (as assemblies do at telomeres) and has one
    5-kb gap of ``N`` inside. Peaks are placed at least 1 kb apart, preferably in GC-rich
    stretches; ``motif_fraction`` of them carry one site drawn from the JASPAR matrix
    ``motif`` within 20 bp of the summit, on a random strand. ``decoy_rate`` sites per bp are
    planted anywhere (unbound sites, as real genomes have). Each peak's interval spans 50-200
    bp on either side of its summit; narrowPeak's signal is higher where the site is.

    Parameters
    ----------
    folder : str or PathLike
        Created if needed; ``genome.fa``, ``genome.fa.fai`` and ``peaks.narrowPeak`` are
        written (``targets`` in the returned dict say where each site went).
    n_chroms, chrom_length : int
        ``chr1`` ... ``chrN`` of this length.
    n_peaks : int
    motif : str
        JASPAR matrix ID (``pyjaspar``'s copy, no download); CTCF by default.
    motif_fraction, decoy_rate : float
    seed : int

    Returns
    -------
    dict
        ``genome``, ``peaks`` (paths), the parameters, ``motif_name`` and ``sites`` (a
        DataFrame: ``chrom``, ``position``, ``strand``, ``kind`` "peak" or "decoy").

    Introduced in: 10_genome_intervals
    """
    import pyfaidx

    from course_lib.motifs import load_jaspar_motif
    from course_lib.simulation import sample_from_pwm

    if n_chroms < 3:
        raise GenomeDataError("the stand-in needs at least 3 chromosomes (train, valid, test)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    jaspar = load_jaspar_motif(motif)
    pwm = jaspar.pwm
    levels = np.array(list(ISOCHORES))
    preference = np.array(list(ISOCHORES.values()))
    chroms, stretches = {}, []
    for c in range(1, n_chroms + 1):
        name = f"chr{c}"
        codes = np.empty(chrom_length, np.uint8)
        pos = 0
        while pos < chrom_length:
            size = min(int(rng.integers(20_000, 80_000)), chrom_length - pos)
            level = int(rng.integers(len(levels)))
            gc = levels[level]
            p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
            codes[pos:pos + size] = rng.choice(4, size=size, p=p)
            stretches.append((name, pos, pos + size, preference[level]))
            pos += size
        chroms[name] = np.frombuffer(b"ACGT", np.uint8)[codes]
    gaps = {}
    for name, seq in chroms.items():
        seq[:10_000] = ord("N")
        gap = int(rng.integers(50_000, chrom_length - 50_000))
        seq[gap:gap + 5_000] = ord("N")
        gaps[name] = (gap, gap + 5_000)
    # peaks: stretches weighted by length x preference, at least 1 kb apart, clear of N
    weight = np.array([(hi - lo) * w for _, lo, hi, w in stretches])
    summits, taken = [], {name: [] for name in chroms}
    for tries in range(50 * n_peaks):
        if len(summits) == n_peaks:
            break
        name, lo, hi, _ = stretches[int(rng.choice(len(stretches), p=weight / weight.sum()))]
        s = int(rng.integers(lo + 300, max(hi - 300, lo + 301)))
        if chroms[name][s - 300:s + 300].tobytes().count(b"N") or any(
                abs(s - t) < 1_000 for t in taken[name]):
            continue
        taken[name].append(s)
        summits.append((name, s))
    else:
        raise GenomeDataError(f"{n_peaks} peaks 1 kb apart do not fit in {n_chroms} x "
                              f"{chrom_length:,} bp; ask for fewer peaks or longer chromosomes")
    sites = []
    carries = rng.random(n_peaks) < motif_fraction
    width = len(pwm)
    for (name, s), has in zip(summits, carries):
        if has:
            at = s + int(rng.integers(-20, 21)) - width // 2
            sites.append(_plant(chroms[name], at, pwm, rng, sample_from_pwm) + (name, "peak"))
    n_decoys = int(decoy_rate * n_chroms * chrom_length)
    for _ in range(n_decoys):
        name = f"chr{int(rng.integers(1, n_chroms + 1))}"
        at = int(rng.integers(10_000, chrom_length - width))
        if chroms[name][at:at + width].tobytes().count(b"N"):
            continue
        if any(abs(at - t) < 1_000 for t in taken[name]):
            continue
        sites.append(_plant(chroms[name], at, pwm, rng, sample_from_pwm) + (name, "decoy"))
    genome = folder / "genome.fa"
    with open(genome, "w") as handle:
        for name, seq in chroms.items():
            handle.write(f">{name}\n")
            text = seq.tobytes().decode()
            handle.writelines(text[i:i + 60] + "\n" for i in range(0, len(text), 60))
    pyfaidx.Faidx(str(genome)).close()  # our own folder: the index goes next to the FASTA
    rows = []
    for k, ((name, s), has) in enumerate(sorted(zip(summits, carries),
                                                key=lambda t: (int(t[0][0][3:]), t[0][1]))):
        left, right = int(rng.integers(50, 201)), int(rng.integers(50, 201))
        signal = float(rng.lognormal(2.5 if has else 1.8, 0.4))
        rows.append(f"{name}\t{s - left}\t{s + right}\tpeak_{k + 1}\t{min(1000, int(signal * 40))}"
                    f"\t.\t{signal:.3f}\t{signal * 3:.3f}\t{signal * 2.5:.3f}\t{left}\n")
    peaks = folder / "peaks.narrowPeak"
    peaks.write_text("".join(rows))
    return {"genome": genome, "peaks": peaks, "n_chroms": n_chroms, "chrom_length": chrom_length,
            "n_peaks": n_peaks, "motif": jaspar.matrix_id, "motif_name": jaspar.name,
            "motif_fraction": motif_fraction, "decoy_rate": decoy_rate, "seed": seed,
            "sites": pd.DataFrame(sites, columns=["position", "strand", "chrom", "kind"])}


def _plant(seq: np.ndarray, at: int, pwm: np.ndarray, rng, sample) -> tuple[int, str]:
    site = sample(pwm, 1, seed=rng)[0]
    strand = "+" if rng.random() < 0.5 else "-"
    if strand == "-":
        site = reverse_complement(site)
    seq[at:at + len(site)] = np.frombuffer(site.encode(), np.uint8)
    return at, strand
