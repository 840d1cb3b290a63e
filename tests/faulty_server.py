"""A real, misbehaving HTTP/1.1 server on the loopback interface, for the fetcher tests.

Each route reproduces one fault a crawler meets (rate limits, resets, slow bodies, bombs, loops...). The server
records every request (path, headers, start and end times) so tests can check what the fetcher really sent:
`/private/x` must never appear, robots.txt must be asked once, per-host requests must not overlap.

Stateful routes (/429, /503-date, /500-then-200) keep their counters per full path, query included, so a test
gets fresh state by adding `?case=...`.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator
from urllib.parse import urlsplit

DEFAULT_ROBOTS = "User-agent: *\nDisallow: /private/\nSitemap: /sitemap.xml\nSitemap: http://elsewhere.example/s.xml\n"
POLITE_ROBOTS = "User-agent: *\nDisallow: /private/\nCrawl-delay: 1\nSitemap: /sitemap.xml\n"

OK_HTML = "<!doctype html><html><head><title>ok</title></head><body><p>新闻正文</p></body></html>".encode("utf-8")
GBK_HTML = '<html><head><meta charset="utf-8"><title>错码</title></head><body><p>这是一篇用GBK编码的新闻。</p></body></html>'.encode("gbk")
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
SITEMAP_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>/ok</loc></url></urlset>\n"
)
RSS_XML = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 20 Nov 2024 08:00:00 GMT"
BIG_TOTAL = 64 * 1024 * 1024
BIG_CHUNK = 64 * 1024
BOMB_SIZE = 200 * 1024 * 1024

_bomb_lock = threading.Lock()
_bomb_cache: bytes | None = None


def bomb_bytes() -> bytes:
    """gzip of 200 MB of zeros (about 200 KB), built once, lazily, without holding 200 MB in memory."""
    global _bomb_cache
    with _bomb_lock:
        if _bomb_cache is None:
            compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
            zeros = bytes(1024 * 1024)
            parts = [compressor.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
            parts.append(compressor.flush())
            _bomb_cache = b"".join(parts)
        return _bomb_cache


def varied_text(size: int) -> bytes:
    """HTML that compresses like a real page (a few times, not hundreds)."""
    words = [f"词{i * 7919 % 5003}" for i in range(size // 4)]
    return ("<html><body><p>" + " ".join(words) + "</p></body></html>").encode("utf-8")[:size]


@dataclass
class RequestRecord:
    path: str
    headers: dict[str, str]
    start: float               # time.monotonic() when the request line was read
    end: float | None = None   # when the handler finished (response written or connection dropped)
    client_port: int = 0


@dataclass
class StreamStats:
    """What a streaming route managed to send before the client went away."""
    sent: int = 0
    disconnected: bool = False


@dataclass
class ServerState:
    robots: str | int = DEFAULT_ROBOTS   # robots.txt body, or an HTTP status to answer instead
    log: list[RequestRecord] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    streams: dict[str, StreamStats] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, key: str) -> int:
        """Increment and return how many times `key` was asked (1 for the first)."""
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]


class FaultyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "FaultyHTTPServer"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    # ---- plumbing

    def do_GET(self) -> None:
        record = RequestRecord(
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            start=time.monotonic(),
            client_port=self.client_address[1],
        )
        with self.server.state.lock:
            self.server.state.log.append(record)
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            record.end = time.monotonic()

    def _route(self) -> None:
        path = urlsplit(self.path).path
        for prefix, handler in ROUTES:
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                handler(self, path)
                return
        self.send_body(404, b"<html><body>not found</body></html>")

    def send_body(self, status: int, body: bytes, content_type: str | None = "text/html; charset=utf-8",
                  headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_body(status, b"", headers={"Location": location})

    def stream_chunks(self, key: str, total: int, *, chunked: bool) -> None:
        """Send `total` zero-ish bytes in chunks, noting how far we got before the client hung up."""
        stats = StreamStats()
        self.server.state.streams[key] = stats
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        chunk = (b"<p>" + b"x" * (BIG_CHUNK - 8) + b"</p>\n")[:BIG_CHUNK]
        try:
            while stats.sent < total:
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.wfile.write(chunk)
                stats.sent += len(chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            stats.disconnected = True
            self.close_connection = True

    def reset_connection(self) -> None:
        """Abort with a TCP RST: SO_LINGER with a zero timeout, then close."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


# ---- routes


def _ok(h: FaultyHandler, path: str) -> None:
    h.send_body(200, OK_HTML)


def _robots(h: FaultyHandler, path: str) -> None:
    robots = h.server.state.robots
    if isinstance(robots, int):
        h.send_body(robots, b"robots unavailable", "text/plain")
    else:
        h.send_body(200, robots.encode("utf-8"), "text/plain")


def _too_many(h: FaultyHandler, path: str) -> None:
    if h.server.state.count(h.path) == 1:
        h.send_body(429, b"slow down", "text/plain", {"Retry-After": "1"})
    else:
        h.send_body(200, OK_HTML)


def _unavailable_with_date(h: FaultyHandler, path: str) -> None:
    if h.server.state.count(h.path) == 1:
        h.send_body(503, b"maintenance", "text/plain", {"Retry-After": formatdate(time.time() + 2, usegmt=True)})
    else:
        h.send_body(200, OK_HTML)


def _error_then_ok(h: FaultyHandler, path: str) -> None:
    if h.server.state.count(h.path) == 1:
        h.send_body(500, b"oops", "text/plain")
    else:
        h.send_body(200, OK_HTML)


def _always_500(h: FaultyHandler, path: str) -> None:
    h.send_body(500, b"oops", "text/plain")


def _slow(h: FaultyHandler, path: str) -> None:
    time.sleep(2.0)  # past the test read timeout
    try:
        h.send_body(200, OK_HTML)
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True


def _drip(h: FaultyHandler, path: str) -> None:
    """Headers at once, then one byte every 0.1 s: never a read timeout, but over any short total timeout."""
    body = b"<html>" + b"." * 60 + b"</html>"
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    for i in range(len(body)):
        h.wfile.write(body[i:i + 1])
        time.sleep(0.1)


def _sleep(h: FaultyHandler, path: str) -> None:
    millis = int(path.rsplit("/", 1)[-1])
    time.sleep(millis / 1000)
    h.send_body(200, OK_HTML)


def _reset(h: FaultyHandler, path: str) -> None:
    h.reset_connection()


def _redirect_loop(h: FaultyHandler, path: str) -> None:
    h.redirect("/redirect-loop/b" if path.endswith("/a") else "/redirect-loop/a")


def _redirect_chain(h: FaultyHandler, path: str) -> None:
    """/redirect-chain/N answers with N redirects in a row, the last one to /ok."""
    remaining = int(path.rsplit("/", 1)[-1])
    h.redirect(f"/redirect-chain/{remaining - 1}" if remaining > 1 else "/ok", 301)


def _redirect_to(target: str) -> Callable[[FaultyHandler, str], None]:
    def handler(h: FaultyHandler, path: str) -> None:
        h.redirect(target)
    return handler


def _big(h: FaultyHandler, path: str) -> None:
    h.stream_chunks(path, BIG_TOTAL, chunked=True)


def _big_declared(h: FaultyHandler, path: str) -> None:
    h.stream_chunks(path, BIG_TOTAL, chunked=False)


def _bomb(h: FaultyHandler, path: str) -> None:
    h.send_body(200, bomb_bytes(), "text/html; charset=utf-8", {"Content-Encoding": "gzip"})


def _gzip_page(h: FaultyHandler, path: str) -> None:
    h.send_body(200, gzip.compress(varied_text(300_000)), headers={"Content-Encoding": "gzip"})


def _deflate_page(h: FaultyHandler, path: str) -> None:
    h.send_body(200, zlib.compress(OK_HTML), headers={"Content-Encoding": "deflate"})


def _raw_deflate_page(h: FaultyHandler, path: str) -> None:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    h.send_body(200, compressor.compress(OK_HTML) + compressor.flush(), headers={"Content-Encoding": "deflate"})


def _unknown_encoding(h: FaultyHandler, path: str) -> None:
    h.send_body(200, b"\x28\xb5\x2f\xfd" + bytes(20), headers={"Content-Encoding": "zstd"})


def _wrong_charset(h: FaultyHandler, path: str) -> None:
    h.send_body(200, GBK_HTML, "text/html; charset=utf-8")


def _binary(h: FaultyHandler, path: str) -> None:
    h.send_body(200, PNG_BYTES, "text/html")


def _pdf(h: FaultyHandler, path: str) -> None:
    h.send_body(200, b"%PDF-1.4\n" + bytes(100), "application/pdf")


def _no_content_type(h: FaultyHandler, path: str) -> None:
    h.send_body(200, OK_HTML, None)


def _etag(h: FaultyHandler, path: str) -> None:
    headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
    if h.headers.get("If-None-Match") == ETAG or h.headers.get("If-Modified-Since") == LAST_MODIFIED:
        h.send_response(304)
        for name, value in headers.items():
            h.send_header(name, value)
        h.end_headers()
        return
    h.send_body(200, OK_HTML, headers=headers)


def _sitemap(h: FaultyHandler, path: str) -> None:
    h.send_body(200, SITEMAP_XML, "application/xml")


def _sitemap_gz(h: FaultyHandler, path: str) -> None:
    h.send_body(200, gzip.compress(SITEMAP_XML), "application/x-gzip")


LONG_SITEMAP_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    + b"".join(b"<url><loc>/page/%d.html</loc></url>" % i for i in range(2000)) + b"</urlset>\n"
)


def _sitemap_gz_truncated(h: FaultyHandler, path: str) -> None:
    packed = gzip.compress(LONG_SITEMAP_XML)
    h.send_body(200, packed[: len(packed) // 2], "application/x-gzip")


def _sitemap_gz_corrupt(h: FaultyHandler, path: str) -> None:
    h.send_body(200, b"\x1f\x8b" + b"garbage" * 10, "application/x-gzip")


def _sitemap_gz_bomb(h: FaultyHandler, path: str) -> None:
    h.send_body(200, bomb_bytes(), "application/x-gzip")


def _feed_as_html(h: FaultyHandler, path: str) -> None:
    h.send_body(200, RSS_XML, "text/html; charset=utf-8")


def _private(h: FaultyHandler, path: str) -> None:
    h.send_body(200, b"<html>secret</html>")


def _not_found(h: FaultyHandler, path: str) -> None:
    h.send_body(404, b"<html>gone</html>")


ROUTES: list[tuple[str, Callable[[FaultyHandler, str], None]]] = [
    ("/ok", _ok),
    ("/robots.txt", _robots),
    ("/429", _too_many),
    ("/503-date", _unavailable_with_date),
    ("/500-then-200", _error_then_ok),
    ("/500", _always_500),
    ("/slow", _slow),
    ("/drip", _drip),
    ("/sleep/", _sleep),
    ("/reset", _reset),
    ("/redirect-loop/", _redirect_loop),
    ("/redirect-chain/", _redirect_chain),
    ("/redirect-to-private", _redirect_to("/private/x")),
    ("/redirect-to-ftp", _redirect_to("ftp://127.0.0.1/file")),
    ("/big", _big),
    ("/big-declared", _big_declared),
    ("/bomb", _bomb),
    ("/gzip", _gzip_page),
    ("/deflate", _deflate_page),
    ("/deflate-raw", _raw_deflate_page),
    ("/zstd", _unknown_encoding),
    ("/wrong-charset", _wrong_charset),
    ("/binary", _binary),
    ("/pdf", _pdf),
    ("/no-content-type", _no_content_type),
    ("/etag", _etag),
    ("/sitemap.xml", _sitemap),
    ("/sitemap.xml.gz", _sitemap_gz),
    ("/sitemap-truncated.xml.gz", _sitemap_gz_truncated),
    ("/sitemap-corrupt.xml.gz", _sitemap_gz_corrupt),
    ("/sitemap-bomb.xml.gz", _sitemap_gz_bomb),
    ("/feed-as-html", _feed_as_html),
    ("/private/", _private),
    ("/404", _not_found),
]


class FaultyHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        self.state = state
        super().__init__(address, FaultyHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def paths(self) -> list[str]:
        with self.state.lock:
            return [r.path for r in self.state.log]

    def hits(self, path: str) -> int:
        return sum(1 for p in self.paths() if p == path)

    def records(self, prefix: str) -> list[RequestRecord]:
        with self.state.lock:
            return [r for r in self.state.log if r.path.startswith(prefix)]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # aborted connections are the point of this server


@contextmanager
def faulty_server(host: str = "127.0.0.1", *, robots: str | int = DEFAULT_ROBOTS) -> Iterator[FaultyHTTPServer]:
    """Run a FaultyHTTPServer on a free port of `host` in a thread; `robots` is robots.txt text or a status."""
    server = FaultyHTTPServer((host, 0), ServerState(robots=robots))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
