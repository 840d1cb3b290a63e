"""Source, site name, canonical URL, e-paper detection and language, each with its provenance."""

from __future__ import annotations

import re

from bs4 import Tag

from parsers.urls import resolve_url
from parsers.metalines import outlet_in_lead_credit, parse_meta_line, site_name_from_greeting
from parsers.records import Block
from parsers.html.facts import Facts
from parsers.html.page import Page, norm
from parsers.html.title import declared_site_names, split_on_separator, split_page_title
from parsers.html.tree import class_id
from parsers.html.wechat import is_wechat, wechat_account

_EPAPER_TITLE_RE = re.compile(r"(数字报刊?|电子版|数字版|电子报|数字报纸)(平台)?$")
MAX_LEAD_CREDIT_PARAGRAPHS = 2   # body paragraphs read for a dateline credit (中央社記者…電)
_META_SOURCE_KEYS = ("contentsource", "source", "article:source", "og:source", "dc.source", "xwsource")
_META_SITE_KEYS = ("og:site_name", "sitename", "application-name", "site_name")
_SOURCE_LABEL_RE = re.compile(r"^\s*(?:信息来源|文章来源|新闻来源|稿件来源|稿源|来源|出处|Source)\s*[:：]\s*", re.I)


def extract_source(page: Page, facts: Facts, is_epaper: bool,
                   body: list[Block] = ()) -> tuple[str | None, str | None]:
    """(来源, provenance): profile node > 来源 line > an element classed source > the outlet a byline or
    date line under the headline credits > the outlet the first paragraph's dateline credits > source
    metas > JSON-LD publisher > WeChat account > e-paper masthead."""
    found = profile_source(page)
    if found:
        return found
    found = facts.best_source()
    if found:
        return found
    names = declared_site_names(page)
    for b in body[:MAX_LEAD_CREDIT_PARAGRAPHS]:
        outlet = outlet_in_lead_credit(b.text, names) if b.kind == "paragraph" else None
        if outlet:
            return outlet, "text:lead-dateline"
    meta = page.head.get_with_source(*_META_SOURCE_KEYS)
    if meta and len(meta[0]) <= 40 and not meta[0].lower().startswith(("http://", "https://", "www.")):
        return meta
    if page.ld and page.ld.publisher_name:
        return page.ld.publisher_name, "jsonld.publisher"
    account = wechat_account(page)
    if account:
        return account, "wechat:nickname"  # the account that publishes the article
    if is_epaper:
        masthead = epaper_masthead(page)
        if masthead:
            return masthead, "masthead"
    return None, None


def profile_source(page: Page) -> tuple[str, str] | None:
    """The 来源 of the profile's `source` node: a `来源：…` line in it, else its text (label
    removed), else the `alt`/`title`/`content` of an element without text (a logo)."""
    profile = page.profile
    node = profile.select_one("source", page.root) if profile is not None else None
    if node is None:
        return None
    lo, hi = page.index.block_range(node)
    for b in page.index.blocks[lo:hi]:
        for text in (*b.parts, b.spaced):
            meta = parse_meta_line(text)
            if meta is not None and meta.source_name:
                return meta.source_name, profile.provenance
    text = norm(" ".join(node.stripped_strings))
    if not text:
        for attr in ("alt", "title", "content"):
            value = node.get(attr)
            if isinstance(value, str) and norm(value):
                text = norm(value)
                break
    text = _SOURCE_LABEL_RE.sub("", text).strip()
    if text and len(text) <= 40:
        return text, profile.provenance
    return None


def epaper_masthead(page: Page) -> str | None:
    """The newspaper's name: the `<title>` part naming the e-paper (辽宁日报数字报 → 辽宁日报)."""
    title = norm(page.head.title)
    for piece in split_on_separator(title):
        m = _EPAPER_TITLE_RE.search(piece)
        if m and piece[: m.start()].strip():
            return piece[: m.start()].strip()
    for pos, img in page.index.images[:5]:
        alt = img.get("alt")
        if isinstance(alt, str) and 2 <= len(norm(alt)) <= 12 and norm(alt).endswith(("报", "刊")):
            return norm(alt)
    return None


def extract_canonical_url(page: Page) -> tuple[str | None, str | None]:
    """(URL, provenance): `<link rel=canonical>` > `og:url` > JSON-LD `mainEntityOfPage`."""
    candidates = (
        (page.head.canonical, "link[rel=canonical]"),
        (page.head.get("og:url"), "og:url"),
        (page.ld.main_entity_url if page.ld else None, "jsonld.mainEntityOfPage"),
    )
    for candidate, source in candidates:
        resolved = resolve_url(candidate, page.base) if candidate else None
        if resolved and resolved.startswith(("http://", "https://")):
            return resolved, source
    return None, None


def extract_site_name(page: Page, title: str | None) -> tuple[str | None, str | None]:
    """(site name, provenance): a WeChat article's account > og:site_name and friends > the `<title>`'s
    site part > a `欢迎来到 X` greeting > the logo's alt text."""
    account = wechat_account(page) if is_wechat(page) else None
    if account:
        return account, "wechat:nickname"  # og:site_name names the platform (微信公众平台), not the site
    meta = page.head.get_with_source(*_META_SITE_KEYS)
    if meta:
        return meta
    _, site = split_page_title(page.head.title, title)
    if site:
        return site, "title-tag"
    for b in page.index.blocks[:10]:
        found = site_name_from_greeting(b.text)
        if found:
            return found, "greeting"
    alt = logo_alt(page)
    return (alt, "logo-alt") if alt else (None, None)


def logo_alt(page: Page) -> str | None:
    """alt text of the site logo: an early image whose src/class says logo."""
    for _, img in page.index.images[:8]:
        alt = img.get("alt")
        src = img.get("src") or ""
        if isinstance(alt, str) and 2 <= len(norm(alt)) <= 20 and (
                "logo" in (src if isinstance(src, str) else "").lower() or "logo" in class_id(img).lower()
                or (isinstance(img.parent, Tag) and "logo" in class_id(img.parent).lower())):
            return norm(alt)
    return None


def is_epaper_page(page: Page) -> bool:
    """Founder e-paper markers, or a `<title>` that names a 数字报/电子版."""
    if page.enp or page.index.custom_tags:
        return True
    first = (split_on_separator(norm(page.head.title)) or [""])[0]
    return bool(_EPAPER_TITLE_RE.search(first))
