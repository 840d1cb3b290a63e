"""Metadata fields of the record and their provenance, and the site-profile hooks of the extractor.

`extract_html` finds the layout, the headline and the body; this module fills in everything else
that describes the story (date, people, 来源, URLs, site name, language) and records in
`record.provenance` where each value came from (docs/metadata.md lists the source names).
"""

from __future__ import annotations

from bs4 import Tag

from parsers.profiles import Profile, ProfileSet, default_profiles
from parsers.language import language_and_source
from parsers.provenance import note_author, note_field
from parsers.records import ArticleRecord, Block
from parsers.html.dates import extract_published_at, page_published_at
from parsers.html.facts import Facts, extract_original_url_from_links
from parsers.html.images import Figure
from parsers.html.page import Page
from parsers.html.people import extract_authors
from parsers.html.site import (
    extract_canonical_url, extract_site_name, extract_source, is_epaper_page,
)

__all__ = ["select_profile", "profile_container", "fill_page_metadata", "fill_article_metadata",
           "fill_language"]


def select_profile(url: str | None, profiles: ProfileSet | None) -> Profile | None:
    """The site profile for `url`: from `profiles`, or the shipped ones when None (pass an empty
    ProfileSet() for the generic extractor alone)."""
    if not url or profiles is not None and not profiles.profiles:
        return None  # nothing to match: the shipped profiles are not even loaded
    return (profiles if profiles is not None else default_profiles()).for_url(url)


def profile_container(page: Page, key: str) -> Tag | None:
    """The profile's `body` or `images` element when it matches one that holds text or images."""
    profile = page.profile
    node = profile.select_one(key, page.root) if profile is not None else None
    if node is None or page.index.span(node) is None:
        return None
    if key == "images":
        return node if page.index.images_in(node) else None
    return node if page.index.chars_in(node) else None


def fill_page_metadata(record: ArticleRecord, page: Page, title: str | None) -> None:
    """Site name and canonical URL: set for every page, story or not; a page that is not a story
    gets the date it declares (metas, JSON-LD), its URL's, or htmldate's for a scripted shell (no text to
    read), never one read from its text (see parsers/html/dates.py, page_published_at)."""
    record.site_name, source = extract_site_name(page, title)
    note_field(record.provenance, "site_name", source, record.site_name)
    record.canonical_url, source = extract_canonical_url(page)
    note_field(record.provenance, "canonical_url", source, record.canonical_url)
    if not record.is_article:
        record.published_at, source = page_published_at(page)
        note_field(record.provenance, "published_at", source, record.published_at)


def fill_article_metadata(record: ArticleRecord, page: Page, *, facts: Facts, figures: list[Figure],
                          body: list[Block], article_root: Tag | None, footer: tuple[int, int],
                          title: tuple[str | None, str | None], kicker: str | None, subtitle: str | None,
                          heading_sources: dict[str, str], lead: str | None) -> None:
    """Headline parts, lead, authors, date, 来源 and 原文链接 of a story, with provenance."""
    prov = record.provenance
    record.title = title[0]
    note_field(prov, "title", title[1], record.title)
    record.kicker, record.subtitle, record.lead = kicker, subtitle, lead
    for name in ("kicker", "subtitle"):
        note_field(prov, name, heading_sources.get(name), getattr(record, name))
    note_field(prov, "lead", "lead-box", lead)

    is_epaper = is_epaper_page(page)
    record.authors = []
    for author, source in extract_authors(page, facts, figures, body):
        record.authors.append(author)
        note_author(prov, author, source)
    record.published_at, source = extract_published_at(page, facts, article_root, is_epaper)
    note_field(prov, "published_at", source, record.published_at)
    record.source_name, source = extract_source(page, facts, is_epaper, body)
    note_field(prov, "source_name", source, record.source_name)
    if facts.original_urls:
        record.original_url = facts.original_urls[0]
        note_field(prov, "original_url", facts.original_urls_from[0])
    else:
        record.original_url = extract_original_url_from_links(page, *footer)
        note_field(prov, "original_url", "link:原文链接", record.original_url)


def fill_language(record: ArticleRecord, page: Page, text: str) -> None:
    declared = page.head.html_lang or page.head.metas.get("og:locale")
    record.language, source = language_and_source(text, declared)
    note_field(record.provenance, "language", source, record.language)
