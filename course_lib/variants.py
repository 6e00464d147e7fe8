"""Genetic variants scored by a trained sequence model: reading a VCF, checking it against the
genome, building reference and alternative windows, and the scores.

For each single-nucleotide variant and each model output the scores are ``ref`` and ``alt`` (the
predicted probabilities of the two windows, each averaged over both strands), ``diff``
(``alt - ref``) and ``logit_diff`` (``logit(alt) - logit(ref)``, the change in log-odds). A
variant's first reference base sits at 0-based index ``window // 2`` of both windows.

The VCF is read with ``cyvcf2`` (htslib underneath: plain, gzipped or bgzipped VCF and BCF,
fast on millions of records). Indels, symbolic alleles (``<DEL>``) and breakends are skipped
and counted: an indel shifts every base after it, so its windows are not comparable base by
base without a re-centring rule this module does not make.

Introduced in: 11_variant_effects
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from course_lib.genome import GenomeDataError, chromosome_sizes
from course_lib.sequences import one_hot_encode, reverse_complement

#: Why a VCF record was not scored (keys of the ``skipped`` counts).
SKIP_REASONS = ("indel", "symbolic", "ref_mismatch", "ref_not_acgt", "other_chromosome",
                "near_chromosome_end")


def read_variants(path: str | os.PathLike, sizes: dict[str, int]) -> tuple[pd.DataFrame, dict]:
    """Single-nucleotide variants of a VCF, one row per ALT allele, all in memory.

    :func:`iter_variants` reads the same rows a block at a time (what ``course score-variants``
    does, so memory does not grow with the VCF); this joins the blocks.

    Parameters
    ----------
    path : str or PathLike
        VCF or BCF, plain or (b)gzipped.
    sizes : dict
        :func:`course_lib.genome.chromosome_sizes` of the genome the VCF must match.

    Returns
    -------
    variants : pd.DataFrame
        ``chrom``, ``pos`` (1-based, as in the VCF), ``id``, ``ref``, ``alt`` (upper case).
    skipped : dict
        Records (ALT alleles) not kept, by reason: ``indel``, ``symbolic`` (``<...>``,
        ``*``, breakends), ``other_chromosome`` (a chromosome the genome lacks).

    Raises
    ------
    GenomeDataError
        A file that is not a VCF, is cut short, names no chromosome of the genome, or has a
        position past its chromosome's end.

    Introduced in: 11_variant_effects
    """
    blocks, skipped = [], {}
    for block, skipped in iter_variants(path, sizes):
        blocks.append(block)
    columns = ["chrom", "pos", "id", "ref", "alt"]
    table = pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=columns)
    return table, dict(skipped)


def iter_variants(path: str | os.PathLike, sizes: dict[str, int],
                  block: int = 65_536) -> Iterator[tuple[pd.DataFrame, dict]]:
    """The rows of :func:`read_variants`, ``block`` at a time, with the skip counts so far.

    Introduced in: 11_variant_effects
    """
    from cyvcf2 import VCF

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such VCF; pass a path (-p VCF PATH / --vcf) or "
                                "'simulated'")
    skipped = dict.fromkeys(("indel", "symbolic", "other_chromosome"), 0)
    rows: list[tuple] = []
    names: dict[str, str] = {}  # one string per chromosome name, not one per record
    n_kept = 0
    seen_chroms: set[str] = set()
    first_unknown = ""
    try:
        reader = VCF(str(path), lazy=True, threads=1)
    except Exception as err:  # noqa: BLE001 - cyvcf2 raises a bare Exception (a cut header)
        raise GenomeDataError(f"{path}: not a VCF that htslib can open ({err}); a VCF starts "
                              "with '##fileformat=VCFv4.x' and a '#CHROM' header line, and a "
                              "(b)gzipped one cut short fails here: download it again or check "
                              "it with `bcftools view -h`") from None
    last = "its header"
    try:
        for record in reader:
            chrom = record.CHROM
            last = f"{chrom}:{record.POS}"
            seen_chroms.add(chrom)
            ref = record.REF.upper()
            for alt in record.ALT:
                alt = alt.upper()
                if alt.startswith("<") or alt == "*" or "[" in alt or "]" in alt or "." in alt:
                    skipped["symbolic"] += 1
                elif len(ref) != 1 or len(alt) != 1:
                    skipped["indel"] += 1
                elif chrom not in sizes:
                    skipped["other_chromosome"] += 1
                    first_unknown = first_unknown or last
                else:
                    if record.POS > sizes[chrom]:
                        raise GenomeDataError(
                            f"{path}: {chrom}:{record.POS} lies past the end of {chrom} "
                            f"({sizes[chrom]:,} bp in the genome): the VCF is for another "
                            "assembly (e.g. GRCh37 vs GRCh38); use the genome it was called on")
                    rows.append((names.setdefault(chrom, chrom), int(record.POS),
                                 record.ID or ".", ref, alt))
            if len(rows) >= block:
                n_kept += len(rows)
                yield pd.DataFrame(rows, columns=["chrom", "pos", "id", "ref", "alt"]), skipped
                rows = []
    except Exception as err:  # htslib reports a cut gzip or a bad line as a generic exception
        if isinstance(err, GenomeDataError):
            raise
        raise GenomeDataError(f"{path}: reading stopped after {last} ({n_kept + len(rows):,} "
                              f"variants read; {err}); is the file cut short or not a VCF? "
                              "Download it again or check it with `bcftools view`") from None
    finally:
        reader.close()
    if not rows and not n_kept and skipped["other_chromosome"]:
        _refuse_chromosomes(path, first_unknown, seen_chroms, sizes)
    yield pd.DataFrame(rows, columns=["chrom", "pos", "id", "ref", "alt"]), skipped  # the rest


def _refuse_chromosomes(path: Path, first: str, names: set[str], sizes: dict[str, int]) -> None:
    missing = sorted(names - set(sizes))
    shown = ", ".join(repr(m) for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
    has = ", ".join(repr(n) for n in list(sizes)[:5]) + (", ..." if len(sizes) > 5 else "")
    renamed = {m[3:] if m.startswith("chr") else "chr" + m for m in missing}
    if renamed & set(sizes):
        fix = ("Only the 'chr' prefix differs (UCSC names chr1, Ensembl and NCBI name 1): rename "
               "the VCF's chromosomes with `bcftools annotate --rename-chrs map.txt` (lines such "
               "as '1 chr1'), or use a genome named as the VCF is")
    else:
        fix = ("The VCF and the genome must come from the same assembly: use the genome it "
               "was called on")
    raise GenomeDataError(f"{path}: no variant lies on a chromosome of the genome (first: "
                          f"{first}; "
                          f"the VCF names {shown}, the genome has {has}). {fix}")


def check_reference(genome, variants: pd.DataFrame, path: str = "the VCF",
                    max_mismatch: float | None = 0.05) -> tuple[np.ndarray, int]:
    """Compare each variant's REF with the genome's base at its position.

    A few mismatches happen (errors in the VCF, ``N`` in the genome); many mean the VCF was
    called on another genome build, and every score would be computed on the wrong sequence.

    Returns
    -------
    matches : np.ndarray of bool, shape (n,)
    n_mismatches : int

    Raises
    ------
    GenomeDataError
        More than ``max_mismatch`` of the variants disagree with the genome.

    Introduced in: 11_variant_effects
    """
    bases = np.array([genome[c][p - 1:p] for c, p in zip(variants["chrom"], variants["pos"])],
                     dtype=object)
    matches = bases == variants["ref"].to_numpy(dtype=object)
    n_bad = int((~matches).sum())
    if max_mismatch is not None and len(variants) and n_bad / len(variants) > max_mismatch:
        _refuse_build(path, n_bad, len(variants), _mismatch_example(genome, variants, matches),
                      max_mismatch)
    return matches.astype(bool), n_bad


def _mismatch_example(genome, variants: pd.DataFrame, matches: np.ndarray) -> str:
    """The first variant whose REF is not the genome's base, as the refusal shows it."""
    i = int(np.flatnonzero(~matches)[0])
    chrom, pos = variants["chrom"].iloc[i], int(variants["pos"].iloc[i])
    return f"{chrom}:{pos} REF {variants['ref'].iloc[i]}, genome {genome[chrom][pos - 1:pos]}"


def _refuse_build(path, n_bad: int, n: int, example: str, max_mismatch: float) -> None:
    raise GenomeDataError(
        f"{path}: REF differs from the genome at {n_bad:,} of {n:,} variants (e.g. {example}). "
        f"More than {max_mismatch:.0%} means another genome build: score with the genome the "
        "VCF was called on (GRCh37 and GRCh38 differ in coordinates)")


def variant_windows(genome, variants: pd.DataFrame, window: int) -> tuple[np.ndarray, np.ndarray]:
    """One-hot reference and alternative windows, shape (n, window, 4) each.

    The variant's base is at 0-based index ``window // 2``; the alternative window differs
    from the reference window there only.

    Introduced in: 11_variant_effects
    """
    centre = window // 2
    seqs = [genome[c][p - 1 - centre:p - 1 - centre + window]
            for c, p in zip(variants["chrom"], variants["pos"])]
    ref = one_hot_encode(seqs, unknown="zero")
    alt = ref.copy()
    alt[:, centre, :] = one_hot_encode(list(variants["alt"]), unknown="zero")[:, 0, :]
    return ref, alt


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), 1e-7, 1 - 1e-7)
    return np.log(p) - np.log1p(-p)


def _both_strands(model, X: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    forward = model.predict(X, batch_size=batch_size, verbose=0)
    reverse = model.predict(reverse_complement(X), batch_size=batch_size, verbose=0)
    return forward, reverse


def score_chunks(model, genome, variants: pd.DataFrame, window: int,
                 output_names: list[str] | None = None, batch_size: int = 256,
                 chunk: int = 8192) -> Iterator[pd.DataFrame]:
    """Score variants a chunk at a time (memory stays that of one chunk).

    Each chunk's rows are those of ``variants`` with, per output ``name``, the columns
    ``name_ref``, ``name_alt``, ``name_diff``, ``name_logit_diff`` (strand-averaged), and
    ``name_logit_diff_fwd`` / ``name_logit_diff_rev`` (each strand alone).

    Introduced in: 11_variant_effects
    """
    for start in range(0, len(variants), chunk):
        part = variants.iloc[start:start + chunk].reset_index(drop=True)
        ref, alt = variant_windows(genome, part, window)
        (ref_f, ref_r), (alt_f, alt_r) = (_both_strands(model, X, batch_size) for X in (ref, alt))
        names = output_names or [f"output{i}" for i in range(ref_f.shape[1])]
        if len(names) != ref_f.shape[1]:
            raise ValueError(f"{len(names)} output names for a model of {ref_f.shape[1]} outputs")
        columns = {}
        for i, name in enumerate(names):
            p_ref = (ref_f[:, i] + ref_r[:, i]) / 2
            p_alt = (alt_f[:, i] + alt_r[:, i]) / 2
            columns[f"{name}_ref"] = p_ref
            columns[f"{name}_alt"] = p_alt
            columns[f"{name}_diff"] = p_alt - p_ref
            columns[f"{name}_logit_diff"] = _logit(p_alt) - _logit(p_ref)
            columns[f"{name}_logit_diff_fwd"] = _logit(alt_f[:, i]) - _logit(ref_f[:, i])
            columns[f"{name}_logit_diff_rev"] = _logit(alt_r[:, i]) - _logit(ref_r[:, i])
        yield pd.concat([part, pd.DataFrame(columns)], axis=1)


def prepare(genome, vcf_path, window: int,
            max_mismatch: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """Read a VCF and keep what can be scored: SNVs on the genome, REF matching, whole windows.

    Returns
    -------
    variants : pd.DataFrame
        ``chrom``, ``pos``, ``id``, ``ref``, ``alt`` of the variants to score.
    report : dict
        ``n_variants`` (ALT alleles read), ``n_scored``, ``ref_mismatches`` and ``skipped``
        (counts by reason, :data:`SKIP_REASONS`).

    Introduced in: 11_variant_effects
    """
    report: dict = {}
    blocks = list(prepare_blocks(genome, vcf_path, window, max_mismatch, report, block=2**62))
    return pd.concat(blocks, ignore_index=True), report


def prepare_blocks(genome, vcf_path, window: int, max_mismatch: float = 0.05,
                   report: dict | None = None, block: int = 65_536) -> Iterator[pd.DataFrame]:
    """:func:`prepare` a block at a time: memory stays that of one block however long the VCF.

    The REF check counts mismatches over every block read so far and refuses the VCF as soon as
    they exceed ``max_mismatch`` of at least 1,000 variants (another build shows in the first
    block), and over all of them at the end (the caller keeps its output unfinished till then).
    ``report`` (a dict, filled in place) holds :func:`prepare`'s report once the blocks are done.

    Introduced in: 11_variant_effects
    """
    sizes = chromosome_sizes(genome)
    report = {} if report is None else report
    report.update(n_variants=0, n_scored=0, ref_mismatches=0,
                  skipped=dict.fromkeys(SKIP_REASONS, 0))
    own = dict.fromkeys(("ref_mismatch", "ref_not_acgt", "near_chromosome_end"), 0)
    n_snvs, example, skipped = 0, "", {}
    for variants, skipped in iter_variants(vcf_path, sizes, block):
        matches, n_bad = check_reference(genome, variants, str(vcf_path), None)
        n_snvs += len(variants)
        own["ref_mismatch"] += n_bad
        if n_bad and not example:
            example = _mismatch_example(genome, variants, matches)
        if n_snvs >= 1000 and own["ref_mismatch"] / n_snvs > max_mismatch:  # early, on enough
            _refuse_build(vcf_path, own["ref_mismatch"], n_snvs, example, max_mismatch)
        not_acgt = ~variants["ref"].isin(list("ACGT")).to_numpy() | ~variants["alt"].isin(
            list("ACGT")).to_numpy()
        own["ref_not_acgt"] += int((not_acgt & matches).sum())
        centre = window // 2
        length = variants["chrom"].map(sizes).to_numpy()
        pos0 = variants["pos"].to_numpy() - 1
        inside = (pos0 - centre >= 0) & (pos0 - centre + window <= length)
        keep = matches & ~not_acgt
        own["near_chromosome_end"] += int((keep & ~inside).sum())
        kept = variants[keep & inside].reset_index(drop=True)
        report["skipped"] = {reason: {**skipped, **own}.get(reason, 0) for reason in SKIP_REASONS}
        report.update(n_variants=n_snvs + sum(skipped.values()),
                      ref_mismatches=own["ref_mismatch"], n_scored=report["n_scored"] + len(kept))
        yield kept
    if n_snvs and own["ref_mismatch"] / n_snvs > max_mismatch:
        _refuse_build(vcf_path, own["ref_mismatch"], n_snvs, example, max_mismatch)


def check_model(model, window: int, where: str = "--model") -> None:
    """Refuse a model whose input is not (window, 4) one-hot DNA.

    Introduced in: 11_variant_effects
    """
    shape = tuple(model.input_shape)
    if len(shape) != 3 or shape[2] != 4:
        raise GenomeDataError(f"{where}: the model takes input of shape {shape[1:]}; variant "
                              "scoring needs one-hot DNA of shape (window, 4)")
    if shape[1] is not None and shape[1] != window:
        raise GenomeDataError(f"{where}: the model reads {shape[1]}-bp windows but the window "
                              f"is {window} bp; pass --window {shape[1]} (-p WINDOW {shape[1]})")


def simulate_variants(standin: dict, path: str | os.PathLike, n_per_class: int = 150,
                      seed: int = 0) -> pd.DataFrame:
    """Write a VCF of single-nucleotide variants on lesson 10's stand-in genome, with truth.

    Four classes, ``n_per_class`` each: ``core`` changes a high-information base (at least
    1 bit) of a planted CTCF site at a peak to the base the matrix finds least likely (it
    breaks the site); ``flank`` changes a base 15-60 bp beside such a site (inside the
    window, outside the site); ``background`` changes a base at least 2 kb from every peak;
    ``create`` changes one base far from peaks and planted sites so that the motif matches
    where it did not (:func:`find_created_sites`). The ALT of ``flank`` and ``background`` is a
    random other base.

    Parameters
    ----------
    standin : dict
        :func:`course_lib.genome.resolve_genome`'s description of the stand-in (``genome``,
        ``peaks``, ``motif``, ``sites``); ``None`` (a genome of your own) is refused.
    path : str or PathLike
        The VCF to write (plain text, sorted by chromosome and position).
    n_per_class : int
    seed : int

    Returns
    -------
    pd.DataFrame
        ``chrom``, ``pos``, ``id``, ``ref``, ``alt``, ``kind``: the truth, in the VCF's order.

    Introduced in: 11_variant_effects
    """
    from course_lib.genome import open_genome, read_peaks
    from course_lib.motifs import information_content, load_jaspar_motif

    if not standin:
        raise GenomeDataError("the simulated VCF is written on lesson 10's stand-in genome, with "
                              "its truth; with a genome of your own (-p GENOME ...) pass a VCF "
                              "called on it (-p VCF PATH), or use -p GENOME simulated")
    rng = np.random.default_rng(seed)
    fasta = open_genome(standin["genome"])
    sizes = chromosome_sizes(fasta)
    pwm = load_jaspar_motif(standin["motif"]).pwm
    strong = np.flatnonzero(information_content(pwm) >= 1.0)
    sites = standin["sites"]
    sites = sites[sites["kind"] == "peak"].reset_index(drop=True)
    if not 0 < n_per_class <= len(sites):
        raise GenomeDataError(
            f"n_per_class={n_per_class}: the stand-in has {len(sites)} planted sites at peaks "
            f"to draw core and flank variants from; ask for 1 to {len(sites)} "
            f"(-p N_PER_CLASS {min(150, len(sites))})")
    complement = dict(zip("ACGT", "TGCA"))
    rows = []
    for i in rng.choice(len(sites), size=n_per_class, replace=False):
        site = sites.iloc[int(i)]
        j = int(rng.choice(strong))
        weakest = "ACGT"[int(np.argmin(pwm[j]))]
        if site["strand"] == "+":
            at, alt = int(site["position"]) + j, weakest
        else:
            at, alt = int(site["position"]) + len(pwm) - 1 - j, complement[weakest]
        rows.append((site["chrom"], at, alt, "core"))
    for i in rng.choice(len(sites), size=n_per_class, replace=False):
        site = sites.iloc[int(i)]
        offset = int(rng.integers(15, 61))
        at = (int(site["position"]) - offset if rng.random() < 0.5
              else int(site["position"]) + len(pwm) - 1 + offset)
        rows.append((site["chrom"], at, None, "flank"))
    peaks = read_peaks(standin["peaks"])
    summits = {c: np.sort(g["summit"].to_numpy()) for c, g in peaks.groupby("chrom")}
    while sum(r[3] == "background" for r in rows) < n_per_class:
        chrom = str(rng.choice(list(sizes)))
        at = int(rng.integers(20_000, sizes[chrom] - 20_000))
        near = summits.get(chrom, np.array([], np.int64))
        k = np.searchsorted(near, at)
        if any(abs(at - near[m]) < 2_000 for m in (k - 1, k) if 0 <= m < len(near)):
            continue
        if fasta[chrom][at:at + 1] not in "ACGT":
            continue
        rows.append((chrom, at, None, "background"))
    records = []
    for chrom, at, alt, kind in rows:
        ref = fasta[chrom][at:at + 1]
        if alt is None or alt == ref:
            alt = str(rng.choice([b for b in "ACGT" if b != ref]))
        records.append((chrom, at + 1, ref, alt, kind))
    taken = pd.concat([standin["sites"][["chrom", "position"]],
                       pd.DataFrame([(r[0], r[1]) for r in rows], columns=["chrom", "position"]),
                       peaks[["chrom", "summit"]].rename(columns={"summit": "position"})])
    created = find_created_sites(fasta, pwm, avoid=taken)
    if len(created) < n_per_class:
        raise GenomeDataError(
            f"the stand-in has {len(created)} places where one base creates a motif match, "
            f"fewer than n_per_class={n_per_class}; ask for fewer (-p N_PER_CLASS "
            f"{len(created)}) or simulate a longer genome")
    for row in created.iloc[rng.permutation(len(created))[:n_per_class]].itertuples():
        records.append((row.chrom, row.position + 1, row.ref, row.alt, "create"))
    truth = pd.DataFrame(records, columns=["chrom", "pos", "ref", "alt", "kind"])
    truth = truth.drop_duplicates(["chrom", "pos"]).sort_values(
        ["chrom", "pos"], key=lambda s: s.map(list(sizes).index) if s.name == "chrom" else s)
    truth.insert(2, "id", [f"sim{i + 1}" for i in range(len(truth))])
    truth = truth.reset_index(drop=True)
    with open(path, "w") as handle:
        handle.write("##fileformat=VCFv4.2\n##source=course_lib.variants.simulate_variants\n"
                     '##INFO=<ID=KIND,Number=1,Type=String,Description="core, flank, '
                     'background or create">\n')
        handle.writelines(f"##contig=<ID={c},length={n}>\n" for c, n in sizes.items())
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        handle.writelines(f"{r.chrom}\t{r.pos}\t{r.id}\t{r.ref}\t{r.alt}\t.\tPASS\tKIND={r.kind}\n"
                          for r in truth.itertuples())
    return truth


def find_created_sites(genome, pwm: np.ndarray, avoid: pd.DataFrame | None = None,
                       before: float = 8.0, after: float = 12.0, window: int = 200,
                       distance: int = 2_000) -> pd.DataFrame:
    """Single-base changes that create a motif match where the genome has none.

    Every placement of ``pwm`` on both strands is scored (:func:`course_lib.motifs.log_odds`)
    with its best single-base change. A change is kept when it lifts a placement to at least
    ``after`` bits while no placement within ``window // 2`` bp scores ``before`` bits or more
    (so the window around it held no site), at least ``distance`` bp from every position in
    ``avoid`` and from a chromosome's ends, with only A/C/G/T within ``window // 2`` bp. Of
    changes nearer each other than ``distance`` bp, the first is kept.

    Parameters
    ----------
    genome : pyfaidx.Fasta
        :func:`course_lib.genome.open_genome`'s reader.
    pwm : np.ndarray, shape (w, 4)
    avoid : pd.DataFrame, optional
        ``chrom`` and ``position`` (0-based) to keep away from: peaks, planted sites.
    before, after : float
        Bits (CTCF's matrix scores at most about 22; sites drawn from it, 16 on average).
    window, distance : int

    Returns
    -------
    pd.DataFrame
        ``chrom``, ``position`` (0-based), ``ref``, ``alt``, ``before`` (the window's best
        placement, bits), ``after`` (the new site's score).

    Introduced in: 11_variant_effects
    """
    from course_lib.motifs import log_odds

    forward = log_odds(pwm)
    w, half = len(forward), window // 2
    codes = np.full(256, 4, np.int64)
    codes[np.frombuffer(b"ACGTacgt", np.uint8)] = [0, 1, 2, 3] * 2
    found = []
    for chrom in chromosome_sizes(genome):
        seq = genome[chrom][:]
        c = codes[np.frombuffer(seq.encode(), np.uint8)]
        n = len(c) - w + 1
        if n <= 2 * distance:
            continue
        best = np.full(n, -np.inf)
        strands = []
        for matrix in (forward, forward[::-1, ::-1]):  # the reverse strand on forward bases
            scores = np.concatenate([matrix, np.full((w, 1), -1e9)], axis=1)  # N: -1e9
            total, gain = np.zeros(n), np.full(n, -np.inf)
            where, base = np.zeros(n, np.int64), np.zeros(n, np.int64)
            for j in range(w):
                got = scores[j, c[j:j + n]]
                total += got
                lift = matrix[j].max() - got
                better = lift > gain
                gain[better], where[better] = lift[better], j
                base[better] = matrix[j].argmax()
            best = np.maximum(best, total)
            strands.append((total, gain, where, base))
        # the best existing placement within `half` bp of each start
        nearby = _running_max(best, half)
        for total, gain, where, base in strands:
            ok = (total > -1e6) & (total + gain >= after) & (nearby < before)  # no N in it
            ok[:distance] = ok[n - distance:] = False
            for i in np.flatnonzero(ok):
                at = int(i + where[i])
                if (c[at - half:at + half] < 4).all():
                    found.append((chrom, at, seq[at].upper(), "ACGT"[base[i]],
                                  float(nearby[i]), float(total[i] + gain[i])))
    table = pd.DataFrame(found, columns=["chrom", "position", "ref", "alt", "before", "after"])
    table = table.sort_values(["chrom", "position"], kind="stable")
    keep, last, taken = [], {}, {}
    if avoid is not None:
        taken = {c: np.sort(g["position"].to_numpy()) for c, g in avoid.groupby("chrom")}
    for row in table.itertuples():
        near = taken.get(row.chrom, np.array([], np.int64))
        k = np.searchsorted(near, row.position)
        clash = any(abs(row.position - near[m]) < distance for m in (k - 1, k)
                    if 0 <= m < len(near))
        if clash or row.position - last.get(row.chrom, -distance) < distance:
            continue
        keep.append(row.Index)
        last[row.chrom] = row.position
    return table.loc[keep].reset_index(drop=True)


def _running_max(x: np.ndarray, half: int) -> np.ndarray:
    """``max(x[i - half : i + half + 1])`` for every ``i`` (clipped at the ends)."""
    from scipy.ndimage import maximum_filter1d

    return maximum_filter1d(x, size=2 * half + 1, mode="nearest")
