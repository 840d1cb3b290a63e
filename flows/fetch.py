"""Reading page files and WARC and ARC records for `newsduck ingest`. Failures become ErrorInfo, never exceptions.

URLs are fetched by the polite fetcher in flows/web (robots.txt, per-host limits, retries, conditional GET).
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone

from parsers.errors import ParseError
from warehouse.models import ErrorInfo, FetchInfo

from .inputs import Target, read_page
from .page import Page
from .settings import storable_name
from .warc import WarcRecordError, read_response
from .web import BadContentType, check_page_body

MAX_BODY_BYTES = 10 * 1024 * 1024


def _now() -> datetime:
    return datetime.now(timezone.utc)


def read_file(target: Target, max_bytes: int = MAX_BODY_BYTES) -> Page:
    if target.offset is not None:
        return read_archived(target, max_bytes)
    started = time.perf_counter()
    shown, path = storable_name(target.input), storable_name(target.path) if target.path else None
    info = FetchInfo(input=shown, url=target.url, path=path, fetched_at=_now())
    try:
        page = read_page(target.path, max_bytes, url=target.url)
    except OSError as exc:
        info.error = str(exc)
        return Page(info, fetch_error=ErrorInfo(shown, "fetch", type(exc).__name__, f"cannot read {path}: {exc}"))
    except ParseError as exc:
        info.error = str(exc)
        return Page(info, fetch_error=ErrorInfo(shown, exc.stage, type(exc).__name__, f"cannot unpack {path}: {exc}"))
    body = page.body
    info.url, info.content_type = page.url, page.content_type
    info.bytes = len(body)
    info.body_sha256 = hashlib.sha256(body).hexdigest()
    info.elapsed_ms = (time.perf_counter() - started) * 1000
    return Page(info, body=body)


def read_archived(target: Target, max_bytes: int = MAX_BODY_BYTES) -> Page:
    """The response record at `target.offset` of a WARC or ARC file, as the fetch it archived: its URL, its date
    as the fetch time, HTTP status and Content-Type. A corrupt or truncated record, a status other than 2xx and a
    body that is no page (an image, a PDF) are errors, stage `fetch`, like the same answers to a fetch."""
    shown, path = storable_name(target.input), storable_name(target.path)
    where = f"{path} at byte {target.offset}"
    info = FetchInfo(input=shown, url=target.url, path=None, fetched_at=_now())

    def failed(error_type: str, message: str) -> Page:
        info.error = message
        return Page(info, fetch_error=ErrorInfo(shown, "fetch", error_type, message))

    if target.error is not None:
        return failed("CorruptWarc", f"{target.error} in {path}")
    try:
        response = read_response(target.path, target.offset, max_bytes)
    except WarcRecordError as exc:
        return failed("CorruptWarc", f"{exc} ({where})")
    except OSError as exc:
        return failed(type(exc).__name__, f"cannot read {where}: {exc.strerror or exc}")
    info.url, info.fetched_at, info.status = response.url, response.fetched_at, response.status
    info.content_type, info.bytes = response.content_type, len(response.body)
    info.body_sha256 = hashlib.sha256(response.body).hexdigest()
    if response.status is None or not 200 <= response.status < 300:
        return failed(f"HTTP {response.status}", f"the archived response is HTTP {response.status} ({where})")
    try:
        check_page_body(response.content_type, response.body, response.url)
    except BadContentType as exc:
        return failed(type(exc).__name__, f"{exc.message} ({where})")
    return Page(info, body=response.body)
