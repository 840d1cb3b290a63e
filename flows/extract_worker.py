"""Extraction in worker processes: a module that imports only the parsers, so a worker starts fast (no Prefect)."""

from __future__ import annotations

from parsers import extract_article
from parsers.errors import ParseError
from warehouse.models import ErrorInfo, FetchInfo


def extract_body(body: bytes, fetch: FetchInfo):
    """(record, None) or (None, ErrorInfo): a page that cannot be decoded or parsed is a value, never a raise."""
    try:
        return extract_article(body, url=fetch.url, path=fetch.path, content_type=fetch.content_type), None
    except ParseError as exc:
        return None, ErrorInfo(fetch.input, exc.stage, type(exc).__name__, str(exc))


def extract_job(job: tuple[bytes, FetchInfo]):
    """One pickled job for a ProcessPoolExecutor: only the bytes travel there, only the record comes back."""
    return extract_body(*job)


def ready() -> bool:
    """A no-op job: once it has run, a worker has started and imported the parsers."""
    return True
