"""The publication date and where it came from (the rules, with figures: docs/metadata.md, **Date.**).

First answer wins; every reader refuses future and impossible dates, so a bad value falls through:

1. a site profile's date node;
2. what the page declares for machines (`declared_date`): JSON-LD, the date metas, microdata, JSON
   the JSON-LD parser could not read, WeChat's script variables; a UTC value is given in the page's
   own time when the page shows that moment or its day (`localized`);
3. what the page shows at the headline: the header zone's facts (parsers/html/facts.py), then the
   lines above the article's first line when the headline is unknown;
4. `<time>` inside the article, not in an embedded post;
5. the lines around the body: a labelled date below it, a byline-like line at its edges, a labelled
   date just after the article's element;
6. the e-paper edition date; 7. the URL's day;
8. htmldate, checked against what the page shows (parsers/html/htmldate_fallback.py).

A page that is not a story gets rule 2 or 7 (`page_published_at`). Dates in sidebars, comment
threads and story lists are never read. A time without an offset is China time (+08:00); a page's
own offset is kept as written.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape as html_unescape

from bs4 import Tag

from parsers.dates import (
    date_from_url, dated_line, find_labeled_datetime_with_label, month_first_dates, parse_datetime,
    parse_with_format, script_publish_time,
)
from parsers.meta import json_ld_objects
from parsers.metalines import is_end_of_article_line
from parsers.html.datelines import (
    MAX_EDGE_LINE_CHARS, byline_like, comment_elements, dated_line_indexes, in_comment_thread, stamp,
)
from parsers.html.facts import MAX_ABOVE_TITLE_BLOCKS, Facts, read_profile_node, writes_month_first
from parsers.html.htmldate_fallback import htmldate_date
from parsers.html.page import Page, norm
from parsers.html.tree import MAX_LINK_DENSITY_PROSE, class_id
from parsers.html.wechat import is_wechat  # WeChat's visible date is written by a script from `var ct`

# Date metas, most specific first. Keys are lower-cased `name`/`property`/`itemprop` values.
_META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "publishdate",
    "pubdate", "publish_date", "publish-date", "publishtime", "datepublished", "dc.date.issued",
    "dc.date.created", "dc.date", "dcterms.issued", "dcterms.created", "sailthru.date", "release_date",
    "og:release_date", "weibo:article:create_at", "article:published", "firstpublishedtime",
    "article:published_date", "article:publicationdate", "article:post_date", "article.published",
    "og:article:published", "og:pubdate", "og:publish_date", "og:datepublished", "published_time",
    "published_date", "published-date", "publisheddate", "publication_date", "parsely-pub-date",
    "citation_publication_date", "citation_date", "dc.date.publication", "dc:date", "dc.created",
    "dc:created", "dcterms.date", "originalpublicationdate", "article_date_original", "bt:pubdate",
    "rnews:datepublished", "cxenseparse:recs:publishtime", "displaydate", "dateposted", "date_published",
    "datecreated", "date_created", "content_create_date", "date", "publish_time", "pub_date",
    "createdate", "created", "ptime", "pdate",
)
_META_KEY_NOISE_RE = re.compile(r"[^a-z0-9]")
_META_DATE_KEYS_BARE = tuple(dict.fromkeys(_META_KEY_NOISE_RE.sub("", k) for k in _META_DATE_KEYS))
# A meta that holds JSON with the publish date in it (Parse.ly's page meta).
_JSON_META_KEYS = ("parsely-page",)
# `"datePublished": "2024-11-03T10:55:00+08:00"` anywhere in the raw page (JSON-LD that does not
# parse, a framework's state script).
_JSON_PAIR_RE = re.compile(r'"(datePublished|dateCreated)"\s*:\s*"([^"<>]{8,40})"')
# Microdata on any element: <span itemprop="datePublished" content="…">06 Dicembre 2020</span>.
_ITEMPROP_VALUE_RE = re.compile(r"itemprop\s*=\s*[\"']?(datePublished|dateCreated)\b", re.I)
_DATE_ATTR_RE = re.compile(r"\b(content|datetime)\s*=\s*[\"']([^\"']{6,60})[\"']", re.I)
# <time> marked as the publication time by attribute or class.
_TIME_PUBLISHED_HINT_RE = re.compile(r"publish|pubdate|posted|created|date-?time-?pub", re.I)
# Elements whose dates belong to something else than the story: quoted/embedded posts, comments.
_EMBED_TAGS = frozenset({"blockquote", "figure", "aside"})
_EMBED_HINT_RE = re.compile(r"tweet|twitter|instagram|facebook|embed|comment|reply|related|teaser", re.I)
MAX_EMBED_DEPTH = 12          # ancestors looked at for an embedded post around a <time>
MAX_AFTER_LINES = 6           # lines read after the article for a labelled date
MAX_EDGE_LINES = 2            # lines read at the start and the end of the body, and after it
MAX_STAMP_LINE_CHARS = 200    # a longer edge line counts only for a date with a time
MAX_SHELL_BLOCKS = 10         # a page with no more text lines than this is a scripted shell
_UTC_OFFSETS = ("+00:00", "-00:00")
# A local clock can differ from UTC by -12:00 … +14:00, in whole quarter hours.
_MAX_OFFSET = timedelta(hours=14)
# A day alone is weaker evidence (it may be an update's day): only the offsets of most of the
# world's newsrooms (US Pacific to Australian Eastern) may explain it.
_MAX_DAY_OFFSET = timedelta(hours=10)


def extract_published_at(page: Page, facts: Facts, article_root: Tag | None,
                         is_epaper: bool) -> tuple[str | None, str | None]:
    """(ISO date or datetime, provenance); (None, None) when the page gives no usable date."""
    with month_first_dates(writes_month_first(page)):
        found = profile_date(page)
        if found:
            return found
        declared = declared_date(page)
        if declared:
            return localized(page, facts, article_root, declared)
        return shown_date(page, facts, article_root, is_epaper)


def page_published_at(page: Page) -> tuple[str | None, str | None]:
    """The date of a page that is not a story (a list, a channel, a photo page): what it declares for
    machines, else its URL's day; never a date from its text or its items' markup. htmldate is asked
    only when the page shows (almost) no text: a page its scripts fill in, whose markup is all
    there is to read (a list shows its items, and htmldate would date it by one of them)."""
    with month_first_dates(writes_month_first(page)):
        found = profile_date(page) or declared_date(page)
        if found:
            return localized(page, Facts(), None, found)
        value = date_from_url(page.url, page.now)
        if value:
            return value, "url"
        if len(page.index.blocks) <= MAX_SHELL_BLOCKS:
            found = htmldate_date(page, Facts(), None)  # a scripted shell: its markup is all there is
            if found:
                return found
        return None, None


def declared_date(page: Page) -> tuple[str, str] | None:
    """The date the page declares for machines (rule 2 of the module doc), before localizing."""
    now = page.now
    if page.ld and page.ld.date_published:
        value = parse_datetime(page.ld.date_published, now=now)
        if value:
            return value, "jsonld.datePublished"
    metas = page.head.metas
    # keys compared without their separators: article:published:time, Article_Published_Time …
    spelled = {}
    for key in metas:
        spelled.setdefault(_META_KEY_NOISE_RE.sub("", key), key)
    for wanted in _META_DATE_KEYS_BARE:
        key = spelled.get(wanted)
        raw = metas.get(key) if key else None
        if raw:
            value = parse_datetime(raw, now=now)
            if value:
                return value, page.head.source_of(key)
    for key in _JSON_META_KEYS:
        raw = metas.get(key)
        m = _JSON_PUB_DATE_RE.search(raw) if raw else None
        value = parse_datetime(m.group(1), now=now) if m else None
        if value:
            return value, page.head.source_of(key)
    found = microdata_date(page) or other_json_date(page)
    if found:
        return found
    if is_wechat(page):
        scripted = script_publish_time(page.html, now=now)
        if scripted:
            return scripted[0], f"script:{scripted[1]}"
    return None


_JSON_PUB_DATE_RE = re.compile(r'"pub_?date"\s*:\s*"([^"]{8,40})"', re.I)


def microdata_date(page: Page) -> tuple[str, str] | None:
    """`itemprop=datePublished` (or `dateCreated`) on an element that is not a meta or a time tag
    (those are read with the metas and the time tags): its `content`/`datetime` attribute, else
    the text right inside it. Read from the raw page: `itemprop` found with `str.find`, the tag
    around it parsed (a tree search costs ~1.5 ms a page, a case-insensitive regex over the page
    about as much)."""
    html = page.html
    at = html.find("itemprop")
    while at >= 0:
        prop = _ITEMPROP_VALUE_RE.match(html, at)
        start, end = html.rfind("<", 0, at), html.find(">", at)
        if prop and start >= 0 and end > at:
            tag = html[start + 1:end]
            name = tag.split(None, 1)[0].lower() if tag.strip() else ""
            if name not in ("meta", "time"):
                text_end = html.find("<", end)
                values = [a.group(2) for a in _DATE_ATTR_RE.finditer(tag)]
                values.append(html[end + 1: text_end if 0 <= text_end - end <= 120 else end + 1])
                for raw in values:
                    value = parse_datetime(html_unescape(raw), now=page.now) if raw.strip() else None
                    if value:
                        return value, f"itemprop[{prop.group(1)}]"
        at = html.find("itemprop", at + 8)
    return None


def other_json_date(page: Page) -> tuple[str, str] | None:
    """`datePublished`/`dateCreated` of a JSON-LD object that is not an article (WebPage,
    SocialMediaPosting, ClaimReview …; top-level and @graph objects only: a date nested inside,
    such as the reviewed claim's, is someone else's); when no parsed object has one, the first
    `"datePublished": "…"` pair in the raw page (JSON-LD with a syntax error, a framework's state)."""
    html = page.html
    if '"date' not in html:
        return None
    if "ld+json" in html:
        for obj in json_ld_objects(html):
            for key in ("datePublished", "dateCreated"):
                raw = obj.get(key)
                value = parse_datetime(raw, now=page.now) if isinstance(raw, str) else None
                if value:
                    return value, f"jsonld.{key}"
    for m in _JSON_PAIR_RE.finditer(html):
        value = parse_datetime(m.group(2), now=page.now)
        if value:
            return value, f"json:{m.group(1)}"
    return None


def shown_date(page: Page, facts: Facts, article_root: Tag | None,
               is_epaper: bool) -> tuple[str | None, str | None]:
    """The date the page shows its readers (rules 3-7 of the module doc)."""
    now = page.now
    if facts.published_at:
        return facts.published_at[0], facts.published_from[0]
    found = top_lines_date(page, facts)
    if found:
        return found
    found = time_tag_date(page, facts, article_root)
    if found:
        return found
    if facts.footer_dates:
        return facts.footer_dates[0]
    found = edge_line_date(page, facts) or labelled_date_after_article(page, facts)
    if found:
        return found
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
    if value:
        return value, "url"
    found = htmldate_date(page, facts, article_root)
    return found if found else (None, None)


# --- the page's own time for a UTC value -------------------------------------------------------------

def localized(page: Page, facts: Facts, article_root: Tag | None, declared: tuple[str, str]) -> tuple[str, str]:
    """`declared` in the page's own time when it is a UTC moment the page also shows locally.

    Evidence, strongest first: the same moment with another offset (a `<time datetime>` or a meta);
    a local clock without an offset that is a whole number of quarter hours away (a meta such as
    `sailthru.date`, a time under the headline): the offset is their difference; a day one off
    under the headline or in the URL that some real offset explains: that day, as a bare date.
    """
    value, source = declared
    if len(value) <= 10 or value[19:] not in _UTC_OFFSETS:
        return declared
    shown = [v[:10] for v in facts.published_at]
    if shown and shown[0] == value[:10]:
        return declared  # the page shows the UTC day itself
    moment = datetime.fromisoformat(value)
    for other in _local_moments(page, facts, article_root):
        shifted = _same_moment(moment, other)
        if shifted:
            return shifted, f"{source}+local"
    # a day shown under the headline decides; the URL's only when none is shown
    day = shown[0] if shown else date_from_url(page.url, page.now)
    if day and _day_explained(moment, day):
        return day, f"{source}+local"
    return declared


def _local_moments(page: Page, facts: Facts, article_root: Tag | None):
    """Datetimes the page prints for itself: header dates, time tags in the article, date metas."""
    for value in facts.published_at:
        if len(value) > 10:
            yield value
    if article_root is not None:
        for pos, tag in page.index.time_tags:
            if page.index.contains(article_root, pos):
                attr = tag.get("datetime")
                if isinstance(attr, str):
                    found = parse_datetime(attr, tz="", now=page.now)
                    if found and len(found) > 10:
                        yield found
    for key in _META_DATE_KEYS:
        raw = page.head.metas.get(key)
        if raw:
            found = parse_datetime(raw, tz="", now=page.now)
            if found and len(found) > 10:
                yield found


def _same_moment(moment: datetime, other: str) -> str | None:
    """`moment` written with `other`'s offset when `other` is that moment in local time: an explicit
    non-UTC offset and the same instant, or no offset and a clock whole quarter hours away."""
    offset = other[19:]
    local = datetime.fromisoformat(other[:19])
    if offset and offset not in _UTC_OFFSETS:
        there = datetime.fromisoformat(other)
        if abs((there - moment).total_seconds()) <= 60:
            return other
        return None
    if offset:
        return None
    delta = local - moment.replace(tzinfo=None)
    seconds = delta.total_seconds()
    if not seconds or abs(delta) > _MAX_OFFSET or abs(seconds) % 900 > 60 and 900 - abs(seconds) % 900 > 60:
        return None
    minutes = round(seconds / 900) * 15
    tz = timezone(timedelta(minutes=minutes))
    return moment.astimezone(tz).isoformat()


def _day_explained(moment: datetime, day: str) -> bool:
    """Whether `day` is the date of `moment` at some real offset, and not its UTC date."""
    if day == moment.date().isoformat():
        return False
    earliest = (moment - _MAX_DAY_OFFSET).date().isoformat()
    latest = (moment + _MAX_DAY_OFFSET).date().isoformat()
    return earliest <= day <= latest


# --- what the page shows -------------------------------------------------------------------------

def top_lines_date(page: Page, facts: Facts) -> tuple[str, str] | None:
    """Without a known headline the header zone starts at the article's first line; a date line just
    above it counts when it has a label or a time (a bare day up there is the top bar's "today")."""
    if facts.header_zone is None:
        return None
    start = facts.header_zone[0]
    blocks = page.index.blocks
    for i in range(start - 1, max(0, start - MAX_ABOVE_TITLE_BLOCKS) - 1, -1):
        b = blocks[i]
        if b.link_density > MAX_LINK_DENSITY_PROSE or b.chars > 150:
            continue
        value = dated_line(b.spaced, max_chars=60, max_words=20, now=page.now)
        if value and "T" in value:
            return value, "text:dated-line"
    return None


def time_tag_date(page: Page, facts: Facts, article_root: Tag | None) -> tuple[str, str] | None:
    """`<time>` inside the article (rule 4 of the module doc)."""
    if article_root is None:
        return None
    index = page.index
    end = index.blocks[facts.body_end].pos if facts.body_end is not None and facts.body_end < len(index.blocks) \
        else None
    header = None
    if facts.header_zone is not None and facts.header_zone[0] < facts.header_zone[1] <= len(index.blocks):
        lo, hi = facts.header_zone
        header = (index.blocks[lo].pos, index.blocks[hi].pos if hi < len(index.blocks) else None)
    inside = [(pos, tag) for pos, tag in index.time_tags if index.contains(article_root, pos)]
    if not inside:
        return None

    def in_header(pos: int) -> bool:
        return header is not None and header[0] <= pos and (header[1] is None or pos < header[1])

    def marked(tag: Tag) -> bool:
        return "pubdate" in tag.attrs or bool(_TIME_PUBLISHED_HINT_RE.search(
            f"{tag.get('itemprop') or ''} {class_id(tag)}"))

    own = [t for t in inside if not _embedded(t[1], article_root)]
    ranked = ([t for t in inside if in_header(t[0])] + [t for t in inside if marked(t[1])]
              + [t for t in own if end is None or t[0] < end] + [t for t in own if end is not None and t[0] >= end])
    for _pos, tag in ranked:
        attr = tag.get("datetime")
        raw = attr if isinstance(attr, str) and attr.strip() else tag.get_text()
        value = parse_datetime(raw, now=page.now) if isinstance(raw, str) else None
        if value:
            return value, "time[datetime]" if raw is attr else "time"
    return None


def _embedded(tag: Tag, root: Tag) -> bool:
    """Inside a quoted or embedded post, a comment or a teaser (between `tag` and the article root)."""
    node = tag.parent
    for _ in range(MAX_EMBED_DEPTH):
        if node is None or node is root:
            return False
        if node.name in _EMBED_TAGS or (node.attrs and _EMBED_HINT_RE.search(class_id(node))):
            return True
        node = node.parent
    return False


def edge_line_date(page: Page, facts: Facts) -> tuple[str, str] | None:
    """A byline-like date line at the edges of the body: its first lines (`von Fred Hüning 31.10.2023`,
    `jeudi 13 juin 2019`), its last lines or the lines right after it (`Autor: X | Artikel
    veröffentlicht am 16.12.2012`, `(2024-11-03 12:00) 午間新聞`). A labelled date counts; an
    unlabelled one when the line is short around it and does not read as a sentence (see
    `byline_like`)."""
    if facts.body_end is None or facts.header_zone is None:
        return None
    blocks = page.index.blocks
    start, end = facts.header_zone[1], facts.body_end
    if start >= end:
        return None
    edges = list(range(start, min(end, start + MAX_EDGE_LINES)))
    edges += [i for i in range(max(start + MAX_EDGE_LINES, end - MAX_EDGE_LINES), end)]
    for i in range(end, min(len(blocks), end + MAX_EDGE_LINES)):
        if is_end_of_article_line(blocks[i].text):
            break
        edges.append(i)
    dated_lines: list[int] | None = None
    for i in edges:
        b = blocks[i]
        if b.link_density > MAX_LINK_DENSITY_PROSE or b.chars > MAX_STAMP_LINE_CHARS:
            continue
        if comment_elements(b.element):
            dated_lines = dated_line_indexes(page) if dated_lines is None else dated_lines
            if in_comment_thread(page, b.element, dated_lines):
                continue
        labelled = find_labeled_datetime_with_label(b.spaced, now=page.now)
        if labelled:
            return labelled[0], f"text:{labelled[1]}"
        value = byline_like(b.spaced, page.now) if b.chars <= MAX_EDGE_LINE_CHARS else stamp(b.spaced, page.now)
        if value:
            return value, "text:body-edge"
    return None


def labelled_date_after_article(page: Page, facts: Facts) -> tuple[str, str] | None:
    """A labelled date (时间：…, Published: …) in the few lines right after the article's element,
    up to the heading of a story list (相关推荐, Related): some templates put the info box there."""
    if facts.body_end is None:
        return None
    blocks = page.index.blocks
    for i in range(facts.body_end, min(len(blocks), facts.body_end + MAX_AFTER_LINES)):
        b = blocks[i]
        if is_end_of_article_line(b.text):
            break
        if b.link_density > MAX_LINK_DENSITY_PROSE or b.chars > 120:
            continue
        labelled = find_labeled_datetime_with_label(b.spaced, now=page.now)
        if labelled:
            return labelled[0], f"text:{labelled[1]}"
    return None


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
