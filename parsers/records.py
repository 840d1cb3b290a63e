"""Plain records that the parsers produce. No I/O, no Prefect, no DuckDB.

`ArticleRecord.to_dict()` is the public JSON shape of `newsduck extract`:
exactly the keys in `EXTRACT_KEYS`, missing values as None or [].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PARSER_VERSION = "0.16.0"  # raised whenever extraction output changes: `newsduck reparse` brings stored articles up to it

ROLES = ("reporter", "author", "photographer", "editor", "correspondent")
BLOCK_KINDS = ("paragraph", "heading", "quote", "list_item")

EXTRACT_KEYS = (
    "path", "url", "is_article", "title", "kicker", "subtitle", "lead", "published_at",
    "authors", "source_name", "site_name", "original_url", "canonical_url", "language",
    "sections", "paragraphs", "images", "sub_articles", "links", "text", "provenance",
)


@dataclass(frozen=True)
class Author:
    name: str
    role: str  # one of ROLES


@dataclass
class Image:
    src: str | None  # None for images known only from a text dump (caption and credit, no file)
    caption: str | None = None
    credit: str | None = None


@dataclass
class Block:
    """One body element in document order. Headings are the article's sections."""
    kind: str  # one of BLOCK_KINDS
    text: str


@dataclass
class SubArticle:
    title: str
    authors: list[Author] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Link:
    url: str
    title: str


@dataclass
class ArticleRecord:
    path: str | None = None
    url: str | None = None
    is_article: bool = True
    title: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    lead: str | None = None
    published_at: str | None = None  # ISO 8601; "+08:00" for Chinese local time; a bare date when only a date is known
    authors: list[Author] = field(default_factory=list)
    source_name: str | None = None
    site_name: str | None = None
    original_url: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    body: list[Block] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    sub_articles: list[SubArticle] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    charset: str | None = None  # how the bytes were decoded
    parser_version: str = PARSER_VERSION
    # Where each metadata value came from: field -> source, e.g. "published_at": "meta[PubDate]",
    # "title": "h1", "source_name": "text:来源", "authors.reporter": "byline:本报记者" (one key per
    # author role; several sources of one role are joined with ", "). See docs/metadata.md.
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def sections(self) -> list[str]:
        return [b.text for b in self.body if b.kind == "heading"]

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.body if b.kind != "heading"]

    @property
    def text(self) -> str:
        """The body as a reader reads it: section headings and paragraphs in order, one per block."""
        return "\n\n".join(b.text for b in self.body)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "url": self.url,
            "is_article": self.is_article,
            "title": self.title,
            "kicker": self.kicker,
            "subtitle": self.subtitle,
            "lead": self.lead,
            "published_at": self.published_at,
            "authors": [{"name": a.name, "role": a.role} for a in self.authors],
            "source_name": self.source_name,
            "site_name": self.site_name,
            "original_url": self.original_url,
            "canonical_url": self.canonical_url,
            "language": self.language,
            "sections": self.sections,
            "paragraphs": self.paragraphs,
            "images": [{"src": i.src, "caption": i.caption, "credit": i.credit} for i in self.images],
            "sub_articles": [
                {
                    "title": s.title,
                    "authors": [{"name": a.name, "role": a.role} for a in s.authors],
                    "paragraphs": list(s.paragraphs),
                }
                for s in self.sub_articles
            ],
            "links": [{"url": l.url, "title": l.title} for l in self.links],
            "text": self.text,
            "provenance": dict(self.provenance),
        }
