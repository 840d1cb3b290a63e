"""decode_bytes: declared charsets, BOMs, GBK pages that declare gb2312, and refusals."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from parsers.decode import decode_bytes, normalize_charset
from parsers.errors import BinaryInputError, DecodeError, EmptyInputError, ParseError

FIXTURES = Path(__file__).parent / "fixtures"
EPAPER = FIXTURES / "pages" / "lnd-epaper-fuxin.html"
SITE_GB2312 = FIXTURES / "site" / "content" / "2024-11" / "content_48111.html"
SITE_GBK = FIXTURES / "site" / "content" / "2024-11" / "content_48122.html"

MOJIBAKE_MARKERS = ("\ufffd", "锟斤拷", "\u2015", "Ã", "â€")


def assert_clean(text: str) -> None:
    for marker in MOJIBAKE_MARKERS:
        assert marker not in text, f"mojibake marker {marker!r}"


def test_epaper_declared_gb2312_decodes_gbk_only_characters():
    data = EPAPER.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")  # the fixture really is not gb2312
    text, charset = decode_bytes(data)
    assert charset == "gb18030"
    assert "蹚深水区" in text
    assert "开好局起好步——" in text  # U+2014 twice
    assert_clean(text)


def test_site_page_declared_gb2312_contains_kun():
    text, charset = decode_bytes(SITE_GB2312.read_bytes())
    assert charset == "gb18030"
    assert "记者 李堃" in text
    assert_clean(text)


def test_site_page_declared_gbk():
    text, charset = decode_bytes(SITE_GBK.read_bytes())
    assert charset == "gb18030"
    assert "阜蒙县新建高标准日光温室500栋" in text
    assert_clean(text)


@pytest.mark.parametrize("path", sorted((FIXTURES / "pages").glob("*.html")) +
                         sorted((FIXTURES / "site" / "content").rglob("*.html")), ids=lambda p: p.name)
def test_every_fixture_page_decodes_cleanly(path: Path):
    text, charset = decode_bytes(path.read_bytes(), "text/html")  # the test server sends no charset
    assert charset in ("utf-8", "gb18030")
    assert_clean(text)
    assert "<html" in text.lower()


def test_utf8_bom_is_used_and_stripped():
    data = codecs.BOM_UTF8 + "<p>阜新新闻</p>".encode("utf-8")
    assert decode_bytes(data) == ("<p>阜新新闻</p>", "utf-8")


def test_utf8_bom_beats_a_wrong_declaration():
    data = codecs.BOM_UTF8 + '<meta charset="gbk"><p>阜新新闻网欢迎您</p>'.encode("utf-8")
    text, charset = decode_bytes(data, "text/html; charset=gbk")
    assert charset == "utf-8"
    assert "阜新新闻网欢迎您" in text


def test_utf16_bom():
    data = "<p>阜新</p>".encode("utf-16")  # with BOM; has NUL bytes, must not look binary
    assert decode_bytes(data) == ("<p>阜新</p>", "utf-16")


def test_header_charset_overrides_meta():
    body = '<html><head><meta charset="utf-8"></head><body><p>阜新迎来今冬首场降雪</p></body></html>'
    text, charset = decode_bytes(body.encode("gbk"), "text/html; charset=GBK")
    assert charset == "gb18030"
    assert "阜新迎来今冬首场降雪" in text


def test_header_charset_is_quoted_or_cased():
    body = "<p>阜新迎来今冬首场降雪</p>".encode("gbk")
    assert decode_bytes(body, 'text/html; Charset="gb2312"')[1] == "gb18030"


def test_meta_http_equiv_charset():
    body = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>蹚深水区——</p>'
    text, charset = decode_bytes(body.encode("gb18030"))
    assert charset == "gb18030"
    assert "蹚深水区——" in text


def test_xml_declaration():
    body = '<?xml version="1.0" encoding="GBK"?><rss><title>阜新新闻</title></rss>'
    text, charset = decode_bytes(body.encode("gbk"))
    assert charset == "gb18030"
    assert "阜新新闻" in text


def test_declared_utf8_but_gbk_bytes_falls_back_to_detection():
    body = ('<html><head><meta charset="utf-8"><title>阜新新闻网</title></head><body>'
            '<p>11月6日夜间至7日凌晨，阜新迎来今冬首场降雪。全市环卫、城管等部门连夜出动清雪人员2000余人次，'
            '全力保障城区道路畅通。市城市管理部门提醒，降雪后路面湿滑，市民出行要注意安全。</p></body></html>')
    text, charset = decode_bytes(body.encode("gbk"))
    assert charset == "gb18030"
    assert "阜新迎来今冬首场降雪" in text
    assert_clean(text)


def test_declared_gbk_but_utf8_bytes_is_read_as_utf8():
    body = '<meta charset="gbk"><p>阜新迎来今冬首场降雪，环卫工人连夜清雪。</p>'
    text, charset = decode_bytes(body.encode("utf-8"))
    assert charset == "utf-8"
    assert "环卫工人连夜清雪" in text


def test_latin1_header_does_not_garble_utf8():
    body = "<p>阜新迎来今冬首场降雪，环卫工人连夜清雪。</p>"
    text, charset = decode_bytes(body.encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert (text, charset) == (body, "utf-8")


def test_latin1_header_is_windows_1252_for_latin_text():
    body = "<p>Caf\u00e9 \u201cquoted\u201d</p>"
    text, charset = decode_bytes(body.encode("cp1252"), "text/html; charset=iso-8859-1")
    assert (text, charset) == (body, "cp1252")


def test_undeclared_utf8_and_undeclared_gbk():
    sentence = "<p>阜新农村人居环境持续改善，全市累计改造农村户厕一万余户，村容村貌明显提升。</p>"
    assert decode_bytes(sentence.encode("utf-8")) == (sentence, "utf-8")
    text, charset = decode_bytes(sentence.encode("gbk"))
    assert text == sentence and charset == "gb18030"


def test_plain_ascii():
    assert decode_bytes(b"<p>hello</p>") == ("<p>hello</p>", "utf-8")


def test_unknown_declared_label_is_ignored():
    assert decode_bytes(b'<meta charset="no-such-charset"><p>hello</p>')[1] == "utf-8"


@pytest.mark.parametrize("label,expected", [
    ("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("GB_2312-80", "gb18030"),
    ("cp936", "gb18030"), ("UTF8", "utf-8"), ("iso-8859-1", "cp1252"), ("big5", "big5hkscs"),
    ("nonsense", None), ("", None),
])
def test_normalize_charset(label: str, expected: str | None):
    assert normalize_charset(label) == expected


@pytest.mark.parametrize("data", [b"", b"   \r\n\t  "], ids=["empty", "whitespace"])
def test_empty_input(data: bytes):
    with pytest.raises(EmptyInputError):
        decode_bytes(data)


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(50),
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50),
    b"GIF89a\x01\x00\x01\x00",
    b"PK\x03\x04\x14\x00\x00\x00" + bytes(40),
    b"\x1f\x8b\x08\x00" + bytes(40),
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    b"\x7fELF\x02\x01\x01" + bytes(40),
    b"<html>" + b"\x00" * 10 + b"</html>",
    bytes(range(1, 9)) * 200,
], ids=["png", "jpeg", "gif", "zip", "gzip", "pdf", "elf", "nul", "control"])
def test_binary_input(data: bytes):
    with pytest.raises(BinaryInputError):
        decode_bytes(data)


def test_errors_are_parse_errors():
    assert issubclass(EmptyInputError, ParseError)
    assert issubclass(BinaryInputError, ParseError)
    assert issubclass(DecodeError, ParseError)


def test_one_broken_byte_does_not_lose_a_declared_gbk_page():
    good = ("<meta charset=gbk><p>" + "阜新迎来今冬首场降雪，环卫工人连夜清雪。" * 60 + "</p>").encode("gbk")
    data = good[:400] + b"\xff" + good[400:]
    text, charset = decode_bytes(data)
    assert "环卫工人连夜清雪" in text
    assert 0 < text.count("\ufffd") <= 4


def test_latin1_server_default_loses_to_the_page_meta():
    body = '<meta charset="gbk"><p>阜新迎来今冬首场降雪，环卫工人连夜清雪。</p>'
    text, charset = decode_bytes(body.encode("gbk"), "text/html; charset=ISO-8859-1")
    assert charset == "gb18030"
    assert "环卫工人连夜清雪" in text
