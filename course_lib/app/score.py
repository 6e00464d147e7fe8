"""``course score-variants``: score every single-nucleotide variant of a VCF with a trained model.

One row per scored ALT allele: ``chrom pos id ref alt`` and, per model output ``name``,
``name_ref name_alt name_diff name_logit_diff`` (strand-averaged; see
:mod:`course_lib.variants`). Skipped records are summarized on stderr. The table is written to a
temporary name beside ``--out`` and renamed when complete, so ``--out`` never holds half a table.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_score_variants_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="a .keras model (lesson 10 leaves "
                        "runs/10_genome_intervals/model.keras)")
    parser.add_argument("--genome", required=True, help="the FASTA the VCF was called on")
    parser.add_argument("--vcf", required=True, help="VCF or BCF, plain or (b)gzipped")
    parser.add_argument("--out", required=True, help="the table to write (.tsv)")
    parser.add_argument("--window", type=_positive, default=None,
                        help="window in bp (default: the model's input length)")
    parser.add_argument("--batch-size", type=_positive, default=256)
    parser.add_argument("--outputs", default="", help="comma-separated output names to keep "
                        "(default: all, named output0, output1, ...; or NAME=INDEX,...)")
    parser.add_argument("--max-mismatch", type=float, default=0.05,
                        help="refuse the VCF when more REF alleles than this fraction differ "
                        "from the genome (default 0.05)")


def _outputs(spec: str, n_outputs: int) -> tuple[list[int], list[str]]:
    if not spec:
        return list(range(n_outputs)), [f"output{i}" for i in range(n_outputs)]
    indices, names = [], []
    for item in spec.split(","):
        name, _, index = item.partition("=")
        try:
            i = int(index) if index else int(name)
        except ValueError:
            raise ValueError(f"--outputs {spec!r}: give output indices (0,2) or NAME=INDEX "
                             "pairs (ctcf=0)") from None
        if not 0 <= i < n_outputs:
            raise ValueError(f"--outputs: the model has {n_outputs} output(s), 0 to "
                             f"{n_outputs - 1}; got {i}")
        indices.append(i)
        names.append(name if index else f"output{i}")
    return indices, names


def run_score_variants(args: argparse.Namespace) -> int:
    import keras
    from tqdm.auto import tqdm

    from course_lib import genome, training, variants

    out = Path(args.out)
    if not out.parent.is_dir():
        raise FileNotFoundError(f"--out {out}: the folder {out.parent} does not exist; create it "
                                "or write elsewhere")
    fasta = genome.open_genome(args.genome)
    if not Path(args.model).is_file():
        raise FileNotFoundError(f"--model {args.model}: no such model file; give the .keras "
                                "file a run saved (lesson 10 leaves "
                                "runs/10_genome_intervals/model.keras)")
    model = training.load_model(args.model)
    window = args.window or model.input_shape[1]
    if window is None:
        raise ValueError(f"--model {args.model}: the model reads windows of any length; pass "
                         "the one it was trained on with --window (e.g. --window 1000)")
    variants.check_model(model, window, where=f"--model {args.model}")
    indices, names = _outputs(args.outputs, model.output_shape[-1])
    if indices != list(range(model.output_shape[-1])):
        picked = keras.layers.Lambda(lambda y: keras.ops.take(y, indices, axis=-1))
        model = keras.Model(model.inputs, picked(model.outputs[0]))
    report: dict = {}
    blocks = variants.prepare_blocks(fasta, args.vcf, window, args.max_mismatch, report)
    part = out.with_name(f".{out.name}.part-{os.getpid()}")
    columns = ["chrom", "pos", "id", "ref", "alt"] + [
        f"{n}_{s}" for n in names for s in ("ref", "alt", "diff", "logit_diff")]
    try:
        with open(part, "w") as handle, tqdm(unit="variant", disable=None,
                                             file=sys.stderr) as bar:
            handle.write("\t".join(columns) + "\n")
            for block in blocks:  # the VCF a block at a time: memory does not grow with it
                for chunk in variants.score_chunks(model, fasta, block, window, names,
                                                   args.batch_size):
                    chunk[columns].to_csv(handle, sep="\t", header=False, index=False,
                                          float_format="%.6g")
                    bar.update(len(chunk))
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    skipped = ", ".join(f"{k} {v:,}" for k, v in report["skipped"].items() if v) or "none"
    print(f"scored {report['n_scored']:,} of {report['n_variants']:,} ALT alleles into {out}; "
          f"skipped: {skipped}", file=sys.stderr)
    return 0
