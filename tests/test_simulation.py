"""Tests for course_lib.simulation: ground truth, determinism, validation."""

import numpy as np
import pytest

from course_lib.simulation import (
    SimulatedMotifData,
    plant_motif,
    sample_background,
    sample_from_pwm,
    simulate_motif_dataset,
)


def test_sample_background_shape_alphabet_and_determinism():
    seqs = sample_background(5, 7, seed=1)
    assert len(seqs) == 5 and {len(s) for s in seqs} == {7}
    assert set("".join(seqs)) <= set("ACGT")
    assert seqs == sample_background(5, 7, seed=1)
    assert seqs != sample_background(5, 7, seed=2)


def test_sample_background_frequencies():
    text = "".join(sample_background(200, 100, frequencies=(0.7, 0.1, 0.1, 0.1), seed=0))
    assert text.count("A") / len(text) == pytest.approx(0.7, abs=0.02)
    assert "".join(sample_background(3, 4, frequencies=(0, 0, 1, 0))) == "G" * 12


@pytest.mark.parametrize("freqs", [(0.5, 0.5), (0.5, 0.5, 0.5, -0.5), (0.3, 0.3, 0.3, 0.3)])
def test_sample_background_rejects_bad_frequencies(freqs):
    with pytest.raises(ValueError, match="ACGT order summing to 1"):
        sample_background(2, 3, frequencies=freqs)


def test_sample_from_pwm_frequencies():
    pwm = np.array([[1, 0, 0, 0], [0, 0.5, 0.5, 0], [0.1, 0.2, 0.3, 0.4]])
    seqs = sample_from_pwm(pwm, n=4000, seed=0)
    assert {s[0] for s in seqs} == {"A"}
    assert {s[1] for s in seqs} == {"C", "G"}
    third = [s[2] for s in seqs]
    for base, p in zip("ACGT", pwm[2]):
        assert third.count(base) / len(third) == pytest.approx(p, abs=0.03)
    assert seqs == sample_from_pwm(pwm, n=4000, seed=0)


def test_sample_from_pwm_normalizes_counts():
    assert sample_from_pwm([[0, 0, 0, 5], [2, 0, 0, 0]], n=2) == ["TA", "TA"]


@pytest.mark.parametrize("pwm", [np.ones((4, 3)), [[0.5, -0.5, 0.5, 0.5]], [[0, 0, 0, 0]]])
def test_sample_from_pwm_rejects_bad_pwm(pwm):
    with pytest.raises(ValueError, match="pwm"):
        sample_from_pwm(pwm)


def test_plant_motif():
    assert plant_motif("AAAAAA", "CG", 0) == "CGAAAA"
    assert plant_motif("AAAAAA", "CG", 4) == "AAAACG"


@pytest.mark.parametrize("position", [-1, 5])
def test_plant_motif_bounds(position):
    with pytest.raises(ValueError, match=r"0 <= position <= 4"):
        plant_motif("AAAAAA", "CG", position)


def test_simulate_primer_defaults_ground_truth():
    data = simulate_motif_dataset(n=200, seed=0)
    assert isinstance(data, SimulatedMotifData)
    assert data.labels.dtype == np.int64 and data.positions.dtype == np.int64
    assert data.labels.sum() == 100 and {len(s) for s in data.sequences} == {50}
    assert data.motif == "CGACCGAACTCC" and data.motif_length == 12
    for s, y, p in zip(data.sequences, data.labels, data.positions):
        if y:
            assert 0 <= p <= 38 and s[p:p + 12] == data.motif
        else:
            assert p == -1
    assert list(data.to_frame().columns) == ["sequence", "label", "position"]


@pytest.mark.parametrize("n, fraction, expected", [(10, 0.25, 2), (7, 0.5, 4), (5, 0.0, 0)])
def test_simulate_number_of_positives(n, fraction, expected):
    data = simulate_motif_dataset(n=n, length=20, motif="ACGT", positive_fraction=fraction)
    assert data.labels.sum() == expected


def test_simulate_deterministic():
    a = simulate_motif_dataset(n=50, seed=3)
    b = simulate_motif_dataset(n=50, seed=3)
    c = simulate_motif_dataset(n=50, seed=4)
    assert a.sequences == b.sequences
    np.testing.assert_array_equal(a.positions, b.positions)
    assert a.sequences != c.sequences


def test_simulate_pwm_motif():
    pwm = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0.5, 0.5]])
    data = simulate_motif_dataset(n=40, length=10, motif=pwm, seed=1)
    assert data.motif == "ACG" and data.motif_length == 3
    planted = {s[p:p + 3] for s, p in zip(data.sequences, data.positions) if p >= 0}
    assert planted == {"ACG", "ACT"}


@pytest.mark.parametrize(
    "kwargs", [{"motif": "ACGN"}, {"motif": "A" * 11, "length": 10}, {"positive_fraction": 1.5}]
)
def test_simulate_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        simulate_motif_dataset(n=4, **{"length": 10, **kwargs})


def test_one_pwm_check_for_samplers_and_logos():
    """The simulators check a PWM with motifs' check (issue 31: it was written twice)."""
    from course_lib import motifs, simulation

    assert simulation._check_pwm is motifs._check_pwm
    with pytest.raises(ValueError, match=r"shape \(width, 4\) with columns A, C, G, T.*pwm\.T"):
        sample_from_pwm(np.ones((4, 3)))
    with pytest.raises(ValueError, match="no positions"):
        sample_from_pwm(np.ones((0, 4)))
    with pytest.raises(ValueError, match="log-odds"):
        sample_from_pwm([[np.nan, 1, 1, 1]])
    with pytest.raises(ValueError, match=r"shape \(width, 2\) with columns 0, 1.*alphabet"):
        motifs.consensus(np.full((3, 4), 0.25), alphabet="01")
    assert motifs.consensus(np.empty((0, 4))) == ""  # describing a PWM needs no positions
