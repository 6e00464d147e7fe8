"""A real HTTP server on 127.0.0.1 for download tests (no internet needed).

Serves one folder under several path prefixes, each with a behaviour:

- ``/files/<path>``    the file, honouring ``Range: bytes=N-`` (206 Partial Content);
- ``/norange/<path>``  the whole file even when a Range is asked for (200);
- ``/corrupt/<path>``  the file with its first byte changed;
- ``/short/<path>``    declares the whole file's length but sends only its first half;
- ``/nolength/<path>`` sends the first half with no ``Content-Length`` (the end looks normal);
- ``/hang/<path>``     sends nothing for ``hang_seconds`` (or until the server stops);
- ``/404/<path>``, ``/500/<path>``  that HTTP error.

Every request is recorded in ``server.requests`` as ``(path, range header or None)``.

Use the fixture (``from http_server import http_server`` in a test module or conftest.py)::

    def test_x(http_server, tmp_path):
        (http_server.root / "a.txt").write_text("hi")
        url = http_server.url("files", "a.txt")

or the context manager ``with serve(folder) as server: ...``.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


class LocalServer:
    """A threaded HTTP server bound to a free port on 127.0.0.1, serving ``root``."""

    def __init__(self, root: Path, hang_seconds: float = 30.0) -> None:
        self.root = Path(root)
        self.hang_seconds = hang_seconds
        self.requests: list[tuple[str, str | None]] = []
        self.stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)  # poll often: quick shutdown

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, behaviour: str, *parts: str) -> str:
        """URL of ``root/<parts>`` under a behaviour prefix, e.g. ``url("files", "a.txt")``."""
        return "/".join([self.base_url, behaviour, *parts])

    def start(self) -> "LocalServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # releases hanging handlers
        self._server.shutdown()
        self._server.server_close()


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:
            server.requests.append((self.path, self.headers.get("Range")))
            behaviour, _, rest = self.path.lstrip("/").partition("/")
            if behaviour in ("404", "500"):
                return self.send_error(int(behaviour))
            if behaviour == "hang":
                server.stopping.wait(server.hang_seconds)
                return None
            path = (server.root / rest).resolve()
            if not path.is_file() or server.root.resolve() not in path.parents:
                return self.send_error(404)
            body = path.read_bytes()
            if behaviour == "corrupt":
                body = bytes([body[0] ^ 0xFF]) + body[1:] if body else b"x"
            if behaviour in ("short", "nolength"):
                return self._send_half(body, declare=behaviour == "short")
            start = _range_start(self.headers.get("Range")) if behaviour == "files" else None
            self._send(body, start)

        def _send_half(self, body: bytes, declare: bool) -> None:
            self.send_response(200)
            if declare:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True

        def _send(self, body: bytes, start: int | None) -> None:
            if start is not None and start >= len(body):
                return self.send_error(416)
            self.send_response(200 if start is None else 206)
            if start is not None:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                body = body[start:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _range_start(header: str | None) -> int | None:
    match = re.fullmatch(r"bytes=(\d+)-", header or "")
    return int(match.group(1)) if match else None


@contextlib.contextmanager
def serve(root: Path, hang_seconds: float = 30.0) -> Iterator[LocalServer]:
    """Run a :class:`LocalServer` on ``root`` for the duration of a ``with`` block."""
    server = LocalServer(root, hang_seconds).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[LocalServer]:
    """A :class:`LocalServer` serving a fresh folder ``server.root`` (under ``tmp_path``)."""
    root = tmp_path / "served"
    root.mkdir()
    with serve(root) as server:
        yield server
