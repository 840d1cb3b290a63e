"""Saved-page folders as browsers and mirroring tools leave them: `.shtml`, `.jsp`, `show.php?id=7`, files with no
extension, `.html.gz`, `.mhtml`; the "saved from url" comment and MHTML's Content-Location as the page URL.
Real files, real DuckDB files, the real CLI (`ingest` runs the ephemeral Prefect engine)."""

from __future__ import annotations

import base64
import gzip
import json
import quopri
from pathlib import Path

import pytest

from flows.fetch import MAX_BODY_BYTES
from parsers.saved import looks_like_html, saved_from_url

from conftest import FIXTURES
from test_cli import run_cli
from test_ingest import ingest, rows

SITE = FIXTURES / "site" / "content" / "2024-11"
PAGES = sorted(SITE.glob("content_*.html"))  # small article pages of one site, each a different story
SAVED_FROM = "https://www.fxnews.cn/content/2024-11/content_48101.shtml"
MHTML_URL = "https://www.fxnews.cn/content/2024-11/content_48106.html"


def page(number: int) -> bytes:
    return PAGES[number].read_bytes()


def title_of(number: int) -> str:
    html = page(number).decode("utf-8")
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def with_saved_from(html: bytes, url: str = SAVED_FROM) -> bytes:
    """The page as Internet Explorer saves it: the comment on the line after the doctype."""
    return html.replace(b"<!DOCTYPE html>", b"<!DOCTYPE html>\r\n<!-- saved from url=(0054)" + url.encode() + b" -->", 1)


def mhtml(html: bytes, url: str = MHTML_URL) -> bytes:
    """An MHTML archive as Chrome writes it: the page quoted-printable in GB2312, then an image in base64."""
    gb = html.decode("utf-8").replace('charset="utf-8"', 'charset="gb2312"').encode("gb18030")
    return (
        b"From: <Saved by Blink>\r\n"
        b"Snapshot-Content-Location: " + url.encode() + b"\r\n"
        b"Subject: =?utf-8?Q?x?=\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----MultipartBoundary--abc----"\r\n\r\n\r\n'
        b"------MultipartBoundary--abc----\r\n"
        b'Content-Type: text/html; charset="gb2312"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"Content-Location: " + url.encode() + b"\r\n\r\n"
        + quopri.encodestring(gb).replace(b"\n", b"\r\n") + b"\r\n"
        b"------MultipartBoundary--abc----\r\n"
        b"Content-Type: image/png\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"Content-Location: https://www.fxnews.cn/static/img/logo.png\r\n\r\n"
        + base64.encodebytes(b"\x89PNG\r\n\x1a\n" + bytes(64)) + b"\r\n"
        b"------MultipartBoundary--abc------\r\n"
    )


SAVED_FOLDER = {  # name -> bytes; every one a page of its own story
    "a.shtml": lambda: with_saved_from(page(0)),
    "b.jsp": lambda: page(1),
    "show.php?id=7": lambda: page(2),
    "content_48104": lambda: b"\xef\xbb\xbf\r\n<!-- mirrored -->\r\n" + page(3),  # no extension: sniffed
    "c.html.gz": lambda: gzip.compress(page(4)),
    "d.mhtml": lambda: mhtml(page(5)),
}
NOT_PAGES = {  # skipped in a directory
    "logo.png": lambda: b"\x89PNG\r\n\x1a\n" + bytes(64),
    "site.css": lambda: b"body { color: #333 }\n",
    "common.js": lambda: b"document.write('<html>');\n",
    "README": lambda: b"Pages saved from fxnews.cn in November 2024.\n",  # no extension, not HTML
    ".hidden.html": lambda: page(6),
}


def write_files(directory: Path, files: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content())
    return directory


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("saved") / "pages"
    write_files(directory, SAVED_FOLDER | NOT_PAGES)
    return directory


def test_ingest_reads_every_saved_page_in_a_folder_and_skips_the_rest(folder, tmp_path, capsys):
    db = tmp_path / "saved.duckdb"
    summary = ingest(capsys, str(folder), "--db", str(db))
    assert (summary["inputs"], summary["new"], summary["errors"], summary["not_article"]) == (6, 6, 0, 0)
    stored = dict(rows(db, "SELECT path, title FROM articles WHERE parent_article_id IS NULL"))
    assert {Path(p).name for p in stored} == set(SAVED_FOLDER)
    assert sorted(stored.values()) == sorted(title_of(n) for n in range(6))  # the gzip and MHTML pages unpacked


def test_extract_reads_a_directory_as_ingest_does(folder, capsys):
    code, out, err = run_cli(capsys, "extract", str(folder))
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["path"]).name for r in records] == sorted(SAVED_FOLDER)  # one line per page, in sorted order
    by_name = {Path(r["path"]).name: r for r in records}
    assert by_name["d.mhtml"]["title"] == title_of(5)  # quoted-printable GB2312 decoded
    assert by_name["d.mhtml"]["url"] == MHTML_URL
    assert by_name["a.shtml"]["url"] == SAVED_FROM
    assert all(r["is_article"] for r in records)


def test_an_explicitly_named_shtml_file_is_ingested(tmp_path, capsys):
    shtml = tmp_path / "content_48102.shtml"
    shtml.write_bytes(page(1))
    summary = ingest(capsys, str(shtml), "--db", str(tmp_path / "one.duckdb"))
    assert (summary["inputs"], summary["new"], summary["errors"]) == (1, 1, 0)


@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_an_explicitly_named_file_that_is_not_a_page_is_refused_naming_what_is_accepted(command, folder, tmp_path, capsys):
    db = tmp_path / "n.duckdb"
    options = ["--db", str(db)] if command == "ingest" else []
    for name in ("site.css", "README"):
        code, _, err = run_cli(capsys, command, str(folder / name), *options)
        assert code == 2
        assert len(err.strip().splitlines()) == 1 and f"Cannot {command} {folder / name}:" in err
        assert ".shtml" in err and ".mhtml" in err and "without an extension" in err
    assert not db.exists()


def test_the_saved_from_comment_is_the_article_url(tmp_path, capsys):
    saved = write_files(tmp_path / "in", {"a.shtml": SAVED_FOLDER["a.shtml"], "d.mhtml": SAVED_FOLDER["d.mhtml"]})
    db = tmp_path / "u.duckdb"
    assert ingest(capsys, str(saved), "--db", str(db))["new"] == 2
    assert dict(rows(db, "SELECT regexp_extract(path, '[^/]+$'), url FROM articles")) == {
        "a.shtml": SAVED_FROM, "d.mhtml": MHTML_URL}


def test_a_urls_mapping_beats_the_url_the_file_names(tmp_path, capsys):
    saved = write_files(tmp_path / "in", {"a.shtml": SAVED_FOLDER["a.shtml"], "d.mhtml": SAVED_FOLDER["d.mhtml"]})
    given = {"a.shtml": "https://mirror.example.org/a.shtml", "d.mhtml": "https://mirror.example.org/d.html"}
    mapping = tmp_path / "urls.jsonl"
    mapping.write_text("\n".join(json.dumps({"path": str(saved / n), "url": u}) for n, u in given.items()), encoding="utf-8")
    db = tmp_path / "m.duckdb"
    assert ingest(capsys, str(saved), "--urls", str(mapping), "--db", str(db))["new"] == 2
    assert dict(rows(db, "SELECT regexp_extract(path, '[^/]+$'), url FROM articles")) == given


def test_a_corrupt_or_oversized_gzip_page_is_an_error_row_and_the_run_goes_on(tmp_path, capsys):
    packed = gzip.compress(page(4))
    saved = write_files(tmp_path / "in", {
        "good.html.gz": lambda: packed,
        "truncated.html.gz": lambda: packed[: len(packed) // 2],
        "garbage.html.gz": lambda: b"\x1f\x8b\x08\x00" + bytes(range(256)),
        "bomb.html.gz": lambda: gzip.compress(b"<html><body>" + b" " * (MAX_BODY_BYTES + 1)),
        "b.jsp": SAVED_FOLDER["b.jsp"],
    })
    db = tmp_path / "e.duckdb"
    summary = ingest(capsys, str(saved), "--db", str(db))
    assert (summary["inputs"], summary["new"], summary["errors"]) == (5, 2, 3)
    errors = rows(db, "SELECT regexp_extract(input, '[^/]+$'), stage, error_type, message FROM errors ORDER BY 1")
    assert [(name, kind) for name, _, kind, _ in errors] == [
        ("bomb.html.gz", "LimitExceededError"), ("garbage.html.gz", "DecodeError"), ("truncated.html.gz", "DecodeError")]
    assert all(message.startswith("cannot unpack ") for *_, message in errors)


def test_saved_from_comment_and_html_sniffing_read_only_the_first_bytes():
    assert saved_from_url(with_saved_from(b"<!DOCTYPE html><html></html>", "http://a.example/x?id=1")) == "http://a.example/x?id=1"
    # the placeholders browsers write for pages with no web origin are not page URLs
    assert saved_from_url(b"<!-- saved from url=(0014)about:internet -->\r\n<html>") is None
    assert saved_from_url(b"<!-- saved from url=(0022)http://internet.e-mail -->\r\n<html>") is None
    assert saved_from_url(b" " * 8192 + b"<!-- saved from url=(0017)http://a.example/ -->") is None
    utf16 = "\ufeff<!-- saved from url=(0017)http://a.example/ -->\r\n<html>".encode("utf-16-le")
    assert saved_from_url(utf16) == "http://a.example/"
    assert looks_like_html(b"\xef\xbb\xbf \r\n<?xml version='1.0'?><!-- a --><!-- b -->\n<HTML lang=en>")
    assert looks_like_html(b"<meta charset=gbk><title>x</title>")
    assert not looks_like_html(b"Pages saved in 2024. <html> appears later")
    assert not looks_like_html(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
