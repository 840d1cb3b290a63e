"""Metadata lines around the body (bylines, 来源, dates, editor lines, 原文链接), gathered in Facts
with where each value came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Callable, TypeVar

from bs4 import Tag

from parsers.bylines import (
    byline_handle, cut_at_parts, is_byline_label, other_credit_role, parse_byline_credits, parse_group_credit,
    parse_marked_byline,
)
from parsers.dates import (
    dated_line as find_dated_line, find_labeled_datetime_with_label, is_update_label, month_first_dates,
    parse_datetime,
)
from parsers.urls import resolve_url
from parsers.metalines import (
    MAX_CREDIT_LINE_CHARS, MetaLine, ends_with_source_label, is_end_of_article_line, is_outlet_name, is_source_label,
    outlet_in_credit_line, outlet_in_lead_credit, parse_meta_line, starts_with_source_label,
)
from parsers.records import Author
from parsers.vocab import BYLINE_CLASS_WORDS
from parsers.html.page import Page, norm
from parsers.html.title import declared_site_names
from parsers.html.tree import MAX_LINK_DENSITY_PROSE, TextBlock, class_id

T = TypeVar("T")

# An unlabelled 来源 in the info line: <span class="source">阜新日报</span>, <a class="ly">人民网</a>.
_SOURCE_CLASS_RE = re.compile(r"(?:^|[-_\s])(?:source|laiyuan|ly|media-?name|origin)(?:$|[-_\s\d])", re.I)
_SOURCE_ITEMPROPS = frozenset({"publisher", "sourceOrganization"})  # microdata naming the outlet
# Order of trust of the 来源 found in the text (labelled lines, rank 0, are all other provenances).
_SOURCE_RANK = {"class:source": 1, "text:dateline": 2}
MAX_ABOVE_TITLE_BLOCKS = 3   # lines above the headline read for an info line
MAX_BYLINE_ABOVE_TITLE_BLOCKS = 12  # lines above the headline read for a byline when none was found
MAX_SOURCE_CLASS_BLOCKS = 12  # header lines looked at for an unlabelled, class-marked 来源
# An element the page marks as its byline: class/id author, byline, autor, verfasser, writer;
# `rel=author`; `itemprop=author`.
_BYLINE_CLASS_RE = re.compile("|".join(BYLINE_CLASS_WORDS), re.I)
# A link to a writer's page: `/authors/trevor-jackins`, `/autor/simone-jung/`, `/contributor/Nathan-Myhrvold/9347686`.
_AUTHOR_PAGE_HREF_RE = re.compile(
    r"/(?:authors?|writers?|contributors?|autor(?:en|in)?|auteurs?|autores?|journalists?|reporters?|redakteur(?:in)?|"
    r"columnists?|staff|people)/[^/?#\s]*[^\W\d_][^/?#\s]*/?(?:\d+/?)?(?:[?#].*)?$", re.I)
_BYLINE_CLASS_SKIP_RE = re.compile(r"avatar|image|img|photo|bio|desc|follow|social|more|profile-link", re.I)
MAX_MARKED_BYLINE_CHARS = 100
# A short line that dates the story among a few words (`Dienstag, 29. Januar 2019`, `Publié le 29 juin
# 2019`, `Par Elba · 27 juin 2019`, `By Jane Doe, Nov. 8, 2023 10:35 PM`): at most this long, with at
# most MAX_DATED_LINE_WORDS characters around the date (a sentence that mentions a date is longer).
MAX_DATED_LINE_CHARS = 100
MAX_DATED_LINE_WORDS = 50
MAX_LINKED_DATE_CHARS = 40   # a header line whose date is a link: short, or it is a list
MAX_DISPATCH_LINE_CHARS = 16  # a dispatch credit alone on its line: 【明報專訊】, （中央社電）
# Class/id/itemprop words that mark an element as the story's date or its info line.
_DATE_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:date|dates|datetime|time|timestamp|dateline|published|pubdate|pub-date|posted|"
    r"post-?date|entry-date|datum|fecha|data|meta|metadata|byline|date-?published|datepublished)(?:$|[-_\s\d])",
    re.I)
_UNLABELLED_DATE_SOURCES = frozenset({"text:date", "text:dated-line"})
_SOURCE_LABEL_RE = re.compile(r"^\s*(?:信息来源|文章来源|新闻来源|稿件来源|稿源|来源|出处|Source)\s*[:：]?\s*", re.I)


@dataclass
class Facts:
    """Metadata gathered from lines around the body; the first value found wins.

    Each value list has a parallel list of provenance (`published_from[i]` says where
    `published_at[i]` came from); `author_from` does the same per person.
    """
    published_at: list[str] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    original_urls: list[str] = field(default_factory=list)
    published_from: list[str] = field(default_factory=list)
    sources_from: list[str] = field(default_factory=list)
    original_urls_from: list[str] = field(default_factory=list)
    author_from: dict[Author, str] = field(default_factory=dict)
    # Labelled dates below the body (发布日期：… at the foot of government pages): used only when
    # nothing above the body or in the metadata gives one.
    footer_dates: list[tuple[str, str]] = field(default_factory=list)
    # Where the zone scans ran, as block indexes: the header zone [start, stop), the first block
    # after the body and the headline (the date rules read around them).
    header_zone: tuple[int, int] | None = None
    body_end: int | None = None
    title_block: int | None = None

    def add_meta(self, m: MetaLine, *, with_date: bool = True) -> None:
        if m.published_at and with_date:
            self.add_date(m.published_at, m.sources.get("published_at", "text:date-line"))
        for a in m.authors:
            self.add_author(a, m.credits.get(a, "byline"))
        if m.source_name:
            self.sources.append(m.source_name)
            self.sources_from.append(m.sources.get("source_name", "text:来源"))
        if m.original_url:
            self.original_urls.append(m.original_url)
            self.original_urls_from.append(m.sources.get("original_url", "text:原文链接"))

    def best_source(self) -> tuple[str, str] | None:
        """(来源, provenance): a labelled line (来源：…) first, then an element whose class says source,
        then an outlet named in a byline or date line; in each, the first found."""
        for rank in (0, 1, 2):
            for value, source in zip(self.sources, self.sources_from):
                if _SOURCE_RANK.get(source, 0) == rank:
                    return value, source
        return None

    def add_date(self, value: str, source: str) -> None:
        self.published_at.append(value)
        self.published_from.append(source)

    def add_author(self, author: Author, source: str) -> None:
        if author not in self.authors:
            self.authors.append(author)
            self.author_from[author] = source

    def has_writer(self) -> bool:
        return any(a.role in ("reporter", "author", "correspondent") for a in self.authors)

    def add_authors(self, authors: list[Author] | None, source: str = "credit:group") -> None:
        """People from one credit; `source` defaults to the group credit (本组稿件由…采写) that
        sub-article extraction reads."""
        for a in authors or []:
            self.add_author(a, source)


def _read_line(text: str, facts: Facts, *, record_date: bool, now: datetime | None,
               parts: list[str] | None = None) -> bool:
    """Record what one metadata-looking line says; True when it is such a line. `parts`: the line's
    inline elements' texts, where a writer's name ends (`cut_at_parts`)."""
    m = parse_meta_line(text)
    if m is not None:
        facts.add_meta(m, with_date=record_date)
        return True
    group = parse_group_credit(text)
    if group is not None:
        facts.add_authors(group, "credit:group")
        return True
    if len(text) <= 60:
        credits = parse_byline_credits(text)
        if credits is not None:
            for person, source in cut_at_parts(credits, parts):
                facts.add_author(person, source)
            return True
    if looks_like_bare_date(text):
        found = parse_datetime(text, now=now)
        if found:
            if record_date:
                facts.add_date(found, "text:date")
            return True
    return False


def consume_meta(b: TextBlock, facts: Facts, *, record_date: bool, by_parts: bool,
                  now: datetime | None = None) -> bool:
    """Record a metadata/byline/credit/date line in `facts`; True when the block is one.

    With `by_parts`, each text node is read on its own first (`<span>2024-11-02 09:05</span>
    <span>来源：阜新日报</span><span>文/图 记者 孙悦</span>`), so a value never runs into the
    next span's label; the joined line is read after, for labels split from their values.
    """
    recognized = False
    dates_before = len(facts.published_at)
    if by_parts and len(b.parts) > 1:
        for k, part in enumerate(b.parts):
            recognized = _read_line(part, facts, record_date=record_date, now=now) or recognized
            if k + 1 < len(b.parts) and is_source_label(part):
                # `来源：<a>人民日报海外版</a><a>中国青年网</a>`: the value is the next element alone
                recognized = _read_line(_labelled(part) + b.parts[k + 1], facts, record_date=record_date,
                                        now=now) or recognized
            elif k + 1 < len(b.parts) and ends_with_source_label(part):
                # `2024-05-13 09:16 来源: <a>新京报</a><span>北京</span><a>举报</a>`: the value is the next
                # element, and those joined to it by a dash or a dot (`<a>中国证券报</a>·<a>中证网</a>`)
                recognized = _read_line(part + _joined_value(b.parts[k + 1:]), facts, record_date=record_date,
                                        now=now) or recognized
    for text in dict.fromkeys((b.text, b.spaced)):
        if _read_line(text, facts, record_date=record_date, now=now, parts=b.parts):
            recognized = True
            break
    if record_date and len(facts.published_at) == dates_before:
        labelled = find_labeled_datetime_with_label(b.spaced, now=now)
        # an unlabelled date beside an `Updated …` one is the publication
        found = dated_line(b.spaced, now) if labelled is None or is_update_label(labelled[1]) else None
        if found:
            facts.add_date(found, "text:dated-line")
        elif labelled:
            facts.add_date(labelled[0], f"text:{labelled[1]}")
    return recognized


_VALUE_JOINERS = "·•‧-－—_/／、"
_VALUE_NOTES = "(（"


def _joined_value(parts: list[str]) -> str:
    """The first of `parts`, with the parts a joining mark ties to it (`中国证券报`, `·`, `中证网`) or a
    bracketed note (`中国新闻网`, `(北京)`)."""
    value = parts[0]
    for part in parts[1:]:
        if not (value.endswith(tuple(_VALUE_JOINERS)) or part.startswith(tuple(_VALUE_JOINERS + _VALUE_NOTES))):
            break
        value += part
    return value


def _labelled(label: str) -> str:
    """A 来源 label standing alone, with the colon it may leave out (`<span>来源</span><span>新京报</span>`)."""
    return label if label.rstrip().endswith((":", "：", "|", "｜", "丨")) else label.rstrip() + "："


def dated_line(text: str, now: datetime | None) -> str | None:
    """The date of a short line that dates the story among a few words (see MAX_DATED_LINE_CHARS)."""
    return find_dated_line(text, max_chars=MAX_DATED_LINE_CHARS, max_words=MAX_DATED_LINE_WORDS, now=now)


def writes_month_first(page: Page) -> bool:
    """A US English page (`<html lang="en-US">`, `og:locale` en_US): its undecidable numeric dates
    (03/04/2020) are month first."""
    for value in (page.head.html_lang, page.head.metas.get("og:locale")):
        if value and value.strip().lower().replace("_", "-") == "en-us":
            return True
    return False


def reading_the_page_dates(scan: Callable[..., T]) -> Callable[..., T]:
    """`scan(page, …)` reads undecidable numeric dates in the page's order (`writes_month_first`)."""
    @wraps(scan)
    def scan_with_the_page_order(page: Page, *args, **kwargs) -> T:
        with month_first_dates(writes_month_first(page)):
            return scan(page, *args, **kwargs)
    return scan_with_the_page_order


@reading_the_page_dates
def scan_header_zone(page: Page, start: int, stop: int, skip: set[int], facts: Facts) -> None:
    """Bylines, meta lines and the visible date between the headline and the body."""
    blocks = page.index.blocks
    names: set[str] | None = None
    facts.header_zone = (start, stop)
    for i in range(start, stop):
        if i in skip:
            continue
        b = blocks[i]
        if b.chars > 300:
            continue
        # a 来源 line whose value is a link (`来源：<a>人民网</a> <a>举报</a>`) is read whatever its link density
        if b.link_density <= MAX_LINK_DENSITY_PROSE or any(starts_with_source_label(p) for p in b.parts[:3]):
            consume_meta(b, facts, record_date=True, by_parts=True, now=page.now)
        else:
            read_linked_byline(b, facts)
            if b.chars <= MAX_LINKED_DATE_CHARS and not facts.published_at:
                # a date written as a link (to the day's archive): `時間：<a>2014/12/02 13:08</a>`
                labelled = find_labeled_datetime_with_label(b.spaced, now=page.now)
                found = (labelled[0], f"text:{labelled[1]}") if labelled else None
                if found is None:
                    value = dated_line(b.spaced, page.now)
                    found = (value, "text:dated-line") if value else None
                if found:
                    facts.add_date(*found)
        if b.chars <= 2 * MAX_MARKED_BYLINE_CHARS and not facts.has_writer():
            read_marked_byline(b, facts)
        if not facts.has_writer() and is_byline_label(b.text) and i + 1 < stop \
                and blocks[i + 1].chars <= MAX_MARKED_BYLINE_CHARS and blocks[i + 1].link_density <= MAX_LINK_DENSITY_PROSE:
            # `<p>Written by</p><p>Edzel Tabing</p>`: the label's value is the next line (not a line of links:
            # tags; names linked to their pages are read as such)
            _read_byline(f"{b.text.strip(' :：')} {blocks[i + 1].text}", facts)
        if is_source_label(b.text) and i + 1 < stop and blocks[i + 1].chars <= MAX_CREDIT_LINE_CHARS:
            # `<div>来源：</div><div>人民日报</div>`: the label's value is the next line
            _read_line(_labelled(b.text) + blocks[i + 1].text, facts, record_date=False, now=page.now)
        if "class:source" not in facts.sources_from and b.chars <= 120 and i < start + MAX_SOURCE_CLASS_BLOCKS:
            source = unlabelled_source(b)
            if source:
                facts.sources.append(source)
                facts.sources_from.append("class:source")
        if b.chars <= MAX_CREDIT_LINE_CHARS and b.link_density <= MAX_LINK_DENSITY_PROSE:
            names = declared_site_names(page) if names is None else names
            outlet = credited_outlet(blocks, i, start, stop, names)
            if outlet:
                facts.sources.append(outlet)
                facts.sources_from.append("text:dateline")


def credited_outlet(blocks: list[TextBlock], i: int, start: int, stop: int, names: set[str]) -> str | None:
    """The outlet line i of the header zone credits without a label: inside a byline or date line
    (`聯合報 記者X／台北報導`, `北京新浪網 (2020-01-21 11:12)`), in a dispatch credit on a line of its own
    (`【明報專訊】`), or alone on a line next to a line that is only the date
    (`<div>中国新闻网</div><div>2024-05-20 13:09</div>`)."""
    b = blocks[i]
    found = outlet_in_credit_line(b.spaced, names)
    if found:
        return found
    if b.chars <= MAX_DISPATCH_LINE_CHARS:
        found = outlet_in_lead_credit(b.text, names)  # `【明報專訊】` on a line of its own above the text
        if found:
            return found
    if is_outlet_name(b.text, names) and " " not in b.text:
        for j in (i - 1, i + 1):
            if start <= j < stop and looks_like_bare_date(blocks[j].text):
                return b.text
    return None


def _near_elements(el: Tag, limit: int = 30) -> list[Tag]:
    """`el`, its children and grandchildren (breadth first, at most `limit`): no subtree walk, so a
    deeply nested page costs nothing here."""
    out = [el]
    level = [el]
    for _ in range(2):
        level = [c for node in level for c in node.children if isinstance(c, Tag)][:limit]
        out.extend(level)
        if len(out) >= limit:
            break
    return out[:limit]


@reading_the_page_dates
def scan_above_title(page: Page, title_block: int, skip: set[int], facts: Facts,
                     article_root: Tag | None = None) -> None:
    """The info line some templates print above the headline (`2024-11-03 08:40 来源：阜新日报`,
    Xinhua's split date): read after everything below the headline, so it only fills gaps. A date
    there must carry a label or a time, or sit in the article in an element marked as a date
    (`<div class="article-date">30.07.2019</div>`): a bare `2024年11月20日 星期三` above a headline
    is today's date in the top bar."""
    blocks = page.index.blocks
    facts.title_block = title_block
    above = Facts()
    for i in range(max(0, title_block - MAX_ABOVE_TITLE_BLOCKS), title_block):
        b = blocks[i]
        if i in skip or b.link_density > MAX_LINK_DENSITY_PROSE or b.chars > 150:
            continue
        line = Facts()
        consume_meta(b, line, record_date=True, by_parts=True, now=page.now)
        marked = article_root is not None and page.index.contains(article_root, b.pos) and is_date_marked(b.element)
        for value, source in zip(line.published_at, line.published_from):
            if source not in _UNLABELLED_DATE_SOURCES or "T" in value or marked:
                above.add_date(value, source)
        above.sources.extend(line.sources)
        above.sources_from.extend(line.sources_from)
        for a in line.authors:
            above.add_author(a, line.author_from[a])
    for value, source in zip(above.published_at, above.published_from):
        facts.add_date(value, source)
    facts.sources.extend(above.sources)
    facts.sources_from.extend(above.sources_from)
    for a in above.authors:
        facts.add_author(a, above.author_from[a])
    # A byline printed above the headline's block (an author box, `Autor: X` over the title): read
    # only when nothing else named a writer.
    for i in range(max(0, title_block - MAX_BYLINE_ABOVE_TITLE_BLOCKS), title_block):
        if facts.has_writer():
            break
        b = blocks[i]
        if i in skip or b.chars > MAX_MARKED_BYLINE_CHARS:
            continue
        if not read_marked_byline(b, facts):
            read_linked_byline(b, facts)


def read_portrait_bylines(page: Page, portrait_blocks: set[int], facts: Facts) -> None:
    """The writer named beside a writer's portrait (`images.extract_images`: the box's blocks are no body,
    so no other scan may read them): a byline line (`Written by: X`) or an element marked as the byline,
    read while no writer is known."""
    blocks = page.index.blocks
    for i in sorted(portrait_blocks):
        if facts.has_writer():
            return
        b = blocks[i]
        if b.chars <= MAX_MARKED_BYLINE_CHARS and not read_marked_byline(b, facts):
            read_linked_byline(b, facts)


def read_linked_byline(b: TextBlock, facts: Facts) -> bool:
    """A byline whose names link to author pages (`Von: <a>Simone Jung</a>`): too linked for the
    metadata scan, still read for its writers while none is known. True when it is such a byline."""
    if b.chars > MAX_MARKED_BYLINE_CHARS or facts.has_writer():
        return False
    return _read_byline(b.text, facts)


def _read_byline(text: str, facts: Facts) -> bool:
    """Record the people the byline `text` names (`parse_byline_credits`); True when it is a byline."""
    found = parse_byline_credits(text)
    for person, source in found or []:
        facts.add_author(person, source)
    return bool(found)


def read_marked_byline(b: TextBlock, facts: Facts) -> bool:
    """Writers in the elements of `b` that the page marks as its byline (see `_BYLINE_CLASS_RE`; each
    `rel=author` link and each link to a writer's page, `_AUTHOR_PAGE_HREF_RE`, of a line is read), with
    `parse_marked_byline`; the source says which marker: `class:author`, `rel=author`, `href=author`,
    `itemprop=author`. True when someone was found."""
    found_any = False
    for node in _near_elements(b.element):
        attrs = node.attrs
        if not attrs:
            continue
        rel = attrs.get("rel")
        if rel and "author" in (rel if isinstance(rel, list) else [rel]):
            marker = "rel=author"
        elif node.name == "a" and _AUTHOR_PAGE_HREF_RE.search(str(attrs.get("href") or "")):
            marker = "href=author"
        elif "author" in str(attrs.get("itemprop") or ""):
            if _is_reply_property(node):
                continue
            marker = "itemprop=author"
        else:
            hint = class_id(node)
            if found_any or not hint or not _BYLINE_CLASS_RE.search(hint) or _BYLINE_CLASS_SKIP_RE.search(hint):
                continue
            marker = "class:author"
        strings = list(node.stripped_strings)
        text = norm(" ".join(strings))
        if not text or len(text) > MAX_MARKED_BYLINE_CHARS:
            continue
        found = parse_marked_byline(text, strings)
        handle = None if found else byline_handle(text)
        if handle and (node.name == "a" and text == handle or any(
                norm(a.get_text()) == handle for a in node.find_all("a", limit=3))):
            found = [(Author(handle, "author"), "byline:")]  # a user name linked to its page: `jsteinhardt`
        at = b.text.find(text) if found else -1
        # `Reviewed by <a class="author-link">Jane Doe</a>`: credited, not as the writer
        role = other_credit_role(b.text[:at]) if at > 0 else None
        for person, source in found or []:
            if role is not None:
                person, source = Author(person.name, role), "byline:"
            facts.add_author(person, marker if source == "byline:" else source)
        found_any = found_any or bool(found)
    return found_any


# Microdata items that reply to the story: their author is a commenter's.
_REPLY_ITEM_TYPE_RE = re.compile(r"schema\.org/(?:Comment|Answer)/?$", re.I)


def microdata_owner(prop: Tag) -> Tag | None:
    """The microdata item a property element belongs to: its nearest `itemscope` ancestor."""
    return prop.find_parent(attrs={"itemscope": True})


def _is_reply_property(node: Tag) -> bool:
    """`node` is a property of a comment or an answer (`itemtype=…/Comment`), not of the story."""
    owner = microdata_owner(node)
    return owner is not None and bool(_REPLY_ITEM_TYPE_RE.search(str(owner.get("itemtype") or "")))


def is_date_marked(el: Tag) -> bool:
    """`el`, one of its two nearest ancestors or its near descendants has a class, id or itemprop
    that names a date (`date`, `article-date`, `post-meta`, `datum`, `fecha`, `datePublished` …)."""
    node: Tag | None = el
    for _ in range(3):
        if node is None or not isinstance(node, Tag):
            break
        if node.attrs and _names_date(node):
            return True
        node = node.parent
    return any(n.attrs and _names_date(n) for n in _near_elements(el)[1:])


_CAMEL_HUMP_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _names_date(node: Tag) -> bool:
    """The class, id or itemprop of `node` names a date (`_DATE_CLASS_RE`), its camel-case words read apart
    (`styles_dateAndAuthorContainer__JAvHP`, a CSS module's name)."""
    return bool(_DATE_CLASS_RE.search(_CAMEL_HUMP_RE.sub("-", f"{class_id(node)} {node.get('itemprop') or ''}")))


def unlabelled_source(b: TextBlock) -> str | None:
    """The text of an element marked as the source by its class, or as the publisher by microdata
    (`<span itemprop="publisher">`), in a short header line."""
    for node in _near_elements(b.element):
        if not node.attrs or not (_SOURCE_CLASS_RE.search(class_id(node)) or node.get("itemprop") in _SOURCE_ITEMPROPS):
            continue
        text = _SOURCE_LABEL_RE.sub("", norm(" ".join(node.stripped_strings)))
        if 2 <= len(text) <= 30 and not re.search(r"\d{2}|[:：。，,]", text) and parse_byline_credits(text) is None:
            return text
    return None


def looks_like_bare_date(text: str) -> bool:
    if len(text) > 40 or not re.search(r"\d{4}", text):
        return False
    return len(re.sub(r"[\d\s:：\-/.年月日时分秒TZ+星期一二三四五六日天]", "", text)) <= 2


@reading_the_page_dates
def scan_footer_zone(page: Page, start: int, stop: int, skip: set[int], facts: Facts) -> None:
    """Editor lines, 原文链接, 来源 and credits after the body, up to the next story list."""
    blocks = page.index.blocks
    facts.body_end = start
    for i in range(start, stop):
        if i in skip:
            continue
        b = blocks[i]
        if is_end_of_article_line(b.text):
            break
        if b.chars > 200:
            continue
        consume_meta(b, facts, record_date=False, by_parts=True, now=page.now)
        if not facts.has_writer():
            read_marked_byline(b, facts)
        if b.link_density <= MAX_LINK_DENSITY_PROSE and not facts.footer_dates:
            labelled = find_labeled_datetime_with_label(b.spaced, now=page.now)
            if labelled:
                facts.footer_dates.append((labelled[0], f"text:{labelled[1]}"))


@reading_the_page_dates
def read_profile_node(page: Page, key: str) -> Facts | None:
    """What the blocks of the profile's `key` node say (bylines, dates, 来源), or None when the
    profile has no such selector or it matches nothing."""
    profile = page.profile
    node = profile.select_one(key, page.root) if profile is not None else None
    if node is None:
        return None
    facts = Facts()
    for b in page.index.blocks_in(node):
        consume_meta(b, facts, record_date=True, by_parts=True, now=page.now)
    return facts


def extract_original_url_from_links(page: Page, start: int, stop: int) -> str | None:
    """原文链接 whose URL is only in the href of a link on that line."""
    index = page.index
    for i in range(start, stop):
        b = index.blocks[i]
        if b.chars <= 200 and re.match(r"^[【\[(（]?\s*(?:原文链接|原文地址|原文网址|原始链接|阅读原文)", b.text):
            for a in index.anchors:
                if a.pos >= b.pos and index.contains(b.element, a.pos):
                    return resolve_url(a.href, page.base)
    return None
