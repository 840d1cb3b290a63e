"""Reading WARC files (Common Crawl's CC-NEWS, the Internet Archive, news-please) for `newsduck ingest`.

A WARC file is ingested in two passes, so that no pass holds more than one record's body:

- `list_responses` walks the file once without reading bodies and lists its `response` records by byte offset
  (request, metadata, warcinfo, revisit ... records are skipped). Corrupt data does not end the walk: reading
  resumes at the next record that can be read (WARC files are gzip-compressed record by record, so the next
  gzip member), and the corrupt stretch is listed as an error.
- `read_response` reads one listed record again at its offset: the target URI, WARC-Date, the HTTP status line and
  headers, and the body with its transfer and content encodings undone, bounded in size.

Each listed record becomes one input of the ingest (flows/inputs.py, flows/fetch.py), read in the batch that
extracts it, so batches of records travel through Prefect as offsets, never as bodies.
"""

from __future__ import annotations

import stat
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterator

from fastwarc import ArchiveIterator, WarcRecordType

WARC_SUFFIXES = (".warc", ".warc.gz")
GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/"
HEAD_BYTES = 4096
SCAN_CHUNK = 1 << 20  # bytes read at a time while looking for the next readable record after corrupt data


class WarcRecordError(ValueError):
    """A listed record that cannot be read as an HTTP response (truncated, corrupt, not HTTP)."""


class BodyTooLarge(OSError):
    """A response body over the size limit (raw or decoded)."""


@dataclass(frozen=True)
class ListedRecord:
    """A `response` record at `offset` (url: its WARC-Target-URI), or corrupt data there (`error` says what)."""
    offset: int
    url: str | None = None
    error: str | None = None


@dataclass
class WarcResponse:
    url: str
    fetched_at: datetime  # WARC-Date, timezone-aware
    status: int | None
    content_type: str | None  # the HTTP Content-Type header, with its charset
    body: bytes


def is_warc_name(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


def looks_like_warc(head: bytes) -> bool:
    """Whether a file's first bytes are a WARC record, plain or in a gzip member."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, len(WARC_MAGIC))
        except zlib.error:
            return False
    return head.startswith(WARC_MAGIC)


def sniff_warc(path: Path) -> bool:
    """Whether `path` is a regular file that starts like a WARC (unreadable: no). A FIFO, socket or device is
    never opened."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        with open(path, "rb") as file:
            return looks_like_warc(file.read(HEAD_BYTES))
    except OSError:
        return False


def list_responses(path: str | Path) -> Iterator[ListedRecord]:
    """The response records of the WARC file at `path`, in file order, and its corrupt stretches (one
    ListedRecord with `error` each). Reads no bodies; holds one record's headers at a time."""
    with open(path, "rb") as file:
        compressed = file.read(len(GZIP_MAGIC)) == GZIP_MAGIC
        start: int | None = 0
        while start is not None:
            file.seek(start)
            last = None
            try:
                for record in ArchiveIterator(file, parse_http=False):
                    last = record.stream_pos
                    if not record.headers.get("WARC-Type") or not record.record_id:
                        yield ListedRecord(last, error=f"a record without WARC-Type or WARC-Record-ID at byte {last}")
                    elif record.record_type == WarcRecordType.response:
                        yield ListedRecord(record.stream_pos, record.headers.get("WARC-Target-URI"))
                return
            except (OSError, ValueError) as exc:
                after = start if last is None else last
                start = next_readable(file, after + 1, compressed)
                resumed = f"reading resumed at byte {start}" if start is not None else "nothing readable after it"
                yield ListedRecord(after, error=f"corrupt WARC data after byte {after} ({exc}); {resumed}")


def next_readable(file: BinaryIO, position: int, compressed: bool) -> int | None:
    """The offset of the first record at or after `position` that can be read: a gzip member (compressed
    files) or a line starting `WARC/` (plain ones). None when there is none."""
    marker = GZIP_MAGIC if compressed else b"\n" + WARC_MAGIC
    skip = 0 if compressed else 1  # the record starts after the newline
    while True:
        file.seek(position)
        chunk = file.read(SCAN_CHUNK + len(marker))
        if not chunk:
            return None
        found = chunk.find(marker)
        if found < 0:
            if len(chunk) <= len(marker):
                return None
            position += len(chunk) - len(marker)
            continue
        candidate = position + found + skip
        if readable_at(file, candidate):
            return candidate
        position = candidate + 1


def readable_at(file: BinaryIO, offset: int) -> bool:
    file.seek(offset)
    try:
        return next(iter(ArchiveIterator(file, parse_http=False)), None) is not None
    except (OSError, ValueError):
        return False


def read_response(path: str | Path, offset: int, max_bytes: int) -> WarcResponse:
    """The HTTP response of the record at `offset`, its body decoded (chunked, gzip, deflate, brotli) and at
    most `max_bytes` long. Raises WarcRecordError for a record that is no complete HTTP response, OSError when
    the file cannot be read or the body is over `max_bytes`."""
    with open(path, "rb") as file:
        file.seek(offset)
        try:
            record = next(iter(ArchiveIterator(file, parse_http=True)), None)
            if record is None or record.record_type != WarcRecordType.response:
                raise WarcRecordError(f"no WARC response record at byte {offset}")
            url = record.headers.get("WARC-Target-URI")
            if not url:
                raise WarcRecordError(f"the record at byte {offset} has no WARC-Target-URI")
            if record.headers.get("WARC-Truncated"):
                raise WarcRecordError(f"the archive holds only part of this response "
                                      f"(WARC-Truncated: {record.headers.get('WARC-Truncated')})")
            if not record.is_http:
                raise WarcRecordError(f"the record at byte {offset} is not an HTTP response")
            expected = record.content_length
            raw = record.reader.read(max_bytes + 1)
            if len(raw) > max_bytes:
                raise BodyTooLarge(f"response body is over the {max_bytes}-byte limit")
            if len(raw) < expected:
                raise WarcRecordError(f"truncated record: {len(raw)} of {expected} body bytes in the file")
            response = WarcResponse(url, record.record_date, record.http_headers.status_code,
                                    record.http_headers.get("Content-Type"), raw)
            if not encoded(record.http_headers):
                return response
            file.seek(offset)
            record = next(iter(ArchiveIterator(file, parse_http=True, auto_decode="all")))
            response.body = record.reader.read(max_bytes + 1)
        except BodyTooLarge:
            raise
        except OSError as exc:  # fastwarc: bad gzip data, a bad header, a bad chunk or content encoding
            raise WarcRecordError(f"corrupt record at byte {offset}: {exc}") from None
    if len(response.body) > max_bytes:
        raise BodyTooLarge(f"decoded response body is over the {max_bytes}-byte limit")
    return response


def encoded(headers) -> bool:
    """Whether the HTTP body has a transfer or content encoding to undo."""
    transfer = (headers.get("Transfer-Encoding") or "").strip().lower()
    content = (headers.get("Content-Encoding") or "").strip().lower()
    return transfer not in ("", "identity") or content not in ("", "identity")

