"""Getting page bytes: plain httpx GETs and file reads. Failures become ErrorInfo, never exceptions.

Polite crawling (robots.txt, per-host limits, retries, conditional GET) is a separate layer; this module is the
simple, bounded fetch that `newsduck ingest URL` uses.
"""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import httpx

from warehouse.models import ErrorInfo, FetchInfo

from .inputs import Target

USER_AGENT = "newsduck/0.1 (+https://github.com/newsduck/newsduck)"
MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=30.0)


@dataclass
class Fetched:
    fetch: FetchInfo
    body: bytes | None = None
    error: ErrorInfo | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def read_file(target: Target, max_bytes: int = MAX_BODY_BYTES) -> Fetched:
    started = time.perf_counter()
    info = FetchInfo(input=target.input, url=target.url, path=target.path, fetched_at=_now())
    try:
        size = Path(target.path).stat().st_size
        if size > max_bytes:
            raise OSError(f"file is {size} bytes, over the {max_bytes}-byte limit")
        body = Path(target.path).read_bytes()
    except OSError as exc:
        info.error = str(exc)
        return Fetched(info, error=ErrorInfo(target.input, "fetch", type(exc).__name__, f"cannot read {target.path}: {exc}"))
    info.bytes = len(body)
    info.body_sha256 = hashlib.sha256(body).hexdigest()
    info.elapsed_ms = (time.perf_counter() - started) * 1000
    return Fetched(info, body=body)


def fetch_url(client: httpx.Client, target: Target, max_bytes: int = MAX_BODY_BYTES) -> Fetched:
    started = time.perf_counter()
    info = FetchInfo(input=target.input, url=target.url, path=None, fetched_at=_now())

    def failed(kind: str, message: str) -> Fetched:
        info.error = message
        info.elapsed_ms = (time.perf_counter() - started) * 1000
        return Fetched(info, error=ErrorInfo(target.input, "fetch", kind, message))

    try:
        with client.stream("GET", target.url) as response:
            info.url = str(response.url)
            info.status = response.status_code
            info.content_type = response.headers.get("content-type")
            if response.status_code >= 400:
                return failed(f"HTTP {response.status_code}", f"GET {target.url} returned HTTP {response.status_code} {response.reason_phrase}")
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    return failed("BodyTooLarge", f"GET {target.url}: body larger than {max_bytes} bytes, not read further")
                chunks.append(chunk)
    except httpx.TooManyRedirects:
        return failed("TooManyRedirects", f"GET {target.url}: more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException as exc:
        return failed("Timeout", f"GET {target.url}: timed out ({type(exc).__name__})")
    except httpx.HTTPError as exc:
        return failed(type(exc).__name__, f"GET {target.url}: {exc or type(exc).__name__}")
    body = b"".join(chunks)
    info.bytes = len(body)
    info.body_sha256 = hashlib.sha256(body).hexdigest()
    info.elapsed_ms = (time.perf_counter() - started) * 1000
    return Fetched(info, body=body)


def make_client() -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"},
        timeout=TIMEOUT,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
    )


def fetch_all(targets: list[Target], *, concurrency: int = 8) -> list[Fetched]:
    """Fetch URL targets concurrently (threads share one client) and read file targets; keeps input order."""
    urls = [t for t in targets if t.is_url]
    with make_client() if urls else _NullClient() as client:
        def get(target: Target) -> Fetched:
            return fetch_url(client, target) if target.is_url else read_file(target)

        if len(urls) > 1:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                return list(pool.map(get, targets))
        return [get(t) for t in targets]


class _NullClient:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
