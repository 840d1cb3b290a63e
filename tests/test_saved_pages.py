"""Saved-page folders as browsers and mirroring tools leave them: `.shtml`, `.jsp`, `show.php?id=7`, files with no
extension, `.html.gz`, `.mhtml`; the "saved from url" comment and MHTML's Content-Location as the page URL.
Real files, real DuckDB files, the real CLI (`ingest` runs the ephemeral Prefect engine)."""

from __future__ import annotations

from parsers.saved import looks_like_html, saved_from_url

SAVED_FROM = "https://www.fxnews.cn/content/2024-11/content_48101.shtml"


def with_saved_from(html: bytes, url: str = SAVED_FROM) -> bytes:
    """The page as Internet Explorer saves it: the comment on the line after the doctype."""
    return html.replace(b"<!DOCTYPE html>", b"<!DOCTYPE html>\r\n<!-- saved from url=(0054)" + url.encode() + b" -->", 1)


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
