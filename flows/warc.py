"""Reading WARC files (Common Crawl's CC-NEWS, the Internet Archive, news-please) for `newsduck ingest`, and the
Internet Archive's older ARC files.

A WARC file is ingested in two passes, so that no pass holds more than one record's body:

- `list_responses` walks the file once without reading bodies and lists its `response` records by byte offset
  (request, metadata, warcinfo, revisit ... records are skipped). Corrupt data does not end the walk: reading
  resumes at the next record that can be read (WARC files are gzip-compressed record by record, so the next
  gzip member), and the corrupt stretch is listed as an error.
- `read_response` reads one listed record again at its offset: the target URI, WARC-Date, the HTTP status line and
  headers, and the body with its transfer and content encodings undone, bounded in size.

ARC files are read the same way: a record is a header line (URL, IP, date, content type, ..., length) and
`length` bytes of HTTP response; in `.arc.gz` each record is a gzip member of its own, as the Internet Archive
writes them. Reading one turns it into the WARC response record it would be, so one reader checks both.

Each listed record becomes one input of the ingest (flows/inputs.py, flows/fetch.py), read in the batch that
extracts it, so batches of records travel through Prefect as offsets, never as bodies.
"""

from __future__ import annotations

import io
import stat
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from fastwarc import ArchiveIterator, WarcRecord, WarcRecordType

WARC_SUFFIXES = (".warc", ".warc.gz")
ARC_SUFFIXES = (".arc", ".arc.gz")
GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/"
ARC_MAGIC = b"filedesc://"  # an ARC file's first record describes the file
ARC_HEADER_MAX = 8192  # longest ARC header line read
ARC_SKIPPED = ("filedesc:", "dns:")  # ARC records that are no fetched page
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


def is_archive_name(name: str) -> bool:
    """Named like a WARC or ARC file."""
    return name.lower().endswith(WARC_SUFFIXES + ARC_SUFFIXES)


# The gzip here is not parsers.gunzip (the bounded gunzip of whole documents): a WARC or ARC file is read record by
# record from disk, each record one gzip member, and these readers need what that helper does not give: the offset
# where a member ends (the next record), only the first bytes of a member, and a stop at the member's end.


def unpacked_head(head: bytes) -> bytes:
    """A file's first bytes, unpacked when they are a gzip member (b"" when they cannot be)."""
    if not head.startswith(GZIP_MAGIC):
        return head
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, len(ARC_MAGIC))
    except zlib.error:
        return b""


def looks_like_archive(head: bytes) -> bool:
    """Whether a file's first bytes are a WARC or ARC record, plain or in a gzip member."""
    return unpacked_head(head).startswith((WARC_MAGIC, ARC_MAGIC))


def sniff_archive(path: Path) -> bool:
    """Whether `path` is a regular file that starts like a WARC or ARC file (unreadable: no). A FIFO, socket or
    device is never opened."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        with open(path, "rb") as file:
            return looks_like_archive(file.read(HEAD_BYTES))
    except OSError:
        return False


def is_arc(file: BinaryIO) -> bool:
    """Whether the open file is an ARC file (else a WARC file); leaves it at its start."""
    file.seek(0)
    arc = unpacked_head(file.read(HEAD_BYTES)).startswith(ARC_MAGIC)
    file.seek(0)
    return arc


def list_responses(path: str | Path) -> Iterator[ListedRecord]:
    """The response records of the WARC (or ARC) file at `path`, in file order, and its corrupt stretches (one
    ListedRecord with `error` each). Reads no bodies; holds one record's headers at a time."""
    with open(path, "rb") as file:
        if is_arc(file):
            yield from list_arc_records(file)
            return
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
        if is_arc(file):
            record = arc_as_warc(file, offset, max_bytes)
            return http_response(lambda: io.BytesIO(record), offset, max_bytes)

        def at_offset() -> BinaryIO:
            file.seek(offset)
            return file

        return http_response(at_offset, offset, max_bytes)


def http_response(open_record: Callable[[], BinaryIO], offset: int, max_bytes: int) -> WarcResponse:
    """The response of the WARC record `open_record()` is positioned at (it is called once more when the
    body has encodings to undo)."""
    try:
        record = next(iter(ArchiveIterator(open_record(), parse_http=True)), None)
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
        record = next(iter(ArchiveIterator(open_record(), parse_http=True, auto_decode="all")))
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


# ------------------------------------------------------------------------------------------------------ ARC


def list_arc_records(file: BinaryIO) -> Iterator[ListedRecord]:
    """The records of an ARC file that are fetched pages (not its filedesc record, not DNS lookups). Data that
    cannot be read ends the listing, with an error."""
    compressed = file.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    offset = 0
    while True:
        try:
            found = (gzip_member_head(file, offset) if compressed else plain_arc_head(file, offset))
        except (OSError, ValueError, zlib.error) as exc:
            yield ListedRecord(offset, error=f"corrupt ARC data at byte {offset} ({exc}); nothing after it read")
            return
        if found is None:
            return
        record_offset, line, following = found
        url = line.split(b" ", 1)[0].decode("utf-8", "backslashreplace")
        if not url.startswith(ARC_SKIPPED):
            yield ListedRecord(record_offset, url)
        offset = following


def parse_arc_header(line: bytes) -> tuple[str, datetime, int]:
    """(URL, date, length) of an ARC record's header line: `URL IP YYYYMMDDhhmmss type [...] length`."""
    fields = line.decode("utf-8", "backslashreplace").split()
    try:
        if len(fields) < 5:
            raise ValueError
        date = datetime.strptime(fields[2][:14], "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
        return fields[0], date, int(fields[-1])
    except ValueError:
        raise ValueError(f"not an ARC record header: {line[:200]!r}") from None


def plain_arc_head(file: BinaryIO, offset: int) -> tuple[int, bytes, int] | None:
    """(record offset, header line, offset after the record) of the first record at or after `offset`."""
    file.seek(offset)
    while True:
        line = file.readline(ARC_HEADER_MAX)
        if not line:
            return None
        if line.strip():
            break
        offset += len(line)
    _, _, length = parse_arc_header(line)
    return offset, line.rstrip(b"\r\n"), offset + len(line) + length


def gzip_member_head(file: BinaryIO, offset: int) -> tuple[int, bytes, int] | None:
    """(member offset, its first line, offset of the next member) of the gzip member at `offset`; the member
    is decompressed to find its end, keeping only its first line."""
    file.seek(offset)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    head, consumed = b"", 0
    while not inflater.eof:
        chunk = file.read(SCAN_CHUNK)
        if not chunk:
            if consumed == 0:
                return None
            raise ValueError("the gzip member ends early")
        data = chunk
        while data and not inflater.eof:  # a megabyte of output at a time: a gzip bomb never fills memory
            out = inflater.decompress(data, 1 << 20)
            head += out[:ARC_HEADER_MAX - len(head)]
            data = inflater.unconsumed_tail
        consumed += len(chunk) - len(inflater.unused_data)
    return offset, head.split(b"\n", 1)[0].rstrip(b"\r"), offset + consumed


def arc_as_warc(file: BinaryIO, offset: int, max_bytes: int) -> bytes:
    """The ARC record at `offset` as the WARC response record it would be (bodies over `max_bytes` refused)."""
    file.seek(0)
    compressed = file.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    limit = max_bytes + ARC_HEADER_MAX + 1
    file.seek(offset)
    try:
        if compressed:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            data = b""
            while not inflater.eof and len(data) < limit:
                chunk = file.read(SCAN_CHUNK)
                if not chunk:
                    break
                data += inflater.decompress(chunk, limit - len(data))
        else:
            data = file.readline(ARC_HEADER_MAX)
            data += file.read(parse_arc_header(data)[2]) if data.strip() else b""
    except zlib.error as exc:
        raise WarcRecordError(f"corrupt record at byte {offset}: {exc}") from None
    line, _, payload = data.partition(b"\n")
    try:
        url, date, length = parse_arc_header(line)
    except ValueError as exc:
        raise WarcRecordError(f"corrupt record at byte {offset}: {exc}") from None
    if length > max_bytes:
        raise BodyTooLarge(f"response body is over the {max_bytes}-byte limit")
    if len(payload) < length:
        raise WarcRecordError(f"truncated record: {len(payload)} of {length} bytes in the file")
    record = WarcRecord()
    record.init_headers(WarcRecordType.response)
    record.headers["WARC-Target-URI"] = url
    record.record_date = date
    record.headers["Content-Type"] = "application/http; msgtype=response"
    record.set_bytes_content(payload[:length])
    buffer = io.BytesIO()
    record.write(buffer)
    return buffer.getvalue()
