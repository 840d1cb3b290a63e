"""A real HTTP server on 127.0.0.1 serving a directory, for the demo and the tests."""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


class _QuietHandler(SimpleHTTPRequestHandler):
    requests_seen: list[str]

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        self.server.request_log.append(self.path)  # type: ignore[attr-defined]
        super().do_GET()


@contextmanager
def serve_directory(directory: str, host: str = "127.0.0.1", port: int = 0) -> Iterator[ThreadingHTTPServer]:
    """Serve `directory` on a free port (port 0); yields the server (`server.base_url`, `server.request_log`)."""
    handler = functools.partial(_QuietHandler, directory=directory)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.request_log = []  # type: ignore[attr-defined]
    server.base_url = f"http://{host}:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="newsduck-static", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
