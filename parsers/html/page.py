"""The parsed page: one BeautifulSoup/lxml tree, its index and the head metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from parsers.meta import (
    HeadMeta, JsonLdArticle, enp_properties, json_ld_article, json_ld_objects,
)
from parsers.html.builder import FastLXMLTreeBuilder
from parsers.html.tree import PageIndex, index_page, reveal_scripted_content, strip_non_content
from parsers.profiles import Profile
from parsers.urls import resolve_url


@dataclass
class Page:
    html: str
    soup: BeautifulSoup
    root: Tag
    index: PageIndex
    head: HeadMeta
    ld: JsonLdArticle | None
    enp: dict[str, str]
    url: str | None
    base: str | None
    now: datetime | None = None
    profile: Profile | None = None   # the site profile in use (parsers/profiles), if any
    # values derived from the head that several steps read (site names, headline statements), by name
    memo: dict[str, object] = field(default_factory=dict, repr=False)


def norm(s: str | None) -> str:
    return " ".join((s or "").split())


MIN_VISIBLE_PROSE = 200     # a page showing less prose than this may hold its content in <noscript>
MIN_NOSCRIPT_CHARS = 1000   # ... when its <noscript> sections are at least this long
_NOSCRIPT_TAG_RE = re.compile(r"</?noscript\b[^<>]*>", re.I)


def visible_prose(index: PageIndex) -> int:
    """Characters of the page's prose blocks (punctuation, little link text)."""
    return sum(b.chars for b in index.blocks if b.punct and b.chars >= 15 and b.link_chars * 2 < b.chars)


def _noscript_chars(html: str) -> int:
    if "noscript" not in html and "NOSCRIPT" not in html:
        return 0
    total, start = 0, None
    for m in _NOSCRIPT_TAG_RE.finditer(html):
        if m.group(0)[1] != "/":
            start = m.end()
        elif start is not None:
            total += m.start() - start
            start = None
    return total


def _parse(html: str, profile: Profile | None, one_story: bool) -> tuple[BeautifulSoup, Tag, PageIndex]:
    cleaned = strip_non_content(html)
    soup = BeautifulSoup(cleaned, builder=FastLXMLTreeBuilder)  # same tree as "lxml", built faster
    root = soup.body if isinstance(soup.body, Tag) else soup
    if profile is not None:
        for node in profile.nodes_to_remove(root):
            if not node.decomposed:
                node.decompose()  # the profile's `remove` selectors: gone before anything is read
    index = index_page(root)
    if reveal_scripted_content(index, hidden_attribute=one_story) is not None:
        index = index_page(root)  # the article a script hides until layout is part of the page
    return soup, root, index


def names_one_story(url: str | None, ld: JsonLdArticle | None) -> bool:
    """The page is one story by its URL (`url_kind`) or its JSON-LD article type."""
    from parsers.html.links import url_kind  # late: links.py reads this module's Page
    return url_kind(url) == "story" or (ld is not None and ld.is_article_type)


def build_page(html: str, url: str | None, now: datetime | None = None, profile: Profile | None = None) -> Page:
    ld = json_ld_article(json_ld_objects(html)) if "ld+json" in html else None
    enp = enp_properties(html) if "enpproperty" in html else {}
    one_story = names_one_story(url, ld)
    soup, root, index = _parse(html, profile, one_story)
    if visible_prose(index) < MIN_VISIBLE_PROSE and _noscript_chars(html) >= MIN_NOSCRIPT_CHARS:
        # a page its script renders, with the content in <noscript> for readers without scripts
        # (forums such as Discourse): read that content as the page
        soup, root, index = _parse(_NOSCRIPT_TAG_RE.sub(" ", html), profile, one_story)
    head = HeadMeta.from_soup(soup, index.head_tags if root is not soup else None)
    base = url
    if head.base_href:
        base = resolve_url(head.base_href, url) or base
    return Page(html, soup, root, index, head, ld, enp, url, base, now, profile)
