"""The raw archive (`raw_pages` + `fetches`) as WARC/1.1 files, for `newsduck export --format warc`.

Each distinct page a URL answered is one `response` record, dated by the first fetch that stored it (WARC-Date),
with no `request` record: an HTTP/1.1 status line (the stored status, 200 for a file given a URL) and the headers
that are stored (Content-Type, with its charset, and Content-Length), then the body as stored (decoded: no
Content-Encoding). Pages read from files without a URL are `resource` records at their file:// URI. Records carry
WARC-Block-Digest and WARC-Payload-Digest (SHA-1, base32, as Common Crawl writes them).

Files are newsduck-00000.warc.gz, newsduck-00001.warc.gz ..., each starting with a `warcinfo` record and
gzip-compressed record by record (a reader can start at any record); a new file is begun once one reaches
`max_file_bytes`. Record ids are derived from the URL and body, so exporting the same archive twice writes the same
records.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import uuid
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO, Iterator

import duckdb
from fastwarc import WarcRecord, WarcRecordType

from .models import Progress
from .raw import decompress_body

WARC_FILE_PATTERN = "newsduck-{:05d}.warc.gz"
DEFAULT_MAX_FILE_BYTES = 1 << 30  # 1 GiB, as Common Crawl's files
BODIES_AT_ONCE = 100  # bodies read from raw_pages per query: memory holds this many pages, whatever the archive's size
RECORD_NAMESPACE = uuid.UUID("6f0c1f5e-2a43-4c0e-9a57-6e6577736475")

# One row per distinct (URL or file, body): the first fetch that stored it.
CAPTURES = """
SELECT coalesce(url, 'file://' || path) AS target, url IS NULL AS is_file, body_sha256,
       min(fetched_at) AS fetched_at, arg_min(status, fetched_at) AS status,
       arg_min(content_type, fetched_at) AS content_type
FROM fetches
WHERE body_sha256 IS NOT NULL AND (url IS NOT NULL OR path IS NOT NULL)
  AND body_sha256 IN (SELECT body_sha256 FROM raw_pages)
GROUP BY ALL
ORDER BY fetched_at, target
"""


def digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def http_head(status: int | None, content_type: str | None, length: int) -> bytes:
    """The status line and headers of a response, rebuilt from what the warehouse stores."""
    status = status or 200
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {status} {reason}".rstrip()]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def record_bytes(record_type: WarcRecordType, target: str | None, date: datetime | None, content_type: str,
                 content: bytes, record_id: uuid.UUID, payload: bytes | None = None) -> bytes:
    """One WARC/1.1 record, gzip-compressed as a member of its own."""
    record = WarcRecord()
    record.init_headers(record_type, f"uuid:{record_id}".encode("ascii"))
    if date is not None:
        record.record_date = date.astimezone(timezone.utc)  # WARC-Date is UTC, written with a Z
    if target is not None:
        record.headers["WARC-Target-URI"] = target
    record.headers["Content-Type"] = content_type
    if payload is not None:
        record.headers["WARC-Payload-Digest"] = digest(payload)
    record.set_bytes_content(content)
    buffer = io.BytesIO()
    record.write(buffer, checksum_data=True)
    return gzip.compress(buffer.getvalue(), compresslevel=6, mtime=0)


def warcinfo(name: str, date: datetime | None) -> bytes:
    fields = (f"software: newsduck\r\nformat: WARC File Format 1.1\r\n"
              f"description: raw pages of a newsduck warehouse\r\n").encode("utf-8")
    return record_bytes(WarcRecordType.warcinfo, None, date, "application/warc-fields", fields,
                        uuid.uuid5(RECORD_NAMESPACE, name))


def captures(con: duckdb.DuckDBPyConnection) -> Iterator[tuple]:
    """(target, is_file, fetched_at, status, content_type, body) for each capture, in CAPTURES order, reading
    BODIES_AT_ONCE bodies at a time."""
    rows = con.execute(CAPTURES).fetchall()
    for start in range(0, len(rows), BODIES_AT_ONCE):
        chunk = rows[start:start + BODIES_AT_ONCE]
        wanted = sorted({row[2] for row in chunk})
        bodies = {sha: decompress_body(compression, blob, size) for sha, compression, blob, size in con.execute(
            "SELECT body_sha256, compression, body, bytes FROM raw_pages WHERE body_sha256 IN (SELECT unnest(?))",
            [wanted]).fetchall()}
        for target, is_file, sha, fetched_at, status, content_type in chunk:
            yield target, is_file, fetched_at, status, content_type, bodies[sha]


class RollingWriter:
    """WARC files in a directory, a new one begun once the current one reaches `max_bytes`."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory, self.max_bytes = directory, max_bytes
        self.names: list[str] = []
        self._file: BinaryIO | None = None
        self._size = 0

    def write(self, record: bytes, date: datetime | None) -> None:
        if self._file is None or self._size >= self.max_bytes:
            self.close()
            name = WARC_FILE_PATTERN.format(len(self.names))
            self.names.append(name)
            self._file = open(self.directory / name, "wb")
            self._size = self._file.write(warcinfo(name, date))
        self._size += self._file.write(record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def write_warc_files(con: duckdb.DuckDBPyConnection, directory: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                     progress: Progress | None = None) -> tuple[int, list[str]]:
    """Write the raw archive of `con` into `directory` as WARC files; returns (records, file names)."""
    total = None
    if progress is not None:
        total = con.execute(f"SELECT count(*) FROM ({CAPTURES})").fetchone()[0]
    writer = RollingWriter(directory, max_file_bytes)
    records = 0
    try:
        for target, is_file, fetched_at, status, content_type, body in captures(con):
            record_id = uuid.uuid5(RECORD_NAMESPACE, f"{target} {hashlib.sha256(body).hexdigest()}")
            if is_file:
                record = record_bytes(WarcRecordType.resource, target, fetched_at,
                                      content_type or "application/octet-stream", body, record_id, payload=body)
            else:
                record = record_bytes(WarcRecordType.response, target, fetched_at, "application/http; msgtype=response",
                                      http_head(status, content_type, len(body)) + body, record_id, payload=body)
            writer.write(record, fetched_at)
            records += 1
            if progress is not None:
                progress(records, total, "warc")
    finally:
        writer.close()
    return records, writer.names
