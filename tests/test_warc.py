"""WARC in and out: `newsduck ingest FILE.warc.gz` through the real Prefect engine into a real DuckDB file, and
`newsduck export --format warc` read back by fastwarc and by ingest into a fresh warehouse."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from fastwarc import ArchiveIterator, WarcRecord, WarcRecordType

from bench.scale import ARCHIVED_AT, demo_pages, response_record, write_demo_warc
from flows.cli import main
from flows.fetch import read_file
from flows.inputs import archive_targets
from flows.warc import list_responses, read_response
from warehouse.export import export_warehouse
from warehouse.warc import http_head, record_bytes

from conftest import FIXTURES

PAGES = FIXTURES / "pages"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def run_json(capsys, *argv: str) -> dict:
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out.strip().splitlines()[-1])


def rows(db: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def request_record(url: str) -> bytes:
    return record_bytes(WarcRecordType.request, url, ARCHIVED_AT, "application/http; msgtype=request",
                        b"GET / HTTP/1.1\r\nHost: news.example.com\r\n\r\n", uuid.uuid4())


def truncated_record(url: str, body: bytes) -> bytes:
    """A response the crawler cut short (WARC-Truncated), as Common Crawl marks pages over its size limit."""
    record = WarcRecord()
    record.init_headers(WarcRecordType.response)
    record.headers["WARC-Target-URI"] = url
    record.headers["WARC-Truncated"] = "length"
    record.headers["Content-Type"] = "application/http; msgtype=response"
    record.set_bytes_content(http_head(200, "text/html", len(body)) + body[: len(body) // 2])
    buffer = io.BytesIO()
    record.write(buffer)
    return gzip.compress(buffer.getvalue())


def fixture_pages() -> list[tuple[str, bytes]]:
    """The fixture pages with their gold URLs: four articles, two pages that are not."""
    return [(json.loads(gold.read_text(encoding="utf-8"))["url"], gold.with_suffix(".html").read_bytes())
            for gold in sorted(PAGES.glob("*.json"))]


# What the mixed archive holds, and what ingesting it must give.
DEMO_ARTICLES = 990
MIXED_INPUTS = DEMO_ARTICLES + 6 + 3 + 1  # responses, + the PNG, the 404 and the truncated one, + the corrupt stretch


@pytest.fixture(scope="module")
def mixed_warc(tmp_path_factory) -> Path:
    """1,000 records: 990 distinct articles and the six fixture pages, a request record, an image, a 404, a
    truncated response, and a gzip member of garbage in the middle."""
    path = tmp_path_factory.mktemp("warc") / "CC-NEWS-test.warc.gz"
    with open(path, "wb") as out:
        for number, (url, body) in enumerate(demo_pages(DEMO_ARTICLES)):
            out.write(response_record(url, body))
            if number == 500:
                out.write(gzip.compress(b"WARC/1.1\r\nthis is no WARC header\r\n\r\n"))
        out.write(request_record("https://news.example.com/logo.png"))
        for url, body in fixture_pages():
            out.write(response_record(url, body))
        out.write(response_record("https://news.example.com/logo.png", PNG, content_type="image/png"))
        out.write(response_record("https://news.example.com/gone.html", b"<html>gone</html>", status=404))
        out.write(truncated_record("https://news.example.com/cut.html", next(demo_pages(1))[1]))
    return path


@pytest.fixture(scope="module")
def ingested(mixed_warc, tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "news.duckdb"
    first = main(["ingest", str(mixed_warc), "--db", str(db), "--json", "--quiet"])
    assert first == 0
    return db


def test_a_warc_file_is_ingested_record_by_record_with_each_records_url_and_date(ingested):
    assert rows(ingested, "SELECT count(*) FROM articles WHERE parent_article_id IS NULL")[0][0] == DEMO_ARTICLES + 4
    (run,) = rows(ingested, "SELECT inputs, new, not_article, errors, status FROM runs")
    assert run == (MIXED_INPUTS, DEMO_ARTICLES + 4, 2, 4, "completed")
    # each page keeps its record's URL and WARC-Date as its fetch time, and the HTTP facts
    fetch = rows(ingested, "SELECT url, fetched_at, status, content_type, path FROM fetches WHERE input = ?",
                 "https://news.example.com/2025-03/000007.html")
    assert fetch == [("https://news.example.com/2025-03/000007.html", ARCHIVED_AT, 200, "text/html; charset=utf-8",
                      None)]
    title = rows(ingested, "SELECT title FROM articles WHERE url = ?", "https://news.example.com/2025-03/000007.html")
    assert title[0][0].startswith("第7期")
    # the fixture articles are found at their gold URLs, their bodies decoded by the declared or sniffed charset
    for url, _ in fixture_pages():
        assert rows(ingested, "SELECT count(*) FROM fetches WHERE url = ? AND outcome IN ('new', 'not_article')",
                    url)[0][0] == 1


def test_bad_records_are_error_rows_and_the_rest_of_the_file_is_read(ingested):
    found = rows(ingested, "SELECT input, stage, error_type, message FROM errors ORDER BY input")
    assert len(found) == 4
    by_input = {row[0]: row for row in found}
    assert by_input["https://news.example.com/logo.png"][2] == "BadContentType"
    assert by_input["https://news.example.com/gone.html"][2] == "HTTP 404"
    assert by_input["https://news.example.com/cut.html"][2] == "CorruptWarc"
    assert "WARC-Truncated" in by_input["https://news.example.com/cut.html"][3]
    (corrupt,) = [row for row in found if "at byte" in row[0]]
    assert corrupt[1:3] == ("fetch", "CorruptWarc") and "without WARC-Type" in corrupt[3]
    # the articles after the corrupt member were read
    assert rows(ingested, "SELECT count(*) FROM articles WHERE url = ?",
                "https://news.example.com/2025-03/000989.html")[0][0] == 1
    # the request record is no input at all
    logo = "https://news.example.com/logo.png"
    assert rows(ingested, "SELECT count(*) FROM fetches WHERE input = ?", logo)[0][0] == 1


def test_ingesting_the_same_warc_again_changes_no_article(ingested, mixed_warc, capsys):
    before = rows(ingested, "SELECT article_id, content_sha256, updated_at FROM articles ORDER BY article_id")
    again = run_json(capsys, "ingest", str(mixed_warc), "--db", str(ingested), "--quiet")
    assert (again["inputs"], again["new"], again["updated"], again["unchanged"], again["errors"]) == (
        MIXED_INPUTS, 0, 0, DEMO_ARTICLES + 4, 4)
    assert rows(ingested, "SELECT article_id, content_sha256, updated_at FROM articles ORDER BY article_id") == before


def test_export_warc_round_trip_gives_the_same_articles_in_a_fresh_warehouse(tmp_path, capsys):
    urls = tmp_path / "urls.jsonl"
    urls.write_text("\n".join(json.dumps({"path": str(gold.with_suffix(".html")),
                                            "url": json.loads(gold.read_text(encoding="utf-8"))["url"]})
                                for gold in sorted(PAGES.glob("*.json"))), encoding="utf-8")
    first, second = tmp_path / "first.duckdb", tmp_path / "second.duckdb"
    run_json(capsys, "ingest", str(PAGES), "--urls", str(urls), "--db", str(first), "--quiet")
    archive = tmp_path / "archive"
    assert main(["export", str(archive), "--format", "warc", "--db", str(first), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "exported 6 pages as WARC records" in err
    files = sorted(archive.glob("*.warc.gz"))
    assert [f.name for f in files] == ["newsduck-00000.warc.gz"]
    # other tools read it: every record's digests check out, one warcinfo then the six responses
    records = [(r.record_type, r.headers.get("WARC-Target-URI"), r.headers.get("WARC-Date"))
               for r in ArchiveIterator(str(files[0]), verify_digests=True)]
    assert [t for t, _, _ in records] == [WarcRecordType.warcinfo] + [WarcRecordType.response] * 6
    assert all(date.endswith("Z") for _, _, date in records)
    assert sorted(url for _, url, _ in records[1:]) == sorted(url for url, _ in fixture_pages())

    run_json(capsys, "ingest", str(archive), "--db", str(second), "--quiet")
    query = ("SELECT article_id, url, title, body_text, published_at, content_sha256 FROM articles "
             "ORDER BY article_id, sub_seq")
    assert rows(second, query) == rows(first, query)
    bodies = "SELECT body_sha256 FROM raw_pages ORDER BY 1"
    assert rows(second, bodies) == rows(first, bodies)
    fetched = rows(second, "SELECT url, fetched_at FROM fetches ORDER BY url")
    original = rows(first, "SELECT url, min(fetched_at) FROM fetches GROUP BY url ORDER BY url")
    assert [(u, t.replace(microsecond=0)) for u, t in fetched] == [(u, t.replace(microsecond=0)) for u, t in original]


def test_export_warc_rolls_files_at_the_size_bound_and_pages_without_a_url_are_resource_records(tmp_path, capsys):
    db = tmp_path / "news.duckdb"
    run_json(capsys, "ingest", str(PAGES), "--db", str(db), "--quiet")  # files without URLs
    run_json(capsys, "ingest", str(write_demo_warc(tmp_path / "demo.warc.gz", 40)), "--db", str(db), "--quiet")
    archive = tmp_path / "archive"
    assert main(["export", str(archive), "--format", "warc", "--warc-file-mb", "1", "--db", str(db), "--quiet"]) == 0
    assert [f.name for f in archive.glob("*.warc.gz")] == ["newsduck-00000.warc.gz"]
    result = export_warehouse(db, archive, "warc", max_file_bytes=64 * 1024)
    files = sorted(archive.glob("*.warc.gz"))
    assert len(files) > 2 and result.tables[0].rows == 46
    types, targets = [], []
    for file in files:
        first = True
        for record in ArchiveIterator(str(file), verify_digests=True):
            types.append(record.record_type)
            assert (record.record_type == WarcRecordType.warcinfo) == first
            first = False
            if record.record_type != WarcRecordType.warcinfo:
                targets.append(record.headers.get("WARC-Target-URI"))
    assert types.count(WarcRecordType.response) == 40 and types.count(WarcRecordType.resource) == 6
    assert sum(t.startswith("file://") for t in targets) == 6


def test_reading_a_warc_holds_one_record_at_a_time(tmp_path):
    """The reader's peak memory is the same for 1,000 records as for 5,000."""
    def peak(count: int) -> int:
        path = write_demo_warc(tmp_path / f"{count}.warc.gz", count)
        tracemalloc.start()
        try:
            for target in archive_targets(str(path), str(path)):
                assert read_file(target).error is None
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1000), peak(5000)
    assert large < small * 1.5 + 256 * 1024, (small, large)


def test_a_plain_warc_with_a_broken_header_and_a_chunked_gzip_response(tmp_path):
    body = b"<html><body><p>" + "正文".encode("utf-8") * 50 + b"</p></body></html>"
    chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    encoded = gzip.compress(body)
    records = []
    for number, (head, payload) in enumerate([
            (b"Content-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n", chunked),
            (b"Content-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n", encoded)]):
        record = WarcRecord()
        record.init_headers(WarcRecordType.response)
        record.headers["WARC-Target-URI"] = f"https://news.example.com/{number}.html"
        record.headers["Content-Type"] = "application/http; msgtype=response"
        record.set_bytes_content(b"HTTP/1.1 200 OK\r\n" + head + b"\r\n" + payload)
        buffer = io.BytesIO()
        record.write(buffer)
        records.append(buffer.getvalue())
    path = tmp_path / "plain.warc"
    path.write_bytes(records[0] + b"WARC/1.1\r\nGarbage\r\n\r\n" + records[1])
    listed = list(list_responses(path))
    assert [(r.url, r.error is None) for r in listed] == [
        ("https://news.example.com/0.html", True), (None, False), ("https://news.example.com/1.html", True)]
    assert "without WARC-Type" in listed[1].error
    for record in (listed[0], listed[2]):
        response = read_response(path, record.offset, 1 << 20)
        assert response.body == body and response.content_type == "text/html; charset=utf-8"
    assert read_response(path, listed[0].offset, 1 << 20).fetched_at.tzinfo is not None


def test_a_damaged_gzip_member_is_skipped_to_the_next_readable_record(tmp_path):
    (first, _), (second, body), (third, _) = list(demo_pages(3))
    damaged = bytearray(response_record(second, body))
    damaged[40:60] = bytes(20)
    members = [response_record(first, b"<html>1</html>"), bytes(damaged), response_record(third, b"<html>3</html>")]
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(b"".join(members))
    listed = list(list_responses(path))
    resumed_at = len(members[0]) + len(members[1])
    assert [(r.url, r.offset) for r in listed] == [(first, 0), (None, 0), (third, resumed_at)]
    assert f"reading resumed at byte {resumed_at}" in listed[1].error
    assert read_response(path, resumed_at, 1 << 20).body == b"<html>3</html>"


def arc_records(pages: list[tuple[str, bytes]]) -> list[bytes]:
    """An ARC file's records (version 1): its filedesc record, a DNS lookup, then a fetched page per page."""
    def record(url: bytes, payload: bytes) -> bytes:
        return b"%s 10.0.0.1 20250308000000 text/html %d\n" % (url, len(payload)) + payload + b"\n"

    fields = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    return [record(b"filedesc://test.arc", fields), record(b"dns:news.example.com", b"20250308000000\n10.0.0.1")] + [
        record(url.encode(), http_head(200, "text/html; charset=utf-8", len(body)) + body) for url, body in pages]


@pytest.mark.parametrize("name", ["old.arc", "old.arc.gz"])
def test_arc_files_are_read_like_warc_files(tmp_path, name):
    pages = list(demo_pages(3))
    records = arc_records(pages)
    path = tmp_path / name
    path.write_bytes(b"".join(gzip.compress(r) for r in records) if name.endswith(".gz") else b"".join(records))
    listed = list(list_responses(path))
    assert [r.url for r in listed] == [url for url, _ in pages] and all(r.error is None for r in listed)
    for record, (url, body) in zip(listed, pages):
        response = read_response(path, record.offset, 1 << 20)
        assert (response.url, response.body, response.status) == (url, body, 200)
        assert response.fetched_at == ARCHIVED_AT and response.content_type == "text/html; charset=utf-8"


def test_warc_and_arc_files_inside_a_directory_are_read_beside_its_pages(tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_demo_warc(folder / "crawl.warc.gz", 5)
    (folder / "page.html").write_bytes(next(demo_pages(7))[1])
    write_demo_warc(folder / "no-extension", 3)  # found by its first bytes
    (folder / "old.arc.gz").write_bytes(b"".join(gzip.compress(r) for r in arc_records(list(demo_pages(12))[8:])))
    summary = run_json(capsys, "ingest", str(folder), "--db", str(tmp_path / "news.duckdb"), "--quiet")
    assert summary["inputs"] == 5 + 1 + 3 + 4 and summary["errors"] == 0


@pytest.mark.parametrize("make, message", [
    (None, "No such file or directory"),
    (b"", "named like a WARC or ARC file but does not start with a WARC or ARC record"),
    (b"<html>not an archive</html>", "named like a WARC or ARC file but does not start with a WARC or ARC record"),
])
def test_a_bad_warc_path_is_one_sentence_and_exit_2(tmp_path, capsys, make, message):
    path = tmp_path / "news.warc.gz"
    if make is not None:
        path.write_bytes(make)
    code = main(["ingest", str(path), "--db", str(tmp_path / "news.duckdb")])
    out, err = capsys.readouterr()
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "news.duckdb").exists()


def test_export_warc_refuses_exclude(tmp_path, capsys):
    db = tmp_path / "news.duckdb"
    run_json(capsys, "ingest", str(PAGES / "fanfu-repost-51919.html"), "--db", str(db), "--quiet")
    code = main(["export", str(tmp_path / "out"), "--format", "warc", "--exclude", "runs", "--db", str(db)])
    assert code == 1 and "no tables to exclude" in capsys.readouterr().err


def test_warc_date_is_written_in_utc_whatever_the_session_zone():
    china = timezone(timedelta(hours=8))
    data = record_bytes(WarcRecordType.response, "https://a.example/", datetime(2024, 3, 5, 16, tzinfo=china),
                        "application/http; msgtype=response", http_head(200, "text/html", 0), uuid.uuid4(), payload=b"")
    assert b"WARC-Date: 2024-03-05T08:00:00Z" in gzip.decompress(data)
    assert b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n" in gzip.decompress(data)
