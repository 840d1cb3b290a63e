"""WeChat public-account articles (tests/fixtures/wechat): the seed stories in WeChat's templates.

The article container `#js_content` is `visibility: hidden` until the page's script lays it out; it is
still the article. The account (`#js_name`, `#post-user`) is the site name, never an author; the header
line (account, time, IP province) and the counters under the article are not body text.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from parsers import extract_article
from tests.test_pages_gold import GOLD_FIELDS, expected_and_got

WECHAT = Path(__file__).parent / "fixtures" / "wechat"
STEMS = sorted(p.stem for p in WECHAT.glob("*.html"))


@lru_cache(maxsize=None)
def gold_of(stem: str) -> dict[str, Any]:
    return json.loads((WECHAT / f"{stem}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def extracted(stem: str, with_url: bool = True) -> dict[str, Any]:
    path = WECHAT / f"{stem}.html"
    url = gold_of(stem)["url"] if with_url else None
    return extract_article(path.read_bytes(), url=url, path=str(path)).to_dict()


def test_three_renderings():
    assert len(STEMS) == 3


@pytest.mark.parametrize("field", GOLD_FIELDS + ("site_name",))
@pytest.mark.parametrize("stem", STEMS)
def test_wechat_field_matches_gold(stem: str, field: str):
    gold = gold_of(stem)
    if field == "site_name":
        assert extracted(stem)["site_name"] == gold["site_name"]
        return
    expected, got = expected_and_got(field, extracted(stem), gold)
    assert got == expected


@pytest.mark.parametrize("stem", STEMS)
def test_wechat_page_saved_without_its_url(stem: str):
    """A saved WeChat page without its URL is recognised by its markup: same body and metadata."""
    with_url, without = extracted(stem), extracted(stem, with_url=False)
    for field in ("is_article", "title", "published_at", "authors", "source_name", "site_name", "paragraphs"):
        assert without[field] == with_url[field], field


@pytest.mark.parametrize("stem", STEMS)
def test_account_is_never_an_author(stem: str):
    record = extracted(stem)
    assert record["site_name"] not in {a["name"] for a in record["authors"]}
