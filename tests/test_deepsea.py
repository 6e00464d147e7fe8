"""DeepSEA data: real-layout readers, structure checks, the tf.data pipeline, the subset,
the target table and the offline stand-in. Files are built here in the real layouts
(h5py for the MATLAB v7.3 train.mat, scipy.io.savemat for the v5 files), kilobytes each."""

import h5py
import numpy as np
import pytest
from scipy.io import savemat

from course_lib import models, simulation
from course_lib.domains import deepsea

L, T = 24, 3


def _write_layout(folder, n_regions=(7, 3, 4), seed=0):
    """DeepSEA's three files with random regions; returns {split: (X ACGT (N, L, 4), y)}."""
    rng = np.random.default_rng(seed)
    folder.mkdir(exist_ok=True)
    truth = {}
    for split, n in zip(("train", "valid", "test"), n_regions):
        fwd = np.eye(4, dtype=np.uint8)[rng.integers(0, 4, (n, L))]           # ACGT
        X = np.concatenate([fwd, fwd[:, ::-1, ::-1]])                         # + reverse complements
        y = rng.integers(0, 2, (n, T)).astype(np.uint8)
        y = np.concatenate([y, y])
        truth[split] = (X, y)
        agct = X[:, :, [0, 2, 1, 3]]
        name, xkey, ykey = deepsea.SPLITS[split]
        if split == "train":  # MATLAB v7.3: HDF5, arrays stored transposed
            with h5py.File(folder / name, "w", userblock_size=512) as f:
                f[xkey] = agct.transpose(1, 2, 0)      # (L, 4, N)
                f[ykey] = y.T                          # (T, N)
        else:
            savemat(folder / name, {xkey: agct.transpose(0, 2, 1), ykey: y}, format="5")
    return truth


@pytest.fixture
def layout(tmp_path):
    return tmp_path / "d", _write_layout(tmp_path / "d")


@pytest.mark.parametrize("split", ["train", "valid", "test"])
def test_reader_matches_direct_reading(layout, split):
    folder, truth = layout
    X, y = deepsea.load_split(folder, split)
    np.testing.assert_array_equal(X, truth[split][0])
    np.testing.assert_array_equal(y, truth[split][1])
    assert X.dtype == np.uint8 and X.shape[1:] == (L, 4)


@pytest.mark.parametrize("split", ["train", "valid", "test"])
def test_second_half_is_reverse_complement_of_first(layout, split):
    X, y = deepsea.load_split(layout[0], split)
    half = len(X) // 2
    np.testing.assert_array_equal(X[half:], X[:half, ::-1, ::-1])  # ACGT order: reverse both axes
    np.testing.assert_array_equal(y[half:], y[:half])


def test_file_channels_are_agct(layout):
    folder, truth = layout
    with h5py.File(folder / "train.mat", "r") as f:
        raw = np.array(f["trainxdata"])[:, :, 0]  # (L, 4) of row 0, file order A, G, C, T
    np.testing.assert_array_equal(raw[:, [0, 2, 1, 3]], truth["train"][0][0])


@pytest.mark.parametrize("batch_size, chunk_rows", [(5, 4), (3, 64), (14, 5)])
def test_dataset_in_file_order_equals_direct_reading(layout, batch_size, chunk_rows):
    folder, truth = layout
    ds = deepsea.make_dataset(folder, "train", batch_size, shuffle=False, chunk_rows=chunk_rows)
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    assert all(len(x) == batch_size for x in xs[:-1])
    np.testing.assert_array_equal(np.concatenate(xs), truth["train"][0].astype(np.float32))
    np.testing.assert_array_equal(np.concatenate(ys), truth["train"][1].astype(np.float32))
    assert ds.cardinality().numpy() == len(xs)


def test_shuffled_dataset_is_a_permutation_with_aligned_labels_and_new_order_each_epoch(layout):
    folder, truth = layout
    X, y = truth["train"]
    ds = deepsea.make_dataset(folder, "train", 4, shuffle=True, seed=3, chunk_rows=4)
    epochs = []
    for _ in range(2):
        rows = []
        for xb, yb in ds:
            for x1, y1 in zip(xb.numpy(), yb.numpy()):
                match = np.flatnonzero((X == x1).all(axis=(1, 2)))
                assert len(match) == 1 and (y[match[0]] == y1).all()
                rows.append(match[0])
        assert sorted(rows) == list(range(len(X)))
        epochs.append(rows)
    assert epochs[0] != epochs[1]
    again = [np.flatnonzero((X == x1).all(axis=(1, 2)))[0]
             for xb, _ in deepsea.make_dataset(folder, "train", 4, seed=3, chunk_rows=4) for x1 in xb.numpy()]
    assert again == epochs[0]  # same seed, same first epoch


def test_dataset_rows_keeps_only_the_subset(layout):
    folder, truth = layout
    rows = np.array([1, 2, 9, 13])
    x = np.concatenate([b[0].numpy() for b in deepsea.make_dataset(folder, rows=rows, shuffle=False, chunk_rows=4)])
    np.testing.assert_array_equal(x, truth["train"][0][rows])


def test_verify_structure_records_shapes(layout):
    folder, _ = layout
    info = deepsea.verify_structure(folder)
    assert info["train"] == dict(rows=14, seq_len=L, n_targets=T, x_dtype="uint8", y_dtype="uint8",
                                 bytes=(folder / "train.mat").stat().st_size)
    assert info["test"]["rows"] == 8 and info["valid"]["n_targets"] == T
    assert not (folder / "structure.json").exists(), "nothing is written into a user's folder"


def test_the_structure_is_recorded_only_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "deepsea" / "deepsea_train"
    folder.parent.mkdir(parents=True)
    _write_layout(folder)
    deepsea.verify_structure(folder)
    assert (folder / "structure.json").is_file()


@pytest.mark.parametrize("split", ["train", "valid"])
@pytest.mark.parametrize("value, match", [
    (-1, r"labels must be 0 or 1, row 2 has \[-1\]"),
    (2, r"row 2 has \[2\]"),
    (0.7, r"row 2 has \[0.7\].*Binarize"),
])
def test_labels_other_than_0_and_1_are_refused(tmp_path, split, value, match):
    folder = tmp_path / "d"
    truth = _write_layout(folder)
    name, xkey, ykey = deepsea.SPLITS[split]
    X, y = truth[split]
    y = y.astype(np.float32 if isinstance(value, float) else np.int16)
    y[2, 1] = value
    agct = X[:, :, [0, 2, 1, 3]]
    if split == "train":
        with h5py.File(folder / name, "w") as f:
            f[xkey] = agct.transpose(1, 2, 0)
            f[ykey] = y.T
    else:
        savemat(folder / name, {xkey: agct.transpose(0, 2, 1), ykey: y}, format="5")
    with pytest.raises(ValueError, match=match):
        deepsea.load_split(folder, split)


@pytest.mark.parametrize("damage", ["two bases", "value 3"])
def test_inputs_that_are_not_one_hot_are_refused(tmp_path, damage):
    folder = tmp_path / "d"
    truth = _write_layout(folder)
    name, xkey, ykey = deepsea.SPLITS["valid"]
    X, y = truth["valid"]
    X = X.copy()
    X[3, 5] = [1, 1, 0, 0] if damage == "two bases" else [3, 0, 0, 0]
    savemat(folder / name, {xkey: X[:, :, [0, 2, 1, 3]].transpose(0, 2, 1), ykey: y}, format="5")
    with pytest.raises(ValueError, match=r"valid.mat: the sequences are not one-hot \(row 3"):
        deepsea.load_split(folder, "valid")


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train.mat, valid.mat and test.mat \(course "
                                                r"train --data FOLDER, in lesson 08 -p DEEPSEA"):
        deepsea.verify_structure(tmp_path)


def test_wrong_keys_and_shapes_are_named(layout):
    folder, _ = layout
    savemat(folder / "valid.mat", {"testxdata": np.zeros((2, 4, L), np.uint8)}, format="5")
    with pytest.raises(ValueError, match="lacks.*validxdata.*is it test.mat renamed to valid.mat"):
        deepsea.verify_structure(folder)
    savemat(folder / "valid.mat", {"validxdata": np.zeros((2, L, 4), np.uint8),
                                   "validdata": np.zeros((2, T), np.uint8)}, format="5")
    with pytest.raises(ValueError, match=r"expected validxdata \(N, 4, L\)"):
        deepsea.verify_structure(folder)


@pytest.mark.parametrize("name, body, match", [
    ("train.mat", b"", r"train.mat is empty \(0 bytes\): copy or download it again"),
    ("valid.mat", b"validxdata,validdata\n1,0\n", r"valid.mat is not a readable MATLAB file"),
    ("test.mat", b"MATLAB 5.0 MAT-file" + bytes(200), r"test.mat is not a readable MATLAB file"),
], ids=["empty", "text", "cut-header"])
def test_a_damaged_mat_file_is_named_not_a_scipy_error(layout, name, body, match):
    folder, _ = layout
    (folder / name).write_bytes(body)
    with pytest.raises(ValueError, match=match + ".*course data fetch deepsea"):
        deepsea.verify_structure(folder)
    with pytest.raises(ValueError, match=match):
        deepsea.open_split(folder, name.removesuffix(".mat"))


def test_odd_rows_mean_truncated(layout):
    folder, _ = layout
    savemat(folder / "test.mat", {"testxdata": np.zeros((3, 4, L), np.uint8),
                                  "testdata": np.zeros((3, T), np.uint8)}, format="5")
    with pytest.raises(ValueError, match="odd number"):
        deepsea.verify_structure(folder)


def test_average_strands():
    pred = np.array([[0.2, 1.0], [0.4, 0.0], [0.6, 0.0], [0.8, 1.0]])
    np.testing.assert_allclose(models.average_strands(pred), [[0.4, 0.5], [0.6, 0.5]])
    with pytest.raises(ValueError, match="N even"):
        models.average_strands(pred[:3])


def test_stratified_subset_keeps_rare_positives(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    n = 2000
    y = np.zeros((T, n), np.uint8)
    y[0, ::2] = 1                 # common target
    y[1, [5, 700, 1500]] = 1      # rare target: 3 positives
    with h5py.File(folder / "train.mat", "w") as f:
        f["trainxdata"] = np.zeros((L, 4, n), np.uint8)
        f["traindata"] = y
    rows = deepsea.stratified_subset(folder, fraction=0.05, min_positives=20, seed=0, chunk_rows=256)
    assert {5, 700, 1500} <= set(rows.tolist())
    assert 0.02 * n < len(rows) < 0.1 * n and np.all(np.diff(rows) > 0)
    np.testing.assert_array_equal(rows, deepsea.stratified_subset(folder, n=100, seed=0, chunk_rows=256))
    with pytest.raises(ValueError, match="exactly one"):
        deepsea.stratified_subset(folder, fraction=0.1, n=10)


def test_read_targets_parses_decimal_commas_and_assay_classes(tmp_path):
    rows = ["8988T\tDNase\tNone\tacc\t0,91\t0,40\t0,04"] * 125 + \
           ["GM12878\tCTCF\tNone\tacc\t0,97\t0,6\t0,02"] * 690 + ["K562\tH3K4me3\tNone\tacc\t0,9\t0,5\t0,1"] * 104
    path = tmp_path / "deepsea_metadata.tsv"
    path.write_text("Cell Type\tTF/DNase/HistoneMark\tTreatment\tFile accession\tAUC\tAUPRC\t"
                    "AUPRC Baseline\n" + "\n".join(rows) + "\n")
    table = deepsea.read_targets(path)
    assert len(table) == 919
    assert table["assay"].value_counts().to_dict() == {"TF": 690, "DNase": 125, "Histone": 104}
    assert table.loc[0, "published_auc"] == pytest.approx(0.91)
    assert table.loc[918, "target"] == "H3K4me3" and table.loc[124, "assay"] == "DNase"


def test_read_real_metadata_when_present():
    path = "/work/shared/data/real/deepsea-metadata/deepsea_metadata.tsv"
    import os
    if not os.path.exists(path):
        pytest.skip("the real deepsea_metadata.tsv is not on this machine")
    table = deepsea.read_targets(path)
    assert len(table) == 919
    assert table["published_auc"].isna().sum() == 1  # K562 BRF1: no positive in the test region
    assert table["published_auc"].dropna().between(0.5, 1).all()
    assert table.loc[0, "assay"] == "DNase" and table.loc[125, "assay"] == "TF"


def test_rules_hand_checked():
    # slots: 40 per 1000 bp; central 200 bp = slots 16..23
    slots = np.full((4, 40), -1)
    strands = np.zeros((4, 40), int)
    slots[0, 17] = 2                                 # motif 2 in the centre
    slots[1, 3] = 2                                  # motif 2 outside the centre
    slots[2, [5, 9]] = [0, 1]                        # 0 then 1, 4 slots apart, + strand
    slots[3, [5, 9]] = [1, 0]; strands[3, [5, 9]] = 1  # the same pair on the - strand
    assert deepsea._label(slots, strands, dict(kind="centre", motifs=[2])).tolist() == [1, 0, 0, 0]
    assert deepsea._label(slots, strands, dict(kind="any", motifs=[1, 2])).tolist() == [1, 0, 0, 0]
    assert deepsea._label(slots, strands, dict(kind="pair", motifs=[0, 1])).tolist() == [0, 0, 1, 1]
    assert deepsea._label(slots, strands, dict(kind="pair", motifs=[1, 0])).tolist() == [0, 0, 0, 0]
    slots[1, [0, 30]] = 2
    assert deepsea._label(slots, strands, dict(kind="density", motifs=[2])).tolist() == [0, 1, 0, 0]


def test_simulated_stand_in_has_the_real_layout_and_is_reproducible(tmp_path):
    kw = dict(n_train=30, n_valid=10, n_test=12, n_targets=8, seq_len=600, seed=1, block=16)
    table = deepsea.simulate_deepsea(tmp_path / "a", **kw)
    info = deepsea.verify_structure(tmp_path / "a")
    assert {s: v["rows"] for s, v in info.items()} == {"train": 60, "valid": 20, "test": 24}
    assert info["train"]["n_targets"] == 8 and info["train"]["seq_len"] == 600
    for split in ("train", "valid", "test"):
        X, y = deepsea.load_split(tmp_path / "a", split)
        half = len(X) // 2
        np.testing.assert_array_equal(X[half:], X[:half, ::-1, ::-1])
        np.testing.assert_array_equal(y[half:], y[:half])
        assert (X.sum(axis=2) == 1).all()
    assert set(table["assay"]) == {"DNase", "TF", "Histone"}
    assert table.drop(columns=["oracle_auc", "oracle_auprc"]).notna().all().all()
    assert list(deepsea.read_targets(tmp_path / "a" / "targets.tsv")["target"]) == list(table["target"])
    deepsea.simulate_deepsea(tmp_path / "b", **kw)
    for split in ("train", "test"):
        for a, b in zip(deepsea.load_split(tmp_path / "a", split), deepsea.load_split(tmp_path / "b", split)):
            np.testing.assert_array_equal(a, b)


def test_stand_in_prevalence_and_oracle_are_realistic(tmp_path):
    table = deepsea.simulate_deepsea(tmp_path / "p", n_train=10, n_valid=10, n_test=3000,
                                     n_targets=24, seed=0)
    # rare to common, as in the real data (its rarest targets are rarer still: see the report)
    assert table["prevalence"].min() < 0.03 and 0.1 < table["prevalence"].max() < 0.3
    tf = table[table["assay"] == "TF"]["prevalence"]
    assert tf.max() / tf.min() > 5
    assert table["oracle_auc"].median() > 0.95  # the true rule, scored against noisy labels


def test_resolve_data_makes_the_standin_once_and_names_a_bad_folder(tmp_path):
    folder = deepsea.resolve_data("simulated", tmp_path / "standin", n_train=20, n_valid=5,
                                  n_test=5, n_targets=3, seq_len=600, seed=1)
    assert folder == tmp_path / "standin" and (folder / "targets.tsv").is_file()
    stamp = (folder / "train.mat").stat().st_mtime_ns
    assert deepsea.resolve_data("simulated", folder, n_train=20) == folder  # reused
    assert (folder / "train.mat").stat().st_mtime_ns == stamp
    assert len(deepsea.folder_targets(folder)) == 3
    with pytest.raises(FileNotFoundError, match=r"-p DEEPSEA .*nodir: no such folder; use 'simulated'"):
        deepsea.resolve_data(tmp_path / "nodir", tmp_path / "s", flag="-p DEEPSEA")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"empty/train.mat does not exist"):
        deepsea.resolve_data(tmp_path / "empty", tmp_path / "s")


# -- lesson 05 writes the streaming reader in its cells; course train uses make_dataset ---------------

def _lesson_stream_functions():
    """``stream_batches`` and ``train_stream`` as lesson 05's Train cell defines them (its imports
    and function definitions, executed here; the cell's last lines need the lesson's data)."""
    import ast
    from pathlib import Path

    import nbformat

    from conftest import NOTEBOOKS

    nb = nbformat.read(NOTEBOOKS / "05_danq_deepsea.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def stream_batches" in c.source)
    tree = ast.parse(cell.source)
    tree.body = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
    namespace = {"np": np, "Path": Path}
    exec(compile(tree, "05_danq_deepsea.ipynb", "exec"), namespace)  # noqa: S102
    return namespace["stream_batches"], namespace["train_stream"]


@pytest.mark.parametrize("batch_size, chunk, mix, rows", [
    (4, 4, 2, None),       # rows carried from group to group
    (3, 5, 1, None),
    (20, 64, 4, None),     # one chunk, one partial batch
    (2, 4, 2, [1, 2, 9, 13]),
    (3, 3, 2, [0, 5, 6, 7, 12]),
])
def test_the_lessons_stream_gives_the_librarys_batches(layout, batch_size, chunk, mix, rows):
    folder, _ = layout
    stream_batches, _ = _lesson_stream_functions()
    rows = None if rows is None else np.array(rows)
    reader = deepsea.open_split(folder, "train")
    try:
        for epoch in (0, 1, 2):
            ours = list(stream_batches(folder / "train.mat", batch_size, 7, epoch, rows, chunk, mix))
            library = list(deepsea.iterate_batches(reader, batch_size, True, 7, chunk, mix, rows,
                                                   epoch))
            assert len(ours) == len(library) > 0
            for (x, y), (x_lib, y_lib) in zip(ours, library):
                np.testing.assert_array_equal(x, x_lib)
                np.testing.assert_array_equal(y, y_lib)
    finally:
        reader.close()


def test_the_lessons_dataset_is_make_dataset(layout):
    """Two epochs of the lesson's tf.data pipeline and of make_dataset (course train) at the
    lesson's chunking: the same float32 batches, a new order in the second epoch, the same
    cardinality; a resumed run (first_epoch=1) starts with the second epoch's order."""
    folder, _ = layout
    _, train_stream = _lesson_stream_functions()

    def epochs(ds, n=2):
        return [[(x.numpy(), y.numpy()) for x, y in ds] for _ in range(n)]

    ours = train_stream(folder, 4, 5)
    library = deepsea.make_dataset(folder, "train", 4, seed=5)
    assert ours.cardinality().numpy() == library.cardinality().numpy() == 4
    first, second = epochs(ours)
    assert len(first) == len(second) == 4
    assert first[0][0].dtype == first[0][1].dtype == np.float32
    for got, want in zip(first + second, sum(epochs(library), [])):
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
    assert not np.array_equal(first[0][0], second[0][0])
    resumed = epochs(train_stream(folder, 4, 5, first_epoch=1), 1)[0]
    np.testing.assert_array_equal(resumed[0][0], second[0][0])
