"""The publication date and where it came from.

Rules, first answer wins (every reader refuses future and impossible dates, so a bad value falls
through to the next rule):

1. a site profile's date node;
2. what the page declares for machines: JSON-LD `datePublished` (then `dateCreated`), the date metas
   (`article:published_time`, `publishdate`, `dc.date`, `parsely-pub-date`, …), microdata
   (`itemprop=datePublished` with a `content`/`datetime` attribute or a date as text), a
   `"datePublished": "…"` pair in a script the JSON parser could not read, a WeChat publish time
   kept in a script (`var ct`). When that value is in UTC and the page shows the same moment in
   its own time (a `<time>` or meta with another offset, a local clock a whole number of quarter
   hours away, or a day one off in the URL or under the headline), the page's own day wins: a
   story published at 22:28 in New York is dated that day, not the next day in UTC;
3. what the page shows near the headline: a labelled or unlabelled date between the headline and
   the body, an info line just above the headline (labelled, or with a time); without a known
   headline, the lines just above the article's first line (same rule);
4. `<time>` inside the article: one under the headline, a `pubdate`/`datePublished`/"published"
   one, else the first that is not in an embedded post (blockquote, tweet) or after the body;
5. a labelled date below the body (发布日期 at the foot of government pages), else a line that is
   only a date closing the body (`(2024-11-03 12:00) 午間新聞`);
6. the e-paper edition date; 7. the day in the URL.

Dates in sidebars, comment threads and story lists are never read: only the header zone, the
article's own elements and the lines right around the body are. A time without an offset is China
time (+08:00); a page's own offset is kept as written.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from bs4 import Tag

from parsers.dates import (
    date_from_url, dated_line, dates_in, find_labeled_datetime_with_label, month_first_dates, parse_datetime,
    parse_with_format, script_publish_time,
)
from parsers.metalines import is_end_of_article_line
from parsers.month_names import MONTH_NAMES
from parsers.html.facts import MAX_LINKED_DATE_CHARS, Facts, is_date_marked, read_profile_node, writes_month_first
from parsers.meta import json_ld_objects
from parsers.html.page import Page, norm
from parsers.html.tree import MAX_LINK_DENSITY_PROSE, class_id

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
# WeChat article markup: the visible date is written by a script from `var ct`.
_WECHAT_RE = re.compile(r"js_content|rich_media_content|activity-name|mp\.weixin\.qq\.com", re.I)
_WECHAT_MARKERS = ("js_content", "rich_media_content", "activity-name", "mp.weixin.qq.com")
# The only non-ASCII characters that re.IGNORECASE matches to a marker's letters (İ ı to i, ſ to s).
_FOLDS_TO_MARKER_LETTERS = ("\u0130", "\u0131", "\u017f")
# `"datePublished": "2024-11-03T10:55:00+08:00"` anywhere in the raw page (JSON-LD that does not
# parse, a framework's state script).
_JSON_PAIR_RE = re.compile(r'"(datePublished|dateCreated)"\s*:\s*"([^"<>]{8,40})"')
# Microdata on any element: <span itemprop="datePublished" content="…">…</span>.
_ITEMPROP_RE = re.compile(r"^(?:datePublished|dateCreated)$", re.I)
_ITEMPROP_HINT = re.compile(r"itemprop\s*=\s*[\"']?date(?:Published|Created)", re.I)
# <time> marked as the publication time by attribute or class.
_TIME_PUBLISHED_HINT_RE = re.compile(r"publish|pubdate|posted|created|date-?time-?pub", re.I)
# Elements whose dates belong to something else than the story: quoted/embedded posts, comments.
_EMBED_TAGS = frozenset({"blockquote", "figure", "aside"})
_EMBED_HINT_RE = re.compile(r"tweet|twitter|instagram|facebook|embed|comment|reply|related|teaser", re.I)
# Class/id words of a comment and its parts (`comment-meta`, `li.comment`, `reply`, `disqus_thread`).
# (`comments-open`, `comment-count`: a story's state or counter, not a comment)
_COMMENT_HINT_RE = re.compile(r"(?:^|[-_\s])(?:comments?|reply|replies|respond|discussion|disqus|talkback|kommentare?|"
                              r"commentaires?|comentarios?|pinglun|liuyan)"
                              r"(?!-(?:open|closed|off|on|count|counts|link|links|number|num|total|status|icon))"
                              r"(?:$|[-_\s\d])", re.I)
MAX_COMMENT_DEPTH = 4         # a comment's date line sits in the comment's element or just below it
MIN_THREAD_DATES = 2          # dated lines in a comment-marked element and its siblings: a thread
MAX_EMBED_DEPTH = 12          # ancestors looked at for an embedded post around a <time>
MAX_TOP_LINES = 3             # lines read above the article when its headline is unknown
MAX_AFTER_LINES = 6           # lines read after the article for a labelled date
MAX_EDGE_LINES = 2            # lines read at the start and the end of the body, and after it
MAX_EDGE_LINE_CHARS = 100     # a date line there: short,
MAX_EDGE_LINE_WORDS = 50      # with few words around the date,
MAX_EDGE_BARE_WORDS = 20      # and fewer still when it has no time and no separator
MAX_STAMP_LINE_CHARS = 200    # a longer edge line counts only for a date with a time
_INFO_SEPARATOR_RE = re.compile(r"[|｜/·•]")
_KEY_VALUE_RE = re.compile(r"^[^:：。.!?]{1,40}[:：]\s*$")
SENTENCE_END = (".", "!", "?", "。", "！", "？", "”", '"')
MAX_DATED_BLOCK_CHARS = 200   # lines looked at for the day htmldate found
MAX_SHELL_BLOCKS = 10         # a page with no more text lines than this is a scripted shell
_URL_MONTH_RE = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/")
MIN_LIST_DATES = 3            # dated lines under one parent: a story list
_DIGITS_RE = re.compile(r"\d{4}|\d\s*年")
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
    its text. Looked for only when the raw page has such an attribute."""
    if not _ITEMPROP_HINT.search(page.html):
        return None
    for tag in page.root.find_all(attrs={"itemprop": _ITEMPROP_RE}, limit=5):
        if tag.name in ("meta", "time"):
            continue
        for raw in (tag.get("content"), tag.get("datetime"), norm(tag.get_text(" "))):
            value = parse_datetime(raw, now=page.now) if isinstance(raw, str) and raw else None
            if value:
                return value, f"itemprop[{tag.get('itemprop')}]"
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


# --- htmldate, when the page's own markup and text give nothing ------------------------------------

def htmldate_date(page: Page, facts: Facts, article_root: Tag | None) -> tuple[str, str] | None:
    """htmldate's day (its extensive search: metas, JSON, date-marked elements, then the text), for
    a story none of the rules above could date. Its day is refused when the page shows it, but
    only where this module never reads a date: in story lists, as a bare day above the headline
    (a top bar's "today"), inside a sentence (`The trial begins on 12 March 2024.`), or outside
    the month the URL names."""
    max_date = (page.now or datetime.now(timezone.utc)).date().isoformat()
    try:
        with _htmldate_reading_dates_with_newsduck() as find_date:
            day = find_date(page.html, url=page.url, extensive_search=True, original_date=True, max_date=max_date)
    except Exception:  # a fallback must never break an extraction
        return None
    if day and _day_supported(page, facts, article_root, day) and _in_url_month(page.url, day):
        return day, "htmldate"
    return None


def _at_headline(facts: Facts, i: int) -> bool:
    """Line `i` is in the header zone or among the lines just above the headline."""
    if facts.header_zone is not None and facts.header_zone[0] <= i < facts.header_zone[1]:
        return True
    return facts.title_block is not None and facts.title_block - MAX_TOP_LINES <= i < facts.title_block


def _comment_elements(el: Tag) -> list[Tag]:
    """`el` and those of its close ancestors marked as a comment (`comment-meta`, `li.comment`,
    `#comments`, `reply`, `disqus` …)."""
    found = []
    node: Tag | None = el
    for _ in range(MAX_COMMENT_DEPTH):
        if node is None or not isinstance(node, Tag):
            break
        if node.attrs and _COMMENT_HINT_RE.search(class_id(node)):
            found.append(node)
        node = node.parent
    return found


def _dated_line_indexes(page: Page) -> list[int]:
    """Indexes of the page's short lines that carry a date, ascending."""
    return [j for j, b in enumerate(page.index.blocks)
            if b.chars <= MAX_DATED_BLOCK_CHARS and _DIGITS_RE.search(b.text) and dates_in(b.spaced, now=page.now)]


def _dated_lines_in(page: Page, el: Tag, dated_lines: list[int]) -> int:
    """How many of the dated lines (block indexes, ascending) are inside `el`'s parent (`el` and its
    sibling comments)."""
    container = el.parent if isinstance(el.parent, Tag) else el
    lo, hi = page.index.block_range(container)
    return bisect_left(dated_lines, hi) - bisect_left(dated_lines, lo)


def _in_url_month(url: str | None, day: str) -> bool:
    """False when the URL's path names a year and month (`/news/2011/12/slug`) that `day` is not in."""
    m = _URL_MONTH_RE.search((url or "").split("?", 1)[0])
    return m is None or day[:7] == f"{m.group(1)}-{int(m.group(2)):02d}"


class _DateReader:
    """What htmldate asks dateparser (`get_date_data(text)["date_obj"]`), answered by
    `parse_datetime`: dateparser costs ~10 ms a string (htmldate's extensive search sends it dozens
    on some pages: 1.8 s at worst on the dates corpus) where `parse_datetime` costs microseconds and
    reads the month names of parsers/month_names.py."""

    @staticmethod
    def get_date_data(text: str) -> dict[str, datetime | None]:
        value = parse_datetime(text, tz="")
        return {"date_obj": datetime.fromisoformat(value[:10]) if value else None}


def _month_words() -> frozenset[str]:
    """htmldate's gate "has a month name", from parsers/month_names.py instead of dateparser's
    locales (loading them costs ~140 ms once)."""
    return _MONTH_WORDS


_MONTH_WORDS = frozenset(name.replace("ı", "i").lower() for name in MONTH_NAMES)
# htmldate 1.11 reaches dateparser through these two functions of `htmldate.extractors`.
_HTMLDATE_SWAPS = {"get_external_parser": _DateReader, "month_words": _month_words}
_HTMLDATE_LOCK = threading.Lock()


@contextmanager
def _htmldate_reading_dates_with_newsduck():
    """htmldate's `find_date`, with its dateparser calls answered by newsduck's date reader for the
    call and htmldate put back as it was after (a swapped name a later htmldate no longer has is
    left alone: htmldate then runs unchanged)."""
    import htmldate.extractors as extractors  # a fallback: imported the first time a page needs it
    from htmldate import find_date

    with _HTMLDATE_LOCK:
        originals = {name: getattr(extractors, name) for name in _HTMLDATE_SWAPS if hasattr(extractors, name)}
        for name in originals:
            setattr(extractors, name, _HTMLDATE_SWAPS[name])
        try:
            yield find_date
        finally:
            for name, original in originals.items():
                setattr(extractors, name, original)


def _day_supported(page: Page, facts: Facts, article_root: Tag | None, day: str) -> bool:
    """True when no line shows `day` (it came from markup) and it is not a January 1 (htmldate's
    day for a lone year: a copyright line, `© 2016`), or when one that shows it dates the page: a
    labelled or byline-like date line that is not a story-list item or a comment (a link-heavy line
    longer than a date and a word or two outside the header; one of a parent's several dated lines;
    a line of a comment thread: an element marked as a comment whose parent holds another dated
    line), read above the headline by the rule of `scan_above_title`."""
    blocks = page.index.blocks
    year = day[:4]
    shown = [i for i, b in enumerate(blocks)
             if year in b.text and b.chars <= MAX_DATED_BLOCK_CHARS
             and any(d[:10] == day for d, _s, _e in dates_in(b.spaced, now=page.now))]
    if not shown:
        return not day.endswith("-01-01")
    dated_lines = _dated_line_indexes(page)
    dated_children: dict[int, int] = {}
    for j in dated_lines:
        parent = id(blocks[j].element.parent)
        dated_children[parent] = dated_children.get(parent, 0) + 1
    for i in shown:
        b = blocks[i]
        if dated_children.get(id(b.element.parent), 0) >= MIN_LIST_DATES:
            continue
        if any(_dated_lines_in(page, el, dated_lines) >= MIN_THREAD_DATES for el in _comment_elements(b.element)):
            continue  # a comment thread's date line
        if b.link_density > MAX_LINK_DENSITY_PROSE and b.chars > MAX_LINKED_DATE_CHARS and not _at_headline(facts, i):
            continue  # a teaser: a headline link and its date (a short line may link its date to the archive,
            # and the story's info line its author and section)
        labelled = find_labeled_datetime_with_label(b.spaced, now=page.now)
        value = labelled[0] if labelled else _byline_like(b.spaced, page.now)
        if not value or value[:10] != day:
            continue
        if facts.title_block is not None and i < facts.title_block and not labelled and "T" not in value and not (
                article_root is not None and page.index.contains(article_root, b.pos) and is_date_marked(b.element)):
            continue  # the rule of the lines above the headline: a bare day there is the top bar's "today"
        return True
    return False


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
    for i in range(start - 1, max(0, start - MAX_TOP_LINES) - 1, -1):
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
    `_byline_like`)."""
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
        hinted = _comment_elements(b.element)
        if hinted:
            dated_lines = _dated_line_indexes(page) if dated_lines is None else dated_lines
            if any(_dated_lines_in(page, el, dated_lines) >= MIN_THREAD_DATES for el in hinted):
                continue  # a comment thread's date line
        labelled = find_labeled_datetime_with_label(b.spaced, now=page.now)
        if labelled:
            return labelled[0], f"text:{labelled[1]}"
        value = _byline_like(b.spaced, page.now) if b.chars <= MAX_EDGE_LINE_CHARS else _stamp(b.spaced, page.now)
        if value:
            return value, "text:body-edge"
    return None


def _stamp(text: str, now: datetime | None) -> str | None:
    """The date of a longer line at the edge of the body that stamps the story with a date and a
    time (`Dieser Artikel wurde am 14. Dezember 2015 um 14:48 von X geschrieben und unter …`):
    prose gives a day, seldom a day and a minute."""
    found = dates_in(text, now=now)
    if len(found) == 1 and "T" in found[0][0]:
        return found[0][0]
    return None


def _byline_like(text: str, now: datetime | None) -> str | None:
    """The date of a line that dates the story rather than tells it: short around its date, not
    ending like a sentence after it, and with a time, an info-line separator or few words."""
    value = dated_line(text, max_chars=MAX_EDGE_LINE_CHARS, max_words=MAX_EDGE_LINE_WORDS, now=now)
    if value is None:
        return None
    spans = dates_in(text, now=now)
    line = text.rstrip()
    words = len(text) - sum(e - s for _, s, e in spans)
    if line.endswith(SENTENCE_END) and spans[-1][2] < len(line):
        return None
    if len(spans) == 1 and _KEY_VALUE_RE.match(text[:spans[0][1]]) and not text[spans[0][2]:].strip(" .)）"):
        return value  # `Date of last revision: August 9, 2017`: a key and its date
    rest = "".join(text[e:s2] for (_, _, e), (_, s2, _) in zip([("", 0, 0)] + spans, spans + [("", len(text), 0)]))
    if "T" in value or _INFO_SEPARATOR_RE.search(rest) or words <= MAX_EDGE_BARE_WORDS:
        return value
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


def is_wechat(page: Page) -> bool:
    if page.url and "mp.weixin.qq.com" in page.url:
        return True
    head = page.html[:200_000]
    # Same answer as _WECHAT_RE.search(head), which costs ~10 ms on a long page: a case-insensitive
    # alternation gets no fast literal scan, while lower() + `in` does.
    if any(char in head for char in _FOLDS_TO_MARKER_LETTERS):
        return bool(_WECHAT_RE.search(head))
    lowered = head.lower()
    return any(marker in lowered for marker in _WECHAT_MARKERS)


def epaper_edition_date(page: Page) -> str | None:
    """`2023年03月07日 星期二 第06版：市县·阜新` in the masthead: the edition date, as a bare date."""
    for b in page.index.blocks[:40]:
        if b.chars <= 60 and "版" in b.text and not b.link_chars:
            found = parse_datetime(b.text, now=page.now)
            if found:
                return found[:10]
    return None
