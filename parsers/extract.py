"""The parsers' public entry point: bytes in, ArticleRecord out, ParseError or nothing.

A page must never crash a pipeline: anything unexpected below this function is wrapped in
ParseError with the page named in the message. Work is bounded: the input size is capped and
the HTML extractor walks the tree iteratively (deep nesting cannot hit the recursion limit).
"""

from __future__ import annotations

import re
from datetime import datetime

from parsers.decode import decode_bytes
from parsers.errors import LimitExceededError, ParseError
from parsers.html import extract_html
from parsers.records import ArticleRecord
from parsers.text import extract_text

MAX_INPUT_BYTES = 20 * 1024 * 1024

_MARKUP_RE = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|p|div|br|span|a|table|td|article|section|h[1-6]|ul|li|img|font|center)\b",
    re.I,
)
_TEXT_SUFFIXES = (".txt", ".text")


def extract_article(data: bytes, *, url: str | None = None, path: str | None = None,
                    content_type: str | None = None, now: datetime | None = None) -> ArticleRecord:
    """Decode `data` and extract one record (HTML or a plain-text dump).

    Raises only ParseError subclasses: EmptyInputError, BinaryInputError, DecodeError,
    LimitExceededError, or ParseError for anything else that went wrong.
    """
    where = url or path or "<bytes>"
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ParseError(f"{where}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_INPUT_BYTES:
        raise LimitExceededError(f"{where}: {len(data)} bytes is over the {MAX_INPUT_BYTES}-byte limit")
    try:
        text, charset = decode_bytes(data, content_type)
        if is_plain_text(text, path=path, content_type=content_type):
            record = extract_text(text, url=url, path=path)
        else:
            record = extract_html(text, url=url, path=path, now=now)
    except ParseError:
        raise
    except RecursionError as exc:
        raise LimitExceededError(f"{where}: document too deeply nested") from exc
    except MemoryError as exc:
        raise LimitExceededError(f"{where}: out of memory while parsing") from exc
    except Exception as exc:  # a page must never crash the pipeline
        raise ParseError(f"{where}: extraction failed: {type(exc).__name__}: {exc}") from exc
    record.charset = charset
    record.path = path
    record.url = url
    return record


def warm_up() -> None:
    """Do the extractor's one-time work now: read the site profiles and the body model, import the
    date fallback's library. A process that forks workers calls it first, so they inherit it."""
    from parsers.html.bodymodel import load_model
    from parsers.html.htmldate_fallback import preload
    from parsers.profiles import default_profiles

    default_profiles()
    load_model()
    preload()


def is_plain_text(text: str, *, path: str | None = None, content_type: str | None = None) -> bool:
    """A `.txt` path, a text/plain response, or text with no HTML markup in its first 64 KB."""
    if content_type:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime == "text/plain":
            return True
        if mime in ("text/html", "application/xhtml+xml"):
            return False
    if path and path.lower().endswith(_TEXT_SUFFIXES):
        return True
    return _MARKUP_RE.search(text[:65536]) is None
