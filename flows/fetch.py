"""Reading page files for `newsduck ingest`. Failures become ErrorInfo, never exceptions.

URLs are fetched by the polite fetcher in flows/web (robots.txt, per-host limits, retries, conditional GET).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from parsers.errors import ParseError
from warehouse.models import ErrorInfo, FetchInfo

from .inputs import Target, read_page
from .settings import storable_name

MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass
class Fetched:
    fetch: FetchInfo
    body: bytes | None = None
    error: ErrorInfo | None = None
    skipped: str | None = None  # the error is an outcome that is not an error (see warehouse.models.PageResult)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def read_file(target: Target, max_bytes: int = MAX_BODY_BYTES) -> Fetched:
    started = time.perf_counter()
    shown, path = storable_name(target.input), storable_name(target.path) if target.path else None
    info = FetchInfo(input=shown, url=target.url, path=path, fetched_at=_now())
    try:
        page = read_page(target.path, max_bytes, url=target.url)
    except OSError as exc:
        info.error = str(exc)
        return Fetched(info, error=ErrorInfo(shown, "fetch", type(exc).__name__, f"cannot read {path}: {exc}"))
    except ParseError as exc:
        info.error = str(exc)
        return Fetched(info, error=ErrorInfo(shown, exc.stage, type(exc).__name__, f"cannot unpack {path}: {exc}"))
    body = page.body
    info.url, info.content_type = page.url, page.content_type
    info.bytes = len(body)
    info.body_sha256 = hashlib.sha256(body).hexdigest()
    info.elapsed_ms = (time.perf_counter() - started) * 1000
    return Fetched(info, body=body)
