"""Provenance: where each metadata value of an ArticleRecord came from.

`ArticleRecord.provenance` maps a field name to a short source name (`"published_at": "meta[PubDate]"`,
`"title": "h1"`, `"source_name": "text:来源"`). Authors are recorded per role: `authors.reporter`,
`authors.editor`, …; when people of one role come from several places, the sources are joined with
", " in the order they were first used (`"authors.author": "jsonld.author, meta[author]"`).
docs/metadata.md lists the source names.
"""

from __future__ import annotations

from parsers.records import Author

__all__ = ["note_field", "note_author", "author_key"]


def note_field(provenance: dict[str, str], field: str, source: str | None, value: object = True) -> None:
    """Record `source` for `field` when the field got a value (first source wins)."""
    if source and value not in (None, "", []) and field not in provenance:
        provenance[field] = source


def author_key(role: str) -> str:
    return f"authors.{role}"


def note_author(provenance: dict[str, str], author: Author, source: str) -> None:
    """Add `source` to the sources of the author's role."""
    key = author_key(author.role)
    existing = provenance.get(key)
    if existing is None:
        provenance[key] = source
    elif source not in existing.split(", "):
        provenance[key] = f"{existing}, {source}"
