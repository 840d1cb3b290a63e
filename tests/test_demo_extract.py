"""The extractor against the demo site's own gold (examples/demo-site/demo-gold.json), field by field."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

import pytest

from parsers import extract_article
from test_pages_gold import GOLD_FIELDS, expected_and_got

SITE = Path(__file__).parent.parent / "examples" / "demo-site"
BASE = "http://127.0.0.1:8765"
GOLD = json.loads((SITE / "demo-gold.json").read_text(encoding="utf-8"))["pages"]


def absolute(url: str | None) -> str | None:
    return None if url is None else urljoin(BASE, url)


@lru_cache(maxsize=None)
def extracted(url: str) -> dict:
    return extract_article((SITE / url.lstrip("/")).read_bytes(), url=absolute(url)).to_dict()


@pytest.mark.parametrize("field", GOLD_FIELDS)
@pytest.mark.parametrize("page", GOLD, ids=[p["url"].rsplit("/", 1)[-1] for p in GOLD])
def test_demo_page_matches_gold(page, field):
    if field not in page:
        pytest.skip(f"gold has no {field}")
    expected, got = expected_and_got(field, extracted(page["url"]), page, absolute)
    assert got == expected
