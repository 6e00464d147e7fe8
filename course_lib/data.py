"""The checksummed data registry, the download cache, and loaders for your own labelled sequences.

Every file a lesson needs is listed in ``data/registry.toml`` (shipped as
``course_lib.files/registry.toml``) with its URLs, SHA-256 and size. :func:`fetch` puts a
dataset's files in ``<cache>/<dataset>/<file>``:

- the cache is ``$COURSE_DATA_DIR``, else ``$XDG_CACHE_HOME/course-lib``, else
  ``~/.cache/course-lib``;
- ``$COURSE_DATA_MIRROR`` replaces the registry URLs with ``<mirror>/<dataset>/<file>``, where
  the mirror is a base URL (``https://...``) or a local directory, so the cache folder of a
  login node works as the mirror of compute nodes without internet;
- downloads stream into ``<file>.part`` next to the destination while the SHA-256 is computed,
  resume an interrupted ``.part`` with an HTTP ``Range`` request, and are renamed into place
  only once the hash matches; a mismatch deletes the ``.part`` and raises :class:`ChecksumError`;
- ``sha256 = ""`` means trust on first use: the first complete download's hash is recorded in
  ``<file>.sha256`` (``sha256sum`` format) and later downloads must match it;
- ``extract = "tar.gz"`` unpacks the archive into a temporary folder inside the dataset folder,
  moves its entries into place and writes ``<file>.extracted`` last, so a half-extracted
  dataset never looks complete. The archive can be deleted afterwards to save space.

Python's ``urllib`` is used rather than pooch because pooch can neither resume a multi-GB
download nor read a local-directory mirror.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import importlib.resources
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import numpy as np

import tomllib

__all__ = [
    "ChecksumError", "DownloadError", "IncompleteDownload", "ArchiveError", "LabelledSequences",
    "REGISTRY_PATH",
    "cache_dir", "load_registry", "list_datasets", "fetch", "data_path", "load_primer",
    "load_labelled_sequences", "load_sequence_dataset",
]

#: Registry file used when :func:`load_registry` gets no path; ``None`` = the packaged one.
#: Tests and forks can point it at their own TOML file.
REGISTRY_PATH: Path | None = None

_CHUNK = 1 << 20
_NETWORK_ERRORS = (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CACHE_SUFFIXES = (".part", ".sha256", ".extracted")  # bookkeeping files next to a download


class ChecksumError(RuntimeError):
    """A downloaded file's SHA-256 is not the one in the registry (the file was deleted)."""


class DownloadError(RuntimeError):
    """No URL (or mirror) could deliver a file: network error, HTTP error or timeout."""


class IncompleteDownload(ConnectionError):
    """A body shorter (or longer) than the server declared, or a gzip file that does not end."""


class ArchiveError(RuntimeError):
    """An archive is unreadable or unsafe to extract (absolute paths, ``..``, odd links)."""


# ---------------------------------------------------------------------------- registry


def cache_dir() -> Path:
    """Folder that holds downloaded datasets as ``<cache>/<dataset>/<file>``.

    ``$COURSE_DATA_DIR`` if set, else ``$XDG_CACHE_HOME/course-lib``, else
    ``~/.cache/course-lib``. The folder is created by :func:`fetch`, not here.

    Returns
    -------
    pathlib.Path

    Introduced in: 04_one_hot_cnn
    """
    if os.environ.get("COURSE_DATA_DIR"):
        return Path(os.environ["COURSE_DATA_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "course-lib"


def load_registry(path: str | os.PathLike | None = None) -> dict[str, dict[str, Any]]:
    """Read and check the dataset registry.

    Parameters
    ----------
    path : path-like, optional
        A registry TOML file; default :data:`REGISTRY_PATH`, else the packaged
        ``course_lib.files/registry.toml``.

    Returns
    -------
    dict
        Dataset name -> {"description", "licence", "citation", "homepage", "files"}, where
        each file is {"name", "url" (list of str), "sha256" (str, "" = trust on first use),
        "size" (int or None), "extract" (str or None)}.

    Introduced in: 04_one_hot_cnn
    """
    if path is None:
        path = REGISTRY_PATH or importlib.resources.files("course_lib.files") / "registry.toml"
    with open(path, "rb") as handle:
        try:
            raw = tomllib.load(handle)
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"registry {path} is not valid TOML: {err}") from None
    return {name: _check_dataset(name, entry, path) for name, entry in raw.items()}


def _check_dataset(name: str, entry: Any, path: Any) -> dict[str, Any]:
    where = f"registry {path}, dataset [{name}]"
    keys = ("description", "licence", "citation", "homepage")
    if not isinstance(entry, dict) or any(not isinstance(entry.get(k), str) for k in keys):
        raise ValueError(f"{where}: needs string fields {', '.join(keys)} and [[{name}.files]]")
    files = entry.get("files")
    if not isinstance(files, list) or not files:
        raise ValueError(f"{where}: add at least one [[{name}.files]] table")
    return {**{k: entry[k] for k in keys}, "files": [_check_file(f, where) for f in files]}


def _check_file(entry: Any, where: str) -> dict[str, Any]:
    name = entry.get("name") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", ".."):
        raise ValueError(f"{where}: each file needs a plain file name, got {name!r}")
    url, sha, size = entry.get("url"), entry.get("sha256"), entry.get("size")
    urls = [url] if isinstance(url, str) else url
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise ValueError(f"{where}, file {name}: url must be a URL or a list of URLs")
    if not isinstance(sha, str) or not (sha == "" or _SHA256.fullmatch(sha)):
        raise ValueError(f"{where}, file {name}: sha256 must be 64 lower-case hex digits or \"\"")
    if size is not None and (not isinstance(size, int) or size < 0):
        raise ValueError(f"{where}, file {name}: size must be a number of bytes, got {size!r}")
    if entry.get("extract") not in (None, "tar.gz"):
        raise ValueError(f"{where}, file {name}: extract must be \"tar.gz\" or left out")
    return {"name": name, "url": urls, "sha256": sha, "size": size, "extract": entry.get("extract")}


def _dataset(name: str) -> dict[str, Any]:
    registry = load_registry()
    if name not in registry:
        raise ValueError(
            f"unknown dataset {name!r}; known datasets: {', '.join(sorted(registry))} "
            "(`course data list` describes them)"
        )
    return registry[name]


def list_datasets() -> list[dict[str, Any]]:
    """Describe every dataset of the registry, and whether it is already in the cache.

    Returns
    -------
    list of dict
        One per dataset, sorted by name, with keys ``name``, ``description``, ``n_files``,
        ``size`` (total bytes, or None when a file's size is not published), ``licence``,
        ``citation``, ``homepage`` and ``cached`` (bool: every file present; :func:`fetch`
        verifies the hashes).

    Introduced in: 04_one_hot_cnn
    """
    rows = []
    for name, entry in sorted(load_registry().items()):
        sizes = [f["size"] for f in entry["files"]]
        folder = cache_dir() / name
        rows.append({
            "name": name, "description": entry["description"], "n_files": len(entry["files"]),
            "size": None if None in sizes else sum(sizes), "licence": entry["licence"],
            "citation": entry["citation"], "homepage": entry["homepage"],
            "cached": all(_present(folder / f["name"], f) for f in entry["files"]),
        })
    return rows


def _present(dest: Path, entry: dict[str, Any]) -> bool:
    return _marker(dest).is_file() if entry["extract"] else dest.is_file()


# ---------------------------------------------------------------------------- fetching


def fetch(name: str, *, timeout: float = 60.0, progress: bool = True, force: bool = False) -> Path:
    """Download a registered dataset into the cache (if needed) and verify it.

    Parameters
    ----------
    name : str
        A dataset of the registry (see :func:`list_datasets` or ``course data list``).
    timeout : float
        Seconds a connection may stay silent before the download fails.
    progress : bool
        Show a tqdm progress bar per downloaded file.
    force : bool
        Download again even if the cached files are fine.

    Returns
    -------
    pathlib.Path
        ``<cache>/<name>``, holding every file of the dataset, verified.

    Raises
    ------
    ValueError
        Unknown dataset name.
    DownloadError
        No source could deliver a file (its message says how to pre-fetch or mirror).
    ChecksumError
        A download did not match its SHA-256.
    ArchiveError
        An archive could not be extracted safely.

    Introduced in: 04_one_hot_cnn
    """
    entry = _dataset(name)
    folder = _make_folder(cache_dir() / name)
    reserved = {file["name"] for file in entry["files"]}
    with _locked(folder):  # another process fetching the same dataset waits, then hits the cache
        for file in entry["files"]:
            _fetch_file(name, file, folder, reserved, timeout=timeout, progress=progress,
                        force=force)
    return folder


def _make_folder(folder: Path) -> Path:
    """Create the dataset's cache folder, or say which setting points at something else."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError, PermissionError) as err:
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()),
                       None)
        what = (f"{blocker} is a file, not a folder" if blocker is not None
                else f"cannot create {folder} ({err.strerror})")
        raise OSError(
            f"the data cache {cache_dir()} cannot hold {folder.name}: {what}. Set COURSE_DATA_DIR "
            "to a folder you can write (e.g. export COURSE_DATA_DIR=$HOME/course-data)") from None
    return folder


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (best effort: unlocked where the OS or the
    filesystem has no ``flock``, e.g. Windows or some network filesystems)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def data_path(name: str, filename: str | None = None) -> Path:
    """Path of a dataset's cache folder, or of a file in it, fetching the dataset if needed.

    Parameters
    ----------
    name : str
        A dataset of the registry.
    filename : str, optional
        A file of the dataset (a relative path for files extracted from an archive, e.g.
        ``"deepsea_train/valid.mat"``).

    Returns
    -------
    pathlib.Path

    Introduced in: 04_one_hot_cnn
    """
    folder = fetch(name, progress=sys.stderr.isatty())
    if filename is None:
        return folder
    path = folder / filename
    if not path.exists():
        present = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        raise FileNotFoundError(
            f"dataset {name!r} has no {filename!r}; it holds: {', '.join(present)}")
    return path


def _fetch_file(dataset: str, entry: dict[str, Any], folder: Path, reserved: set[str], *,
                timeout: float, progress: bool, force: bool) -> None:
    dest = folder / entry["name"]
    expected = entry["sha256"] or _recorded_hash(dest)
    if entry["extract"] and not force and expected and _marker_hash(dest) == expected:
        return
    if force or not (expected and dest.is_file() and _sha256_of(dest) == expected):
        sources = _sources(dataset, entry)
        digest = _download_any(sources, dest, expected, f"{dataset}/{entry['name']}", entry,
                               timeout=timeout, progress=progress)
        if expected is None:
            _record_hash(dest, digest, dataset)
        expected = digest
    if entry["extract"]:
        _extract_tar(dest, folder, expected, reserved)


def _sources(dataset: str, entry: dict[str, Any]) -> list[str]:
    mirror = os.environ.get("COURSE_DATA_MIRROR", "").strip()
    if not mirror:
        return list(entry["url"])
    if re.match(r"(https?|file)://", mirror):
        return [f"{mirror.rstrip('/')}/{dataset}/{entry['name']}"]
    return [str(Path(mirror).expanduser() / dataset / entry["name"])]


def _download_any(sources: list[str], dest: Path, expected: str | None, label: str,
                  entry: dict[str, Any], *, timeout: float, progress: bool) -> str:
    part = dest.with_name(dest.name + ".part")
    failures = []
    for source in sources:
        try:
            digest, n_bytes = _download(source, part, timeout=timeout, progress=progress,
                                        size=entry["size"], label=label)
        except _NETWORK_ERRORS + (FileNotFoundError, PermissionError, IsADirectoryError) as err:
            failures.append(f"  {source}: {_describe(err)}")
            continue
        if expected is None:  # trust on first use: only a body that is whole
            try:
                _check_complete(part, entry["name"], entry["size"])
            except IncompleteDownload as err:
                failures.append(f"  {source}: {_describe(err)}")
                continue
        elif digest != expected:
            part.unlink(missing_ok=True)
            raise ChecksumError(_checksum_message(label, source, expected, digest, n_bytes, entry,
                                                  first_use=not entry["sha256"], dest=dest))
        os.replace(part, dest)
        return digest
    raise DownloadError(_download_message(label, failures))


def _describe(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return f"{type(err.reason).__name__}: {err.reason}"
    if isinstance(err, TimeoutError):
        return "timed out (no data within the timeout)"
    return f"{type(err).__name__}: {err}"


def _download_message(label: str, failures: list[str]) -> str:
    dataset = label.split("/")[0]
    return (
        f"could not download {label}:\n" + "\n".join(failures) + "\n"
        "If this machine has no internet (e.g. a cluster compute node), fetch on a machine "
        f"that has (a login node): `course data fetch {dataset}`, then copy its cache folder "
        f"here ({cache_dir()}), or set COURSE_DATA_DIR to a shared filesystem both can see, "
        "or set COURSE_DATA_MIRROR to a URL or folder laid out as <mirror>/<dataset>/<file> "
        "(a login node's cache folder works). A partial download is kept as .part and resumed."
    )


def _checksum_message(label: str, source: str, expected: str, actual: str, n_bytes: int,
                      entry: dict[str, Any], first_use: bool = False, dest: Path | None = None
                      ) -> str:
    size = f" (expected {entry['size']:,} bytes)" if entry["size"] is not None else ""
    if first_use and dest is not None:
        record = dest.with_name(dest.name + ".sha256")
        return (
            f"SHA-256 mismatch for {label} from {source}: got {actual} from {n_bytes:,} bytes, "
            f"but the first download recorded {expected} in {record} (this file has no "
            "published SHA-256). The new download was deleted. If the source changed, or the "
            f"first download was damaged, delete {record} and {dest} and fetch again "
            f"(`course data fetch {label.split('/')[0]}`): the next complete download is trusted."
        )
    return (
        f"SHA-256 mismatch for {label} from {source}: expected {expected}, got {actual} "
        f"from {n_bytes:,} bytes{size}. The download was deleted. Run the fetch again (a "
        "transfer or a mirror may be corrupt); if it still fails the file changed at its "
        "source: check the dataset's homepage and update data/registry.toml, or use "
        "COURSE_DATA_MIRROR with a known-good copy."
    )


def _open(source: str, offset: int, timeout: float) -> tuple[BinaryIO, int, int | None]:
    """Open a URL or local file at ``offset``; returns (stream, actual offset, bytes left)."""
    if not re.match(r"[a-z]+://", source):
        stream = open(source, "rb")
        size = os.fstat(stream.fileno()).st_size
        offset = offset if offset <= size else 0
        stream.seek(offset)
        return stream, offset, size - offset
    request = urllib.request.Request(source, headers={"User-Agent": "course-lib"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as err:
        if err.code != 416 or not offset:  # 416: the .part is no prefix of the file
            raise
        return _open(source, 0, timeout)
    resumed = response.status == 206 and response.headers.get("Content-Range", "").startswith(
        f"bytes {offset}-")
    if offset and not resumed:
        if response.status == 206:  # a range we did not ask for
            response.close()
            return _open(source, 0, timeout)
        offset = 0  # the server ignored Range and sends the whole file
    length = response.headers.get("Content-Length")
    return response, offset, int(length) if length and length.isdigit() else None


def _download(source: str, part: Path, *, timeout: float, progress: bool, size: int | None,
              label: str) -> tuple[str, int]:
    """Stream ``source`` into ``part`` (resuming it); returns (sha256 hex, total bytes)."""
    from tqdm import tqdm

    offset = part.stat().st_size if part.is_file() else 0
    stream, offset, left = _open(source, offset, timeout)
    digest = _hash_prefix(part, offset)
    total = offset + left if left is not None else size
    with stream, open(part, "ab" if offset else "wb") as out, tqdm(
            total=total, initial=offset, unit="B", unit_scale=True, desc=label,
            disable=not progress, mininterval=0.5) as bar:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            out.write(chunk)
            digest.update(chunk)
            bar.update(len(chunk))
    n_bytes = part.stat().st_size
    declared = offset + left if left is not None else None
    if declared is not None and n_bytes != declared:
        if n_bytes > declared:
            part.unlink()
        raise IncompleteDownload(
            f"the connection ended after {n_bytes:,} of the {declared:,} bytes the source "
            "declared" + (" (kept as .part: the next fetch resumes it)" if n_bytes < declared
                          else " (more than declared: deleted)"))
    return digest.hexdigest(), n_bytes


def _check_complete(part: Path, name: str, size: int | None) -> None:
    """Before trusting a first download: its registry size, and a gzip body that ends cleanly."""
    n_bytes = part.stat().st_size
    if size is not None and n_bytes != size:
        part.unlink()
        raise IncompleteDownload(f"got {n_bytes:,} bytes, the registry says {size:,} (deleted)")
    if size is None and name.lower().endswith(_TEXT_SUFFIXES) and not _ends_with_newline(part):
        part.unlink()
        raise IncompleteDownload("the text body does not end with a line break, so it was cut "
                                 "short (the server declared no length; deleted)")
    if name.lower().endswith((".gz", ".tgz")):
        try:
            with gzip.open(part, "rb") as handle:
                while handle.read(_CHUNK):
                    pass
        except (EOFError, OSError, gzip.BadGzipFile) as err:
            part.unlink()
            raise IncompleteDownload(f"the gzip body is damaged or cut short ({err}; deleted)"
                                     ) from None


_TEXT_SUFFIXES = (".fa", ".fasta", ".fna", ".txt", ".tsv", ".csv", ".bed", ".gff", ".gtf")


def _ends_with_newline(path: Path) -> bool:
    """A complete text download (FASTA, tables) ends with a line break; an empty one is cut."""
    n_bytes = path.stat().st_size
    if not n_bytes:
        return False
    with open(path, "rb") as handle:
        handle.seek(n_bytes - 1)
        return handle.read(1) in (b"\n", b"\r")


def _hash_prefix(path: Path, n_bytes: int) -> Any:
    """hashlib SHA-256 object fed with the first ``n_bytes`` of ``path`` (none if 0)."""
    digest = hashlib.sha256()
    if n_bytes:
        with open(path, "rb") as handle:
            while n_bytes > 0 and (chunk := handle.read(min(_CHUNK, n_bytes))):
                digest.update(chunk)
                n_bytes -= len(chunk)
    return digest


def _sha256_of(path: Path) -> str:
    return _hash_prefix(path, path.stat().st_size).hexdigest()


def _recorded_hash(dest: Path) -> str | None:
    record = dest.with_name(dest.name + ".sha256")
    if not record.is_file():
        return None
    words = record.read_text().split()
    return words[0] if words and _SHA256.fullmatch(words[0]) else None


def _record_hash(dest: Path, digest: str, dataset: str) -> None:
    dest.with_name(dest.name + ".sha256").write_text(f"{digest}  {dest.name}\n")
    print(
        f"{dataset}/{dest.name} has no published SHA-256; recorded the first download's hash "
        f"(trust on first use) in {dest.name}.sha256:\n    sha256 = \"{digest}\"\n"
        "Later downloads must match it. Please add that line to this file's entry in "
        "data/registry.toml so everyone verifies it.",
        file=sys.stderr,
    )


# ---------------------------------------------------------------------------- archives


def _marker(archive: Path) -> Path:
    return archive.with_name(archive.name + ".extracted")


def _marker_hash(archive: Path) -> str | None:
    marker = _marker(archive)
    return marker.read_text().strip() if marker.is_file() else None


def _extract_tar(archive: Path, folder: Path, digest: str, reserved: set[str]) -> None:
    """Extract ``archive`` into ``folder`` via a temporary folder; write the marker last."""
    _marker(archive).unlink(missing_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".extracting-", dir=folder))
    try:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                members = tar.getmembers()
                _check_members(members, archive, reserved)
                tar.extractall(staging, members, **_tar_filter())
        except (tarfile.TarError, EOFError, OSError) as err:
            raise ArchiveError(f"cannot extract {archive}: {err}; delete it and fetch again "
                               "(fetch(..., force=True))") from None
        for child in staging.iterdir():
            _remove(folder / child.name)
            os.replace(child, folder / child.name)
        _marker(archive).write_text(digest + "\n")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _tar_filter() -> dict[str, Any]:
    return {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _check_members(members: list[tarfile.TarInfo], archive: Path, reserved: set[str]) -> None:
    for member in members:
        parts = PurePosixPath(member.name).parts
        link = PurePosixPath(member.linkname) if member.issym() or member.islnk() else None
        unsafe = (
            member.name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", member.name)
            or ".." in parts
            or (link is not None and (link.is_absolute() or ".." in link.parts))
            or not (member.isfile() or member.isdir() or link is not None)
            or (parts and (parts[0] in reserved or parts[0].endswith(_CACHE_SUFFIXES)))
        )
        if unsafe:
            raise ArchiveError(
                f"refusing to extract {archive}: member {member.name!r} would be written outside "
                "the dataset folder, over a registry file, or is not a plain file/folder/link. "
                "The archive is not trustworthy: delete it and check the dataset's source."
            )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


# ---------------------------------------------------------------------------- loaders


def load_primer() -> tuple[list[str], np.ndarray]:
    """The primer's 2,000 labelled 50-bp sequences (fetched and verified on first use).

    Returns
    -------
    sequences : list of str, length 2000
        Upper-case DNA, 50 characters each.
    labels : np.ndarray, shape (2000,), int64
        1 if the sequence holds the planted motif, else 0.

    Introduced in: 04_one_hot_cnn
    """
    folder = fetch("primer", progress=sys.stderr.isatty())
    lines = (folder / "sequences.txt").read_text().splitlines()
    sequences = [line.strip().upper() for line in lines if line.strip()]
    labels = np.loadtxt(folder / "labels.txt", dtype=np.int64, ndmin=1)
    return sequences, labels


@dataclass(eq=False)  # labels is an array: == would be ambiguous
class LabelledSequences:
    """Equal-length sequences with integer class labels, from :func:`load_labelled_sequences`.

    Attributes
    ----------
    sequences : list of str
        Upper-case, all ``length`` characters long (padded with ``"N"`` or truncated).
    labels : np.ndarray, shape (n,), int64
        Class index of each sequence, in 0..k-1.
    class_names : list of str
        Name of each class index: sorted, or in numeric order when every label is an integer.
    n_padded, n_truncated : int
        How many sequences were shorter / longer than ``length``.
    length : int
        The common length.
    """

    sequences: list[str]
    labels: np.ndarray
    class_names: list[str]
    n_padded: int
    n_truncated: int
    length: int

    def summary(self) -> str:
        """One line: how many sequences, their length, the classes and their counts."""
        counts = np.bincount(self.labels, minlength=len(self.class_names))
        classes = ", ".join(f"{name}: {count:,}" for name, count in zip(self.class_names, counts))
        return (f"{len(self.sequences):,} sequences of length {self.length}; "
                f"{len(self.class_names)} classes ({classes}); "
                f"{self.n_padded:,} padded, {self.n_truncated:,} truncated")


_FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".fas")
_INVALID_BASE = re.compile(r"[^ACGTNRYSWKMBDHV]")
_MISSING_LABELS = {"", "nan", "na", "n/a", "null", "?"}  # spreadsheet exports of "no value" ("none" is a class)
_SIGNATURES = {b"\x1f\x8b": "a gzip file (name it .gz)", b"PK\x03\x04": "a zip archive (unzip it)",
               b"\x89HDF": "an HDF5 file", b"%PDF": "a PDF", b"\x89PNG": "a PNG image",
               b"MATLAB": "a MATLAB .mat file", b"\x93NUMPY": "a NumPy .npy file",
               b"\x80": "a Python pickle"}
#: The largest one-hot array (float32, n x length x 4) a loader builds before refusing, unless
#: the environment variable COURSE_MAX_ONE_HOT_GB (GiB, read at each call) sets another.
MAX_ONE_HOT_BYTES = 4 * 2**30


def _max_one_hot_bytes() -> int:
    value = os.environ.get("COURSE_MAX_ONE_HOT_GB", "").strip()
    if not value:
        return MAX_ONE_HOT_BYTES
    try:
        gib = float(value)
    except ValueError:
        gib = float("nan")
    if not gib > 0 or gib == float("inf"):
        raise ValueError(f"COURSE_MAX_ONE_HOT_GB={value!r}: set it to a positive number of GiB "
                         "(for example 8), or unset it for the default of 4")
    return int(gib * 2**30)


def load_labelled_sequences(
    path: str | os.PathLike,
    *,
    sequence_column: str = "sequence",
    label_column: str = "label",
    labels_path: str | os.PathLike | None = None,
    length: int | None = None,
    padding: str = "post",
    truncating: str = "post",
) -> LabelledSequences:
    """Read your own labelled DNA sequences from a table or a FASTA file.

    Accepted files (optionally gzipped, ``.gz``):

    - **CSV** (``.csv``) or **TSV** (``.tsv``, or ``.txt`` with tabs) with a header row; the
      sequences are in ``sequence_column`` and the labels in ``label_column``.
    - **FASTA** (``.fa``, ``.fasta``, ``.fna``, ``.fas``) with the label in each header, as
      ``>id label=X`` (a ``label=X`` word anywhere after the id) or ``>id|X`` (the text after
      the last ``|`` of the id).
    - **Plain text** (``.txt`` without tabs): one sequence per line, no header; needs
      ``labels_path``.

    ``labels_path`` (any of these formats) overrides the labels in the file: one label per
    line in the order of the sequences, or two columns ``id,label`` (comma or tab) matched to
    FASTA ids or to an ``id`` column of the table. A first line ``label`` or ``id,label`` is
    a header and skipped.

    Parameters
    ----------
    path : path-like
        The sequences file.
    sequence_column, label_column : str
        Column names in a CSV/TSV file.
    labels_path : path-like, optional
        A side file of labels (see above).
    length : int, optional
        Common length; default the longest sequence.
    padding, truncating : {"pre", "post"}
        Where ``"N"`` is added to shorter / characters removed from longer sequences
        (keras ``pad_sequences`` semantics).

    Returns
    -------
    LabelledSequences
        ``sequences`` (n strings of ``length``), ``labels`` (np.ndarray, shape (n,), int64,
        in 0..k-1), ``class_names`` (k str), ``n_padded``, ``n_truncated``, ``length``.

    Introduced in: 04_one_hot_cnn
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give one file of sequences in it (a .csv, .tsv "
                         "or FASTA file; in a lesson: -p DATA <folder>/<file>)")
    if not path.is_file():
        raise FileNotFoundError(f"no sequences file at {path}; check the path")
    _sniff(path)
    try:
        ids, sequences, labels = _read_records(path, sequence_column, label_column,
                                               labels_path is None)
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise ValueError(_unreadable(path, type(err).__name__,
                                     cut=isinstance(err, (EOFError, zlib.error)))) from None
    if not sequences:
        raise ValueError(f"{path} holds no sequences; check that it is the right file")
    if labels_path is not None:
        labels = _read_side_labels(Path(labels_path), ids, path)
    sequences = [_check_bases(s, where) for s, where in zip(sequences, _places(path, ids))]
    return _assemble(sequences, labels, length, padding, truncating, path)


def load_sequence_dataset(
    source: str | os.PathLike = "simulated",
    *,
    n: int = 2000,
    length: int | None = 50,
    motif: str = "CGACCGAACTCC",
    seed: int = 0,
    sequence_column: str = "sequence",
    label_column: str = "label",
    labels_path: str | os.PathLike | None = None,
) -> LabelledSequences:
    """One entry point for a lesson's ``DATA`` parameter: simulated, the primer, or your file.

    Parameters
    ----------
    source : {"simulated", "primer"} or path-like
        ``"simulated"``: :func:`course_lib.simulation.simulate_motif_dataset` (``n``,
        ``length``, ``motif``, ``seed``); ``"primer"``: :func:`load_primer`; anything else is
        a file for :func:`load_labelled_sequences` (``sequence_column``, ``label_column``,
        ``labels_path``).
    n : int
        Number of simulated sequences (ignored otherwise).
    length : int or None
        Common length; None = the longest (not allowed for simulated data).
    motif : str
        The motif planted in half of the simulated sequences.
    seed : int
        Seed of the simulation.
    sequence_column, label_column, labels_path
        As in :func:`load_labelled_sequences`.

    Returns
    -------
    LabelledSequences
        Labels are int64 class indices, shape (n,); simulated and primer classes are
        ``["0", "1"]`` (1 = motif present).

    Introduced in: 04_one_hot_cnn
    """
    if not str(source).strip():
        raise ValueError("the data source is empty: use 'simulated', 'primer' or the path of a "
                         "CSV/TSV/FASTA file (in a lesson: -p DATA simulated)")
    if str(source) not in ("simulated", "primer"):
        return load_labelled_sequences(source, sequence_column=sequence_column,
                                       label_column=label_column, labels_path=labels_path,
                                       length=length)
    if source == "primer":
        sequences, labels = load_primer()
    elif length is None:
        raise ValueError("simulated data needs a length: pass length=50 (or set SEQ_LEN)")
    else:
        from course_lib.simulation import simulate_motif_dataset

        simulated = simulate_motif_dataset(n=n, length=length, motif=motif, seed=seed)
        sequences, labels = simulated.sequences, simulated.labels
    return _assemble(sequences, [str(label) for label in labels], length, "post", "post",
                     str(source))


def _read_records(path: Path, sequence_column: str, label_column: str,
                  need_labels: bool) -> tuple[list[str], list[str], list[str] | None]:
    """(ids, sequences, labels or None) from any accepted format."""
    suffix = _suffix(path)
    if suffix in _FASTA_SUFFIXES:
        return _read_fasta(path, need_labels)
    if suffix in (".csv", ".tsv") or (suffix == ".txt" and _has_tabs(path)):
        return _read_table(path, "," if suffix == ".csv" else "\t", sequence_column, label_column,
                           need_labels)
    if suffix == ".txt":
        if need_labels:
            raise ValueError(f"{path} is plain text (one sequence per line, no tabs), with no "
                             "labels: pass labels_path=... with one label per line, or (in a "
                             "lesson, -p DATA) give a .csv with columns sequence,label")
        lines = [line.strip() for line in _lines(path) if line.strip()]
        return [str(i + 1) for i in range(len(lines))], lines, None
    raise ValueError(f"cannot tell the format of {path}: use .csv, .tsv, .txt or "
                     f"{', '.join(_FASTA_SUFFIXES)} (optionally + .gz)")


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def open_text(path: str | os.PathLike):
    """Open a text file for reading, gunzipping it on the fly when its name ends in ``.gz``.

    Returns
    -------
    a text-mode file object (use it in a ``with`` block)

    Introduced in: 04_one_hot_cnn
    """
    path = Path(path)
    return (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rt")


def read_fasta(path: str | os.PathLike) -> list[tuple[str, str, str]]:
    """Every record of a FASTA file, plain or gzip-compressed (``.gz``): the course's one reader.

    Parsed by Biopython's ``Bio.SeqIO`` (the field's FASTA parser); lessons 04 (your own
    labelled sequences), 07 (the packaged reference genes) and 08 (genomes) read through it.
    Errors pass through unchanged (``ValueError`` for text that is not FASTA, ``EOFError`` or
    ``OSError`` for a damaged ``.gz``, ``UnicodeDecodeError`` for binary data), so each caller
    can say what to do about its own files.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    list of (id, description, sequence) str tuples, in file order
        ``id`` is the header's first word, ``description`` the whole header line after ``>``,
        ``sequence`` the record's lines joined, case kept.

    Introduced in: 04_one_hot_cnn
    """
    from Bio import SeqIO

    with open_text(path) as handle:
        return [(r.id, r.description, str(r.seq)) for r in SeqIO.parse(handle, "fasta")]


def _lines(path: Path) -> Iterator[str]:
    with open_text(path) as handle:
        yield from handle


def _has_tabs(path: Path) -> bool:
    return any("\t" in line for line in _lines(path))


def _read_table(path: Path, sep: str, sequence_column: str, label_column: str,
                need_labels: bool) -> tuple[list[str], list[str], list[str] | None]:
    import pandas as pd

    try:
        table = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(
            f"{path} is empty; it needs a header row and one row per sequence") from None
    except pd.errors.ParserError as err:
        kind = "comma" if sep == "," else "tab"
        raise ValueError(f"{path} is not a {kind}-separated table: {err}".rstrip() + " Check "
                         "the separator (.csv: commas, .tsv: tabs) and quote fields that hold "
                         "one.") from None
    columns = [sequence_column] + ([label_column] if need_labels else [])
    _check_separator(path, sep, list(table.columns), columns)
    for column, option in zip(columns, ("sequence_column", "label_column")):
        if column not in table.columns:
            raise ValueError(f"{path} has no column {column!r}; its columns are "
                             f"{list(table.columns)}: pass {option}=... with the right one "
                             f"(in a lesson: -p {option.upper()} NAME)")
    ids = table["id"].tolist() if "id" in table.columns else [str(i + 1) for i in range(len(table))]
    labels = [str(x).strip() for x in table[label_column]] if need_labels else None
    return ids, [str(s).strip() for s in table[sequence_column]], labels


def _check_separator(path: Path, sep: str, found: list[str], wanted: list[str]) -> None:
    """A table read as one column whose name holds another separator: say which it is."""
    if len(found) != 1 or len(wanted) < 2:
        return
    for other, name in (("\t", "tabs"), (";", "semicolons"), (",", "commas")):
        if other != sep and other in found[0]:
            fix = {"\t": "name it .tsv", ",": "name it .csv"}.get(
                other, "save it again as comma-separated CSV (a spreadsheet's 'CSV UTF-8 "
                       "(comma delimited)')")
            raise ValueError(
                f"{path}'s header {found[0]!r} is separated by {name}, not by "
                f"{'commas' if sep == ',' else 'tabs'} as its name says: {fix}")


def _read_fasta(path: Path, need_labels: bool) -> tuple[list[str], list[str], list[str] | None]:
    records = read_fasta(path)
    ids, sequences = [r[0] for r in records], [r[2] for r in records]
    labels = [_header_label(r[1]) if need_labels else None for r in records]
    missing = [i for i, label in zip(ids, labels) if need_labels and not label]
    if missing:
        raise ValueError(
            f"{path}: record {missing[0]!r} has no label in its header ({len(missing)} records "
            "lack one); write headers as '>id label=X' or '>id|X', or pass labels_path=..."
        )
    return ids, sequences, labels if need_labels else None


def _header_label(description: str) -> str | None:
    words = description.split()
    for word in words[1:]:
        if word.startswith("label=") and len(word) > len("label="):
            return word[len("label="):]
    if words and "|" in words[0] and words[0].rsplit("|", 1)[1]:
        return words[0].rsplit("|", 1)[1]
    return None


def _read_side_labels(labels_path: Path, ids: list[str], path: Path) -> list[str]:
    if not labels_path.is_file():
        raise FileNotFoundError(f"no labels file at {labels_path}; check labels_path")
    rows = [re.split(r"[\t,]", line.strip()) for line in _lines(labels_path) if line.strip()]
    if rows and [c.strip().lower() for c in rows[0]] in (["label"], ["id", "label"]):
        rows = rows[1:]
    widths = {len(row) for row in rows}
    if widths == {1}:
        if len(rows) != len(ids):
            raise ValueError(f"{labels_path} has {len(rows)} labels but {path} has {len(ids)} "
                             "sequences; give one label per sequence, in the same order")
        return [row[0].strip() for row in rows]
    if widths == {2}:
        return _match_ids({r[0].strip(): r[1].strip() for r in rows}, ids, labels_path, path)
    raise ValueError(f"{labels_path}: write one label per line, or two columns id,label on every "
                     "line (comma or tab separated)")


def _match_ids(by_id: dict[str, str], ids: list[str], labels_path: Path, path: Path) -> list[str]:
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ValueError(
            f"{labels_path} has no label for {len(missing)} of the {len(ids)} sequences of {path} "
            f"(first: {missing[0]!r}); its ids must match the FASTA ids (or the table's id column)"
        )
    return [by_id[i] for i in ids]


def _places(path: Path, ids: list[str]) -> Iterator[str]:
    fasta = _suffix(path) in _FASTA_SUFFIXES
    for number, name in enumerate(ids, start=1):
        yield f"{path.name}, record {number} ({name!r})" if fasta else f"{path.name}, row {number}"


def _check_bases(sequence: str, where: str) -> str:
    upper = sequence.upper()
    if not upper:
        raise ValueError(f"{where}: the sequence is empty; remove that entry")
    bad = _INVALID_BASE.search(upper)
    if bad:
        raise ValueError(
            f"{where}: character {sequence[bad.start()]!r} at position {bad.start() + 1} (1-based) "
            "is not a base; allowed are A C G T N and the IUPAC codes R Y S W K M B D H V "
            "(any case). Fix or remove that entry."
        )
    return upper


def _unreadable(path: Path, cause: str, cut: bool = False) -> str:
    """Say what a file that fails to decode looks like instead of what its name says."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    looks = next((what for magic, what in _SIGNATURES.items() if head.startswith(magic)),
                 "binary data, not text")
    if cut or (path.name.lower().endswith(".gz") and head.startswith(b"\x1f\x8b")):
        looks = "a gzip file that is cut short or damaged (download or copy it again)"
    elif _suffix(path) in (".xlsx", ".xls", ".ods", ".numbers"):
        looks = ("a spreadsheet workbook: export the sheet as CSV from the spreadsheet program "
                 "(Save As > 'CSV UTF-8 (comma delimited)') and give that file")
    return (f"{path} cannot be read as a {_suffix(path).lstrip('.') or 'text'} file: it looks "
            f"like {looks} ({cause}). Give a CSV, TSV, text or FASTA file "
            "(optionally gzipped, ending in .gz).")


def _sniff(path: Path) -> None:
    """Refuse a file whose first bytes are not what its name says (before any parser sees it)."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    gzipped = head.startswith(b"\x1f\x8b")
    if path.name.lower().endswith(".gz") and head and not gzipped:
        raise ValueError(f"{path} is named .gz but is not gzip-compressed; rename it without .gz")
    if gzipped and not path.name.lower().endswith(".gz"):
        raise ValueError(_unreadable(path, "gzip-compressed"))
    if not gzipped and (b"\x00" in head or not _decodes(head)):
        raise ValueError(_unreadable(path, "not UTF-8 text"))


def _decodes(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start >= len(head) - 3  # a character cut by the 8 KB window is fine
    return True


def _missing_labels(labels: list[str], path: Path | str) -> None:
    rows = [i + 1 for i, label in enumerate(labels) if label.strip().lower() in _MISSING_LABELS]
    if rows:
        shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
        raise ValueError(
            f"{path}: {len(rows)} of {len(labels)} entries have no label (empty, 'NaN', 'NA', "
            f"...; entries {shown}); a missing label is not a class. Fill them in or remove "
            "those rows (or point label_column / the lessons' -p LABEL_COLUMN at the right "
            "column)."
        )


def _check_memory(sequences: list[str], length: int, path: Path | str) -> None:
    n_bytes = len(sequences) * int(length) * 4 * 4
    limit = _max_one_hot_bytes()
    if n_bytes > limit:
        longest = max(range(len(sequences)), key=lambda i: len(sequences[i]))
        raise ValueError(
            f"{path}: {len(sequences):,} sequences of length {int(length):,} need "
            f"{_size(n_bytes)} as one-hot float32 (the limit is "
            f"{_size(limit)}, COURSE_MAX_ONE_HOT_GB); the longest is entry "
            f"{longest + 1} ({len(sequences[longest]):,} bases). Set a shorter common length "
            "(length=..., the lessons' -p SEQ_LEN 1000) or remove the long entries."
        )


def _size(n_bytes: float) -> str:
    """``1.5 GiB`` or ``48.0 MiB``: a size a reader can compare with a limit."""
    return f"{n_bytes / 2**30:.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:.1f} MiB"


def _class_names(labels: list[str]) -> list[str]:
    names = set(labels)
    if all(re.fullmatch(r"[+-]?\d+", n) for n in names):
        return sorted(names, key=int)
    return sorted(names)


def _assemble(sequences: list[str], labels: list[str], length: int | None, padding: str,
              truncating: str, path: Path | str) -> LabelledSequences:
    from course_lib.sequences import pad_sequences

    _missing_labels(labels, path)
    names = _class_names(labels)
    if len(names) < 2:
        raise ValueError(f"{path}: every sequence has the label {names[0]!r}; a classifier needs "
                         "at least two classes (check label_column / labels_path, in a lesson "
                         "-p LABEL_COLUMN NAME; or add sequences of another class)")
    if length is None:
        length = max(len(s) for s in sequences)
    if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be a positive integer or None (the longest), got "
                         f"{length!r} (in a lesson: -p SEQ_LEN 200)")
    _check_memory(sequences, length, path)
    index = {name: i for i, name in enumerate(names)}
    return LabelledSequences(
        sequences=pad_sequences(sequences, int(length), padding=padding, truncating=truncating),
        labels=np.array([index[label] for label in labels], dtype=np.int64),
        class_names=names,
        n_padded=sum(len(s) < length for s in sequences),
        n_truncated=sum(len(s) > length for s in sequences),
        length=int(length),
    )
