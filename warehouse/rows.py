"""PageResult -> table rows, in plain Python (no database). `load.py` turns these rows into Arrow tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from parsers.records import ArticleRecord, Author

from . import ids
from .models import ErrorInfo, PageResult

CHINA_TZ = timezone(timedelta(hours=8))
# Provenance keys a sub-article shares with the page it is printed on (the fields in `shared` below).
SHARED_PROVENANCE = ("published_at", "source_name", "site_name", "language")
_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Outcomes of one input, stored in fetches.outcome and counted in LoadCounts.
NEW, UPDATED, UNCHANGED, NOT_ARTICLE, DUPLICATE, ERROR = "new", "updated", "unchanged", "not_article", "duplicate", "error"
SKIPPED_ROBOTS, NO_EDITION = "skipped_robots", "no_edition"  # not errors: see PageResult.skipped


@dataclass
class Published:
    at: datetime | None = None
    day: date | None = None
    precision: str | None = None  # 'date' | 'datetime'


def parse_published(value: str | None) -> Published:
    """ISO 8601 from the parsers -> instant, local day and precision.

    A bare date becomes midnight China time with precision 'date' (the day is in `published_date`);
    a time without an offset is taken as China time, the parsers' convention. Unparseable text gives nothing
    (the text itself is kept in `published_raw`).
    """
    if not value:
        return Published()
    text = value.strip()
    try:
        if _BARE_DATE.match(text):
            day = date.fromisoformat(text)
            return Published(datetime.combine(day, time(0), CHINA_TZ), day, "date")
        moment = datetime.fromisoformat(text)
    except ValueError:
        return Published()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TZ)
    return Published(moment, moment.date(), "datetime")


# scheme://host[:port] followed by the path, query, fragment or the end: the common case, where the host is
# exactly what urlsplit(url).hostname gives (lower-cased). Anything else (user info, IPv6, spaces) goes to urlsplit.
_PLAIN_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|$)")


def site_of(*urls: str | None) -> str:
    """Host name of the first http(s) URL given, or 'file' for pages read from disk without a URL."""
    for url in urls:
        if url:
            plain = _PLAIN_HOST.match(url)
            host = plain.group(1).lower() if plain else urlsplit(url).hostname
            if host:
                return host
    return "file"


@dataclass
class ArticleRows:
    """One article (is_article True) and everything hanging off it, sub-articles included."""
    article_id: str
    content_sha256: str
    article: dict[str, Any]
    sub_articles: list[dict[str, Any]] = field(default_factory=list)
    paragraphs: list[dict[str, Any]] = field(default_factory=list)
    article_people: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    people: dict[str, str] = field(default_factory=dict)  # person_id -> name

    @property
    def all_article_ids(self) -> list[str]:
        return [self.article_id] + [s["article_id"] for s in self.sub_articles]


@dataclass
class PageRows:
    """What one input becomes. Exactly one of article / links (non-article page) / error is the payload."""
    fetch: dict[str, Any]
    body: bytes | None
    body_sha256: str | None
    key: str | None = None
    article: ArticleRows | None = None
    links: list[dict[str, Any]] | None = None  # for non-article pages, keyed by `key` as page_url
    errors: list[ErrorInfo] = field(default_factory=list)
    outcome: str = ERROR
    skipped: str | None = None  # PageResult.skipped: then there is no payload and no error
    source_id: str | None = None
    # Filled by `warehouse.prepare.prepare_pages` before the write lock is taken (the loader does it otherwise):
    raw: tuple[str, bytes] | None = None  # (compression, compressed body) for raw_pages
    fingerprint: Any = None               # relations.Fingerprint of the article's body and URLs
    batch: Any = None                     # prepare.BatchTables of the batch, and this page's index in it
    batch_index: int = -1
    alias_of: str | None = None           # the article this page's URL is a variant of (warehouse.variants)


def distinct_bodies(pages: list[PageRows]) -> dict[str, PageRows]:
    """body_sha256 -> the first page of the batch with that body: what `raw_pages` stores once."""
    first: dict[str, PageRows] = {}
    for page in pages:
        if page.body is not None and page.body_sha256 is not None:
            first.setdefault(page.body_sha256, page)
    return first


def page_rows(result: PageResult, *, source_id: str | None) -> PageRows:
    """Rows for one input. Raises on data the warehouse cannot represent (the caller turns that into an error)."""
    fetch = result.fetch
    body_sha = ids.sha256_hex(result.body) if result.body is not None else fetch.body_sha256
    charset = fetch.charset or (result.record.charset if result.record else None)
    rows = PageRows(
        fetch={
            "input": fetch.input,
            "url": fetch.url,
            "path": fetch.path,
            "fetched_at": fetch.fetched_at,
            "status": fetch.status,
            "content_type": fetch.content_type,
            "charset": charset,
            "bytes": fetch.bytes or (len(result.body) if result.body is not None else 0),
            "elapsed_ms": fetch.elapsed_ms,
            "body_sha256": body_sha,
            "error": fetch.error,
        },
        body=result.body,
        body_sha256=body_sha,
        source_id=source_id,
    )
    if result.skipped is not None:
        rows.skipped = result.skipped
        return rows
    if result.error is not None:
        rows.errors.append(result.error)
    record = result.record
    if record is None:
        if not rows.errors:
            stage = "fetch" if fetch.error else "load"
            rows.errors.append(ErrorInfo(fetch.input, stage, "NoRecord", fetch.error or "no record and no error for this input"))
        return rows

    rows.key = ids.article_key(record, fetch)
    if record.is_article:
        rows.article = article_rows(record, rows.key, fetch_url=fetch.url, fetch_path=fetch.path,
                                    source_id=source_id, body_sha256=body_sha)
    else:
        rows.links = [
            {"page_url": rows.key, "seq": seq, "url": link.url, "title": link.title}
            for seq, link in enumerate(record.links, 1)
        ]
    return rows


def article_rows(record: ArticleRecord, key: str, *, fetch_url: str | None, fetch_path: str | None,
                 source_id: str | None, body_sha256: str | None) -> ArticleRows:
    article_id = ids.article_id_for(key)
    content_hash = ids.content_sha256(ids.record_content(record))
    published = parse_published(record.published_at)
    url = record.url or fetch_url
    body_text = record.text
    shared = {  # what sub-articles inherit from the page they are printed on
        "url": url,
        "site": site_of(url, record.canonical_url),
        "source_id": source_id,
        "language": record.language,
        "published_at": published.at,
        "published_date": published.day,
        "published_precision": published.precision,
        "published_raw": record.published_at,
        "source_name": record.source_name,
        "site_name": record.site_name,
        "path": fetch_path or record.path,
        "body_sha256": body_sha256,
        "parser_version": record.parser_version,
    }
    sub_provenance = {k: v for k, v in record.provenance.items() if k in SHARED_PROVENANCE}
    rows = ArticleRows(
        article_id=article_id,
        content_sha256=content_hash,
        article={
            **shared,
            "article_id": article_id,
            "canonical_url": record.canonical_url,
            "parent_article_id": None,
            "sub_seq": None,
            "title": record.title,
            "kicker": record.kicker,
            "subtitle": record.subtitle,
            "lead": record.lead,
            "body_text": body_text,
            "original_url": record.original_url,
            "char_count": len(body_text),
            "content_sha256": content_hash,
            "provenance": provenance_json(record.provenance),
        },
    )
    rows.paragraphs.extend(
        {"article_id": article_id, "seq": seq, "kind": block.kind, "text": block.text}
        for seq, block in enumerate(record.body, 1)
    )
    add_people(rows, article_id, record.authors)
    rows.images.extend(
        {"article_id": article_id, "seq": seq, "src": image.src, "caption": image.caption, "credit": image.credit}
        for seq, image in enumerate(record.images, 1)
    )
    for sub_seq, sub in enumerate(record.sub_articles, 1):
        sub_id = ids.sub_article_id_for(article_id, sub_seq)
        sub_text = "\n\n".join(sub.paragraphs)
        rows.sub_articles.append({
            **shared,
            "article_id": sub_id,
            "canonical_url": None,
            "parent_article_id": article_id,
            "sub_seq": sub_seq,
            "title": sub.title,
            "kicker": None,
            "subtitle": None,
            "lead": None,
            "body_text": sub_text,
            "original_url": None,
            "char_count": len(sub_text),
            "content_sha256": ids.content_sha256(ids.sub_article_content(sub)),
            "provenance": provenance_json(sub_provenance),
        })
        rows.paragraphs.extend(
            {"article_id": sub_id, "seq": seq, "kind": "paragraph", "text": text}
            for seq, text in enumerate(sub.paragraphs, 1)
        )
        add_people(rows, sub_id, sub.authors)
    return rows


def provenance_json(provenance: dict[str, str]) -> str | None:
    """`articles.provenance`: the record's field -> source map as a JSON object; NULL when empty.
    Not part of content_sha256 (ids.record_content): where a value came from is not a change of content."""
    return ids.canonical_json(provenance) if provenance else None


def add_people(rows: ArticleRows, article_id: str, authors: list[Author]) -> None:
    for seq, author in enumerate(authors, 1):
        person_id = ids.person_id_for(author.name)
        rows.people[person_id] = author.name
        rows.article_people.append({"article_id": article_id, "person_id": person_id, "role": author.role, "seq": seq})
