"""extract_article never raises anything but ParseError, and its work stays bounded.

"Bounded" is CPU time: the tests measure the CPU this process spends in the call
(time.process_time), which other processes' load on a shared machine does not stretch; the bounds
are the same seconds the wall-time versions of these tests used.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import ArticleRecord, extract_article
from parsers.errors import BinaryInputError, EmptyInputError, LimitExceededError, ParseError
from parsers.extract import MAX_INPUT_BYTES, is_plain_text
from parsers.html.dates import is_wechat
from parsers.html.page import build_page

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted((FIXTURES / "pages").glob("*.html"))
SAMPLE = (FIXTURES / "pages" / "fanfu-repost-51919.html").read_bytes()
EPAPER = (FIXTURES / "pages" / "lnd-epaper-fuxin.html").read_bytes()

HYPOTHESIS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def extract_or_parse_error(data: bytes, **kwargs) -> ArticleRecord | None:
    """The contract: a record, or a ParseError (subclass). Anything else fails the test."""
    try:
        record = extract_article(data, **kwargs)
    except ParseError:
        return None
    assert isinstance(record, ArticleRecord)
    record.to_dict()  # the public shape must serialise
    return record


def cpu_seconds(call: Callable[[], Any]) -> tuple[Any, float]:
    """(what `call` returned, CPU seconds this process spent in it)."""
    started = time.process_time()
    result = call()
    return result, time.process_time() - started


@HYPOTHESIS
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes):
    extract_or_parse_error(data)


@HYPOTHESIS
@given(st.text(max_size=2000))
def test_random_text_as_utf8(text: str):
    extract_or_parse_error(text.encode("utf-8", "surrogatepass"), url="http://example.com/a.html")


_TAGS = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<h1>", "</h1>", "<b>", "</b>", "<a href='/x'>",
                         "</a>", "<img src='/i.jpg'>", "<br>", "<table><tr><td>", "</td></tr></table>",
                         "<script>", "</script>", "<!--", "-->", "<title>", "</title>", "<meta charset=gbk>",
                         "<founder-title>", "<li>", "<ul>", "</ul>", "记者 张三", "责任编辑：李四",
                         "来源：阜新日报", "2024-11-01 08:40", "核心提示", "■ 县区扫描",
                         "阜新迎来今冬首场降雪，环卫工人连夜清雪。", "本报讯 ", "\u3000\u3000", "&nbsp;",
                         "<![CDATA[x]]>", "<?xml version='1.0'?>", "\x00", "\ufffd"])


@HYPOTHESIS
@given(st.lists(_TAGS, max_size=120))
def test_random_tag_soup(pieces: list[str]):
    html = "".join(pieces).encode("utf-8")
    extract_or_parse_error(html, url="http://example.com/2024-11/05/c_1.html")


@HYPOTHESIS
@given(st.integers(min_value=0, max_value=len(SAMPLE)), st.integers(min_value=0, max_value=len(SAMPLE)),
       st.binary(max_size=64))
def test_mutated_page(cut: int, at: int, junk: bytes):
    data = SAMPLE[:at] + junk + SAMPLE[at:]
    extract_or_parse_error(data[:cut] if cut else data, url="http://www.ffclzx.cn/fanfujishi/20241103/36257.html")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("fraction", [0.1, 0.33, 0.5, 0.9])
def test_truncated_pages(page: Path, fraction: float):
    data = page.read_bytes()
    extract_or_parse_error(data[: int(len(data) * fraction)], url="http://example.com/a.html")


def test_truncated_gbk_page_mid_character():
    # cut inside a two-byte GBK character
    for cut in range(len(EPAPER) // 2, len(EPAPER) // 2 + 4):
        extract_or_parse_error(EPAPER[:cut])


def test_deep_nesting_finishes_quickly():
    depth = 10_000
    html = ("<html><body>" + "<div>" * depth + "<p>阜新迎来今冬首场降雪，环卫工人连夜清雪。</p>"
            + "</div>" * depth + "</body></html>").encode("utf-8")
    _, seconds = cpu_seconds(lambda: extract_or_parse_error(html))
    assert seconds < 5.0


def test_deep_unclosed_nesting_with_text_at_every_level():
    html = ("<html><body>" + "<div><span>阜新，" * 10_000 + "</body></html>").encode("utf-8")
    _, seconds = cpu_seconds(lambda: extract_or_parse_error(html))
    assert seconds < 5.0


@pytest.mark.parametrize("unit", [
    "<div class='c{i}'><a href='/n/{i}.html'>新闻标题第{i}条内容</a>",
    "<div><p>阜新，第{i}段。<img src='/i/{i}.jpg'>",
    "<table><tr><td><b>小标题{i}</b>",
    "<ul><li><a href='/x'>链接</a>",
], ids=["links", "images", "tables", "lists"])
def test_deep_nesting_of_links_images_and_tables(unit: str):
    html = ("<html><body><h1>标题</h1>" + "".join(unit.format(i=i) for i in range(5_000))
            + "</body></html>").encode("utf-8")
    _, seconds = cpu_seconds(lambda: extract_or_parse_error(html, url="http://example.com/a.html"))
    assert seconds < 5.0


def test_huge_flat_link_list():
    items = "".join(f"<li><a href='/n/{i}.html'>新闻标题第{i}条内容</a></li>" for i in range(30_000))
    html = f"<html><body><ul class='list'>{items}</ul></body></html>".encode("utf-8")
    record, seconds = cpu_seconds(lambda: extract_or_parse_error(html, url="http://example.com/list/"))
    assert seconds < 10.0
    assert record is not None and not record.is_article and len(record.links) == 30_000


_WECHAT_PIECES = st.sampled_from([
    "js_content", "JS_Content", "rich_media_content", "RICH_MEDIA_CONTENT", "activity-name", "Activity-Name",
    "mp.weixin.qq.com", "MP.WEIXIN.QQ.COM", "mpXweixin.qq.com", "j\u017f_content", "act\u0130vity-name",
    "we\u0131xin", "\u212a", "\u0130", "js_", "_content", "<div id='js_article'>", "<p>正文</p>", " ", "rich_media",
    "\u0101", "\u0161", "\u00e9",  # non-ASCII that shares a fold character's first UTF-8 byte, and that does not
])


@HYPOTHESIS
@given(st.lists(_WECHAT_PIECES, max_size=12), st.sampled_from([None, "https://mp.weixin.qq.com/s/x", "http://a.cn/1.html"]))
def test_wechat_detection_matches_its_case_insensitive_pattern(pieces: list[str], url: str | None):
    # is_wechat avoids the slow re.I scan; its answer must stay the pattern's, exotic case folds included
    html = "<html><body>" + "".join(pieces) + "</body></html>"
    page = build_page(html, url)
    pattern = re.compile(r"js_content|rich_media_content|activity-name|mp\.weixin\.qq\.com", re.I)
    expected = bool(url and "mp.weixin.qq.com" in url) or bool(pattern.search(page.html[:200_000]))
    assert is_wechat(page) is expected


_NAMESPACE_SOUP = [
    "<html xmlns='http://www.w3.org/1999/xhtml' xmlns:fb='http://ogp.me/ns/fb#'><body><fb:like href='x'></fb:like>"
    "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'><use xlink:href='#a'/></svg>"
    "<p class=' a  b ' rel='x y'>text</p></body></html>",
    "<?xml version='1.0'?><!DOCTYPE html><html><body><a rel='nofollow noopener' class='c' {weird}='1'>x</a>"
    "<td headers='h1 h2'>c</td><meta charset='gbk'><p>阜新</p></body></html>",
    # class values split at every Unicode space, the way bs4 splits them
    "<html><body><p class='a\u00a0b\u3000c\u2028d\x85e\u200bf\tg\x1ch'>x</p><a rel='\u2003n  o\u205f'>y</a></body></html>",
    # whitespace-preserving and string-container elements, whitespace-only text, misnested and stray end tags
    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'><style>p{}</style></head><body>"
    "<pre>  a\n  <b> b </b>\n</pre> \n\t <p>x<b>y<i>z</b>w</i></p></div><ruby>漢<rt>kan</rt><rp>(</rp></ruby>"
    "<template><p>t</p></template><script>var a = '<p>';</script><textarea> q </textarea>\r\n<p>end</body></html>",
]


@pytest.mark.parametrize("html", [p.read_text(encoding="utf-8", errors="replace") for p in PAGES] + _NAMESPACE_SOUP)
def test_fast_tree_builder_builds_the_stock_lxml_tree(html: str):
    from bs4 import BeautifulSoup

    from parsers.html.builder import FastLXMLTreeBuilder

    stock, fast = BeautifulSoup(html, "lxml"), BeautifulSoup(html, builder=FastLXMLTreeBuilder)
    assert fast.decode() == stock.decode()
    assert [(t.name, t.prefix, t.namespace, t.attrs) for t in fast.find_all(True)] == [
        (t.name, t.prefix, t.namespace, t.attrs) for t in stock.find_all(True)]

    def document_order(soup):  # the soup, then the next_element chain from its first child (bs4 never links the soup itself)
        nodes, node = [soup], soup.contents[0] if soup.contents else None
        while node is not None:
            nodes.append(node)
            node = node.next_element
        return nodes

    def linked(soup):  # document order and sibling links, node types, attribute value types
        return [(type(node).__name__, getattr(node, "name", None) or str(node),
                 type(node.previous_sibling).__name__, type(node.next_sibling).__name__,
                 getattr(node.parent, "name", None),
                 [(k, type(v).__name__) for k, v in getattr(node, "attrs", {}).items()])
                for node in document_order(soup)]

    assert linked(fast) == linked(stock)

    def fields(soup):  # every node's fields, each link as the position of the node it points to
        order = document_order(soup)
        position = {id(n): i for i, n in enumerate(order)}
        where = lambda n: None if n is None else position.get(id(n), "elsewhere")  # noqa: E731
        return [{key: [where(c) for c in value] if key == "contents"
                 else where(value) if key in ("parent", "previous_element", "next_element", "previous_sibling", "next_sibling")
                 else (value, type(value).__name__) for key, value in vars(n).items()}
                for n in order[1:]]

    assert len(document_order(stock)) == len(list(stock.descendants)) + 1
    assert fields(fast) == fields(stock)
    assert [tag.name for tag in fast.tagStack] == [tag.name for tag in stock.tagStack]


def test_fast_tree_builder_takes_bs4_steps_for_a_strainer_and_element_classes():
    from bs4 import BeautifulSoup, SoupStrainer, Tag

    from parsers.html.builder import FastLXMLTreeBuilder

    class Marked(Tag):
        pass

    html = "<html><body><div class='a b'><p>one <b>two</b></p> <p>three</p></div><span>four</span></body></html>"
    for options in ({"parse_only": SoupStrainer("p")}, {"element_classes": {Tag: Marked}},
                    {"multi_valued_attributes": None}):
        stock, fast = BeautifulSoup(html, "lxml", **options), BeautifulSoup(html, builder=FastLXMLTreeBuilder, **options)
        assert fast.decode() == stock.decode()
        assert [(type(t), t.attrs) for t in fast.find_all(True)] == [(type(t), t.attrs) for t in stock.find_all(True)]


def test_unclosed_script_and_comment():
    for html in (b"<html><body><h1>x</h1><script>var a = '<p>", b"<html><body><!-- <p>never closed",
                 b"<script" * 2000, b"<!--" * 2000):
        extract_or_parse_error(html)


def test_five_megabyte_text_node():
    text = "阜新迎来今冬首场降雪，环卫工人连夜清雪。" * (5 * 1024 * 1024 // 60)
    html = f"<html><head><title>大段文字</title></head><body><h1>大段文字</h1><p>{text}</p></body></html>"
    record, seconds = cpu_seconds(lambda: extract_or_parse_error(html.encode("utf-8")))
    assert seconds < 10.0
    assert record is not None and record.is_article
    assert record.paragraphs == [text]


def test_many_paragraphs_stay_fast():
    body = "".join(f"<p>第{i}段：阜新迎来今冬首场降雪，环卫工人连夜清雪，保障道路畅通。</p>" for i in range(20_000))
    html = f"<html><body><h1>标题</h1><div class='content'>{body}</div></body></html>".encode("utf-8")
    record, seconds = cpu_seconds(lambda: extract_or_parse_error(html))
    assert seconds < 10.0
    assert record is not None and len(record.paragraphs) == 20_000


def test_empty_file():
    with pytest.raises(EmptyInputError):
        extract_article(b"")


def test_png_header():
    with pytest.raises(BinaryInputError):
        extract_article(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", url="http://example.com/a.html")


def test_over_the_size_limit():
    with pytest.raises(LimitExceededError):
        extract_article(b" " * (MAX_INPUT_BYTES + 1))


def test_not_bytes_is_a_parse_error():
    with pytest.raises(ParseError):
        extract_article("<p>text</p>")  # type: ignore[arg-type]


def test_unexpected_failures_are_wrapped(monkeypatch):
    import parsers.extract as extract_module

    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(extract_module, "extract_html", boom)
    with pytest.raises(ParseError, match="ValueError: boom"):
        extract_article(b"<html><body><p>x</p></body></html>", url="http://example.com/a.html")


def test_record_carries_charset_url_and_path():
    record = extract_article(EPAPER, url="http://epaper.lnd.com.cn/html/2023-03/07/content_2318551.htm",
                             path="pages/lnd-epaper-fuxin.html")
    assert (record.charset, record.url, record.path) == (
        "gb18030", "http://epaper.lnd.com.cn/html/2023-03/07/content_2318551.htm", "pages/lnd-epaper-fuxin.html")


@pytest.mark.parametrize("text,path,content_type,expected", [
    ("<html><body><p>x</p></body></html>", None, None, False),
    ("发布时间:2024-11-03\n正文第一段。", None, None, True),
    ("<p>x</p>", "a.txt", None, True),
    ("<p>x</p>", None, "text/plain; charset=utf-8", True),
    ("plain words, a < b", "a.html", "text/html", False),
])
def test_plain_text_routing(text: str, path: str | None, content_type: str | None, expected: bool):
    assert is_plain_text(text, path=path, content_type=content_type) is expected


def test_plain_text_dump_goes_to_the_text_extractor():
    seed = FIXTURES / "seeds" / "004_11c5d1afe74d2e2e.txt"
    record = extract_article(seed.read_bytes(), path=str(seed))
    assert record.title == "向“新”发力 逐“质”而行——阜新市海州区凝心聚力谋发展促振兴纪实"
    assert record.charset == "utf-8"
    assert record.path == str(seed)
