"""Compression of raw page bodies stored in `raw_pages.body` (zstd through pyarrow, a dependency already)."""

from __future__ import annotations

import gzip

import pyarrow as pa

ZSTD = "zstd"
ZSTD_LEVEL = 3  # zstd's default: several-fold on HTML at hundreds of MB/s; higher levels cost more than they save here
_ZSTD_CODEC = pa.Codec(ZSTD, compression_level=ZSTD_LEVEL)


def compress_body(body: bytes) -> tuple[str, bytes]:
    """-> (compression name for `raw_pages.compression`, compressed bytes). The output is a standard zstd frame."""
    return ZSTD, _ZSTD_CODEC.compress(body, asbytes=True)


def decompress_body(compression: str, blob: bytes, size: int) -> bytes:
    """Inverse of compress_body; `size` is `raw_pages.bytes` (the uncompressed length)."""
    if compression == ZSTD:
        return _ZSTD_CODEC.decompress(blob, decompressed_size=size, asbytes=True)
    if compression == "gzip":
        return gzip.decompress(blob)
    if compression == "none":
        return bytes(blob)
    raise ValueError(f"unknown raw_pages compression {compression!r}")


def read_body(con, body_sha256: str) -> bytes | None:
    """The original bytes of a stored page, e.g. to re-parse it with a newer parser; None if not stored."""
    row = con.execute(
        "SELECT compression, body, bytes FROM raw_pages WHERE body_sha256 = ?", [body_sha256]
    ).fetchone()
    if row is None:
        return None
    compression, blob, size = row
    return decompress_body(compression, blob, size)
