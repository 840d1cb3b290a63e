"""Lines that carry a date, and which of them date the story: a byline-like line (short around its
date, not a sentence), a line stamping the story with a date and a time, and the lines of a comment
thread, whose dates are the comments'. Used by the date rules (parsers/html/dates.py) and by the
check of htmldate's answer (parsers/html/htmldate_fallback.py)."""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import datetime

from bs4 import Tag

from parsers.dates import dated_line, dates_in
from parsers.html.page import Page
from parsers.html.tree import class_id

MAX_EDGE_LINE_CHARS = 100     # a byline-like line: short,
MAX_EDGE_LINE_WORDS = 50      # with few words around its date,
MAX_EDGE_BARE_WORDS = 20      # and fewer still when it has no time and no separator
MAX_DATED_BLOCK_CHARS = 200   # lines looked at as dated lines
_FIELD_SEPARATOR_RE = re.compile(r"[|｜/·•]")
_KEY_VALUE_RE = re.compile(r"^[^:：。.!?]{1,40}[:：]\s*$")
SENTENCE_END = (".", "!", "?", "。", "！", "？", "”", '"')
_DIGITS_RE = re.compile(r"\d{4}|\d\s*年")
# Class/id words of a comment and its parts (`comment-meta`, `li.comment`, `reply`, `disqus_thread`);
# `comments-open`, `comment-count` describe a story, not a comment.
_COMMENT_HINT_RE = re.compile(r"(?:^|[-_\s])(?:comments?|reply|replies|respond|discussion|disqus|talkback|kommentare?|"
                              r"commentaires?|comentarios?|pinglun|liuyan)"
                              r"(?!-(?:open|closed|off|on|count|counts|link|links|number|num|total|status|icon))"
                              r"(?:$|[-_\s\d])", re.I)
MAX_COMMENT_DEPTH = 4         # a comment's date line sits in the comment's element or just below it
MIN_THREAD_DATES = 2          # dated lines around a comment-marked element: a thread


def byline_like(text: str, now: datetime | None) -> str | None:
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
    rest, pos = [], 0
    for _, start, end in spans:
        rest.append(text[pos:start])
        pos = end
    rest.append(text[pos:])
    if "T" in value or _FIELD_SEPARATOR_RE.search(" ".join(rest)) or words <= MAX_EDGE_BARE_WORDS:
        return value
    return None


def stamp(text: str, now: datetime | None) -> str | None:
    """The date of a longer line at the edge of the body that stamps the story with a date and a
    time (`Dieser Artikel wurde am 14. Dezember 2015 um 14:48 von X geschrieben und unter …`):
    prose gives a day, seldom a day and a minute."""
    found = dates_in(text, now=now)
    if len(found) == 1 and "T" in found[0][0]:
        return found[0][0]
    return None


def in_comment_thread(page: Page, el: Tag, dated_lines: list[int]) -> bool:
    """`el` is (in) an element marked as a comment whose parent holds another dated line (`dated_lines`:
    `dated_line_indexes(page)`): a comment thread's date line."""
    return any(_dated_lines_in(page, node, dated_lines) >= MIN_THREAD_DATES for node in comment_elements(el))


def comment_elements(el: Tag) -> list[Tag]:
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


def dated_line_indexes(page: Page) -> list[int]:
    """Indexes of the page's short lines that carry a date, ascending."""
    return [j for j, b in enumerate(page.index.blocks)
            if b.chars <= MAX_DATED_BLOCK_CHARS and _DIGITS_RE.search(b.text) and dates_in(b.spaced, now=page.now)]


def _dated_lines_in(page: Page, el: Tag, dated_lines: list[int]) -> int:
    """How many of the dated lines (block indexes, ascending) are inside `el`'s parent (`el` and its
    sibling comments)."""
    container = el.parent if isinstance(el.parent, Tag) else el
    lo, hi = page.index.block_range(container)
    return bisect_left(dated_lines, hi) - bisect_left(dated_lines, lo)


