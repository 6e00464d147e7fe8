"""DeepSEA's training data: the three ``.mat`` files, their 919 targets, a streaming
tf.data pipeline, a stratified subset, and an offline stand-in written in the same layout.

The layout (DeepSEA's readme and DanQ's loading code), with N rows and T = 919 targets:

============  ==========================  =====================  =====================
file          format                      sequences              labels
============  ==========================  =====================  =====================
train.mat     MATLAB v7.3 (HDF5, h5py)    ``trainxdata`` (1000,  ``traindata`` (T, N)
                                          4, N) uint8
valid.mat     MATLAB v5 (scipy.io)        ``validxdata`` (N, 4,  ``validdata`` (N, T)
                                          1000) uint8
test.mat      MATLAB v5 (scipy.io)        ``testxdata`` (N, 4,   ``testdata`` (N, T)
                                          1000) uint8
============  ==========================  =====================  =====================

One-hot channels are in A, G, C, T order in the files; everything this module returns is
channels-last ``(n, 1000, 4)`` in the course's A, C, G, T order. Each set holds every
region twice: N/2 forward rows, then their N/2 reverse complements in the same order.

Introduced in: 05_danq_deepsea
"""

from __future__ import annotations

import contextlib

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Channel order of the one-hot arrays inside DeepSEA's files.
FILE_ALPHABET = "AGCT"
#: Permutation from the file's A, G, C, T channels to A, C, G, T (its own inverse).
_TO_ACGT = np.array([0, 2, 1, 3])
#: file name, sequence key, label key, per split.
SPLITS = {
    "train": ("train.mat", "trainxdata", "traindata"),
    "valid": ("valid.mat", "validxdata", "validdata"),
    "test": ("test.mat", "testxdata", "testdata"),
}
#: Label columns of the real data by assay class, 0-based half-open (columns 1-125 DNase, ...).
ASSAY_COLUMNS = {"DNase": (0, 125), "TF": (125, 815), "Histone": (815, 919)}
#: Published mean ROC AUC / PR AUC over the 919 targets on the test set (DanQ paper, Table 1).
PUBLISHED = {"DeepSEA": {"roc_auc": 0.9046, "pr_auc": 0.4463},
             "DanQ": {"roc_auc": 0.9109, "pr_auc": 0.4698}}


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------

def _split_path(directory: str | Path, split: str) -> Path:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    path = Path(directory) / SPLITS[split][0]
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist; pass the folder that holds train.mat, valid.mat and "
            "test.mat (course train --data FOLDER, in lesson 08 -p DEEPSEA FOLDER, in lessons "
            "05 and 09 -p DATA FOLDER; 'deepsea' fetches the real data, 'simulated' makes a "
            "stand-in)"
        )
    return path


@dataclass
class SplitReader:
    """Row-range access to one split, whatever its file format.

    Use :func:`open_split` to make one. ``read(start, stop)`` returns
    ``X`` uint8 (n, L, 4) in A, C, G, T order and ``y`` uint8 (n, T).

    Introduced in: 05_danq_deepsea
    """

    path: Path
    n_rows: int
    seq_len: int
    n_targets: int
    _x: object = None
    _y: object = None
    _hdf5: bool = False

    def read(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        if self._hdf5:  # (L, 4, N): slice the last axis, then transpose
            x = np.asarray(self._x[:, :, start:stop]).transpose(2, 0, 1)
        else:  # (N, 4, L)
            x = self._x[start:stop].transpose(0, 2, 1)
        _check_one_hot(self.path, x, start)
        return np.ascontiguousarray(x[:, :, _TO_ACGT], dtype=np.uint8), self.read_labels(start, stop)

    def read_labels(self, start: int, stop: int) -> np.ndarray:
        """Labels only, uint8 (n, T): reading them never touches the sequences."""
        y = np.asarray(self._y[:, start:stop]).T if self._hdf5 else self._y[start:stop]
        _check_binary(self.path, y, start)
        return y.astype(np.uint8)

    def read_rows(self, rows: np.ndarray, chunk_rows: int = 8192) -> tuple[np.ndarray, np.ndarray]:
        """Rows at sorted indices ``rows``, read chunk by chunk (no fancy HDF5 indexing)."""
        rows = np.asarray(rows, dtype=np.int64)
        xs, ys = [], []
        for start in range(0, self.n_rows, chunk_rows):
            inside = rows[(rows >= start) & (rows < start + chunk_rows)]
            if len(inside):
                x, y = self.read(start, int(inside[-1]) + 1)
                xs.append(x[inside - start])
                ys.append(y[inside - start])
        if not xs:
            return np.zeros((0, self.seq_len, 4), np.uint8), np.zeros((0, self.n_targets), np.uint8)
        return np.concatenate(xs), np.concatenate(ys)

    def close(self) -> None:
        if self._hdf5:
            self._x.file.close()


def _check_one_hot(path: Path, x: np.ndarray, start: int) -> None:
    """Refuse inputs that are not one-hot: values 0/1, at most one base per position."""
    bad = (x > 1).any(axis=(1, 2)) | (x.sum(axis=2, dtype=np.int64) > 1).any(axis=1)
    if bad.any():
        row = start + int(np.argmax(bad))
        raise ValueError(
            f"{path}: the sequences are not one-hot (row {row} has a value above 1 or two bases "
            "at one position; values seen: "
            f"{sorted(np.unique(x[int(np.argmax(bad))]).tolist())[:6]}). A DeepSEA-layout file "
            f"stores each base as 0/1 in 4 channels ({', '.join(FILE_ALPHABET)}); rebuild it with "
            "sequences.one_hot_encode or simulate_deepsea."
        )


def _check_binary(path: Path, y: np.ndarray, start: int) -> None:
    """Refuse labels other than 0 and 1 (-1 would become 255 and 0.7 would become 0)."""
    bad = ~np.isin(y, (0, 1)).all(axis=1)
    if bad.any():
        row = start + int(np.argmax(bad))
        values = sorted(set(np.unique(y[int(np.argmax(bad))]).tolist()) - {0, 1})
        shown = ", ".join(f"{v:g}" for v in values[:5])
        raise ValueError(
            f"{path}: labels must be 0 or 1, row {row} has [{shown}]. Binarize them "
            "(e.g. y > 0.5) or mark missing labels another way before training: "
            "the loss would train on wrapped or rounded values."
        )


def open_split(directory: str | Path, split: str) -> SplitReader:
    """Open ``train``, ``valid`` or ``test`` of a DeepSEA-layout folder.

    The HDF5 train file stays on disk (rows are read on demand); the v5 files are
    loaded into memory (the real test set is 1.8 GB).

    Parameters
    ----------
    directory : str or Path
        Folder with train.mat, valid.mat, test.mat.
    split : {"train", "valid", "test"}

    Returns
    -------
    SplitReader

    Introduced in: 05_danq_deepsea
    """
    path = _split_path(directory, split)
    _, xkey, ykey = SPLITS[split]
    if _is_hdf5(path):
        import h5py

        f = h5py.File(path, "r")
        _require_keys(path, list(f.keys()), xkey, ykey)
        x, y = f[xkey], f[ykey]
        _check_shapes(path, xkey, ykey, x.shape, y.shape, hdf5=True)
        return SplitReader(path, x.shape[2], x.shape[0], y.shape[0], x, y, True)
    from scipy.io import loadmat

    try:
        mat = loadmat(path, variable_names=[xkey, ykey])
    except Exception as err:  # scipy raises several types for a damaged file
        raise ValueError(_unreadable_mat(path, err)) from None
    _require_keys(path, list(mat), xkey, ykey)
    x, y = mat[xkey], mat[ykey]
    _check_shapes(path, xkey, ykey, x.shape, y.shape, hdf5=False)
    return SplitReader(path, x.shape[0], x.shape[2], y.shape[1], x, y, False)


def _is_hdf5(path: Path) -> bool:
    import h5py

    return h5py.is_hdf5(path)


def _unreadable_mat(path: Path, err: Exception) -> str:
    size = path.stat().st_size
    what = "is empty (0 bytes)" if size == 0 else f"is not a readable MATLAB file ({err or type(err).__name__})"
    return (f"{path} {what}: copy or download it again (for the course's copy, delete the "
            "folder `course data path deepsea` prints and run `course data fetch deepsea`), or "
            "rebuild it in DeepSEA's layout (deepsea.simulate_deepsea writes one)")


def _list_variables(path: Path, whosmat) -> dict:
    """``{name: (shape, class)}`` of a MATLAB v5 file; a damaged file is named."""
    try:
        return {n: (s, c) for n, s, c in whosmat(path)}
    except Exception as err:  # scipy raises MatReadError, IndexError, ValueError, ...
        raise ValueError(_unreadable_mat(path, err)) from None


def _require_keys(path: Path, keys: list, xkey: str, ykey: str) -> None:
    missing = [k for k in (xkey, ykey) if k not in keys]
    if missing:
        found = [k for k in keys if not k.startswith("__")]
        other = next((name for name, x, _ in SPLITS.values() if x in found), None)
        hint = f"is it {other} renamed to {path.name}?" if other else "is this the right file?"
        raise ValueError(
            f"{path} lacks {missing} (it holds {found}); expected DeepSEA's keys {xkey!r} and "
            f"{ykey!r}: {hint}"
        )


def _check_shapes(path, xkey, ykey, xshape, yshape, hdf5: bool) -> None:
    if hdf5:
        ok = len(xshape) == 3 and xshape[1] == 4 and len(yshape) == 2 and yshape[1] == xshape[2]
        want = f"{xkey} (L, 4, N) and {ykey} (T, N) (MATLAB v7.3 stores arrays transposed)"
    else:
        ok = len(xshape) == 3 and xshape[1] == 4 and len(yshape) == 2 and yshape[0] == xshape[0]
        want = f"{xkey} (N, 4, L) and {ykey} (N, T)"
    if not ok:
        raise ValueError(f"{path}: {xkey} has shape {xshape} and {ykey} {yshape}; expected {want}")


def verify_structure(directory: str | Path) -> dict:
    """Check the three files' keys, shapes, dtypes and strand halves; record the result.

    DeepSEA publishes no checksums, so the first successful check of the course's cached
    copy writes ``structure.json`` next to its files (shapes, dtypes, sizes; never into a
    folder of your own, which may be read-only); the data registry records
    the archive's SHA-256 at the same time. The check reads only shapes, dtypes and two rows
    of the train file, so it is cheap on the 17.6 GB file.

    Parameters
    ----------
    directory : str or Path

    Returns
    -------
    dict
        Per split: ``rows``, ``seq_len``, ``n_targets``, ``x_dtype``, ``y_dtype``, ``bytes``.

    Raises
    ------
    ValueError
        Naming the file and what is wrong (missing key, shape, dtype, odd row count,
        targets that differ between splits, labels other than 0/1 or inputs that are not
        one-hot in the first 256 rows of train and valid; every row read later is checked too).

    Introduced in: 05_danq_deepsea
    """
    from scipy.io import whosmat

    info = {}
    for split, (name, xkey, ykey) in SPLITS.items():
        path = _split_path(directory, split)
        if _is_hdf5(path):
            import h5py

            with h5py.File(path, "r") as f:
                _require_keys(path, list(f.keys()), xkey, ykey)
                x, y = f[xkey], f[ykey]
                _check_shapes(path, xkey, ykey, x.shape, y.shape, hdf5=True)
                shape = dict(rows=x.shape[2], seq_len=x.shape[0], n_targets=y.shape[0])
                dtypes = (str(x.dtype), str(y.dtype))
        else:
            found = _list_variables(path, whosmat)
            _require_keys(path, list(found), xkey, ykey)
            (xs, xc), (ys, yc) = found[xkey], found[ykey]
            _check_shapes(path, xkey, ykey, xs, ys, hdf5=False)
            shape = dict(rows=xs[0], seq_len=xs[2], n_targets=ys[1])
            dtypes = (xc, yc)
        if dtypes[0] not in ("uint8", "bool", "logical"):
            raise ValueError(f"{path}: {xkey} has dtype {dtypes[0]}; DeepSEA stores one-hot as uint8")
        if shape["rows"] % 2:
            raise ValueError(
                f"{path} has {shape['rows']} rows, an odd number: every region should appear "
                "forward and reverse-complemented; the file is truncated or not DeepSEA's"
            )
        info[split] = dict(shape, x_dtype=dtypes[0], y_dtype=dtypes[1], bytes=path.stat().st_size)
    targets = {s: v["n_targets"] for s, v in info.items()}
    if len(set(targets.values())) != 1:
        raise ValueError(f"the splits disagree on the number of targets: {targets}")
    for split in ("train", "valid"):  # values, on a sample: before a training loop meets them
        reader = open_split(directory, split)
        try:
            reader.read(0, min(reader.n_rows, 256))
        finally:
            reader.close()
    _record_structure(Path(directory), info)
    return info


def _record_structure(folder: Path, info: dict) -> None:
    """Write ``structure.json`` only into the course's own data cache, never a user's folder."""
    from course_lib.data import cache_dir

    if folder.resolve().is_relative_to(cache_dir().resolve()):
        with contextlib.suppress(OSError):  # a read-only cache still works for reading
            (folder / "structure.json").write_text(json.dumps(info, indent=1))


def load_split(directory: str | Path, split: str, forward_only: bool = False
               ) -> tuple[np.ndarray, np.ndarray]:
    """A whole split in memory (use for valid and test; stream train with :func:`make_dataset`).

    Parameters
    ----------
    directory : str or Path
    split : {"train", "valid", "test"}
    forward_only : bool
        Return only the first half (the forward strand).

    Returns
    -------
    X : np.ndarray, shape (n, L, 4), uint8, A, C, G, T order
    y : np.ndarray, shape (n, T), uint8

    Introduced in: 05_danq_deepsea
    """
    reader = open_split(directory, split)
    try:
        stop = reader.n_rows // 2 if forward_only else reader.n_rows
        return reader.read(0, stop)
    finally:
        reader.close()


# --------------------------------------------------------------------------------------
# tf.data
# --------------------------------------------------------------------------------------

def iterate_batches(
    reader: SplitReader,
    batch_size: int = 100,
    shuffle: bool = True,
    seed: int = 0,
    chunk_rows: int = 8192,
    chunks_in_buffer: int = 4,
    rows: np.ndarray | None = None,
    epoch: int = 0,
):
    """Yield ``(X uint8 (b, L, 4), y uint8 (b, T))`` batches, reading chunk by chunk.

    Shuffling permutes the chunk order, then mixes ``chunks_in_buffer`` chunks at a time,
    so memory stays at about ``chunk_rows * chunks_in_buffer * L * 4`` bytes (134 MB at the
    defaults) whatever the file size. ``shuffle=False`` yields the rows in file order.

    Lesson 05 writes the same reader in its Train cell (``stream_batches``, reading the HDF5
    file directly); ``tests/test_deepsea.py`` checks that the two yield the same batches.

    Introduced in: 05_danq_deepsea
    """
    rng = np.random.default_rng([seed, epoch])
    starts = np.arange(0, reader.n_rows, chunk_rows)
    if shuffle:
        starts = rng.permutation(starts)
    group = chunks_in_buffer if shuffle else 1
    carry_x = carry_y = None
    for g in range(0, len(starts), group):
        xs, ys = [], []
        for start in starts[g:g + group]:
            stop = min(start + chunk_rows, reader.n_rows)
            if rows is None:
                x, y = reader.read(start, stop)
            else:
                inside = rows[(rows >= start) & (rows < stop)]
                if not len(inside):
                    continue
                x, y = reader.read(start, int(inside[-1]) + 1)
                x, y = x[inside - start], y[inside - start]
            xs.append(x)
            ys.append(y)
        if carry_x is not None:
            xs.insert(0, carry_x)
            ys.insert(0, carry_y)
        if not xs:
            continue
        x, y = np.concatenate(xs), np.concatenate(ys)
        if shuffle:
            order = rng.permutation(len(x))
            x, y = x[order], y[order]
        full = len(x) // batch_size * batch_size
        for b in range(0, full, batch_size):
            yield x[b:b + batch_size], y[b:b + batch_size]
        carry_x, carry_y = x[full:], y[full:]
    if carry_x is not None and len(carry_x):
        yield carry_x, carry_y


def make_dataset(
    directory: str | Path,
    split: str = "train",
    batch_size: int = 100,
    shuffle: bool = True,
    seed: int = 0,
    chunk_rows: int = 8192,
    rows: np.ndarray | None = None,
    first_epoch: int = 0,
):
    """A tf.data pipeline of ``(X float32 (b, L, 4) ACGT, y float32 (b, T))`` batches.

    Streams from the file (never loads the 17.6 GB train set), shuffles across chunks with
    a new order every epoch (seeded by ``seed`` and the epoch number), converts to float32
    inside TensorFlow and prefetches. ``course train`` and lesson 09 call it; lesson 05 builds
    the same pipeline in its cells (``train_stream``), and a test holds the two together.

    Parameters
    ----------
    directory : str or Path
        Folder with the DeepSEA-layout files.
    split : {"train", "valid", "test"}
    batch_size : int
    shuffle : bool
    seed : int
    chunk_rows : int
        Rows read from disk at a time.
    rows : np.ndarray of int, optional
        Sorted row indices to keep (a subset), e.g. from :func:`stratified_subset`.
    first_epoch : int
        Epoch number of the first pass (a resumed run passes the epochs already done), so
        the shuffle of epoch e is the same whether or not training was interrupted.

    Returns
    -------
    tf.data.Dataset
        Element spec ``(TensorSpec((None, L, 4), float32), TensorSpec((None, T), float32))``;
        it has a known cardinality, so Keras shows a progress bar.

    Introduced in: 05_danq_deepsea
    """
    import tensorflow as tf

    reader = open_split(directory, split)
    if rows is not None:
        rows = np.unique(np.asarray(rows, dtype=np.int64))
    n = reader.n_rows if rows is None else len(rows)
    epochs = [first_epoch]

    def generate():
        # Count at the start: Keras stops after the known number of batches, so code after
        # the last yield never runs (every epoch had the first epoch's order).
        epoch = epochs[0]
        epochs[0] += 1
        yield from iterate_batches(reader, batch_size, shuffle, seed, chunk_rows, rows=rows,
                                   epoch=epoch)

    spec = (tf.TensorSpec((None, reader.seq_len, 4), tf.uint8),
            tf.TensorSpec((None, reader.n_targets), tf.uint8))
    ds = tf.data.Dataset.from_generator(generate, output_signature=spec)
    ds = ds.map(lambda x, y: (tf.cast(x, tf.float32), tf.cast(y, tf.float32)),
                num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.apply(tf.data.experimental.assert_cardinality(-(-n // batch_size)))
    return ds.prefetch(tf.data.AUTOTUNE)


def stratified_subset(
    directory: str | Path,
    fraction: float | None = None,
    n: int | None = None,
    min_positives: int = 20,
    seed: int = 0,
    chunk_rows: int = 65536,
) -> np.ndarray:
    """Row indices of a training subset that keeps positives of rare targets.

    Every row is kept with probability ``p = n / N`` (or ``fraction``); a row that is
    positive for a target with C positives in the full set is kept with probability at
    least ``min(1, min_positives / C)``, so each target keeps about ``min_positives``
    positives or all of them. The subset is therefore a little larger than asked. Labels are
    read in chunks (the real label matrix is 4 GB).

    Parameters
    ----------
    directory : str or Path
    fraction : float in (0, 1], optional
    n : int, optional
        Give exactly one of ``fraction`` and ``n``.
    min_positives : int
    seed : int

    Returns
    -------
    np.ndarray of int64, shape (n_subset,)
        Sorted row indices into the train split.

    Introduced in: 05_danq_deepsea
    """
    if (fraction is None) == (n is None):
        raise ValueError("give exactly one of fraction (e.g. 0.02) or n (e.g. 50000)")
    reader = open_split(directory, "train")
    try:
        base = fraction if fraction is not None else n / reader.n_rows
        if not 0 < base <= 1:
            raise ValueError(f"the subset must be a fraction in (0, 1] of {reader.n_rows} rows, got {base}")
        labels = [reader.read_labels(s, min(s + chunk_rows, reader.n_rows))
                  for s in range(0, reader.n_rows, chunk_rows)]
        counts = sum(np.asarray(y, dtype=np.int64).sum(axis=0) for y in labels)
        boost = np.minimum(1.0, min_positives / np.maximum(counts, 1))
        rng = np.random.default_rng(seed)
        keep = []
        offset = 0
        for y in labels:
            p = np.maximum(base, (y.astype(bool) * boost).max(axis=1))
            keep.append(offset + np.flatnonzero(rng.random(len(y)) < p))
            offset += len(y)
        return np.concatenate(keep)
    finally:
        reader.close()


# --------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------

def read_targets(path: str | Path | None = None):
    """The 919 targets as a table, with DeepSEA's published test AUCs.

    Parameters
    ----------
    path : str or Path, optional
        ``deepsea_metadata.tsv`` (decimal commas), or a ``targets.tsv`` written by
        :func:`simulate_deepsea`. By default the registry's ``deepsea_metadata``.

    Returns
    -------
    pandas.DataFrame
        One row per label column, in order: ``index`` (0-based column), ``cell_type``,
        ``assay`` (DNase, TF or Histone), ``target``, ``treatment``, ``published_auc``,
        ``published_auprc``, ``published_prevalence`` (DeepSEA's "AUPRC Baseline"; NaN for
        the target the file marks "No positive in Test region"), and for
        the stand-in ``rule``, ``oracle_auc``, ``oracle_auprc``.

    Introduced in: 05_danq_deepsea
    """
    import pandas as pd

    if path is None:
        from course_lib.data import fetch

        found = fetch("deepsea_metadata")
        path = found / "deepsea_metadata.tsv" if found.is_dir() else found
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no target table at {path}")
    if "assay" in pd.read_csv(path, sep="\t", nrows=0).columns:  # our own (simulate_deepsea)
        return pd.read_csv(path, sep="\t")
    table = pd.read_csv(path, sep="\t", dtype=str)
    want = ["Cell Type", "TF/DNase/HistoneMark", "Treatment", "AUC", "AUPRC", "AUPRC Baseline"]
    missing = [c for c in want if c not in table.columns]
    if missing:
        raise ValueError(f"{path} lacks the columns {missing}; is it deepsea_metadata.tsv?")
    index = np.arange(len(table))
    assay = np.empty(len(table), dtype=object)
    for name, (start, stop) in ASSAY_COLUMNS.items():
        assay[start:stop] = name
    return pd.DataFrame({
        "index": index, "cell_type": table["Cell Type"], "assay": assay,
        "target": table["TF/DNase/HistoneMark"], "treatment": table["Treatment"],
        "published_auc": _decimal(table["AUC"]), "published_auprc": _decimal(table["AUPRC"]),
        "published_prevalence": _decimal(table["AUPRC Baseline"]),
    })


def _decimal(column):
    """Numbers written with decimal commas; text such as 'NA (No positive in Test region)' -> NaN."""
    import pandas as pd

    return pd.to_numeric(column.str.replace(",", ".", regex=False), errors="coerce")


# --------------------------------------------------------------------------------------
# The offline stand-in
# --------------------------------------------------------------------------------------

#: JASPAR 2024 matrices used by the stand-in: eight well-known, information-rich ones of at
#: most 20 bp (CTCF, SPI1, NRF1, YY1, TP53, NFKB1, SP1, ELK1).
STANDIN_MOTIFS = ["MA0139.1", "MA0080.5", "MA0506.2", "MA0095.2", "MA0106.3", "MA0105.4",
                  "MA0079.5", "MA0028.2"]
_SLOT = 25           # one motif instance per 25 bp slot, so instances never overlap


def resolve_data(data: str | Path, standin: str | Path, flag: str = "-p DATA", **simulate) -> Path:
    """One answer to a DeepSEA ``DATA`` choice: the offline stand-in, the real data or a folder.

    Lessons 05, 08 and 09 and ``course train`` call it with their parameter's value.

    Parameters
    ----------
    data : str or Path
        ``"simulated"``: the offline stand-in (:func:`simulate_deepsea`), written once into
        ``standin`` and reused while its ``targets.tsv`` (written last) is there;
        ``"deepsea"``: the real files through the data registry (17.6 GB, fetched once);
        anything else: a folder holding ``train.mat``, ``valid.mat`` and ``test.mat``.
    standin : str or Path
        Where the stand-in lives (one folder per setting: a changed setting is a new folder).
    flag : str
        How the user sets ``data`` (``-p DATA``, ``-p DEEPSEA``, ``--data``), for messages.
    **simulate
        Keyword arguments of :func:`simulate_deepsea` for the stand-in.

    Returns
    -------
    Path
        The folder with ``train.mat``, ``valid.mat`` and ``test.mat`` (its targets:
        :func:`folder_targets`).

    Raises
    ------
    FileNotFoundError
        A folder that does not exist or lacks ``train.mat``: the message names it and ``flag``.

    Introduced in: 05_danq_deepsea
    """
    if str(data) == "simulated":
        folder = Path(standin)
        if not (folder / "targets.tsv").is_file():
            simulate_deepsea(folder, **simulate)
        return folder
    if str(data) == "deepsea":
        from course_lib.data import fetch

        root = fetch("deepsea")
        found = sorted(root.rglob("train.mat"))
        if not found:
            raise FileNotFoundError(f"no train.mat under {root}; run `course data fetch deepsea` "
                                    "again (delete that folder first if it stays incomplete)")
        return found[0].parent
    folder = Path(data).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{flag} {data}: no such folder; use 'simulated' (the offline stand-in), 'deepsea' "
            "(the real data, 17.6 GB) or a folder holding train.mat, valid.mat and test.mat")
    _split_path(folder, "train")  # names the missing file
    return folder


def folder_targets(folder: str | Path) -> "pandas.DataFrame":  # noqa: F821
    """The targets of a DeepSEA-layout folder: its ``targets.tsv`` (the stand-in writes one),
    else DeepSEA's 919 (:func:`read_targets`).

    Introduced in: 05_danq_deepsea
    """
    path = Path(folder) / "targets.tsv"
    return read_targets(path if path.is_file() else None)


# --------------------------------------------------------------------------------------
# Figures
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
        The target table (as :func:`course_lib.domains.deepsea.read_targets` reads it back), with ``rule``,
        ``prevalence`` (test set), ``oracle_auc`` and ``oracle_auprc``.

    Introduced in: 05_danq_deepsea
    """
    import h5py
    import pandas as pd
    from scipy.io import savemat

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
