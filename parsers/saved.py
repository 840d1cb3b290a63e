"""Pages as browsers save them to disk: gzip-compressed files, MHTML archives, the "saved from url" comment,
and HTML recognised by its first bytes. Pure functions of the bytes: which file is which, and which URL
wins over the one a file names, is the flows' business.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from dataclasses import dataclass

from parsers.errors import DecodeError, LimitExceededError
from parsers.gunzip import GZIP_MAGIC, TOO_LARGE, GunzipError, gunzip
from parsers.urls import canonicalize_url

# The "saved from" comment and the opening tags of an HTML file are within this many bytes of the start.
HEAD_BYTES = 4096

# `<!-- saved from url=(0046)https://example.com/a/b.html -->`; the number is meant to be the URL's length
# but is often wrong, so the URL is read up to the comment's end.
_SAVED_FROM = re.compile(r"<!--\s*saved\s+from\s+url=\(\s*\d*\s*\)\s*(\S+?)\s*-->", re.I)
# What browsers write when the page had no web origin: about:internet (caught as not http), Outlook's host.
_PLACEHOLDER_HOSTS = ("internet.e-mail",)
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta)\b", re.I)
_PROLOGUE = re.compile(r"(?:\s+|<!--.*?-->|<\?xml[^>]*>)*", re.S)
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True)
class SavedPage:
    """The page bytes a saved file holds, the URL the file itself names, and the MIME type it declares."""
    body: bytes
    url: str | None = None
    content_type: str | None = None


def head_text(data: bytes, size: int = HEAD_BYTES) -> str:
    """The first `size` bytes as text, enough to find ASCII markup: UTF-16/32 by their BOM, else byte for byte."""
    head = data[:size]
    for bom, charset in _WIDE_BOMS:
        if head.startswith(bom):
            return head.decode(charset, errors="ignore")
    return head.decode("latin-1").removeprefix("\xef\xbb\xbf")


def looks_like_html(data: bytes) -> bool:
    """Whether the bytes open like an HTML document: after an optional BOM, white space, comments and XML
    declaration, a doctype or an <html>, <head>, <body> or <meta> tag."""
    text = head_text(data)
    return _HTML_START.match(text, _PROLOGUE.match(text).end()) is not None


def web_url(text: object) -> str | None:
    """`text` without white space (a URL has none; a folded MIME header adds some), when it is an http(s) URL
    of a real host; else None."""
    text = "".join(str(text or "").split())
    canonical = canonicalize_url(text)
    if canonical is None or any(f"//{host}" in canonical for host in _PLACEHOLDER_HOSTS):
        return None
    return text


def saved_from_url(data: bytes) -> str | None:
    """The page URL in a browser's `<!-- saved from url=(NNNN)URL -->` comment near the top, or None."""
    match = _SAVED_FROM.search(head_text(data))
    return web_url(match.group(1)) if match else None


def gunzip_page(data: bytes, limit: int) -> bytes:
    """Decompress a saved gzip page (several members too) into at most `limit` bytes. HTML that is not compressed
    is returned as it is (a page saved as the server sent it, under the .gz name of the URL).
    Raises DecodeError for data that is neither gzip nor HTML, corrupt or truncated; LimitExceededError past `limit`."""
    if not data.startswith(GZIP_MAGIC):
        if looks_like_html(data):
            return data
        raise DecodeError("not gzip data")
    try:
        return gunzip(data, limit)
    except GunzipError as err:
        if err.reason == TOO_LARGE:
            raise LimitExceededError(err.message) from None
        raise DecodeError(err.message) from None


def read_mhtml(data: bytes) -> SavedPage:
    """The first text/html part of an MHTML archive (RFC 2557), its transfer encoding undone; its charset goes
    into `content_type` and its Content-Location, when an http(s) URL, is the page URL.
    Raises DecodeError when the archive holds no HTML part."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        body = part.get_payload(decode=True)
        if not body:
            continue
        charset = part.get_content_charset()
        content_type = f"text/html; charset={charset}" if charset else "text/html"
        url = web_url(part.get("Content-Location")) or web_url(message.get("Snapshot-Content-Location"))
        return SavedPage(body, url or saved_from_url(body), content_type)
    raise DecodeError("no text/html part in the MHTML archive")
