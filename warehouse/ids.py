"""Stable identifiers and content fingerprints. The same page always gets the same ids, run after run."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from parsers.records import ArticleRecord, SubArticle

from .models import FetchInfo

ID_HEX_CHARS = 16


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:ID_HEX_CHARS]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def article_key(record: ArticleRecord, fetch: FetchInfo) -> str:
    """What identifies a page: its canonical URL, else the URL it was fetched from, else the file path."""
    for candidate in (record.canonical_url, fetch.url, record.url, fetch.path, record.path, fetch.input):
        if candidate:
            return candidate
    raise ValueError("page has no canonical URL, URL, path or input to identify it")


def article_id_for(key: str) -> str:
    return short_hash("url:" + key)


def sub_article_id_for(parent_id: str, seq: int) -> str:
    return short_hash(f"{parent_id}#{seq}")


def person_id_for(name: str) -> str:
    return short_hash("person:" + name)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_content(record: ArticleRecord) -> dict[str, Any]:
    """The fields whose change makes an article "updated". Fetch facts, URLs used as keys and the parser
    version are left out: refetching the same story from another URL or time is not a change."""
    return {
        "is_article": record.is_article,
        "title": record.title,
        "kicker": record.kicker,
        "subtitle": record.subtitle,
        "lead": record.lead,
        "published_at": record.published_at,
        "authors": [[a.name, a.role] for a in record.authors],
        "source_name": record.source_name,
        "site_name": record.site_name,
        "original_url": record.original_url,
        "canonical_url": record.canonical_url,
        "language": record.language,
        "body": [[b.kind, b.text] for b in record.body],
        "images": [[i.src, i.caption, i.credit] for i in record.images],
        "sub_articles": [sub_article_content(s) for s in record.sub_articles],
    }


def sub_article_content(sub: SubArticle) -> dict[str, Any]:
    return {
        "title": sub.title,
        "authors": [[a.name, a.role] for a in sub.authors],
        "paragraphs": list(sub.paragraphs),
    }


def content_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
