"""Content-type policy: is the response the kind of document asked for (page, feed, sitemap)?

Protocol, two checks around the body, each raising BadContentType:
- `ContentTypeCheck.before_body(kind, media_type, config, url)`: on the headers, so a declared PDF is never read;
- `ContentTypeCheck.after_body(kind, media_type, body, config, url)`: on the decoded body, so a PNG served as
  text/html, or a non-markup body under a vague type, is refused.
A declared type in `config.accepted_types[kind]` passes; a vague one (SNIFFABLE_TYPES: none, text/html, text/plain,
octet-stream) is decided by the body. With `config.check_content_type` off both checks pass everything.
robots.txt is never checked.
"""

from __future__ import annotations

from .config import FetchConfig
from .errors import BadContentType

# Declared types that may still hold the wanted document; the body decides (a missing type, or a server's shrug).
SNIFFABLE_TYPES = frozenset({None, "text/html", "text/plain", "application/octet-stream", "binary/octet-stream"})
BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
)


def media_type_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def binary_kind(body: bytes) -> str | None:
    """Name of an obvious binary format by its magic bytes (PNG, JPEG, GIF, PDF, ZIP, gzip), else None."""
    for magic, name in BINARY_MAGIC:
        if body.startswith(magic):
            return name
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "WebP image"
    return None


def looks_like_markup(body: bytes) -> bool:
    """True when the first non-blank byte (after a BOM) is '<' in UTF-8, UTF-16 or UTF-32."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff"):
        if body.startswith(bom):
            body = body[len(bom):]
            break
    head = body[:1024].replace(b"\x00", b"").lstrip()
    return head.startswith(b"<")


class ContentTypeCheck:
    """The two checks of the protocol above; stateless."""

    @staticmethod
    def before_body(kind: str, media_type: str | None, config: FetchConfig, url: str) -> None:
        if kind == "robots" or not config.check_content_type:
            return
        accepted = config.accepted_types.get(kind, ())
        if media_type in accepted or media_type in SNIFFABLE_TYPES:
            return
        raise BadContentType(f"{kind} expected, server sent {media_type}; body not read", url=url)

    @staticmethod
    def after_body(kind: str, media_type: str | None, body: bytes, config: FetchConfig, url: str) -> None:
        if kind == "robots" or not config.check_content_type:
            return
        declared = media_type or "no content-type"
        binary = binary_kind(body)
        if binary:
            raise BadContentType(f"{kind} expected, body is {binary} (declared {declared})", url=url)
        accepted = config.accepted_types.get(kind, ())
        if media_type in accepted:
            return
        if kind == "page" and media_type is None:
            return  # no declared type, not binary: '<' → HTML, else plain text; the parser decides
        if not looks_like_markup(body):
            raise BadContentType(f"{kind} expected, declared {declared} and the body is not markup", url=url)


def check_page_body(content_type: str | None, body: bytes, url: str, config: FetchConfig | None = None) -> None:
    """Raise BadContentType unless a body declared as `content_type` is a page, by the rules of a fetch
    (for a body read from elsewhere, such as a WARC record)."""
    config = config or FetchConfig()
    media_type = media_type_of(content_type)
    ContentTypeCheck.before_body("page", media_type, config, url)
    ContentTypeCheck.after_body("page", media_type, body, config, url)
