"""Discovery of article and list-page URLs: feeds, sitemaps, robots.txt, list-page pagination.

Pure functions (bytes or str in, records out). Every URL returned is absolute and canonical
(`parsers.urls.canonicalize_url`); relative and root-relative values are resolved against the
URL the document was fetched from. Results are de-duplicated and keep document order.

XML is parsed with lxml in recover mode, with entity resolution, network access and huge trees
off: a broken feed yields what can be read, an entity bomb is not expanded. Gzip bodies (sitemap.xml.gz,
feeds served compressed without Content-Encoding) are inflated with a size cap
(`MAX_DECOMPRESSED_BYTES`, parsers/gunzip.py); past it, `LimitExceededError`.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from email.utils import parsedate_tz
from typing import Iterator
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from parsers.decode import decode_bytes
from parsers.errors import DecodeError, LimitExceededError, ParseError
from parsers.gunzip import GZIP_MAGIC, TOO_LARGE, TRUNCATED, GunzipError, gunzip
from parsers.records import Link
from parsers.urls import canonicalize_url, dedup_key

__all__ = [
    "FeedItem", "SitemapEntry", "Sitemap", "ListPage", "MAX_DECOMPRESSED_BYTES",
    "parse_feed", "parse_sitemap", "parse_robots_sitemaps", "parse_list_page", "find_pagination",
    "looks_like_article_url", "parse_w3c_or_rfc822_date",
]

MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit for one file
# createPageHTML(count, current, "index", "html") pagers: how many further pages to announce.
MAX_SCRIPTED_PAGES_AHEAD = 10


@dataclass
class FeedItem:
    url: str
    title: str | None = None
    published_at: str | None = None  # ISO 8601 (`2024-11-19T08:45:00+08:00`, or a bare date)


@dataclass
class SitemapEntry:
    url: str
    lastmod: str | None = None  # ISO 8601 as in FeedItem.published_at; None when absent or unreadable
    title: str | None = None  # Google News sitemaps (<news:title>) and feeds used as sitemaps


@dataclass
class Sitemap:
    kind: str  # "urlset" (pages) or "index" (child sitemaps)
    entries: list[SitemapEntry] = field(default_factory=list)


@dataclass
class ListPage:
    """One parse of a list page: every http(s) link, and the further list pages among them."""
    links: list[Link] = field(default_factory=list)
    pagination: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- feeds and sitemaps

def parse_feed(data: bytes, base_url: str) -> list[FeedItem]:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in feed order, one per canonical URL.

    Links come from feedburner:origLink, <link> (text or Atom href, rel=alternate preferred),
    then a permalink <guid>/<id> or rdf:about; relative values resolve against xml:base or
    `base_url`. Dates (pubDate, published, dc:date, updated…) become ISO 8601. Input that is not
    a feed, or not XML at all, gives [].
    """
    root = _parse_xml(_inflate(data), base_url)
    if root is None:
        return []
    items: list[FeedItem] = []
    seen: set[str] = set()
    for element in _iter_local(root, ("item", "entry")):
        fields = _item_elements(element)
        url = _item_url(element, fields, base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        items.append(FeedItem(url=url, title=_item_title(fields), published_at=_item_date(fields)))
    return items


def parse_sitemap(data: bytes, base_url: str, *, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> Sitemap:
    """A sitemap's entries: `kind="index"` for <sitemapindex> (child sitemap URLs), else "urlset".

    Accepts gzip bytes (inflated up to `max_bytes`, else LimitExceededError), plain-text sitemaps
    (one URL a line) and RSS/Atom feeds used as sitemaps. Root-relative <loc> values (non-standard)
    resolve against `base_url`. <lastmod> (or <news:publication_date>) becomes ISO 8601.
    """
    data = _inflate(data, max_bytes)
    if len(data) > max_bytes:
        raise LimitExceededError(f"sitemap larger than {max_bytes} bytes")
    if not _looks_like_xml(data):
        return Sitemap("urlset", _text_sitemap_entries(data, base_url))
    root = _parse_xml(data, base_url)
    if root is None:
        return Sitemap("urlset", [])
    root_name = etree.QName(root).localname.lower()
    if root_name in ("rss", "feed", "rdf"):
        return Sitemap("urlset", [SitemapEntry(i.url, i.published_at, i.title) for i in parse_feed(data, base_url)])
    kind = "index" if root_name == "sitemapindex" else "urlset"
    entries: list[SitemapEntry] = []
    seen: set[str] = set()
    for element in _iter_local(root, ("url", "sitemap")):
        children = _children_by_name(element)
        loc = children.get("loc")
        url = canonicalize_url(_text(loc), element.base or base_url) if loc is not None else None
        if url is None or url in seen:
            continue
        seen.add(url)
        lastmod = _text(children.get("lastmod"))
        title = None
        news = children.get("news")
        if news is not None:
            news_children = _children_by_name(news)
            lastmod = lastmod or _text(news_children.get("publication_date"))
            title = _clean_text(_text(news_children.get("title"))) or None
        entries.append(SitemapEntry(url, parse_w3c_or_rfc822_date(lastmod), title))
    return Sitemap(kind, entries)


_ROBOTS_SITEMAP_RE = re.compile(r"^\s*site-?map\s*:\s*(\S.*?)\s*$", re.I)


def parse_robots_sitemaps(text: str, robots_url: str) -> list[str]:
    """The `Sitemap:` URLs of a robots.txt, resolved against the robots.txt URL, in file order."""
    found: list[str] = []
    for line in text.lstrip("\ufeff").splitlines():
        m = _ROBOTS_SITEMAP_RE.match(line.split("#", 1)[0])
        if not m:
            continue
        url = canonicalize_url(m.group(1), robots_url)
        if url and url not in found:
            found.append(url)
    return found


def parse_w3c_or_rfc822_date(text: str | None, tz: str = "+08:00") -> str | None:
    """RFC 822 (`Tue, 19 Nov 2024 08:45:00 +0800`) or W3C/ISO (`2024-11-19T08:45+08:00`) → ISO 8601.

    A time without a zone takes `tz` (China Standard Time by default); a date alone stays a date.
    Anything else falls back to `parsers.dates.parse_datetime` (Chinese formats).
    """
    if not text:
        return None
    text = text.strip()
    m = _W3C_DATE_RE.match(text)
    if m:
        return _iso_from_w3c(m, tz)
    if text[:1].isalpha() or re.match(r"\d{1,2}\s+[A-Za-z]{3}", text):
        parsed = parsedate_tz(text)
        if parsed and parsed[0] > 1900:
            year, month, day, hour, minute, second = parsed[:6]
            offset = tz if parsed[9] is None else _format_offset_seconds(parsed[9])
            return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{offset}"
    from parsers.dates import parse_datetime  # late: only for the rare non-standard date

    return parse_datetime(text, tz=tz)


_W3C_DATE_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$",
    re.I,
)


def _iso_from_w3c(m: re.Match, tz: str) -> str | None:
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if m.group(4) is None:
        return f"{year:04d}-{month:02d}-{day:02d}"
    hour, minute, second = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    if hour > 23 or minute > 59 or second > 60:
        return None
    zone = m.group(7)
    if zone is None:
        offset = tz
    elif zone.upper() == "Z":
        offset = "+00:00"
    else:
        digits = zone.replace(":", "")
        offset = f"{digits[0]}{digits[1:3]}:{digits[3:5]}"
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{offset}"


def _format_offset_seconds(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    return f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _inflate(data: bytes, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Gunzip `data` if it starts with the gzip magic, refusing more than `max_bytes` of output. A truncated or
    partly corrupt download keeps what inflated: the XML parser recovers the rest."""
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gunzip(data, max_bytes)
    except GunzipError as err:
        if err.reason == TOO_LARGE:
            raise LimitExceededError(f"gzip body inflates past {max_bytes} bytes") from None
        if err.reason == TRUNCATED or err.inflated:
            return err.inflated
        raise DecodeError(f"corrupt gzip body: {err.message}") from None


def _looks_like_xml(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return True
    for bom in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 XML
        if data.startswith(bom):
            return True
    return False


def _text_sitemap_entries(data: bytes, base_url: str) -> list[SitemapEntry]:
    text = data.decode("utf-8", errors="replace")
    entries: list[SitemapEntry] = []
    seen: set[str] = set()
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if not line.lower().startswith(("http://", "https://")):
            continue
        url = canonicalize_url(line, base_url)
        if url and url not in seen:
            seen.add(url)
            entries.append(SitemapEntry(url))
    return entries


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False,
                           remove_comments=True, remove_pis=True, load_dtd=False)


_DOCTYPE_RE = re.compile(rb"<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?>", re.I | re.S)
_XML_ENCODING_RE = re.compile(rb"^(<\?xml\b[^>]*?\bencoding\s*=\s*[\"'])([A-Za-z0-9._:\-]+)([\"'])", re.I)
# libxml2's GB2312 is strict; pages that declare it routinely hold GBK characters (堃, 镕, —).
_GB_LABELS = frozenset({b"gb2312", b"gbk", b"x-gbk", b"cp936", b"gb_2312-80", b"euc-cn", b"csgb2312", b"gb18030"})


def _prepare_xml(data: bytes) -> bytes:
    """Bytes lxml parses faithfully: no BOM, no DTD (no entities to expand), GB text as UTF-8."""
    data = data.lstrip(b" \t\r\n")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:65536]
    if b"<!DOCTYPE" in head or b"<!doctype" in head:
        head = _DOCTYPE_RE.sub(b"", head, count=1)
        data = head + data[65536:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data  # UTF-16 with BOM: libxml2 handles it
    m = _XML_ENCODING_RE.match(data)
    label = m.group(2).lower() if m else None
    if label in _GB_LABELS:
        text = data.decode("gb18030", errors="replace")
    elif label is None or label in (b"utf-8", b"utf8"):
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            try:
                text, _charset = decode_bytes(data)
            except ParseError:
                return data
    else:
        return data  # a declared non-GB encoding: trust libxml2
    if m:
        text = text[m.end():]
        text = m.group(1).decode("ascii") + "utf-8" + m.group(3).decode("ascii") + text
    return text.encode("utf-8")


def _parse_xml(data: bytes, base_url: str) -> etree._Element | None:
    data = _prepare_xml(data)
    if not data:
        return None
    try:
        return etree.fromstring(data, _xml_parser(), base_url=base_url)
    except etree.XMLSyntaxError:
        return None


def _iter_local(root: etree._Element, names: tuple[str, ...]) -> Iterator[etree._Element]:
    for element in root.iter(etree.Element):
        if etree.QName(element).localname in names:
            yield element


def _children_by_name(element: etree._Element) -> dict[str, etree._Element]:
    """First child per local name (lower-cased)."""
    children: dict[str, etree._Element] = {}
    for child in element.iterchildren(etree.Element):
        children.setdefault(etree.QName(child).localname.lower(), child)
    return children


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _clean_text(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


_ITEM_FIELDS = frozenset({"link", "origlink", "guid", "id", "title", "description", "summary", "content",
                          "author", "category", "pubdate", "published", "issued", "date", "created", "updated",
                          "modified", "comments", "enclosure", "source"})


def _item_elements(item: etree._Element) -> list[etree._Element]:
    """The item's field elements: its children, or, when recovery nested the fields inside a
    broken element (an unclosed tag in a title), its descendants outside nested items."""
    children = list(item.iterchildren(etree.Element))
    names = {etree.QName(c).localname.lower() for c in children}
    if names & {"link", "origlink", "guid", "id"}:
        return children
    found: list[etree._Element] = []
    stack = children[::-1]
    while stack:
        element = stack.pop()
        if etree.QName(element).localname.lower() in ("item", "entry"):
            continue
        found.append(element)
        stack.extend(list(element.iterchildren(etree.Element))[::-1])
    return found


def _item_url(item: etree._Element, elements: list[etree._Element], base_url: str) -> str | None:
    base = item.base or base_url
    candidates: list[tuple[int, str]] = []
    for child in elements:
        name = etree.QName(child).localname.lower()
        if name == "origlink":
            candidates.append((0, _text(child) or ""))
        elif name == "link":
            href = child.get("href")
            if href is not None:  # Atom
                rel = (child.get("rel") or "alternate").lower()
                if rel == "alternate":
                    kind = (child.get("type") or "text/html").lower()
                    candidates.append((1 if "html" in kind else 2, href))
            else:
                candidates.append((1, _text(child) or ""))
        elif name in ("guid", "id") and (child.get("isPermaLink") or "true").lower() != "false":
            value = _text(child) or ""
            if value.lower().startswith(("http://", "https://", "/")):  # not a bare id or tag: URI
                candidates.append((3, value))
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    if about:
        candidates.append((4, about))
    for _, value in sorted(candidates, key=lambda c: c[0]):
        url = canonicalize_url(value, base) if value else None
        if url:
            return url
    return None


_TAG_RE = re.compile(r"<[^>]+>")


def _item_title(elements: list[etree._Element]) -> str | None:
    for child in elements:
        if etree.QName(child).localname.lower() != "title":
            continue
        text = _title_text(child)
        if (child.get("type") or "").lower() in ("html", "text/html") or ("<" in text and ">" in text):
            text = html_lib.unescape(_TAG_RE.sub("", text))
        return _clean_text(text) or None
    return None


def _title_text(title: etree._Element) -> str:
    """The title's text, stopping at any item field that recovery misplaced inside it."""
    parts = [title.text or ""]
    for child in title.iterchildren():
        if isinstance(child.tag, str) and etree.QName(child).localname.lower() in _ITEM_FIELDS:
            break
        parts.append("".join(child.itertext()) if isinstance(child.tag, str) else "")
        parts.append(child.tail or "")
    return "".join(parts)


_DATE_FIELDS = ("pubdate", "published", "issued", "date", "created", "updated", "modified")


def _item_date(elements: list[etree._Element]) -> str | None:
    by_name: dict[str, etree._Element] = {}
    for element in elements:
        by_name.setdefault(etree.QName(element).localname.lower(), element)
    for name in _DATE_FIELDS:
        value = _text(by_name.get(name))
        if value:
            parsed = parse_w3c_or_rfc822_date(value)
            if parsed:
                return parsed
    return None


# --------------------------------------------------------------------------- list pages

_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """An lxml tree for `html` (str), or None when there is nothing to parse."""
    if not html or not html.strip():
        return None
    html = _XML_DECLARATION_RE.sub("", html, count=1)  # lxml refuses str with an encoding declaration
    try:
        return lxml.html.document_fromstring(html, parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return None


_HTML_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                                    default_doctype=False)


def document_base(root: lxml.html.HtmlElement, base_url: str) -> str:
    """The `<base href>` of the page resolved against `base_url`, or `base_url`."""
    for base in root.iter("base"):
        href = base.get("href")
        if href:
            return canonicalize_url(href, base_url) or base_url
        break
    return base_url


def anchor_text(element: etree._Element) -> str:
    """Visible text of a link; its title attribute or an image alt when it has no text."""
    text = _clean_text(element.text_content() if hasattr(element, "text_content") else "".join(element.itertext()))
    if text:
        return text
    text = _clean_text(element.get("title"))
    if text:
        return text
    for img in element.iter("img"):
        alt = _clean_text(img.get("alt"))
        if alt:
            return alt
    return ""


def parse_list_page(html: str, base_url: str) -> ListPage:
    """Links and pagination of a list page from one parse (see `find_pagination`)."""
    root = parse_html(html)
    if root is None:
        return ListPage()
    base = document_base(root, base_url)
    links: list[Link] = []
    index: dict[str, int] = {}
    for a in root.iter("a", "area"):
        url = canonicalize_url(a.get("href") or "", base)
        if url is None:
            continue
        title = anchor_text(a)
        at = index.get(url)
        if at is None:
            index[url] = len(links)
            links.append(Link(url=url, title=title))
        elif not links[at].title and title:
            links[at].title = title
    return ListPage(links=links, pagination=_pagination(root, base, base_url))


def find_pagination(html: str, base_url: str) -> list[str]:
    """Absolute canonical URLs of further list pages linked from a list page, in document order.

    Found from: rel=next; link text 下一页/下页/后页/下一版/next/›/»/>> and 尾页/last (trusted as
    written); 更多/more links that do not look like an article (a channel's list page);
    numbered pager links whose URL is the current URL with a higher page number —
    `index_N.html`, `list_N.htm`, `<stem>_N.<ext>` of the current file, `?page=N` (also p, pn,
    pageNo, pageIndex, currentPage…), `/page/N/`; and TRS `createPageHTML(count, cur, "index",
    "html")` script pagers (up to MAX_SCRIPTED_PAGES_AHEAD pages ahead). The current page and
    pages recognisably before it (上一页, 首页, lower page numbers) are left out.
    """
    root = parse_html(html)
    if root is None:
        return []
    return _pagination(root, document_base(root, base_url), base_url)


_NEXT_WORDS = frozenset({"下一页", "下页", "下一頁", "后页", "後頁", "后一页", "下一版", "next", "nextpage",
                         "下一页面"})
_PREV_WORDS = frozenset({"上一页", "上页", "上一頁", "前页", "前頁", "前一页", "上一版", "prev", "previous",
                         "prevpage", "previouspage"})
_FIRST_WORDS = frozenset({"首页", "第一页", "首頁", "first", "firstpage"})
_LAST_WORDS = frozenset({"尾页", "末页", "尾頁", "末頁", "最后一页", "最后页", "last", "lastpage"})
_MORE_WORDS = frozenset({"更多", "更多内容", "查看更多", "更多新闻", "更多信息", "more", "viewmore", "更多资讯"})
_NEXT_ARROWS = frozenset(">»›＞→")
_PREV_ARROWS = frozenset("<«‹＜←")
_WORD_NOISE_RE = re.compile(r"[\s\[\]【】()（）<>«»‹›＜＞←→.。…·:：|/\\+＋\-]+")
_PAGE_PARAMS = frozenset({"page", "p", "pg", "pn", "pageno", "page_no", "pagenum", "pagenumber", "pageindex",
                          "page_index", "currentpage", "curpage", "cur_page", "current", "paged"})
_NUMBERED_FILE_RE = re.compile(r"^(?P<stem>.+?)[_-](?P<n>\d{1,4})(?P<ext>\.[A-Za-z0-9]{1,6})?$")
_PATH_PAGE_RE = re.compile(r"/(?:page|p)/(?P<n>\d{1,4})/?$")
_PAGER_HINTS = ("page", "pag", "fenye", "pager")
_CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w\-]+)['\"]\s*,\s*['\"](\w+)['\"]")


def _pagination(root: lxml.html.HtmlElement, base: str, page_url: str) -> list[str]:
    current_key = dedup_key(page_url) or page_url
    current_groups = _page_groups(current_key)
    found: list[str] = []
    seen = {current_key}

    def add(url: str) -> None:
        key = dedup_key(url) or url
        if key not in seen:
            seen.add(key)
            found.append(url)

    for element in root.iter("a", "link"):
        href = element.get("href")
        if not href:
            continue
        rel = (element.get("rel") or "").lower().split()
        if element.tag == "link" and "next" not in rel:
            continue
        url = canonicalize_url(href, base)
        if url is None:
            continue
        role = "next" if "next" in rel else _link_role(element)
        if role in ("prev", "first"):
            continue
        if role in ("next", "last"):  # explicit words win over page-number guesses
            add(url)
            continue
        order = _compare_pages(current_groups, _page_groups(dedup_key(url) or url))
        if order is not None and order <= 0:
            continue  # the current page or an earlier one
        if role == "more":
            if not looks_like_article_url(url):
                add(url)
        elif order is not None and (role == "number" or _in_pager(element)):
            add(url)
        elif role == "number" and _in_pager(element) and _same_host(url, page_url):
            add(url)
    for script in root.iter("script"):
        for url in _scripted_pages(script.text or "", base):
            add(url)
    return found


def _link_role(element: etree._Element) -> str | None:
    text = anchor_text(element)
    core = _WORD_NOISE_RE.sub("", text).lower()
    if core:
        if core in _NEXT_WORDS:
            return "next"
        if core in _PREV_WORDS:
            return "prev"
        if core in _FIRST_WORDS:
            return "first"
        if core in _LAST_WORDS:
            return "last"
        if core in _MORE_WORDS:
            return "more"
        if core.isdigit() and len(core) <= 4:
            return "number"
    elif text:
        if any(c in _NEXT_ARROWS for c in text):
            return "next"
        if any(c in _PREV_ARROWS for c in text):
            return "prev"
    css = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    if "next" in css:
        return "next"
    if "prev" in css:
        return "prev"
    return None


def _in_pager(element: etree._Element, levels: int = 3) -> bool:
    node = element.getparent()
    for _ in range(levels):
        if node is None:
            return False
        css = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
        if any(hint in css for hint in _PAGER_HINTS):
            return True
        node = node.getparent()
    return False


def _same_host(url: str, other: str) -> bool:
    return urlsplit(url).netloc == urlsplit(canonicalize_url(other) or other).netloc


def _page_groups(url: str) -> dict[tuple, int]:
    """Ways to read a page number from `url`: {group key: page number}.

    Two URLs that share a group key are pages of one list, ordered by number. A URL without a
    number in some position is page 0 of that group (`index.html` before `index_2.html`,
    `?id=3` before `?id=3&page=2`), which also covers TRS sites where `index_1.html` is page 2.
    """
    parts = urlsplit(url)
    host, path, query = parts.netloc, parts.path, parts.query
    groups: dict[tuple, int] = {}
    params = [p.partition("=") for p in query.split("&") if p] if query else []
    page_params = [(name.lower(), value) for name, _, value in params
                   if name.lower() in _PAGE_PARAMS and value.isdigit() and len(value) <= 5]
    others = tuple(sorted(f"{n}={v}" for n, _, v in params if n.lower() not in _PAGE_PARAMS))
    # Without a page parameter a query-paged list is on page 1 (`?page=1` is the same page).
    groups[("q", host, path, others)] = int(page_params[0][1]) if page_params else 1

    directory, _, filename = path.rpartition("/")
    stem = filename.rsplit(".", 1)[0] if filename else "index"
    groups[("f", host, directory, stem, query)] = 0
    m = _NUMBERED_FILE_RE.match(filename)
    if m:
        groups[("f", host, directory, m.group("stem"), query)] = int(m.group("n"))

    m = _PATH_PAGE_RE.search(path)
    if m:
        groups[("p", host, path[: m.start()] + "/", query)] = int(m.group("n"))
    elif path.endswith("/"):
        groups[("p", host, path, query)] = 0
    return groups


def _compare_pages(current: dict[tuple, int], candidate: dict[tuple, int]) -> int | None:
    """>0 when the candidate is a later page of the current list, 0 the same, <0 earlier; None unrelated."""
    verdict = None
    for key, number in candidate.items():
        if key in current:
            diff = number - current[key]
            if diff != 0:
                return diff
            verdict = 0
    return verdict


def _scripted_pages(script: str, base: str) -> list[str]:
    if "createPageHTML" not in script:
        return []
    m = _CREATE_PAGE_RE.search(script)
    if not m:
        return []
    count, current, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    last = min(count - 1, current + MAX_SCRIPTED_PAGES_AHEAD)
    urls = []
    for n in range(current + 1, last + 1):
        url = canonicalize_url(f"{prefix}_{n}.{ext}", base)
        if url:
            urls.append(url)
    return urls


# --------------------------------------------------------------------------- article URL heuristic

_NON_PAGE_EXTENSIONS = frozenset({
    "jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "pdf", "doc", "docx", "xls", "xlsx", "ppt",
    "pptx", "wps", "zip", "rar", "7z", "gz", "tar", "mp3", "mp4", "avi", "flv", "wmv", "mov", "css", "js",
    "json", "xml", "rss", "txt", "apk", "exe", "swf",
})
_LIST_STEM_RE = re.compile(
    r"^(?:index|default|list|lists|node|more|channel|column|lanmu|category|tag|tags|search|home|main|"
    r"sitemap|about|aboutus|contact|contactus|login|register|map|copyright|help)(?:[_-]\d+)*$",
    re.I)
_LIST_SEGMENTS = frozenset({"tag", "tags", "channel", "channels", "category", "categories", "column",
                            "columns", "lanmu", "search", "author", "authors", "user", "login", "special",
                            "zhuanti", "topic", "topics"})
_DATE_IN_PATH_RE = re.compile(
    r"/(?:19|20)\d{2}(?:[-_/]?(?:0[1-9]|1[0-2]))(?:[-_/]?(?:0[1-9]|[12]\d|3[01]))?/"
    r"|(?:^|[/_t])(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?=[_/.\-]|$)")
_ARTICLE_STEM_RE = re.compile(
    r"^(?:t?\d{8}_\d+|\d{3,}|(?:content|c|art|article|detail|details|news|show|view|info|doc|a|p|n|post|"
    r"story|wz|xw|txt|nr)[_-]?\d{3,}(?:[_-]\d+)?|[a-z]*[_-]?\d{5,}(?:[_-]\d+)?)$",
    re.I)
# Before the leaf, these name an article whatever the leaf is (`/article/how-the-city-grew`) …
_ARTICLE_ONLY_SEGMENTS = frozenset({"article", "articles", "detail", "details", "post", "posts", "story", "stories"})
# … these only when digits follow (`/news/local/2024/884422`, `/content/…/123`).
_ARTICLE_SEGMENTS = _ARTICLE_ONLY_SEGMENTS | frozenset({"content", "contents", "a", "p", "news", "doc", "docs",
                                                        "info", "show", "view"})
_ID_QUERY_RE = re.compile(
    r"(?:^|&)(?:id|aid|articleid|article_id|newsid|news_id|contentid|content_id|docid|doc_id|itemid|"
    r"infoid|info_id|wbnewsid|tid|nid)=\d+(?:&|$)",
    re.I)
_DIGITS_RE = re.compile(r"\d{3,}")


def looks_like_article_url(url: str) -> bool:
    """Heuristic for sources without an include pattern: does this URL name one article?

    True for dated paths (`/2024-11/03/`, `/202411/`, `/20241103/`, TRS `t20241103_123.html`),
    numeric or id-like file names (`content_123.htm`, `c_123.htm`, `/info/1234/5678.htm`,
    `12345.shtml`, `article_9087.html`), article-ish segments followed by digits
    (`/article/…`, `/news/…/123`) and `?id=123`-style detail pages. False for directories,
    list/channel files (`index.html`, `list_2.html`, `node_3.htm`, `more.html`), tag/channel/
    category/search paths, and non-page files (images, PDFs, scripts, feeds).
    """
    canonical = canonicalize_url(url)
    if canonical is None:
        return False
    parts = urlsplit(canonical)
    path = parts.path
    if path.endswith("/"):
        return False
    segments = [s for s in path.split("/") if s]
    if not segments:
        return False
    filename = segments[-1]
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ext = ext.lower()
    if ext in _NON_PAGE_EXTENSIONS:
        return False
    if _LIST_STEM_RE.match(stem):
        return False
    if any(s.lower() in _LIST_SEGMENTS for s in segments[:-1]):
        return False
    if _ARTICLE_STEM_RE.match(stem):
        return True
    if _DATE_IN_PATH_RE.search(path):
        return True
    if parts.query and _ID_QUERY_RE.search(parts.query):
        return True
    lowered = [s.lower() for s in segments]
    if any(s in _ARTICLE_ONLY_SEGMENTS for s in lowered[:-1]):
        return True
    for i, segment in enumerate(lowered[:-1]):
        if segment in _ARTICLE_SEGMENTS and any(_DIGITS_RE.search(s) for s in lowered[i + 1:]):
            return True
    return ext == "shtml" and bool(_DIGITS_RE.search(stem))
