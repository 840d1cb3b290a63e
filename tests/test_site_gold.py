"""Gold comparison for the static site (tests/fixtures/site), field by field.

The site gold uses root-relative URLs. Each page is extracted as if served at
http://127.0.0.1:8000 (url = BASE + gold url), so the extractor returns absolute URLs; the test
makes gold URLs (image src, links, canonical/original) absolute against the same BASE before
comparing. External URLs in the gold are already absolute and stay as they are.
Comparison rules are the README's, shared with test_pages_gold.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from parsers import extract_article
from test_pages_gold import GOLD_FIELDS, expected_and_got, norm

SITE = Path(__file__).parent / "fixtures" / "site"
BASE = "http://127.0.0.1:8000"
GOLD = json.loads((SITE / "site-gold.json").read_text(encoding="utf-8"))
ARTICLES = {a["url"]: a for a in GOLD["articles"]}
LIST_PAGES = {p["url"]: p for p in GOLD["list_pages"]}


def absolute(url: str | None) -> str | None:
    return urljoin(BASE + "/", url) if url else url


@lru_cache(maxsize=None)
def extracted(url: str) -> dict[str, Any]:
    path = SITE / url.lstrip("/")
    return extract_article(path.read_bytes(), url=absolute(url), path=str(path)).to_dict()


def test_gold_lists_all_article_files():
    files = {"/" + p.relative_to(SITE).as_posix() for p in (SITE / "content").rglob("*.html")}
    assert set(ARTICLES) == files
    assert len(ARTICLES) == 28


@pytest.mark.parametrize("field", GOLD_FIELDS)
@pytest.mark.parametrize("url", sorted(ARTICLES))
def test_article_field_matches_gold(url: str, field: str):
    expected, got = expected_and_got(field, extracted(url), ARTICLES[url], absolute)
    assert got == expected


@pytest.mark.parametrize("url", sorted(LIST_PAGES))
def test_list_page_is_not_an_article(url: str):
    assert extracted(url)["is_article"] is LIST_PAGES[url]["is_article"] is False


@pytest.mark.parametrize("url", sorted(LIST_PAGES))
def test_list_page_links_in_order(url: str):
    """Every listed item (articles, the 404, the disallowed and the external one), in page order."""
    expected = [(absolute(l["url"]), norm(l["title"])) for l in LIST_PAGES[url]["links"]]
    got = [(l["url"], norm(l["title"])) for l in extracted(url)["links"]]
    assert got == expected


@pytest.mark.parametrize("url", sorted(LIST_PAGES))
def test_list_page_article_links_are_all_there(url: str):
    article_links = [absolute(l["url"]) for l in LIST_PAGES[url]["links"] if l["kind"] == "article"]
    got = [l["url"] for l in extracted(url)["links"]]
    assert [u for u in got if u in article_links] == article_links


@pytest.mark.parametrize("url", ["/index.html", "/about.html"])
def test_non_article_pages(url: str):
    assert url in GOLD["non_article_pages"]
    assert extracted(url)["is_article"] is False


@pytest.mark.parametrize("page", GOLD["gbk_pages"], ids=lambda p: p["url"])
def test_gbk_pages_decode_as_gb18030(page: dict[str, Any]):
    path = SITE / page["url"].lstrip("/")
    record = extract_article(path.read_bytes(), url=absolute(page["url"]))
    assert record.charset == "gb18030"
    assert record.title == ARTICLES[page["url"]]["title"]


def test_gb2312_page_keeps_gbk_only_character():
    record = extracted("/content/2024-11/content_48111.html")
    assert {"name": "李堃", "role": "reporter"} in record["authors"]


def test_repost_pair_has_identical_body():
    pair = GOLD["repost_pairs"][0]
    original, repost = extracted(pair["original"]), extracted(pair["repost"])
    assert original["paragraphs"] == repost["paragraphs"]
    assert original["title"] == repost["title"]
    assert original["source_name"] != repost["source_name"]
    assert original["published_at"] != repost["published_at"]
