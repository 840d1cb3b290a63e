"""The one gunzip for untrusted bytes: multi-member, bounded in output, one error type for everything it refuses.

    gunzip(data, max_bytes) -> bytes

Used wherever gzip data from outside arrives whole in memory: sitemaps and feeds (parsers/discovery.py), saved
`.html.gz` pages (parsers/saved.py) and `.gz` sitemaps the fetcher reads (flows/web/decompress.py). Output is
produced at most `max_bytes + 1` bytes at a time, so a bomb is stopped before it is held in memory.
Concatenated members are one stream (RFC 1952 2.2); bytes after the last member that do not start another
are ignored, as gzip(1) and browsers do.
"""

from __future__ import annotations

import zlib

from parsers.errors import DecodeError

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer, checked

NOT_GZIP = "not-gzip"
CORRUPT = "corrupt"
TRUNCATED = "truncated"
TOO_LARGE = "too-large"


class GunzipError(DecodeError):
    """Data `gunzip` refuses. `reason` is NOT_GZIP, CORRUPT, TRUNCATED or TOO_LARGE; `inflated` holds what was
    decompressed before a corrupt or truncated stretch (b"" otherwise), for callers that keep a partial document;
    `consumed` is how many input bytes had been read when it stopped (for TOO_LARGE, the ratio of a bomb)."""

    def __init__(self, message: str, *, reason: str, inflated: bytes = b"", consumed: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.inflated = inflated
        self.consumed = consumed


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip `data` (all its members) into at most `max_bytes` bytes; raises GunzipError."""
    if not data.startswith(GZIP_MAGIC):
        raise GunzipError("not gzip data", reason=NOT_GZIP)
    out = bytearray()
    inflater = zlib.decompressobj(_GZIP_WBITS)
    pending = data
    while True:
        try:
            out += inflater.decompress(pending, max_bytes + 1 - len(out))
        except zlib.error as exc:
            raise GunzipError(f"corrupt gzip data: {exc}", reason=CORRUPT, inflated=bytes(out)) from None
        if len(out) > max_bytes:
            # every input given to the inflater is a suffix of `data`, and so is what it left unread
            consumed = len(data) - len(inflater.unconsumed_tail) - len(inflater.unused_data)
            raise GunzipError(f"gzip data unpacks to more than the {max_bytes}-byte limit", reason=TOO_LARGE,
                              consumed=consumed)
        pending = inflater.unconsumed_tail
        if inflater.eof:
            rest = inflater.unused_data
            if not rest.startswith(GZIP_MAGIC):
                return bytes(out)
            inflater = zlib.decompressobj(_GZIP_WBITS)
            pending = rest
        elif not pending:  # all input read and the member has not ended
            raise GunzipError("truncated gzip data", reason=TRUNCATED, inflated=bytes(out))
