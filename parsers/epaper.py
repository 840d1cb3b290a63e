"""E-paper (数字报) editions: URLs by date, and the page/article structure of an edition page.

Founder (方正) style e-papers publish one directory per day: `html/2023-03/07/node_1.htm` is the
first page (版) of the edition, `node_N.htm` the other pages, `content_NNN.htm` the articles.
Every page and article page carries the 版面导航 (all pages of the edition), the 本版标题 list
(articles on this page) and an image map over the page scan.

`parse_edition_page` is text-driven rather than tied to one CMS: page links are anchors whose
text reads like a page label (`第06版：市县·阜新`, `A03版 要闻`), articles are the links under a
本版标题-style heading plus the image map's <area> links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from parsers.discovery import anchor_text, document_base, parse_html
from parsers.urls import canonicalize_url, dedup_key

__all__ = ["PageRef", "ArticleRef", "EditionPage", "edition_url", "edition_date_from_url",
           "parse_edition_page", "parse_page_label"]


@dataclass
class PageRef:
    url: str
    page_no: str | None = None  # as shown, without 第/版: "06", "A03"
    page_number: int | None = None  # the digits of page_no: 6, 3
    page_name: str | None = None  # 版名: "市县·阜新"
    pdf_url: str | None = None


@dataclass
class ArticleRef:
    url: str
    title: str | None = None  # None for articles only reachable from the image map


@dataclass
class EditionPage:
    page_no: str | None = None
    page_number: int | None = None
    page_name: str | None = None
    edition_date: str | None = None  # ISO date, from the URL or the date line
    page_urls: list[PageRef] = field(default_factory=list)  # every page of the edition, in nav order
    article_urls: list[ArticleRef] = field(default_factory=list)  # this page's articles, in order


_TOKEN_RE = re.compile(r"\{(\w+)\}")


def edition_url(template: str, day: date) -> str:
    """The edition's first-page URL for `day`.

    Tokens: `{yyyy}` 2024, `{yy}` 24, `{mm}` 03, `{m}` 3, `{dd}` 05, `{d}` 5, and the joined
    `{yyyymm}` 202403, `{yyyymmdd}` 20240305 — so both `html/{yyyy}-{mm}/{dd}/node_1.htm` and
    `html/{yyyy}{mm}/{dd}/node_1.htm` work. An unknown token raises ValueError.
    """
    values = {
        "yyyy": f"{day.year:04d}", "yy": f"{day.year % 100:02d}", "mm": f"{day.month:02d}",
        "m": str(day.month), "dd": f"{day.day:02d}", "d": str(day.day),
        "yyyymm": f"{day.year:04d}{day.month:02d}", "yyyymmdd": day.strftime("%Y%m%d"),
    }

    def substitute(m: re.Match) -> str:
        try:
            return values[m.group(1).lower()]
        except KeyError:
            raise ValueError(f"unknown token {{{m.group(1)}}} in e-paper URL template {template!r}") from None

    return _TOKEN_RE.sub(substitute, template)


_URL_DATE_RES = (
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})(?:/|$)"),  # /2023-03/07/
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})(?:/|$)"),  # /202303/07/
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$)"),  # /2023/03/07/
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?:/|$)"),  # /2023-03-07/
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?:/|$)"),  # /20230307/
)
_TEXT_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def edition_date_from_url(url: str) -> date | None:
    """The edition date encoded in an e-paper URL's path, or None."""
    path = url.split("?", 1)[0]
    for regex in _URL_DATE_RES:
        m = regex.search(path)
        if m:
            found = _valid_date(m)
            if found:
                return found
    return None


def _valid_date(m: re.Match) -> date | None:
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


_PAGE_LABEL_RE = re.compile(
    r"^\s*第?\s*(?P<no>[A-Za-z]{0,2}\d{1,3}[A-Za-z]?)\s*版\s*[:：\-—|｜]?\s*(?P<name>.*?)\s*$")
_PAGE_LABEL_IN_TEXT_RE = re.compile(r"第\s*(?P<no>[A-Za-z]{0,2}\d{1,3}[A-Za-z]?)\s*版\s*[:：]\s*(?P<name>[^\s<]+)")
_NODENAME_RE = re.compile(r"<nodename>\s*([^<]*?)\s*</nodename>", re.I)
_CURRENT_CLASSES = ("cur", "current", "active", "on", "sel", "selected")
_TITLE_HEADINGS = frozenset({"本版标题", "本版新闻", "本版文章", "标题导航", "本版要目", "本版导读", "新闻标题",
                             "文章列表", "本版内容"})
_PAGE_NAV_WORDS = frozenset({"上一版", "下一版", "前一版", "后一版", "返回首版", "首版"})
_ARTICLE_NAV_WORDS = frozenset({"上一篇", "下一篇", "前一篇", "后一篇", "返回目录", "返回"})
_NON_ARTICLE_EXT_RE = re.compile(r"\.(?:pdf|jpe?g|png|gif|bmp|zip|rar|doc|docx)$", re.I)
_CONTENT_LINK_RE = re.compile(r"(?:^|/)(?:content|detail|article)[_-]?\d+[^/]*$", re.I)


def parse_page_label(text: str) -> tuple[str, int | None, str | None] | None:
    """`第06版：市县·阜新` → ("06", 6, "市县·阜新"); None when `text` is not a page label."""
    m = _PAGE_LABEL_RE.match(" ".join(text.split()))
    if not m:
        return None
    page_no = m.group("no")
    digits = re.search(r"\d+", page_no)
    return page_no, int(digits.group()) if digits else None, m.group("name") or None


def parse_edition_page(html: str, base_url: str) -> EditionPage:
    """Page nav, current page and article list of an e-paper page (node_N.htm or content_N.htm).

    The current page is the nav entry pointing at `base_url`, else the nav entry marked current
    (class cur/current/on/active), else the Founder `<nodename>` property, else a `第NN版：名`
    line. Articles are the anchors under a 本版标题-style heading in order, then the image-map
    <area> links not already listed (title None); without such a heading, every content-like
    link that is not page or article navigation.
    """
    page = EditionPage()
    root = parse_html(html)
    if root is None:
        return page
    base = document_base(root, base_url)
    day = edition_date_from_url(base_url)
    if day is None:
        m = _TEXT_DATE_RE.search(root.text_content())
        day = _valid_date(m) if m else None
    page.edition_date = day.isoformat() if day else None

    anchors = list(root.iter("a"))
    nav_anchors: list[tuple[etree._Element, PageRef]] = []
    nav_urls: set[str] = set()
    for a in anchors:
        url = canonicalize_url(a.get("href") or "", base)
        if url is None:
            continue
        label = parse_page_label(anchor_text(a))
        if label is None:
            continue
        key = dedup_key(url) or url
        if key in nav_urls:
            continue
        nav_urls.add(key)
        ref = PageRef(url=url, page_no=label[0], page_number=label[1], page_name=label[2],
                      pdf_url=_sibling_pdf(a, base))
        nav_anchors.append((a, ref))
        page.page_urls.append(ref)
    for a in anchors:  # 上一版/下一版 targets missing from the nav (pages without a full nav)
        if _clean(anchor_text(a)) in _PAGE_NAV_WORDS:
            url = canonicalize_url(a.get("href") or "", base)
            if url and (dedup_key(url) or url) not in nav_urls:
                nav_urls.add(dedup_key(url) or url)
                page.page_urls.append(PageRef(url=url))

    current = _current_page(nav_anchors, base_url, html, root)
    if current is not None:
        page.page_no, page.page_number, page.page_name = current
    page.article_urls = _articles(root, anchors, base, nav_urls)
    return page


def _clean(text: str | None) -> str:
    return "".join(text.split()) if text else ""


def _sibling_pdf(anchor: etree._Element, base: str) -> str | None:
    """The PDF link in the same table row / list item as a nav entry (Founder puts it beside)."""
    container = anchor.getparent()
    for _ in range(2):
        if container is None:
            return None
        if container.tag in ("tr", "li", "dd", "div", "p"):
            break
        container = container.getparent()
    if container is None:
        return None
    for a in container.iter("a"):
        href = a.get("href") or ""
        if href.lower().endswith(".pdf"):
            return canonicalize_url(href, base)
    return None


def _current_page(nav_anchors: list[tuple[etree._Element, PageRef]], base_url: str, html: str,
                  root: etree._Element) -> tuple[str | None, int | None, str | None] | None:
    own_key = dedup_key(base_url) or base_url
    for _, ref in nav_anchors:
        if (dedup_key(ref.url) or ref.url) == own_key:
            return ref.page_no, ref.page_number, ref.page_name
    for anchor, ref in nav_anchors:
        if _marked_current(anchor):
            return ref.page_no, ref.page_number, ref.page_name
    m = _NODENAME_RE.search(html[:20000])
    if m:
        label = parse_page_label(m.group(1))
        if label:
            return label
    nav_set = {id(a) for a, _ in nav_anchors}
    for element in root.iter(etree.Element):
        if id(element) in nav_set or element.tag in ("script", "style", "title"):
            continue
        text = element.text or ""
        if "版" in text:
            m = _PAGE_LABEL_IN_TEXT_RE.search(text)
            if m:
                return parse_page_label(m.group(0))
    return None


def _marked_current(anchor: etree._Element) -> bool:
    node: etree._Element | None = anchor
    for _ in range(3):
        if node is None:
            return False
        classes = (node.get("class") or "").lower().split()
        if any(c in _CURRENT_CLASSES for c in classes):
            return True
        node = node.getparent()
    return False


def _articles(root: etree._Element, anchors: list[etree._Element], base: str,
              nav_urls: set[str]) -> list[ArticleRef]:
    refs: list[ArticleRef] = []
    seen: set[str] = set()

    def add(url: str, title: str | None) -> None:
        key = dedup_key(url) or url
        if key in seen or key in nav_urls:
            return
        seen.add(key)
        refs.append(ArticleRef(url=url, title=title or None))

    container = _title_list_container(root, base, nav_urls)
    if container is not None:
        candidates = [(a, True) for a in container.iter("a")]
    else:
        candidates = [(a, False) for a in anchors]
    for a, listed in candidates:
        url = canonicalize_url(a.get("href") or "", base)
        if url is None or _NON_ARTICLE_EXT_RE.search(url):
            continue
        text = anchor_text(a)
        if _clean(text) in _ARTICLE_NAV_WORDS or _clean(text) in _PAGE_NAV_WORDS:
            continue
        if not listed and not _CONTENT_LINK_RE.search(url.split("?", 1)[0]):
            continue
        add(url, text)
    for area in root.iter("area"):
        url = canonicalize_url(area.get("href") or "", base)
        if url is None or _NON_ARTICLE_EXT_RE.search(url):
            continue
        add(url, _clean_spaces(area.get("alt") or area.get("title")))
    return refs


def _clean_spaces(text: str | None) -> str | None:
    return " ".join(text.split()) if text and text.strip() else None


def _title_list_container(root: etree._Element, base: str, nav_urls: set[str]) -> etree._Element | None:
    """The nearest ancestor of a 本版标题 heading that holds article links."""
    for element in root.iter(etree.Element):
        if _clean(element.text) not in _TITLE_HEADINGS:
            continue
        node = element.getparent()
        for _ in range(6):
            if node is None:
                break
            for a in node.iter("a"):
                url = canonicalize_url(a.get("href") or "", base)
                if url and (dedup_key(url) or url) not in nav_urls and parse_page_label(anchor_text(a)) is None:
                    return node
            node = node.getparent()
    return None
