"""Per-page checks of one extraction against a corpus page's gold (see bench/corpora.py for the keys).

Text is compared with all whitespace removed and HTML entities decoded (zh-news-dev's rule, used
everywhere): `compact`. Titles are also compared once their typography is made uniform
(`typographic`): invisible characters (soft hyphen, zero-width space and joiners, word joiner, BOM,
direction marks) dropped, curly and low quotes read as straight ones, for every tool alike. A check
that has no gold on a page, or whose tool does not report the field, gives None and is left out of
that field's mean.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

from bench.metrics import PageScore, score_page
from bench.rivals import Extraction

_SPACE_RE = re.compile(r"\s+")
# Characters that change no visible text, and quote marks that differ from straight quotes only in style.
_TYPOGRAPHY = str.maketrans({
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c", ""),
    **dict.fromkeys("‘’‚‛", "'"),
    **dict.fromkeys("“”„‟", '"'),
})
FIELDS = ("title", "date", "authors", "source", "clean_body", "is_article")
CLEAN_BODY_PARTS = ("starts", "ends", "snippets", "no_boilerplate")


def compact(text: str | None) -> str:
    return _SPACE_RE.sub("", html.unescape(unicodedata.normalize("NFC", text or "")))


def _name(text: str) -> str:
    return compact(text).casefold().strip(".,;:")


def typographic(text: str) -> str:
    """`text` without invisible characters, its curly and low quotes straight."""
    return text.translate(_TYPOGRAPHY)


def title_ok(gold: str | None, found: str | None) -> bool:
    """Equal as `compact` text once typography is uniform (`typographic`); nothing else is forgiven."""
    return typographic(compact(gold)) == typographic(compact(found))


def date_ok(gold: str | None, found: str | None) -> bool:
    """Same day; a page whose gold has no date is right only when the tool gives none."""
    return (found or None) == (gold or None)


def authors_ok(gold: list[str], found: list[str] | None) -> bool:
    return {_name(n) for n in gold if _name(n)} == {_name(n) for n in found or [] if _name(n)}


def clean_body_parts(gold: dict[str, Any], body: str | None) -> dict[str, float]:
    """zh-news-dev's four checks: the text starts with the first paragraph, ends with the last, holds
    the snippets (the share held), and holds none of the boilerplate."""
    text = compact(body)
    snippets = [compact(s) for s in gold.get("snippets") or [] if compact(s)]
    boilerplate = [compact(s) for s in gold.get("boilerplate") or [] if compact(s)]
    return {
        "starts": float(bool(gold.get("first")) and text.startswith(compact(gold["first"]))),
        "ends": float(bool(gold.get("last")) and text.endswith(compact(gold["last"]))),
        "snippets": sum(s in text for s in snippets) / len(snippets) if snippets else 1.0,
        "no_boilerplate": float(not any(s in text for s in boilerplate)),
    }


def check_page(gold: dict[str, Any], found: Extraction, reports: frozenset[str]) -> dict[str, Any]:
    """{field: True/False, "clean_body": mean of the parts, "clean_parts": {...}, "body": PageScore} for the
    fields that have gold on the page and that the tool reports (`reports`: bench.rivals.REPORTS)."""
    checks: dict[str, Any] = {}
    article = gold.get("is_article", True)
    if "is_article" in gold and "is_article" in reports:
        checks["is_article"] = bool(found.is_article) == gold["is_article"]
    if "body" in gold:
        checks["body"] = score_page(gold["body"], found.body)
    if not article:
        return checks
    if gold.get("title") and "title" in reports:
        checks["title"] = title_ok(gold["title"], found.title)
    if "date" in gold and "date" in reports:
        checks["date"] = date_ok(gold["date"], found.date)
    if "authors" in gold and "authors" in reports:
        checks["authors"] = authors_ok(gold["authors"], found.authors)
    if gold.get("source") and "source" in reports:
        checks["source"] = compact(found.source) == compact(gold["source"])
    if "first" in gold:
        parts = clean_body_parts(gold, found.body)
        checks["clean_parts"] = parts
        checks["clean_body"] = sum(parts.values()) / len(parts)
    return checks


def body_f1(scores: list[PageScore]) -> float:
    from bench.metrics import summarize
    return summarize(scores).f1 if scores else float("nan")
