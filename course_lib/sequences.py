"""DNA sequences as arrays: one-hot and integer encoding, decoding, reverse complement,
padding and k-mer counts.

Every function works on whole batches at once: the sequences are joined into one byte
array and mapped through a 256-entry lookup table, so there is no Python loop per base.

Characters fall into three groups:

- **alphabet** characters (``"ACGT"`` by default, any order, lower case accepted);
- **unknown** characters, handled by the ``unknown=`` policy: the IUPAC ambiguity codes
  ``R Y S W K M B D H V N`` (either case) and the gap ``-``;
- anything else (``X``, ``7``, a space, ...), which is always an error naming the
  sequence, the position and the character.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Characters handled by the ``unknown=`` policy (upper case; lower case is accepted too).
UNKNOWN_CHARACTERS = "RYSWKMBDHVN-"

_COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A", "U": "A", "R": "Y", "Y": "R",
               "S": "S", "W": "W", "K": "M", "M": "K", "B": "V", "V": "B", "D": "H",
               "H": "D", "N": "N", "-": "-", ".": "."}
_COMPLEMENT_TABLE = str.maketrans(
    {**_COMPLEMENT, **{a.lower(): b.lower() for a, b in _COMPLEMENT.items()}}
)
_CHUNK_BASES = 1 << 16  # bases per np.take call: keeps the index temporaries in cache


def _check_alphabet(alphabet: str) -> str:
    if not isinstance(alphabet, str) or not alphabet:
        raise ValueError(f"alphabet must be a non-empty string such as 'ACGT', got {alphabet!r}")
    upper = alphabet.upper()
    if len(set(upper)) != len(upper) or not upper.isascii():
        raise ValueError(
            f"alphabet {alphabet!r} must hold distinct ASCII letters (case-insensitive), "
            "e.g. 'ACGT' or 'AGCT'"
        )
    return upper


def _as_list(sequences: str | Sequence[str] | np.ndarray) -> tuple[list[str], bool]:
    """Return (list of str, was_single_string)."""
    if isinstance(sequences, str):
        return [sequences], True
    if isinstance(sequences, np.ndarray):
        sequences = sequences.tolist()
    seqs = list(sequences)
    for i, s in enumerate(seqs):
        if not isinstance(s, str):
            raise TypeError(
                f"sequence {i} is {type(s).__name__}, not str; pass a string or a list of "
                "strings (decode bytes with .decode() first)"
            )
    return seqs, False


def _to_bytes(seqs: list[str]) -> np.ndarray:
    """Join the sequences into one uint8 array (no copy beyond the join)."""
    joined = "".join(seqs)
    try:
        raw = joined.encode("ascii")
    except UnicodeEncodeError:  # one '?' per non-ASCII character keeps the offsets
        raw = joined.encode("ascii", errors="replace")
    return np.frombuffer(raw, dtype=np.uint8)


def _locate(seqs: list[str], flat: int) -> tuple[int, int]:
    """(sequence index, position) of a flat offset into the joined sequences."""
    offsets = np.cumsum([len(s) for s in seqs])
    index = int(np.searchsorted(offsets, flat, side="right"))
    return index, flat - (int(offsets[index - 1]) if index else 0)


def _classes(alphabet: str) -> np.ndarray:
    """uint8 table over bytes: 0..k-1 = alphabet index, k = unknown (IUPAC), 255 = invalid."""
    k = len(alphabet)
    cls = np.full(256, 255, dtype=np.uint8)
    for c in UNKNOWN_CHARACTERS:
        cls[ord(c)] = cls[ord(c.lower())] = k
    for i, c in enumerate(alphabet):
        cls[ord(c)] = cls[ord(c.lower())] = i
    return cls


def _validate(buf: np.ndarray, seqs: list[str], cls: np.ndarray, k: int,
              unknown_ok: bool, hint: str) -> None:
    """Raise for the first invalid character (and unknown ones unless ``unknown_ok``)."""
    bad_lut = cls == 255 if unknown_ok else cls >= k
    allowed = bytes(np.flatnonzero(~bad_lut).astype(np.uint8))
    raw = buf.base if isinstance(buf.base, bytes) else buf.tobytes()  # no copy from _to_bytes
    if not raw.translate(None, allowed):  # fast path: deleting allowed bytes leaves nothing
        return
    flat = int(np.argmax(bad_lut[buf]))
    index, position = _locate(seqs, flat)
    char = seqs[index][position]
    if cls[buf[flat]] == 255:
        hint = f"is not a base or an IUPAC code; clean the input (e.g. s.replace({char!r}, 'N'))"
    raise ValueError(f"sequence {index}, position {position}: character {char!r} {hint}")


def _read(
    sequences: str | Sequence[str] | np.ndarray, alphabet: str, unknown_ok: bool, hint: str = ""
) -> tuple[list[str], bool, np.ndarray, np.ndarray]:
    """Validated (seqs, single, uint8 bytes, byte classes) for the encoders."""
    seqs, single = _as_list(sequences)
    buf = _to_bytes(seqs)
    cls = _classes(alphabet)
    _validate(buf, seqs, cls, len(alphabet), unknown_ok, hint)
    return seqs, single, buf, cls


def _equal_length(seqs: list[str]) -> int:
    lengths = {len(s) for s in seqs}
    if len(lengths) > 1:
        raise ValueError(
            f"sequences have different lengths ({min(lengths)} to {max(lengths)}); "
            "make them equal first with pad_sequences(sequences, length=...)"
        )
    return lengths.pop() if lengths else 0


def one_hot_encode(
    sequences: str | Sequence[str] | np.ndarray,
    alphabet: str = "ACGT",
    unknown: str = "error",
    dtype: np.dtype | type = np.float32,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """One-hot encode one sequence or a batch of equal-length sequences.

    Parameters
    ----------
    sequences : str or sequence of str
        One sequence, or a list / tuple / array of sequences of the same length.
        Lower case is accepted.
    alphabet : str
        Channel order, ``"ACGT"`` by default (DeepSEA files use ``"AGCT"``).
    unknown : {"error", "zero", "uniform"}
        What to do with ``N``, the other IUPAC codes and ``-``: raise a ``ValueError``
        naming sequence, position and character; encode an all-zero row; or ``1/k`` in
        every channel. Other characters are always an error.
    dtype : numpy dtype
        Output dtype, float32 by default.
    out : np.ndarray, optional
        A C-contiguous array of the result's shape and ``dtype`` to write into, e.g. a
        batch buffer reused by a data generator (saves allocating fresh memory).

    Returns
    -------
    np.ndarray, shape (L, k) for a str or (n, L, k) for a batch, ``dtype``
        ``k = len(alphabet)``.

    Introduced in: 01_motif_detection
    """
    alphabet = _check_alphabet(alphabet)
    if unknown not in ("error", "zero", "uniform"):
        raise ValueError(f"unknown must be 'error', 'zero' or 'uniform', got {unknown!r}")
    seqs, single, buf, cls = _read(
        sequences, alphabet, unknown != "error",
        "is not in the alphabet; pass unknown='zero' or unknown='uniform' to encode N and "
        "IUPAC codes")
    length, k = _equal_length(seqs), len(alphabet)
    rows = np.zeros((k + 1, k), dtype=dtype)
    rows[:k] = np.eye(k, dtype=dtype)
    rows[k] = 1.0 / k if unknown == "uniform" else 0.0
    table = rows[np.minimum(cls, k)]  # (256, k): every byte -> its whole channel row
    shape = (length, k) if single else (len(seqs), length, k)
    if out is None:
        out = np.empty(shape, dtype=dtype)
    elif out.shape != shape or out.dtype != np.dtype(dtype) or not out.flags.c_contiguous:
        raise ValueError(
            f"out must be a C-contiguous {np.dtype(dtype)} array of shape {shape}, got "
            f"{out.dtype} {out.shape}; allocate it with np.empty({shape}, dtype=...)"
        )
    # View each k-channel row as one opaque item so np.take copies whole rows.
    row_type = np.dtype((np.void, table.strides[0]))
    table_rows, out_rows = table.view(row_type).ravel(), out.reshape(-1, k).view(row_type).ravel()
    for start in range(0, buf.size, _CHUNK_BASES):
        codes = buf[start:start + _CHUNK_BASES]
        np.take(table_rows, codes, out=out_rows[start:start + codes.size])
    return out


def integer_encode(
    sequences: str | Sequence[str] | np.ndarray,
    alphabet: str = "ACGT",
    offset: int = 0,
    unknown: str = "error",
) -> np.ndarray:
    """Encode bases as small integers: base ``i`` of ``alphabet`` becomes ``i + offset``.

    Parameters
    ----------
    sequences : str or sequence of str
        One sequence or a batch of equal-length sequences (pad them first).
    alphabet : str
        Base order, ``"ACGT"`` by default.
    offset : int
        Added to every code. Use ``offset=1`` with ``unknown="mask"`` for
        ``keras.layers.Embedding(mask_zero=True)``: bases 1..4, 0 = padding / N.
    unknown : {"error", "mask"}
        ``"mask"`` maps ``N``, other IUPAC codes and ``-`` (the padding of
        :func:`pad_sequences`) to 0 and needs ``offset >= 1``. Other characters are
        always an error.

    Returns
    -------
    np.ndarray, shape (L,) for a str or (n, L) for a batch, int8

    Introduced in: 07_resistance_lstm
    """
    alphabet = _check_alphabet(alphabet)
    if unknown not in ("error", "mask"):
        raise ValueError(f"unknown must be 'error' or 'mask', got {unknown!r}")
    if unknown == "mask" and offset < 1:
        raise ValueError(
            f"unknown='mask' uses 0 for unknown bases, so offset must be >= 1 (got {offset}); "
            "pass offset=1"
        )
    if not 0 <= offset <= 128 - len(alphabet):
        raise ValueError(f"offset must be in [0, {128 - len(alphabet)}] to fit int8, got {offset}")
    seqs, single, buf, cls = _read(
        sequences, alphabet, unknown == "mask",
        "is not in the alphabet; pass unknown='mask' with offset=1 to encode N and IUPAC "
        "codes as 0")
    length, k = _equal_length(seqs), len(alphabet)
    table = np.where(cls < k, cls.astype(np.int16) + offset, 0).astype(np.int8)
    out = table[buf].reshape(len(seqs), length)
    return out[0] if single else out


def decode(X: np.ndarray, alphabet: str = "ACGT", offset: int = 0) -> str | list[str]:
    """Turn one-hot or integer-encoded arrays back into strings.

    Parameters
    ----------
    X : np.ndarray
        Floating or bool one-hot of shape (n, L, k) or (L, k): the argmax channel is the
        base; all-zero and uniform rows become ``"N"``. Or integer codes of shape (n, L)
        or (L,) as made by :func:`integer_encode`; codes outside
        ``offset .. offset + k - 1`` become ``"N"``.
    alphabet : str
        Channel / code order used to encode.
    offset : int
        The ``offset`` used by :func:`integer_encode` (integer input only).

    Returns
    -------
    str for a single sequence (2-D one-hot or 1-D codes), else list of str.

    Introduced in: 04_one_hot_cnn
    """
    alphabet = _check_alphabet(alphabet)
    X = np.asarray(X)
    k = len(alphabet)
    chars = np.frombuffer((alphabet + "N").encode("ascii"), dtype=np.uint8)
    if np.issubdtype(X.dtype, np.integer):
        if X.ndim not in (1, 2):
            raise ValueError(f"integer codes must have shape (n, L) or (L,), got {X.shape}")
        idx = X.astype(np.int64) - offset
        idx = np.where((idx >= 0) & (idx < k), idx, k)
        single = X.ndim == 1
    else:
        if X.ndim not in (2, 3) or X.shape[-1] != k:
            raise ValueError(
                f"one-hot input must have shape (n, L, {k}) or (L, {k}) for alphabet "
                f"{alphabet!r}, got {X.shape}; for integer codes pass an integer array"
            )
        idx = X.argmax(axis=-1)
        flat_rows = X.max(axis=-1) == X.min(axis=-1)  # all-zero or uniform
        idx = np.where(flat_rows, k, idx)
        single = X.ndim == 2
    idx = np.atleast_2d(idx)
    text = chars[idx].tobytes().decode("ascii")
    L = idx.shape[1]
    strings = [text[i * L:(i + 1) * L] for i in range(idx.shape[0])]
    return strings[0] if single else strings


def _complement_permutation(alphabet: str) -> np.ndarray:
    try:
        return np.array([alphabet.index(_COMPLEMENT[c]) for c in alphabet])
    except (KeyError, ValueError):
        raise ValueError(
            f"alphabet {alphabet!r} is not closed under complement; use an order of 'ACGT'"
        ) from None


def reverse_complement(
    x: str | Sequence[str] | np.ndarray, alphabet: str = "ACGT"
) -> str | list[str] | np.ndarray:
    """Reverse complement a string, a list of strings or a one-hot array.

    Parameters
    ----------
    x : str, list of str, or np.ndarray of shape (..., L, k)
        Strings keep their case and IUPAC codes are complemented (R<->Y, K<->M, B<->V,
        D<->H; S, W, N, - unchanged). A one-hot array is reversed along the length axis
        (second to last) and its channels swapped according to ``alphabet``.
    alphabet : str
        Channel order of a one-hot input (``"ACGT"``, ``"AGCT"``, ...).

    Returns
    -------
    Same type as ``x``; arrays keep their shape and dtype.

    Introduced in: 05_danq_deepsea
    """
    if isinstance(x, str):
        return x.translate(_COMPLEMENT_TABLE)[::-1]
    if isinstance(x, np.ndarray) and x.dtype.kind not in "US":
        alphabet = _check_alphabet(alphabet)
        if x.ndim < 2 or x.shape[-1] != len(alphabet):
            raise ValueError(
                f"one-hot input must have shape (..., L, {len(alphabet)}), got {x.shape}"
            )
        return x[..., ::-1, :][..., _complement_permutation(alphabet)]
    seqs, _ = _as_list(x)
    return [s.translate(_COMPLEMENT_TABLE)[::-1] for s in seqs]


def pad_sequences(
    sequences: Sequence[str],
    length: int,
    padding: str = "post",
    truncating: str = "post",
    value: str = "N",
) -> list[str]:
    """Pad or truncate every sequence to ``length`` characters (keras semantics).

    Parameters
    ----------
    sequences : sequence of str
    length : int
        Target length, >= 0.
    padding : {"pre", "post"}
        Add ``value`` before or after a shorter sequence.
    truncating : {"pre", "post"}
        Drop the extra characters of a longer sequence from the start or the end.
    value : str
        One padding character; ``"N"`` so that ``unknown="zero"`` / ``"mask"`` ignore it.

    Returns
    -------
    list of str, each of length ``length``

    Introduced in: 07_resistance_lstm
    """
    for name, option in (("padding", padding), ("truncating", truncating)):
        if option not in ("pre", "post"):
            raise ValueError(f"{name} must be 'pre' or 'post', got {option!r}")
    if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 0:
        raise ValueError(f"length must be a non-negative integer, got {length!r}")
    if not isinstance(value, str) or len(value) != 1:
        raise ValueError(f"value must be a single character such as 'N', got {value!r}")
    seqs, _ = _as_list(sequences)
    out = []
    for s in seqs:
        if len(s) > length:
            s = s[len(s) - length:] if truncating == "pre" else s[:length]
        out.append(s.rjust(length, value) if padding == "pre" else s.ljust(length, value))
    return out


def _ks(k: int | Sequence[int]) -> list[int]:
    ks = [k] if isinstance(k, (int, np.integer)) else list(k)
    if not ks or any(not isinstance(v, (int, np.integer)) or v < 1 for v in ks):
        raise ValueError(f"k must be a positive integer or a list of them, got {k!r}")
    return [int(v) for v in ks]


def kmer_counts(
    sequences: str | Sequence[str],
    k: int | Sequence[int] = (1, 2, 3, 4, 5),
    alphabet: str = "ACGT",
    normalize: bool = False,
) -> np.ndarray:
    """Count overlapping k-mers in each sequence (a bag-of-k-mers feature matrix).

    Parameters
    ----------
    sequences : str or sequence of str
        Sequences of any lengths. k-mers containing ``N``, another IUPAC code or ``-``
        are skipped; other characters are an error.
    k : int or sequence of int
        k-mer sizes. The columns hold, size after size, all ``len(alphabet)**size`` k-mers
        in lexicographic order of ``alphabet`` (``itertools.product(alphabet, repeat=size)``):
        ``A, C, G, T, AA, AC, ...``; ``k=(1, 2, 3, 4, 5)`` gives 1,364 columns.
    alphabet : str
    normalize : bool
        Divide each k's block of columns by the number of valid k-mers of that size in
        the sequence (rows with none stay 0), giving frequencies.

    Returns
    -------
    np.ndarray, shape (n, n_features), float32
        ``n_features = sum(len(alphabet)**size for size in k)``.

    Introduced in: 07_resistance_lstm
    """
    alphabet = _check_alphabet(alphabet)
    ks = _ks(k)
    seqs, _, buf, cls = _read(sequences, alphabet, True)
    base = len(alphabet)
    codes = cls[buf].astype(np.int64)
    unknown = codes == base
    codes[unknown] = 0
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    row = np.repeat(np.arange(len(seqs)), lengths)
    room = np.repeat(np.cumsum(lengths), lengths) - np.arange(buf.size)  # bases left in its seq
    n_unknown = np.concatenate([[0], np.cumsum(unknown)])
    blocks = []
    for size in ks:
        m = max(buf.size - size + 1, 0)
        index = np.zeros(m, dtype=np.int64)
        for j in range(size):
            index = index * base + codes[j:j + m]
        valid = (room[:m] >= size) & (n_unknown[size:size + m] == n_unknown[:m])
        flat = row[:m][valid] * base**size + index[valid]
        block = np.bincount(flat, minlength=len(seqs) * base**size).astype(np.float32)
        block = block.reshape(len(seqs), base**size)
        if normalize:
            total = block.sum(axis=1, keepdims=True)
            block = np.divide(block, total, out=np.zeros_like(block), where=total > 0)
        blocks.append(block)
    return np.concatenate(blocks, axis=1)
