"""htmldate as the last date rule: its day for a story (or a scripted shell) nothing else dates,
checked against what the page shows.

htmldate's extensive search runs with its two dateparser calls (reading a date string, the
month-name gate) answered by `parsers.dates` for the call: dateparser costs ~10 ms a string and the
search sends dozens on some pages. htmldate 1.11.0 is pinned for it (pyproject.toml).
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from datetime import datetime, timezone

from bs4 import Tag

from parsers.dates import dates_in, find_labeled_datetime_with_label, parse_datetime
from parsers.month_names import MONTH_NAMES
from parsers.html.datelines import (
    MAX_DATED_BLOCK_CHARS, byline_like, dated_line_indexes, in_comment_thread,
)
from parsers.html.facts import MAX_ABOVE_TITLE_BLOCKS, MAX_LINKED_DATE_CHARS, Facts, is_date_marked
from parsers.html.page import Page
from parsers.html.tree import MAX_LINK_DENSITY_PROSE

# htmldate logs its own parse failures at ERROR ("parsed tree length: 0, wrong data type or not valid
# HTML"); here they only mean that it has no date to offer, which is no error of the page's. Its records stop at
# its own logger, whatever level another library gives it (trafilatura sets one).
_HTMLDATE_LOG = logging.getLogger("htmldate")
_HTMLDATE_LOG.addHandler(logging.NullHandler())  # a handler on the way, so logging's last resort never prints them
_HTMLDATE_LOG.propagate = False

MIN_LIST_DATES = 3            # dated lines under one parent: a story list
_URL_MONTH_RE = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/")


def htmldate_date(page: Page, facts: Facts, article_root: Tag | None) -> tuple[str, str] | None:
    """htmldate's day (its extensive search: metas, JSON, date-marked elements, then the text), for
    a story none of the date rules could date. Its day is refused when the page shows it, but only
    where those rules never read a date — in story lists and comment threads, as a bare day above the
    headline (a top bar's "today"), inside a sentence (`The trial begins on 12 March 2024.`) — or
    when it is outside the month the URL names."""
    max_date = (page.now or datetime.now(timezone.utc)).date().isoformat()
    try:
        with _htmldate_reading_dates_with_newsduck() as find_date:
            day = find_date(page.html, url=page.url, extensive_search=True, original_date=True, max_date=max_date)
    except Exception:  # a fallback must never break an extraction
        return None
    if day and _day_supported(page, facts, article_root, day) and _in_url_month(page.url, day):
        return day, "htmldate"
    return None


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
    dated_lines = dated_line_indexes(page)
    dated_children: dict[int, int] = {}
    for j in dated_lines:
        parent = id(blocks[j].element.parent)
        dated_children[parent] = dated_children.get(parent, 0) + 1
    for i in shown:
        b = blocks[i]
        if dated_children.get(id(b.element.parent), 0) >= MIN_LIST_DATES:
            continue
        if in_comment_thread(page, b.element, dated_lines):
            continue
        if b.link_density > MAX_LINK_DENSITY_PROSE and b.chars > MAX_LINKED_DATE_CHARS and not _at_headline(facts, i):
            continue  # a teaser: a headline link and its date (a short line may link its date to the archive,
            # and the story's info line its author and section)
        labelled = find_labeled_datetime_with_label(b.spaced, now=page.now)
        value = labelled[0] if labelled else byline_like(b.spaced, page.now)
        if not value or value[:10] != day:
            continue
        if facts.title_block is not None and i < facts.title_block and not labelled and "T" not in value and not (
                article_root is not None and page.index.contains(article_root, b.pos) and is_date_marked(b.element)):
            continue  # the rule of the lines above the headline: a bare day there is the top bar's "today"
        return True
    return False


def _at_headline(facts: Facts, i: int) -> bool:
    """Line `i` is in the header zone or among the lines just above the headline."""
    if facts.header_zone is not None and facts.header_zone[0] <= i < facts.header_zone[1]:
        return True
    return facts.title_block is not None and facts.title_block - MAX_ABOVE_TITLE_BLOCKS <= i < facts.title_block


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


def preload() -> None:
    """Import htmldate now (it is otherwise imported the first time a page needs it)."""
    import htmldate.extractors  # noqa: F401


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


