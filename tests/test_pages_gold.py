"""Gold comparison for tests/fixtures/pages/*.html, field by field.

Follows tests/fixtures/README.md "How to compare" exactly: norm() on every text, kicker and
subtitle with leading/trailing — stripped, authors as a set, images/links/sections/paragraphs/
sub_articles as ordered lists, boilerplate samples absent from all extracted paragraphs.
Each (page, field) pair is its own test id. Pages go through the public entry point
`extract_article` (bytes in), so decoding is part of what is checked.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import pytest

from parsers import Author, extract_article

PAGES = Path(__file__).parent / "fixtures" / "pages"
PAGE_STEMS = sorted(p.stem for p in PAGES.glob("*.html"))

GOLD_FIELDS = (
    "is_article", "title", "kicker", "subtitle", "published_at", "authors", "source_name",
    "original_url", "canonical_url", "language", "sections", "paragraphs", "images",
    "sub_articles", "links", "boilerplate_samples",
)


def norm(text: str | None) -> str | None:
    """README norm(): every run of Unicode whitespace (str.split semantics) → one space, stripped."""
    return None if text is None else " ".join(text.split())


def norm_dashes(text: str | None) -> str | None:
    return None if text is None else norm(text).strip("—").strip()


def _identity(url: str | None) -> str | None:
    return url


def expected_and_got(field: str, got: dict[str, Any], gold: dict[str, Any],
                     absolute: Callable[[str | None], str | None] = _identity) -> tuple[Any, Any]:
    """(expected, actual) in the comparable form the README prescribes for `field`.

    `absolute` maps a gold URL to the form the extractor returns (the site gold is root-relative).
    """
    if field == "title":
        return norm(gold["title"]), norm(got["title"])
    if field in ("kicker", "subtitle"):
        return norm_dashes(gold[field]), norm_dashes(got[field])
    if field in ("published_at", "is_article", "source_name", "language"):
        return gold[field], got[field]
    if field in ("original_url", "canonical_url"):
        return absolute(gold[field]), got[field]
    if field == "authors":
        return ({(a["name"], a["role"]) for a in gold["authors"]},
                {(a["name"], a["role"]) for a in got["authors"]})
    if field in ("sections", "paragraphs"):
        return [norm(s) for s in gold[field]], [norm(s) for s in got[field]]
    if field == "images":
        return ([(absolute(i["src"]), norm(i["caption"]), norm(i["credit"])) for i in gold["images"]],
                [(i["src"], norm(i["caption"]), norm(i["credit"])) for i in got["images"]])
    if field == "sub_articles":
        return ([(norm(s["title"]), [norm(p) for p in s["paragraphs"]]) for s in gold["sub_articles"]],
                [(norm(s["title"]), [norm(p) for p in s["paragraphs"]]) for s in got["sub_articles"]])
    if field == "links":
        # gold null = an article page, which lists no links
        expected = [] if gold["links"] is None else [(absolute(l["url"]), norm(l["title"])) for l in gold["links"]]
        return expected, [(l["url"], norm(l["title"])) for l in got["links"]]
    if field == "boilerplate_samples":
        extracted = norm("\n".join(got["paragraphs"] + [p for s in got["sub_articles"] for p in s["paragraphs"]]))
        leaked = [s for s in gold["boilerplate_samples"] if norm(s) in extracted]
        return [], leaked
    raise KeyError(field)


@lru_cache(maxsize=None)
def gold_of(stem: str) -> dict[str, Any]:
    return json.loads((PAGES / f"{stem}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def extracted(stem: str) -> dict[str, Any]:
    path = PAGES / f"{stem}.html"
    record = extract_article(path.read_bytes(), url=gold_of(stem)["url"], path=str(path))
    return record.to_dict()


def test_every_page_has_gold():
    assert PAGE_STEMS, "no fixture pages found"
    for stem in PAGE_STEMS:
        assert (PAGES / f"{stem}.json").exists(), stem


@pytest.mark.parametrize("field", GOLD_FIELDS)
@pytest.mark.parametrize("stem", PAGE_STEMS)
def test_page_field_matches_gold(stem: str, field: str):
    expected, got = expected_and_got(field, extracted(stem), gold_of(stem))
    assert got == expected


@pytest.mark.parametrize("stem", PAGE_STEMS)
def test_page_url_is_kept(stem: str):
    assert extracted(stem)["url"] == gold_of(stem)["url"]


def test_epaper_lead_is_the_core_summary_box():
    record = extracted("lnd-epaper-fuxin")
    assert record["lead"] == record["paragraphs"][0]
    assert "核心提示" not in record["paragraphs"]


def test_epaper_sub_articles_carry_the_group_credit():
    for sub in extracted("lnd-epaper-fuxin")["sub_articles"]:
        assert sub["authors"] == [{"name": "田甜", "role": "reporter"}]


def test_site_name_sources():
    assert extracted("lndj-original-51919")["site_name"] == "辽宁党建"          # og:site_name
    assert extracted("fanfu-repost-51919")["site_name"] == "反腐倡廉资讯网"     # <title> suffix
    assert extracted("liaoshen-jsonld-agate")["site_name"] == "辽沈新闻"        # <title> suffix after " - "
    assert extracted("lnd-epaper-fuxin")["site_name"] == "辽宁日报数字报"       # <title> prefix


def test_epaper_is_decoded_as_gb18030():
    path = PAGES / "lnd-epaper-fuxin.html"
    record = extract_article(path.read_bytes(), url=gold_of("lnd-epaper-fuxin")["url"])
    assert record.charset == "gb18030"
    assert record.kicker.endswith("——")  # U+2014 twice, not the gb2312 codec's U+2015
    assert any("蹚深水区" in p for p in record.paragraphs)


# --- generic rules on small synthetic pages (no fixture special-casing) -------------------------

P1 = "阜新迎来今冬首场降雪，全市环卫、城管等部门连夜出动清雪人员2000余人次，全力保障城区道路畅通。"
P2 = "据气象部门预报，未来三天阜新以晴到多云天气为主，气温明显下降，最低气温将降至零下10摄氏度左右。"
P3 = "市城市管理部门提醒，降雪后路面湿滑，市民出行要注意安全，机动车驾驶人要减速慢行、保持安全车距。"
SIDEBAR = ("<div class='side'><h3>热门文章</h3><ul>"
           + "".join(f"<li><a href='/n/{i}.html'>其他新闻标题第{i}条内容</a><span>2024-10-2{i}</span></li>"
                     for i in range(1, 6)) + "</ul></div>")


def extract_inline(html: str, url: str | None = "http://news.example.cn/a/b.html", **kwargs):
    return extract_article(html.encode("utf-8"), url=url, **kwargs)


def test_headline_inside_the_body_container():
    record = extract_inline(
        "<html><head><title>今冬首场降雪 - 阜新晚报</title></head><body><nav><a href='/'>首页</a></nav>"
        f"<article><h1>今冬首场降雪</h1><p>记者 张三</p><p>{P1}</p><p>{P2}</p><p>{P3}</p>"
        f"<p>（责任编辑：李四）</p></article>{SIDEBAR}</body></html>")
    assert record.is_article and record.title == "今冬首场降雪"
    assert record.paragraphs == [P1, P2, P3]
    assert set(record.authors) == {Author("张三", "reporter"), Author("李四", "editor")}
    assert record.site_name == "阜新晚报"
    assert record.published_at is None  # sidebar dates are never the story's date


def test_br_separated_body_lazy_image_and_time_tag():
    record = extract_inline(
        "<html><head><title>标题二_阜新晚报</title></head><body><div><h1>标题二</h1>"
        "<div class='meta'><time datetime='2024-11-05T09:00:00+08:00'>11月5日</time></div>"
        f"<div class='text'>\u3000\u3000{P1}<br>\u3000\u3000{P2}<br>"
        "<img src='/static/loading.gif' data-src='/img/a.jpg' alt=''><br>图为清雪现场。 王五 摄<br>"
        f"\u3000\u3000{P3}</div></div></body></html>")
    assert record.paragraphs == [P1, P2, P3]
    assert [(i.src, i.caption, i.credit) for i in record.images] == [
        ("http://news.example.cn/img/a.jpg", "图为清雪现场。", "王五 摄")]
    assert record.published_at == "2024-11-05T09:00:00+08:00"
    assert Author("王五", "photographer") in record.authors


def test_caption_paragraph_after_a_bare_image():
    record = extract_inline(
        f"<html><body><h1>标题三</h1><div class='content'><p>{P1}</p><p><img src='/i/1.jpg'></p>"
        f"<p>新建成的社区便民服务中心。\u00a0\u00a0刘思源 摄</p><p>{P2}</p><p>{P3}</p></div></body></html>")
    assert record.paragraphs == [P1, P2, P3]
    assert [(i.caption, i.credit) for i in record.images] == [("新建成的社区便民服务中心。", "刘思源 摄")]


def test_published_at_priority_and_never_future():
    now = datetime(2024, 11, 20, tzinfo=timezone.utc)
    head = ("<script type='application/ld+json'>{\"@graph\": [{\"@type\": \"WebSite\", \"name\": \"站\"},"
            " {\"@type\": \"NewsArticle\", \"datePublished\": \"%s\"}]}</script>"
            "<meta property='article:published_time' content='%s'>")
    body = f"<body><h1>标题四</h1><div class='info'>发布时间：2024-11-03 10:55</div><div><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></body>"
    url = "http://news.example.cn/2024/11/01/a.html"

    def published(ld: str, meta: str) -> str | None:
        return extract_inline(f"<html><head>{head % (ld, meta)}</head>{body}</html>", url=url, now=now).published_at

    assert published("2024-11-05T08:30:00+08:00", "2024-11-04T08:00:00+08:00") == "2024-11-05T08:30:00+08:00"
    assert published("2099-01-01T00:00:00+08:00", "2024-11-04T08:00:00") == "2024-11-04T08:00:00+08:00"
    assert published("", "2099-01-01") == "2024-11-03T10:55:00+08:00"
    no_visible = body.replace("发布时间：2024-11-03 10:55", "")
    html = f"<html><head></head>{no_visible}</html>"
    assert extract_inline(html, url=url, now=now).published_at == "2024-11-01"  # date in the URL


def test_english_page():
    e1 = "The city cleared snow overnight, with 2,000 workers on the streets. Roads were open by dawn."
    e2 = "Schools stayed open, and buses ran on a reduced timetable until noon, the transport office said."
    e3 = "Forecasters expect temperatures to fall below minus ten degrees later this week, with more snow."
    record = extract_inline(
        "<html lang='en'><head><title>Snow cleared | The Daily</title></head><body><h1>Snow cleared</h1>"
        f"<p>By John Smith</p><div><p>{e1}</p><p>{e2}</p><p>{e3}</p></div></body></html>")
    assert (record.language, record.site_name, record.title) == ("en", "The Daily", "Snow cleared")
    assert record.paragraphs == [e1, e2, e3]
    assert record.authors == [Author("John Smith", "author")]


def test_list_page_links_skip_sidebar_and_pagination():
    items = "".join(f"<li><a href='/c/{i}.html' title='本地新闻第{i}条'>本地新闻第{i}条</a><span>11-0{i}</span></li>"
                    for i in range(1, 8))
    record = extract_inline(
        f"<html><head><title>本地新闻_阜新晚报</title></head><body><div class='list'><ul>{items}</ul>"
        "<div class='pages'><a href='?p=2'>下一页</a><a href='?p=9'>末页</a></div></div>"
        f"{SIDEBAR}</body></html>", url="http://news.example.cn/c/")
    assert record.is_article is False
    assert [(l.url, l.title) for l in record.links] == [
        (f"http://news.example.cn/c/{i}.html", f"本地新闻第{i}条") for i in range(1, 8)]
