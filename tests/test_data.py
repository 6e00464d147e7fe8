"""Tests for course_lib.data: the registry, fetch() against a real 127.0.0.1 server, the loaders."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from http_server import http_server  # noqa: F401  (fixture)

from course_lib import data

REAL_PRIMER = Path("/work/shared/data/real/deep-learning-genomics-primer")
CONTENT = b"ACGTACGTAC\n" * 300  # 3,300 bytes


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def write_registry(path: Path, datasets: dict[str, list[dict]]) -> Path:
    """A registry TOML with one entry per dataset; each file dict: name, url (list), sha256, ..."""
    lines = []
    for name, files in datasets.items():
        lines += [f"[{name}]", f'description = "test {name}"', 'licence = "CC0"',
                  'citation = "none"', 'homepage = "http://127.0.0.1/"']
        for f in files:
            lines += [f"[[{name}.files]]", f'name = "{f["name"]}"',
                      "url = [" + ", ".join(f'"{u}"' for u in f["url"]) + "]",
                      f'sha256 = "{f["sha256"]}"']
            lines += [f"{key} = {value!r}".replace("'", '"') for key, value in f.items()
                      if key in ("size", "extract")]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    return folder


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """Call with {dataset: [file dicts]}; points course_lib.data at that registry."""
    def make(datasets):
        path = write_registry(tmp_path / "registry.toml", datasets)
        monkeypatch.setattr(data, "REGISTRY_PATH", path)
    return make


def one_file(server, behaviour="files", content=CONTENT, digest=None, name="seq.txt"):
    """Serve ``content`` as ds/<name> and register dataset 'ds' with one URL for it."""
    (server.root / "ds").mkdir(exist_ok=True)
    (server.root / "ds" / name).write_bytes(content)
    return {"ds": [{"name": name, "url": [server.url(behaviour, "ds", name)],
                    "sha256": sha(content) if digest is None else digest, "size": len(content)}]}


# ---------------------------------------------------------------------------- registry


def test_packaged_registry_lists_the_course_datasets(cache):
    rows = {row["name"]: row for row in data.list_datasets()}
    assert (rows["primer"]["size"], rows["primer"]["cached"]) == (106_000, False)
    assert rows["deepsea"]["size"] is None  # no published size
    registry = data.load_registry()
    assert {"primer", "deepsea_metadata", "deepsea"} <= set(registry)
    primer = {f["name"]: f for f in registry["primer"]["files"]}
    assert primer["sequences.txt"]["sha256"] == (
        "8d9156486cf383cf04470395961970db80203689e6368c393e854aaef2268fbd")
    assert primer["labels.txt"]["size"] == 4000
    assert registry["deepsea"]["files"][0]["sha256"] == ""
    assert registry["deepsea"]["files"][0]["extract"] == "tar.gz"


@pytest.mark.parametrize("field, value, match", [
    ("sha256", "abc", "64 lower-case hex"),
    ("name", "../x", "plain file name"),
    ("extract", "zip", "tar.gz"),
    ("size", -1, "number of bytes"),
])
def test_bad_registry_entries_are_named(tmp_path, field, value, match):
    entry = {"name": "a.txt", "url": ["http://127.0.0.1/a"], "sha256": sha(b""), field: value}
    path = write_registry(tmp_path / "r.toml", {"ds": [entry]})
    with pytest.raises(ValueError, match=match):
        data.load_registry(path)


def test_unknown_dataset_lists_the_known_ones(cache, registry):
    registry({"alpha": [{"name": "a", "url": ["http://127.0.0.1/a"], "sha256": ""}],
              "beta": [{"name": "b", "url": ["http://127.0.0.1/b"], "sha256": ""}]})
    with pytest.raises(ValueError, match=r"unknown dataset 'gamma'; known datasets: alpha, beta"):
        data.fetch("gamma")


@pytest.mark.parametrize("env, expected", [
    ({"COURSE_DATA_DIR": "{tmp}/mine", "XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/mine"),
    ({"XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/xdg/course-lib"),
])
def test_cache_dir_follows_the_environment(tmp_path, monkeypatch, env, expected):
    for name in ("COURSE_DATA_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert data.cache_dir() == Path(expected.format(tmp=tmp_path))


def test_cache_dir_default_is_under_home(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.cache_dir() == tmp_path / ".cache" / "course-lib"


# ---------------------------------------------------------------------------- fetch


def test_fetch_downloads_verifies_and_caches(cache, registry, http_server):
    registry(one_file(http_server))
    folder = data.fetch("ds", progress=False)
    assert folder == cache / "ds"
    assert (folder / "seq.txt").read_bytes() == CONTENT
    assert sorted(p.name for p in folder.iterdir()) == ["seq.txt"]  # no .part left
    [row] = data.list_datasets()
    assert (row["name"], row["n_files"], row["size"], row["cached"]) == ("ds", 1, 3300, True)


def test_cache_hit_makes_no_request(cache, registry, http_server):
    registry(one_file(http_server))
    data.fetch("ds", progress=False)
    data.fetch("ds", progress=False)
    assert data.data_path("ds", "seq.txt").read_bytes() == CONTENT
    assert len(http_server.requests) == 1


def _snapshot(folder):
    return {str(q.relative_to(folder)): (q.stat().st_size, q.stat().st_mtime_ns)
            for q in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("pinned", [True, False], ids=["pinned", "first-use"])
def test_a_warm_cache_is_only_read(cache, registry, http_server, pinned):
    """A second fetch, data_path and list_datasets write nothing into a warm cache (so a
    read-only cache shared on a cluster works; as root, permission bits prove nothing)."""
    registry(one_file(http_server, digest=None if pinned else ""))
    data.fetch("ds", progress=False)
    before = _snapshot(cache)
    data.fetch("ds", progress=False)
    data.data_path("ds", "seq.txt")
    data.list_datasets()
    assert _snapshot(cache) == before
    assert len(http_server.requests) == 1


def test_force_downloads_again(cache, registry, http_server):
    registry(one_file(http_server))
    data.fetch("ds", progress=False)
    data.fetch("ds", progress=False, force=True)
    assert len(http_server.requests) == 2


def test_a_damaged_cached_file_is_downloaded_again(cache, registry, http_server):
    registry(one_file(http_server))
    data.fetch("ds", progress=False)
    (cache / "ds" / "seq.txt").write_bytes(b"edited by hand")
    data.fetch("ds", progress=False)
    assert (cache / "ds" / "seq.txt").read_bytes() == CONTENT


@pytest.mark.parametrize("behaviour, digest", [
    ("files", "0" * 64),          # the registry's hash is wrong
    ("corrupt", None),            # the server sends damaged bytes
])
def test_checksum_mismatch_leaves_nothing_behind(cache, registry, http_server, behaviour, digest):
    registry(one_file(http_server, behaviour, digest=digest))
    with pytest.raises(data.ChecksumError) as err:
        data.fetch("ds", progress=False)
    expected = digest or sha(CONTENT)
    assert f"expected {expected}" in str(err.value) and "registry.toml" in str(err.value)
    assert list((cache / "ds").iterdir()) == []


@pytest.mark.parametrize("behaviour, reason", [("404", "HTTP 404"), ("500", "HTTP 500")])
def test_http_errors_raise_download_error_with_hints(cache, registry, http_server, behaviour,
                                                     reason):
    registry(one_file(http_server, behaviour))
    with pytest.raises(data.DownloadError) as err:
        data.fetch("ds", progress=False)
    message = str(err.value)
    for text in (http_server.url(behaviour, "ds", "seq.txt"), reason, "course data fetch ds",
                 "COURSE_DATA_DIR", "COURSE_DATA_MIRROR"):
        assert text in message
    assert list((cache / "ds").iterdir()) == []


def test_connection_refused_is_a_download_error(cache, registry):
    registry({"ds": [{"name": "a", "url": ["http://127.0.0.1:9/a"], "sha256": sha(b"")}]})
    with pytest.raises(data.DownloadError, match="http://127.0.0.1:9/a"):
        data.fetch("ds", progress=False, timeout=2)


def test_a_hanging_server_times_out(cache, registry, http_server):
    registry(one_file(http_server, "hang"))
    start = time.monotonic()
    with pytest.raises(data.DownloadError, match="timed out"):
        data.fetch("ds", progress=False, timeout=1)
    assert time.monotonic() - start < 10  # the server would hang for 30 s


def test_urls_are_tried_in_order(cache, registry, http_server):
    datasets = one_file(http_server)
    datasets["ds"][0]["url"].insert(0, http_server.url("404", "ds", "seq.txt"))
    registry(datasets)
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == CONTENT
    assert [path for path, _ in http_server.requests] == ["/404/ds/seq.txt", "/files/ds/seq.txt"]


@pytest.mark.parametrize("kind", ["url", "directory"])
def test_mirror_replaces_the_registry_urls(cache, registry, http_server, monkeypatch, kind):
    registry(one_file(http_server, "404"))  # the registry URL is dead
    mirror = http_server.url("files") if kind == "url" else str(http_server.root)
    monkeypatch.setenv("COURSE_DATA_MIRROR", mirror)
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == CONTENT
    assert all(path.startswith("/files/") for path, _ in http_server.requests)


def test_a_cache_folder_works_as_a_mirror(cache, registry, http_server, monkeypatch, tmp_path):
    registry(one_file(http_server))
    data.fetch("ds", progress=False)  # "login node"
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(cache))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "compute-node"))
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == CONTENT
    assert len(http_server.requests) == 1


def test_a_mirror_without_the_file_is_a_download_error(cache, registry, http_server, monkeypatch,
                                                       tmp_path):
    registry(one_file(http_server))
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(tmp_path / "empty-mirror"))
    with pytest.raises(data.DownloadError, match="empty-mirror"):
        data.fetch("ds", progress=False)


@pytest.mark.parametrize("behaviour", ["files", "norange"])  # Range honoured / ignored
def test_a_partial_download_is_resumed(cache, registry, http_server, behaviour):
    registry(one_file(http_server, behaviour))
    (cache / "ds").mkdir(parents=True)
    (cache / "ds" / "seq.txt.part").write_bytes(CONTENT[:1000])
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == CONTENT
    assert http_server.requests == [(f"/{behaviour}/ds/seq.txt", "bytes=1000-")]
    assert not (cache / "ds" / "seq.txt.part").exists()


def test_a_complete_partial_file_is_downloaded_again(cache, registry, http_server):
    registry(one_file(http_server))  # e.g. killed between the last byte and the rename
    (cache / "ds").mkdir(parents=True)
    (cache / "ds" / "seq.txt.part").write_bytes(CONTENT)
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == CONTENT
    assert [r for _, r in http_server.requests] == [f"bytes={len(CONTENT)}-", None]  # 416, then all


def test_concurrent_fetches_wait_for_each_other(cache, registry, http_server):
    fcntl = pytest.importorskip("fcntl", reason="flock is POSIX-only")
    registry(one_file(http_server))
    (cache / "ds").mkdir(parents=True)
    fd = os.open(cache / "ds", os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as another process fetching "ds" would
    other = threading.Thread(target=data.fetch, args=("ds",), kwargs={"progress": False})
    other.start()
    other.join(0.5)
    assert other.is_alive() and http_server.requests == []
    os.close(fd)
    other.join(10)
    assert (cache / "ds" / "seq.txt").read_bytes() == CONTENT and len(http_server.requests) == 1


def test_a_wrong_partial_file_fails_the_checksum_and_is_deleted(cache, registry, http_server):
    registry(one_file(http_server))
    (cache / "ds").mkdir(parents=True)
    (cache / "ds" / "seq.txt.part").write_bytes(b"X" * 1000)
    with pytest.raises(data.ChecksumError):
        data.fetch("ds", progress=False)
    assert list((cache / "ds").iterdir()) == []
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == CONTENT  # retry works


def test_trust_on_first_use_records_the_hash(cache, registry, http_server, capsys):
    registry(one_file(http_server, digest=""))
    data.fetch("ds", progress=False)
    record = (cache / "ds" / "seq.txt.sha256").read_text()
    assert record == f"{sha(CONTENT)}  seq.txt\n"
    assert f'sha256 = "{sha(CONTENT)}"' in capsys.readouterr().err
    (http_server.root / "ds" / "seq.txt").write_bytes(b"changed upstream")
    with pytest.raises(data.ChecksumError, match=sha(CONTENT)):
        data.fetch("ds", progress=False, force=True)
    assert (cache / "ds" / "seq.txt").read_bytes() == CONTENT  # the good copy is kept


def _cached(folder: Path) -> list[str]:
    """The files a fetch left in a dataset folder, except a resumable .part."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".part"))


def test_a_short_body_is_never_trusted_and_is_resumed(cache, registry, http_server):
    """Trust on first use records a hash only for a body of the length the server declared."""
    registry(one_file(http_server, "short", digest=""))
    with pytest.raises(data.DownloadError, match="1,650 of the 3,300 bytes"):
        data.fetch("ds", progress=False)
    assert _cached(cache / "ds") == []  # neither seq.txt nor a recorded hash
    registry(one_file(http_server, "files", digest=""))
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == CONTENT
    assert (cache / "ds" / "seq.txt.sha256").read_text().split()[0] == sha(CONTENT)
    assert http_server.requests[-1][1] == "bytes=1650-"  # the second fetch resumed the .part


def test_a_short_body_without_a_length_is_checked_against_the_registry_size(cache, registry,
                                                                           http_server):
    registry(one_file(http_server, "nolength", digest=""))
    with pytest.raises(data.DownloadError, match="the registry says 3,300"):
        data.fetch("ds", progress=False)
    assert list((cache / "ds").iterdir()) == []


def test_a_cut_gzip_of_unknown_size_is_refused(cache, registry, http_server):
    import gzip as gz

    body = gz.compress(np.random.default_rng(0).bytes(20000))
    entry = one_file(http_server, "nolength", content=body, digest="", name="genome.fa.gz")
    del entry["ds"][0]["size"]
    registry(entry)
    with pytest.raises(data.DownloadError, match="gzip body is damaged or cut short"):
        data.fetch("ds", progress=False)
    assert list((cache / "ds").iterdir()) == []


def test_a_cut_text_body_of_unknown_size_is_never_trusted(cache, registry, http_server):
    """NCBI's efetch sends a FASTA with no length: a body cut mid-line is not recorded."""
    body = b">NC_000913.3 Escherichia coli\n" + b"ACGTTGCA" * 500 + b"\n" + b"GGCC" * 301 + b"\n"
    entry = one_file(http_server, "nolength", content=body, digest="", name="genome.fa")
    del entry["ds"][0]["size"]
    registry(entry)
    with pytest.raises(data.DownloadError, match="does not end with a line break, so it was cut"):
        data.fetch("ds", progress=False)
    assert list((cache / "ds").iterdir()) == []
    entry["ds"][0]["url"] = [http_server.url("files", "ds", "genome.fa")]
    registry(entry)
    assert (data.fetch("ds", progress=False) / "genome.fa").read_bytes() == body
    assert (cache / "ds" / "genome.fa.sha256").read_text().split()[0] == sha(body)


def test_a_first_use_mismatch_says_which_files_to_delete(cache, registry, http_server):
    registry(one_file(http_server, digest=""))
    data.fetch("ds", progress=False)
    (http_server.root / "ds" / "seq.txt").write_bytes(b"changed upstream")
    registry(one_file(http_server, content=b"changed upstream", digest=""))
    with pytest.raises(data.ChecksumError) as err:
        data.fetch("ds", progress=False, force=True)
    record, dest = cache / "ds" / "seq.txt.sha256", cache / "ds" / "seq.txt"
    assert f"delete {record} and {dest}" in str(err.value)
    record.unlink()
    dest.unlink()
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == b"changed upstream"


def test_data_path_names_the_files_when_one_is_missing(cache, registry, http_server):
    registry(one_file(http_server))
    assert data.data_path("ds") == cache / "ds"
    with pytest.raises(FileNotFoundError, match="it holds: seq.txt"):
        data.data_path("ds", "nope.txt")


# ---------------------------------------------------------------------------- archives


def make_tar(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


def archive_dataset(server, content: bytes) -> dict:
    datasets = one_file(server, content=content, name="bundle.tar.gz")
    datasets["ds"][0]["extract"] = "tar.gz"
    return datasets


def test_tar_gz_is_extracted_and_marked_complete(cache, registry, http_server):
    content = make_tar({"bundle/a.txt": b"AAAA", "bundle/sub/b.txt": b"CC", "top.txt": b"T"})
    registry(archive_dataset(http_server, content))
    folder = data.fetch("ds", progress=False)
    assert (folder / "bundle" / "a.txt").read_bytes() == b"AAAA"
    assert (folder / "bundle" / "sub" / "b.txt").read_bytes() == b"CC"
    assert (folder / "bundle.tar.gz.extracted").read_text().strip() == sha(content)
    assert sorted(p.name for p in folder.iterdir()) == [
        "bundle", "bundle.tar.gz", "bundle.tar.gz.extracted", "top.txt"]
    (folder / "bundle.tar.gz").unlink()  # the archive may be deleted to save space
    assert data.data_path("ds", "bundle/a.txt").read_bytes() == b"AAAA"
    assert len(http_server.requests) == 1


@pytest.mark.parametrize("members, links", [
    ({"../evil.txt": b"x"}, None),
    ({"/tmp/evil.txt": b"x"}, None),
    ({"bundle/../../evil.txt": b"x"}, None),
    ({"bundle.tar.gz": b"x"}, None),               # would overwrite the archive itself
    ({"ok.txt": b"x"}, {"bundle/link": "/etc/passwd"}),
    ({"ok.txt": b"x"}, {"bundle/link": "../../outside"}),
])
def test_unsafe_archives_are_refused(cache, registry, http_server, members, links):
    registry(archive_dataset(http_server, make_tar(members, links)))
    with pytest.raises(data.ArchiveError, match="refusing to extract"):
        data.fetch("ds", progress=False)
    assert sorted(p.name for p in (cache / "ds").iterdir()) == ["bundle.tar.gz"]
    assert not (cache / "evil.txt").exists() and not (cache.parent / "evil.txt").exists()
    assert not data.list_datasets()[0]["cached"]


def test_a_truncated_archive_leaves_no_half_extracted_dataset(cache, registry, http_server):
    content = make_tar({"bundle/a.txt": b"A" * 5000, "bundle/b.txt": b"C" * 5000})
    registry(archive_dataset(http_server, content[: len(content) // 2]))
    with pytest.raises(data.ArchiveError, match="fetch again"):
        data.fetch("ds", progress=False)
    assert sorted(p.name for p in (cache / "ds").iterdir()) == ["bundle.tar.gz"]
    assert not data.list_datasets()[0]["cached"]


# ---------------------------------------------------------------------------- real primer


@pytest.mark.skipif(not REAL_PRIMER.is_dir(), reason=f"real primer files not at {REAL_PRIMER}")
def test_real_primer_through_the_packaged_registry(cache, http_server, monkeypatch):
    shutil.copytree(REAL_PRIMER, http_server.root / "primer")
    monkeypatch.setenv("COURSE_DATA_MIRROR", http_server.url("files"))
    sequences, labels = data.load_primer()
    assert len(sequences) == 2000 and {len(s) for s in sequences} == {50}
    assert labels.shape == (2000,) and labels.dtype == np.int64 and set(labels) == {0, 1}
    registry = {f["name"]: f["sha256"] for f in data.load_registry()["primer"]["files"]}
    for name, digest in registry.items():
        assert sha((cache / "primer" / name).read_bytes()) == digest
    dataset = data.load_sequence_dataset("primer")
    assert dataset.sequences == sequences and dataset.labels.tolist() == labels.tolist()
    assert dataset.class_names == ["0", "1"] and len(http_server.requests) == 2


# ---------------------------------------------------------------------------- loaders

# Three classes, variable lengths 4..8, one lower-case sequence.
RECORDS = [("s1", "ACGTAC", "gene"), ("s2", "acgt", "enhancer"), ("s3", "ACGTACGT", "promoter"),
           ("s4", "TTTTT", "gene")]
EXPECTED_NAMES = ["enhancer", "gene", "promoter"]
EXPECTED_LABELS = [1, 0, 2, 1]


def write_records(tmp_path: Path, kind: str) -> tuple[Path, dict]:
    """The RECORDS written in one accepted format; returns (path, extra kwargs)."""
    table = lambda sep: f"id{sep}sequence{sep}label\n" + "".join(
        f"{i}{sep}{s}{sep}{c}\n" for i, s, c in RECORDS)
    if kind in ("csv", "tsv", "txt"):
        path = tmp_path / f"seqs.{kind}"
        path.write_text(table("," if kind == "csv" else "\t"))
        return path, {}
    if kind == "csv.gz":
        path = tmp_path / "seqs.csv.gz"
        path.write_bytes(gzip.compress(table(",").encode()))
        return path, {}
    fasta = {  # label= anywhere after the id, sequences over two lines / id|label
        "fasta-label": "".join(f">{i} a b label={c}\n{s[:3]}\n{s[3:]}\n" for i, s, c in RECORDS),
        "fa-pipe": "".join(f">{i}|{c} description\n{s}\n" for i, s, c in RECORDS)}
    if kind in fasta:
        path = tmp_path / ("seqs.fasta" if kind == "fasta-label" else "seqs.fa")
        path.write_text(fasta[kind])
        return path, {}
    if kind == "fna.gz+side-ids":
        path, side = tmp_path / "seqs.fna.gz", tmp_path / "labels.csv"
        path.write_bytes(gzip.compress("".join(f">{i}\n{s}\n" for i, s, _ in RECORDS).encode()))
        side.write_text("id,label\n" + "".join(f"{i},{c}\n" for i, _, c in reversed(RECORDS)))
        return path, {"labels_path": side}
    if kind == "plain+side-lines":
        path, side = tmp_path / "sequences.txt", tmp_path / "labels.txt"
        path.write_text("".join(f"{s}\n" for _, s, _ in RECORDS))
        side.write_text("".join(f"{c}\n" for *_, c in RECORDS))
        return path, {"labels_path": side}
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["csv", "tsv", "txt", "csv.gz", "fasta-label", "fa-pipe",
                                  "fna.gz+side-ids", "plain+side-lines"])
def test_every_format_gives_the_same_dataset(tmp_path, kind):
    path, kwargs = write_records(tmp_path, kind)
    result = data.load_labelled_sequences(path, **kwargs)
    assert result.sequences == ["ACGTACNN", "ACGTNNNN", "ACGTACGT", "TTTTTNNN"]
    assert result.class_names == EXPECTED_NAMES
    assert result.labels.tolist() == EXPECTED_LABELS and result.labels.dtype == np.int64
    assert (result.length, result.n_padded, result.n_truncated) == (8, 3, 0)


@pytest.mark.parametrize("padding, truncating, expected", [
    ("post", "post", ["ACGTA", "ACGTN", "ACGTA", "TTTTT"]),
    ("pre", "pre", ["CGTAC", "NACGT", "TACGT", "TTTTT"]),
    ("pre", "post", ["ACGTA", "NACGT", "ACGTA", "TTTTT"]),
])
def test_padding_and_truncation_follow_keras(tmp_path, padding, truncating, expected):
    path, _ = write_records(tmp_path, "csv")
    result = data.load_labelled_sequences(path, length=5, padding=padding, truncating=truncating)
    assert result.sequences == expected
    assert (result.length, result.n_padded, result.n_truncated) == (5, 1, 2)


def test_integer_labels_keep_numeric_order(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("sequence,label\nAC,10\nGT,2\nAA,1\nCC,2\n")
    result = data.load_labelled_sequences(path)
    assert result.class_names == ["1", "2", "10"]
    assert result.labels.tolist() == [2, 1, 0, 1]


def test_other_column_names(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("seq\ty\nAC\ta\nGT\tb\n")
    result = data.load_labelled_sequences(path, sequence_column="seq", label_column="y")
    assert result.sequences == ["AC", "GT"] and result.labels.tolist() == [0, 1]


@pytest.mark.parametrize("name, text, kwargs, match", [
    ("x.csv", "sequence,label\nAC,a\nAXT,b\n", {}, r"x.csv, row 2: character 'X' at position 2"),
    ("x.fa", ">r1 label=a\nAC\n>r2 label=b\nAC-T\n", {},
     r"record 2 \('r2'\): character '-' at position 3"),
    ("x.csv", "seq,label\nAC,a\n", {},
     r"no column 'sequence'; its columns are \['seq', 'label'\]: pass sequence_column"),
    ("x.csv", "sequence,class\nAC,a\n", {}, r"no column 'label'.*pass label_column"),
    ("x.csv", "", {}, "is empty"),
    ("x.csv", "sequence,label\n", {}, "holds no sequences"),
    ("x.csv", "sequence,label\nAC,a\nGT,a\n", {}, "at least two classes.*-p LABEL_COLUMN"),
    ("x.csv", "sequence;label\nAC;a\nGT;b\n", {},
     r"x.csv's header 'sequence;label' is separated by semicolons.*comma-separated"),
    ("x.csv", "sequence\tlabel\nAC\ta\nGT\tb\n", {}, r"separated by tabs.*name it .tsv"),
    ("x.tsv", "sequence,label\nAC,a\nGT,b\n", {}, r"separated by commas.*name it .csv"),
    ("x.csv", "sequence,label\nAC,a\nGT,\n", {}, "1 of 2 entries have no label"),
    ("x.csv", "sequence,label\nAC,a\nGT,NaN\nGG,b\nCC,NA\n", {},
     r"2 of 4 entries have no label .*entries 2, 4\).*not a class.*-p LABEL_COLUMN"),
    ("x.csv", "sequence,label\nAC,a\n,b\n", {}, "row 2: the sequence is empty"),
    ("x.fa", ">r1 label=a\nAC\n>r2\nGT\n", {}, r"record 'r2' has no label in its header.*label=X"),
    ("x.txt", "ACGT\nACGA\n", {}, "pass labels_path.*in a lesson, -p DATA.*sequence,label"),
    ("x.bed", "chr1\t1\t2\n", {}, "cannot tell the format"),
    ("x.csv", "sequence,label\nAC,a\nGT,b\n", {"length": 0}, "length must be a positive integer"),
    ("x.csv", "sequence,label\nAC,a\nGT,b\n", {"padding": "both"}, "padding must be 'pre' or"),
])
def test_bad_inputs_say_what_to_fix(tmp_path, name, text, kwargs, match):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        data.load_labelled_sequences(path, **kwargs)


@pytest.mark.parametrize("name, body, match", [
    ("x.csv", bytes(range(256)) * 4, r"x.csv cannot be read as a csv file: it looks like binary"),
    ("x.csv", b"\x89HDF\r\n\x1a\n" + bytes(range(128, 256)), "looks like an HDF5 file"),
    ("x.csv.gz", gzip.compress(b"sequence,label\n" + b"".join(
        bytes(np.random.default_rng(i).choice(list(b"ACGT"), 30)) + b",a\n" for i in range(300))
    )[:2000],
     "gzip file that is cut short or damaged"),
    ("x.fa", gzip.compress(b">r1 label=a\nACGT\n"), r"x.fa cannot be read .*a gzip file \(name it .gz\)"),
    ("x.csv.gz", b"sequence,label\nAC,a\n", "named .gz but is not gzip-compressed"),
    ("x.csv", b"sequence,label\nAC,a,extra\nGT,b\n" + b'"AC,b\n' * 3, "not a comma-separated table"),
    ("x.xlsx", b"PK\x03\x04" + bytes(200), r"x.xlsx cannot be read .*a spreadsheet workbook: "
                                            r"export the sheet as CSV"),
], ids=["binary", "hdf5", "cut-gzip", "gzip-named-fa", "plain-named-gz", "ragged-csv", "xlsx"])
def test_files_that_are_not_text_are_named_with_what_they_look_like(tmp_path, name, body, match):
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(ValueError, match=match):
        data.load_labelled_sequences(path)


def test_an_empty_data_source_is_named_not_taken_for_the_current_folder():
    with pytest.raises(ValueError, match=r"the data source is empty.*-p DATA simulated"):
        data.load_sequence_dataset("")


def test_a_folder_given_as_the_file_is_named(tmp_path):
    (tmp_path / "adir").mkdir()
    with pytest.raises(ValueError, match=r"adir is a folder; give one file .*-p DATA"):
        data.load_labelled_sequences(tmp_path / "adir")


def test_a_huge_common_length_is_refused_before_allocating(tmp_path, monkeypatch):
    path = tmp_path / "x.csv"
    path.write_text("sequence,label\nACGT,a\n" + "ACGT" * 250_000 + ",b\nAC,a\n")
    monkeypatch.setattr(data, "MAX_ONE_HOT_BYTES", 2**20)
    with pytest.raises(ValueError, match=r"3 sequences of length 1,000,000 need 45.8 MiB as "
                                         r"one-hot float32 \(the limit is 1.0 MiB.*entry 2 "
                                         r"\(1,000,000 bases\).*-p SEQ_LEN"):
        data.load_labelled_sequences(path)
    assert data.load_labelled_sequences(path, length=100).length == 100  # the fix works


@pytest.mark.parametrize("value", ["lots", "0", "-2", "inf"])
def test_a_bad_memory_limit_in_the_environment_is_named(tmp_path, monkeypatch, value):
    path = tmp_path / "x.csv"
    path.write_text("sequence,label\nACGT,a\nACGA,b\n")
    monkeypatch.setenv("COURSE_MAX_ONE_HOT_GB", value)
    with pytest.raises(ValueError, match=f"COURSE_MAX_ONE_HOT_GB='{value}': set it to a positive"):
        data.load_labelled_sequences(path)
    monkeypatch.setenv("COURSE_MAX_ONE_HOT_GB", "0.5")  # read at each call, not at import
    assert data.load_labelled_sequences(path).length == 4


@pytest.mark.parametrize("side, match", [
    ("a\nb\n", "has 2 labels but .* has 3 sequences"),
    ("id,label\nr1,a\nr2,b\n", r"no label for 1 of the 3 sequences .*first: 'r3'"),
    ("r1,a\nr2\n", "one label per line, or two columns"),
])
def test_bad_label_files_say_what_to_fix(tmp_path, side, match):
    path, labels = tmp_path / "x.fa", tmp_path / "labels.txt"
    path.write_text(">r1\nAC\n>r2\nGT\n>r3\nGG\n")
    labels.write_text(side)
    with pytest.raises(ValueError, match=match):
        data.load_labelled_sequences(path, labels_path=labels)


def test_summary_counts_the_classes(tmp_path):
    path, _ = write_records(tmp_path, "csv")
    assert data.load_labelled_sequences(path, length=5).summary() == (
        "4 sequences of length 5; 3 classes (enhancer: 1, gene: 2, promoter: 1); "
        "1 padded, 2 truncated")


def test_load_sequence_dataset_simulates_or_reads_a_file(tmp_path):
    from course_lib.simulation import simulate_motif_dataset

    simulated = data.load_sequence_dataset("simulated", n=10, length=20, motif="ACGT", seed=3)
    truth = simulate_motif_dataset(n=10, length=20, motif="ACGT", seed=3)
    assert simulated.sequences == truth.sequences and simulated.class_names == ["0", "1"]
    assert simulated.labels.tolist() == truth.labels.tolist()
    path, _ = write_records(tmp_path, "tsv")
    from_file, direct = data.load_sequence_dataset(path, length=None), data.load_labelled_sequences(path)
    assert from_file.sequences == direct.sequences and from_file.summary() == direct.summary()
    with pytest.raises(ValueError, match="simulated data needs a length"):
        data.load_sequence_dataset("simulated", length=None)


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no sequences file"):
        data.load_labelled_sequences(tmp_path / "nope.csv")


def test_a_class_called_none_is_a_class(tmp_path):
    """'none' (no motif) is a label users give; only NaN/NA/empty mean a missing one."""
    path = tmp_path / "x.csv"
    path.write_text("sequence,label\nACGT,none\nACGA,CTCF\nACGG,none\n")
    assert data.load_labelled_sequences(path).class_names == ["CTCF", "none"]


def test_a_cache_setting_that_names_a_file_says_which_setting_to_change(tmp_path, monkeypatch,
                                                                          registry, http_server):
    registry(one_file(http_server))
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "afile"))
    with pytest.raises(OSError, match=r"afile is a file, not a folder. Set COURSE_DATA_DIR"):
        data.fetch("ds", progress=False)
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    assert (data.fetch("ds", progress=False) / "seq.txt").read_bytes() == CONTENT
