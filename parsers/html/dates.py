"""The publication date and where it came from.

Order: a site profile's date node > JSON-LD `datePublished` > `article:published_time` > other
date metas (`publishdate`, `PubDate`, …) > a publish time kept in a script (WeChat `var ct`) >
the labelled visible date near the headline (发布时间/发布日期/时间/日期, a meta line) > `<time>`
in the article > a labelled date below the body > e-paper edition date > a date in the URL. Every reader refuses future dates, so a
bad value falls through to the next rule; dates in sidebars are never read (only the header zone
between the headline and the body is). A time without an offset is China time (+08:00).
"""

from __future__ import annotations

import re

from bs4 import Tag

from parsers.dates import date_from_url, parse_datetime, parse_with_format, script_publish_time
from parsers.html.facts import Facts, read_profile_node
from parsers.html.page import Page, norm
from parsers.html.wechat import is_wechat  # WeChat's visible date is written by a script from `var ct`

_META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "publishdate",
    "pubdate", "publish_date", "publish-date", "publishtime", "datepublished", "dc.date.issued",
    "dc.date.created", "dc.date", "dcterms.issued", "dcterms.created", "sailthru.date", "release_date",
    "og:release_date", "weibo:article:create_at", "article:published", "firstpublishedtime", "date",
    "publish_time", "pub_date", "createdate", "created",
)


def extract_published_at(page: Page, facts: Facts, article_root: Tag | None,
                         is_epaper: bool) -> tuple[str | None, str | None]:
    """(ISO date or datetime, provenance); (None, None) when the page gives no usable date."""
    now = page.now
    found = profile_date(page)
    if found:
        return found
    if page.ld and page.ld.date_published:
        value = parse_datetime(page.ld.date_published, now=now)
        if value:
            return value, "jsonld.datePublished"
    for key in _META_DATE_KEYS:
        raw = page.head.metas.get(key)
        if raw:
            value = parse_datetime(raw, now=now)
            if value:
                return value, page.head.source_of(key)
    if is_wechat(page):
        scripted = script_publish_time(page.html, now=now)
        if scripted:
            return scripted[0], f"script:{scripted[1]}"
    if facts.published_at:
        return facts.published_at[0], facts.published_from[0]
    if article_root is not None:
        for pos, tag in page.index.time_tags:
            if not page.index.contains(article_root, pos):
                continue
            attr = tag.get("datetime")
            raw = attr if isinstance(attr, str) and attr.strip() else tag.get_text()
            value = parse_datetime(raw, now=now) if isinstance(raw, str) else None
            if value:
                return value, "time[datetime]" if raw is attr else "time"
    if facts.footer_dates:
        return facts.footer_dates[0]
    enp_date = page.enp.get("date")
    if enp_date:
        value = parse_datetime(enp_date, now=now)
        if value:
            return value[:10], "enp.date"  # the edition date: e-papers carry no publishing time
    if is_epaper:
        edition = epaper_edition_date(page)
        if edition:
            return edition, "epaper-edition"
    value = date_from_url(page.url, now)
    return (value, "url") if value else (None, None)


def profile_date(page: Page) -> tuple[str, str] | None:
    """The date of the profile's `date` node: its datetime/content attribute, else its text (read
    with the profile's `date_format` when it has one, else like any visible date line)."""
    profile = page.profile
    node = profile.select_one("date", page.root) if profile is not None else None
    if node is None:
        return None
    texts = [v for v in (node.get("datetime"), node.get("content")) if isinstance(v, str) and v.strip()]
    texts.append(norm(" ".join(node.stripped_strings)))
    for text in texts:
        if profile.date_format:
            value = parse_with_format(text, profile.date_format, now=page.now)
        else:
            facts = read_profile_node(page, "date")
            value = facts.published_at[0] if facts and facts.published_at else parse_datetime(text, now=page.now)
        if value:
            return value, profile.provenance
    return None


def epaper_edition_date(page: Page) -> str | None:
    """`2023年03月07日 星期二 第06版：市县·阜新` in the masthead: the edition date, as a bare date."""
    for b in page.index.blocks[:40]:
        if b.chars <= 60 and "版" in b.text and not b.link_chars:
            found = parse_datetime(b.text, now=page.now)
            if found:
                return found[:10]
    return None
