"""HTML → ArticleRecord with BeautifulSoup (lxml tree builder).

Modules (one concern each; the public names below stay importable from `parsers.html`):
- tree.py     pre-clean (strip_non_content), TextBlock/Anchor/PageIndex, the one index walk
- builder.py  bs4's lxml tree builder without the namespace work (same tree, built faster)
- page.py     Page: the parsed tree + index + head metadata (build_page)
- content.py  main-content scoring and selection, containers that continue a split body
- noise.py    boilerplate inside the body containers: captions, galleries, story-list items …
- layout.py   Layout: body containers, headline, header/footer zones (locate_article)
- blocks.py   prose/heading predicates, body paragraphs, pull quotes, e-paper sub-articles
- bodyselect.py which blocks are the body: the layout's candidates, corrected by the body classifier
- blockfeatures.py / bodymodel.py  the classifier's per-block features and its tree model (parsers/models)
- title.py    headline, kicker, subtitle
- facts.py    Facts: bylines, 来源, dates, editor lines and 原文链接 read around the body
- images.py   article photos with caption and credit
- dates.py    published_at (uses parsers/dates.py)
- datelines.py which dated lines date the story (byline-like lines, comment threads)
- htmldate_fallback.py  htmldate as the last date rule, its answer checked against the page
- people.py   authors
- site.py     source, site name, canonical URL, e-paper detection, language
- links.py    page kind (story / list / error) and a list page's story links
- metadata.py the record's metadata fields with provenance; site-profile hooks (parsers/profiles)
This file only wires them together in `extract_html`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime

from bs4 import MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

from parsers.profiles import ProfileSet
from parsers.records import ArticleRecord, SubArticle
from parsers.html.blocks import extract_body_blocks, extract_sub_articles, trim_edges
from parsers.html.bodyselect import choose_body_blocks, rule_candidates
from parsers.html.statedbody import apply_statement
from parsers.html.facts import Facts, read_portrait_bylines, scan_above_title, scan_footer_zone, scan_header_zone
from parsers.html.images import Figure, extract_images
from parsers.html.layout import Layout, locate_article
from parsers.html.links import (
    MAX_ERROR_PAGE_PROSE_CHARS, bare_document_text, classify_page, declares_one_story, extract_links, is_error_page,
    is_main_text, prose_chars,
)
from parsers.html.page import Page, build_page
from parsers.html.metadata import (
    fill_article_metadata, fill_language, fill_page_metadata, profile_container, select_profile,
)
from parsers.html.title import extract_kicker_subtitle, extract_title
from parsers.html.tree import PageIndex, TextBlock, index_page, strip_non_content

__all__ = ["extract_html", "read_page", "PageReading", "strip_non_content", "index_page", "build_page",
           "locate_article", "PageIndex", "TextBlock"]

# Pages are HTML by contract (XHTML e-papers, feeds served as text/html): lxml's HTML parser
# handles them, and the warnings would only be noise in pipeline logs.
for _category in (XMLParsedAsHTMLWarning, MarkupResemblesLocatorWarning):
    warnings.filterwarnings("ignore", category=_category, module=r"parsers\.html")


@dataclass
class PageReading:
    """What is known of a page before its body is chosen: the layout, the headline parts, the blocks
    that are never body (`skip`: headline, 引题/副题, captions, sub-articles) and the facts read so far."""
    page: Page
    layout: Layout
    skip: set[int]
    facts: Facts
    title: tuple[str | None, str | None]
    kicker: str | None
    subtitle: str | None
    heading_sources: dict[str, str]
    figures: list[Figure]
    subs: list[SubArticle]


def read_page(html: str, *, url: str | None = None, now: datetime | None = None,
              profiles: ProfileSet | None = None) -> PageReading:
    """Parse a page and read everything but its body (`extract_html`'s first stage; the body
    classifier's training reads pages the same way)."""
    page = build_page(html, url, now, select_profile(url, profiles))
    blocks = page.index.blocks
    layout = locate_article(page)
    title = extract_title(page, layout.title_block)
    kicker, subtitle, skip, heading_sources = extract_kicker_subtitle(page, layout.title_block, layout.header_end,
                                                                      title[0])
    if layout.title_block is not None:
        skip.add(layout.title_block)

    stop_elements = [e for e in (layout.content,) if e is not None]
    if layout.title_block is not None:
        stop_elements.append(blocks[layout.title_block].element)
    image_containers = [c for c in (profile_container(page, "images"),) if c is not None] or layout.containers
    figures, caption_blocks, portrait_blocks = extract_images(page, layout.title_pos, image_containers, stop_elements)
    skip |= caption_blocks
    layout.noise |= portrait_blocks  # never body, still read for the byline

    facts = Facts()
    subs, sub_blocks = extract_sub_articles(page, layout.content_hi, layout.root_hi, facts)
    skip |= sub_blocks
    scan_header_zone(page, layout.header_start, layout.header_end, skip, facts)
    read_portrait_bylines(page, portrait_blocks, facts)
    return PageReading(page, layout, skip, facts, title, kicker, subtitle, heading_sources, figures, subs)


def extract_html(html: str, *, url: str | None = None, path: str | None = None,
                 now: datetime | None = None, profiles: ProfileSet | None = None) -> ArticleRecord:
    """Extract one page. `now` bounds dates ("never future"); default: the current time.
    `profiles`: site profiles to choose from by the URL's host (default: parsers/profiles/*.toml;
    `ProfileSet()` for none)."""
    reading = read_page(html, url=url, now=now, profiles=profiles)
    page, layout, skip, facts = reading.page, reading.layout, reading.skip, reading.facts
    title = reading.title[0]
    # captions, share bars, story lists … inside the containers: not body text, but their
    # lines are still read for bylines and dates by the zone scans
    chosen = apply_statement(page, choose_body_blocks(page, layout, skip), skip)
    candidates = set(rule_candidates(page, layout, skip))
    body, lead, rule_body = extract_body_blocks(page, chosen, facts, trusted=candidates)
    scan_footer_zone(page, layout.content_hi, layout.root_hi, skip, facts)
    if layout.title_block is not None:
        scan_above_title(page, layout.title_block, skip, facts, layout.article_root)

    record = ArticleRecord(path=path, url=url)
    record.is_article = layout.content is not None and classify_page(page, rule_body, title, layout.containers,
                                                                       chosen=body)
    fill_page_metadata(record, page, title)
    if record.is_article:
        record.body = trim_edges(body)  # the metadata readers below still see the edges (bylines, credits)
        record.images = [f.image for f in reading.figures]
        record.sub_articles = reading.subs
        fill_article_metadata(record, page, facts=facts, figures=reading.figures, body=body,
                              article_root=layout.article_root, footer=(layout.content_hi, layout.root_hi),
                              title=reading.title, kicker=reading.kicker, subtitle=reading.subtitle,
                              heading_sources=reading.heading_sources, lead=lead)
        lang_text = "".join(b.text for b in body)
    else:
        error = prose_chars(rule_body) < MAX_ERROR_PAGE_PROSE_CHARS and is_error_page(page)
        record.links = [] if error else extract_links(page)
        if not error and is_main_text(body, record.links):
            record.body = trim_edges(body)  # a page that is no story but has a text (an about page, a guide)
        elif not error:
            record.body = bare_document_text(page)
        if not error and declares_one_story(page):
            # a story whose body could not be read (rendered by script, cut short): its metadata still holds
            fill_article_metadata(record, page, facts=facts, figures=[], body=[], article_root=layout.article_root,
                                  footer=(layout.content_hi, layout.root_hi), title=reading.title,
                                  kicker=reading.kicker, subtitle=reading.subtitle,
                                  heading_sources=reading.heading_sources, lead=None)
        lang_text = "".join(b.text for b in page.index.blocks[:400])
    fill_language(record, page, lang_text or (title or ""))
    return record
