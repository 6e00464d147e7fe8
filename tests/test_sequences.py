"""Tests for course_lib.sequences: hand-checked tiny inputs."""

import itertools

import numpy as np
import pytest

from course_lib.sequences import (
    decode,
    integer_encode,
    kmer_counts,
    one_hot_encode,
    pad_sequences,
    reverse_complement,
)

ACGTN_ZERO = np.array(
    [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], dtype=np.float32
)


def test_one_hot_single_string_zero_policy():
    X = one_hot_encode("ACGTN", unknown="zero")
    assert X.dtype == np.float32
    np.testing.assert_array_equal(X, ACGTN_ZERO)


def test_one_hot_uniform_policy_and_lowercase():
    X = one_hot_encode("acgtn", unknown="uniform")
    np.testing.assert_array_equal(X[:4], ACGTN_ZERO[:4])
    np.testing.assert_array_equal(X[4], [0.25] * 4)


def test_one_hot_agct_order():
    X = one_hot_encode(["ACGT"], alphabet="AGCT")
    expected = [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    assert X.shape == (1, 4, 4)
    np.testing.assert_array_equal(X[0], expected)


@pytest.mark.parametrize("container", [list, tuple, np.array])
def test_one_hot_batch_containers(container):
    X = one_hot_encode(container(["AC", "GT", "TA"]))
    assert X.shape == (3, 2, 4)
    np.testing.assert_array_equal(X[2], [[0, 0, 0, 1], [1, 0, 0, 0]])


def test_one_hot_dtype():
    assert one_hot_encode("AC", dtype=np.uint8).dtype == np.uint8


def test_one_hot_n_is_error_by_default_with_location_and_fix():
    with pytest.raises(ValueError, match=r"sequence 1, position 2: character 'N'.*unknown='zero'"):
        one_hot_encode(["AAAA", "ACNT"])


@pytest.mark.parametrize("bad", ["X", "7", " ", "é"])
@pytest.mark.parametrize("unknown", ["error", "zero", "uniform"])
def test_one_hot_non_iupac_is_always_error(bad, unknown):
    with pytest.raises(ValueError, match=rf"sequence 2, position 1: character '{bad}'"):
        one_hot_encode(["AAA", "CCC", "G" + bad + "T"], unknown=unknown)


def test_one_hot_unequal_lengths_points_to_pad_sequences():
    with pytest.raises(ValueError, match="pad_sequences"):
        one_hot_encode(["ACGT", "AC"])


@pytest.mark.parametrize("kwargs", [{"unknown": "skip"}, {"alphabet": "AACG"}, {"alphabet": ""}])
def test_one_hot_bad_options(kwargs):
    with pytest.raises(ValueError):
        one_hot_encode("ACGT", **kwargs)


def test_integer_encode_offset_and_mask():
    np.testing.assert_array_equal(integer_encode("ACGT"), np.array([0, 1, 2, 3], np.int8))
    codes = integer_encode(["ACGTN", "nnTGa"], offset=1, unknown="mask")
    assert codes.dtype == np.int8
    np.testing.assert_array_equal(codes, [[1, 2, 3, 4, 0], [0, 0, 4, 3, 1]])


def test_integer_encode_mask_needs_offset():
    with pytest.raises(ValueError, match="offset=1"):
        integer_encode("ACGN", unknown="mask")


def test_integer_encode_n_error_names_location():
    with pytest.raises(ValueError, match=r"sequence 0, position 3: character 'N'"):
        integer_encode(["ACGN"])


@pytest.mark.parametrize("alphabet", ["ACGT", "AGCT"])
def test_decode_round_trip_one_hot(alphabet):
    seqs = ["ACGTN", "TTGCA"]
    assert decode(one_hot_encode(seqs, alphabet, unknown="zero"), alphabet) == seqs
    assert decode(one_hot_encode(seqs, alphabet, unknown="uniform"), alphabet) == seqs
    assert decode(one_hot_encode("GATC", alphabet), alphabet) == "GATC"


def test_decode_integer_codes():
    codes = integer_encode(["ACGTN"], offset=1, unknown="mask")
    assert decode(codes, offset=1) == ["ACGTN"]
    assert decode(np.array([0, 3, 9, -1])) == "ATNN"


@pytest.mark.parametrize(
    "seq, expected", [("ACGT", "ACGT"), ("AACGTN", "NACGTT"), ("acgRYk", "mRYcgt"), ("", "")]
)
def test_reverse_complement_string(seq, expected):
    assert reverse_complement(seq) == expected


def test_reverse_complement_list():
    assert reverse_complement(["AAC", "GGT"]) == ["GTT", "ACC"]


@pytest.mark.parametrize("alphabet", ["ACGT", "AGCT", "TGCA"])
def test_reverse_complement_one_hot_matches_string(alphabet):
    seqs = ["AACGTT", "GATTCA", "CCCAGT"]
    X = one_hot_encode(seqs, alphabet)
    expected = one_hot_encode(reverse_complement(seqs), alphabet)
    np.testing.assert_array_equal(reverse_complement(X, alphabet), expected)
    np.testing.assert_array_equal(reverse_complement(X[0], alphabet), expected[0])


@pytest.mark.parametrize(
    "padding, truncating, expected",
    [
        ("post", "post", ["ACNN", "ACGT", "ACGT"]),
        ("pre", "post", ["NNAC", "ACGT", "ACGT"]),
        ("post", "pre", ["ACNN", "ACGT", "GTAA"]),
        ("pre", "pre", ["NNAC", "ACGT", "GTAA"]),
    ],
)
def test_pad_sequences(padding, truncating, expected):
    out = pad_sequences(["AC", "ACGT", "ACGTAA"], 4, padding=padding, truncating=truncating)
    assert out == expected


@pytest.mark.parametrize("kwargs", [{"padding": "left"}, {"truncating": "end"}, {"value": "NN"}])
def test_pad_sequences_bad_options(kwargs):
    with pytest.raises(ValueError):
        pad_sequences(["AC"], 4, **kwargs)


def kmer_names(k, alphabet="ACGT"):
    """The k-mer of each column of ``kmer_counts(..., k)``, as its docstring states."""
    sizes = [k] if isinstance(k, int) else list(k)
    return ["".join(p) for size in sizes for p in itertools.product(alphabet, repeat=size)]


def test_kmer_counts_columns_follow_itertools_product():
    assert kmer_counts("ACGTT", k=1)[0].tolist() == [1, 1, 1, 2]
    assert kmer_counts("AGCTT", k=1, alphabet="AGCT")[0].tolist() == [1, 1, 1, 2]
    assert kmer_counts("CA", k=2)[0].tolist() == [float(m == "CA") for m in kmer_names(2)]
    assert kmer_names(2)[:5] == ["AA", "AC", "AG", "AT", "CA"]
    assert kmer_counts("", k=(1, 2, 3, 4, 5)).shape == (1, len(kmer_names((1, 2, 3, 4, 5))))


def test_kmer_counts_aacgt_hand_checked():
    X = kmer_counts("AACGT", k=(1, 2))
    assert X.shape == (1, 20) and X.dtype == np.float32
    counts = dict(zip(kmer_names((1, 2)), X[0]))
    assert {m: c for m, c in counts.items() if c} == {
        "A": 2, "C": 1, "G": 1, "T": 1, "AA": 1, "AC": 1, "CG": 1, "GT": 1
    }


def test_kmer_counts_default_width_and_variable_lengths():
    X = kmer_counts(["ACGTACGT", "AC", ""])
    assert X.shape == (3, 1364)
    assert X[0, :4].sum() == 8 and X[1, :4].sum() == 2 and X[2].sum() == 0
    assert X[1, 4:].sum() == 1  # only "AC", and no k-mer crosses into the next sequence


def test_kmer_counts_skip_n():
    X = kmer_counts(["ACNGT"], k=2)
    counts = dict(zip(kmer_names(2), X[0]))
    assert {m: c for m, c in counts.items() if c} == {"AC": 1, "GT": 1}


def test_kmer_counts_normalize():
    X = kmer_counts(["AACGN"], k=(1, 2), normalize=True)
    np.testing.assert_allclose(X[0, :4], [0.5, 0.25, 0.25, 0])
    np.testing.assert_allclose(X[0, 4:].sum(), 1.0)


def test_kmer_counts_rejects_non_iupac():
    with pytest.raises(ValueError, match=r"sequence 0, position 2: character 'X'"):
        kmer_counts(["ACXT"])


def test_one_hot_out_buffer_is_filled_and_returned():
    buf = np.full((2, 3, 4), 7.0, dtype=np.float32)
    X = one_hot_encode(["ACG", "TTN"], unknown="zero", out=buf)
    assert X is buf
    np.testing.assert_array_equal(decode(buf), ["ACG", "TTN"])


@pytest.mark.parametrize("buf", [np.empty((2, 3, 4), np.float64), np.empty((3, 2, 4), np.float32),
                                 np.empty((2, 3, 8), np.float32)[..., ::2]])
def test_one_hot_out_buffer_validated(buf):
    with pytest.raises(ValueError, match="out must be a C-contiguous float32 array of shape"):
        one_hot_encode(["ACG", "TTA"], out=buf)


def test_kmer_counts_empty_batch():
    assert kmer_counts([], k=2).shape == (0, 16)
