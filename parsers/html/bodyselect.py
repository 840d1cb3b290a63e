"""Which text blocks are the article's body.

The rule-based layout (parsers/html/layout.py) finds the body containers by text density and drops the
boilerplate inside them (captions, galleries, story lists …): its blocks are the rule candidates. The body
classifier (parsers/html/bodymodel.py) then looks at every block of the page, with the layout's decisions
among its features: a candidate stays unless the model scores it below its `keep` threshold (boilerplate
inside the containers goes), and a block outside them joins when the model finds it more likely body than
not (`add`): article text the containers missed (a body split around a figure or an ad, a first paragraph
above the container) comes back. The classifier is only asked when the layout is unsure (`layout_is_sure`).
Blocks that are the headline, 引题/副题, captions or sub-articles (`skip`), and the boilerplate the layout
recognised by its markup inside the containers (captions, galleries, share bars, story lists:
`layout.noise`) are never body, nor are story-list items above the headline (a ticker of other stories).
Without a model file the rule candidates are the body.
"""

from __future__ import annotations

import re

import numpy as np
from bs4 import Tag

from parsers.html.blockfeatures import FEATURE_NAMES, block_features
from parsers.html.blocks import is_prose
from parsers.html.content import MIN_TEASER_LINK_DENSITY
from parsers.html.bodymodel import current_model
from parsers.html.layout import Layout
from parsers.html.page import Page
from parsers.html.tree import in_region


def rule_candidates(page: Page, layout: Layout, skip: set[int]) -> list[int]:
    """Blocks of the body containers in document order, less `skip` and the containers' boilerplate."""
    out: list[int] = []
    for container in layout.containers:
        lo, hi = page.index.block_range(container)
        out.extend(i for i in range(lo, hi) if i not in skip and i not in layout.noise)
    return sorted(set(out))


# The layout is sure of a page whose main container holds this share of the page's prose: there the
# classifier changes little (on the development fold of study sites it runs on a third of the pages and
# gives 0.940 against 0.943 when it runs on all, scrapinghub 0.968 against 0.960) and costs as much as
# the rest of the extraction, so it is not asked.
SURE_TOP_SHARE = 0.6


def layout_is_sure(page: Page, layout: Layout) -> bool:
    """The main container holds at least SURE_TOP_SHARE of the page's prose (blocks of 15+ characters
    with punctuation and little link text), no wrapper whose class names boilerplate was kept in the
    containers for its weight (`layout.doubted`: a listicle's slides, or a comment thread or a slideshow
    of other stories that outweighs a short story), and the main container is in no side region
    (`in_side_region`: an author's profile or a text widget may outweigh a short post)."""
    if layout.content is None or layout.doubted or in_side_region(layout.content):
        return False
    lo, hi = page.index.block_range(layout.content)
    total = top = 0
    for i, b in enumerate(page.index.blocks):
        if b.punct and b.chars >= 15 and b.link_chars * 2 < b.chars:
            total += b.chars
            if lo <= i < hi:
                top += b.chars
    return total > 0 and top >= SURE_TOP_SHARE * total


_SIDE_TAGS = frozenset({"aside", "nav", "footer"})
# A class or id that names a side region: `sidebar`, `primary-sidebar`, `site-footer`, `widget-area`; not a
# numbered column (`sidebar-1`, a template's main column on some sites) nor a layout flag (`has-sidebar`).
_SIDE_NAME_RE = re.compile(r"(?:(?!has[-_])[a-z0-9]+[-_])*(?:sidebar|side-bar|footer|widget-area)", re.I)


def in_side_region(node: Tag) -> bool:
    """The element or an ancestor is a page's side region: `aside`, `nav`, `footer`, or a class/id that
    names one (_SIDE_NAME_RE)."""
    return in_region(node, _SIDE_TAGS, _names_side_region)


def _names_side_region(hints: str) -> bool:
    return any(_SIDE_NAME_RE.fullmatch(word) for word in hints.split())


def choose_body_blocks(page: Page, layout: Layout, skip: set[int]) -> list[int]:
    """Indexes of the body's blocks, in document order."""
    model = current_model()
    if model is None or not page.index.blocks:
        return rule_candidates(page, layout, skip)
    sure, lead_in = classifier_gate(page, layout, skip)
    if sure and not lead_in:
        return rule_candidates(page, layout, skip)
    table = block_features(page, containers=layout.containers, top=layout.content, noise=layout.noise,
                           skip=skip, title_block=layout.title_block)
    scores = model.probabilities(table)
    if sure:
        return sorted(set(rule_candidates(page, layout, skip)) | {i for i in lead_in if scores[i] >= model.add})
    chosen = decide(table.rows, scores, keep=model.keep, add=model.add)
    return [int(i) for i in np.flatnonzero(chosen)]


# The classifier is asked about the prose above a container the layout is sure of only when it holds a
# paragraph this long (non-whitespace characters): a dek, a newsletter prompt or a date line is shorter, and asking costs a page's
# worth of features (on ScrapingHub's pages: 18 of 181 instead of 76).
MIN_LEAD_IN_PARAGRAPH_CHARS = 80


def classifier_gate(page: Page, layout: Layout, skip: set[int]) -> tuple[bool, list[int]]:
    """(sure, lead_in): whether the layout is sure (`layout_is_sure`), and on a sure page the lead-in blocks the
    classifier is asked about: none unless one holds a paragraph of MIN_LEAD_IN_PARAGRAPH_CHARS. An unsure page's
    blocks are all asked about."""
    if not layout_is_sure(page, layout):
        return False, []
    lead_in = lead_in_blocks(page, layout, skip)
    if not any(page.index.blocks[i].chars >= MIN_LEAD_IN_PARAGRAPH_CHARS for i in lead_in):
        return True, []
    return True, lead_in


def lead_in_blocks(page: Page, layout: Layout, skip: set[int]) -> list[int]:
    """Prose between the headline and the main container, outside the layout's boilerplate and `skip`:
    where a story's first paragraphs may sit beside the element that holds most of its text."""
    if layout.content is None or layout.title_block is None or layout.title_block >= layout.content_lo:
        return []
    blocks = page.index.blocks
    return [i for i in range(layout.title_block + 1, layout.content_lo)
            if i not in skip and i not in layout.noise and is_prose(blocks[i])]


_IN_CONTAINERS, _NOISE, _SKIP, _STARTS_WITH_LINK, _LINK_DENSITY, _AFTER_TITLE, _TITLE_FOUND = (
    FEATURE_NAMES.index(name) for name in (
        "in_containers", "rule_noise", "rule_skip", "starts_with_link", "link_density", "after_title", "title_found"))


def decide(rows: np.ndarray, scores: np.ndarray, *, keep: float, add: float) -> np.ndarray:
    """Which blocks are body, from their feature rows and scores (the training script decides with this
    same function): a rule candidate when it scores at least `keep`; any other block when it scores at
    least `add`, unless it is the headline, 引题/副题, a caption or sub-article, the layout's boilerplate,
    or a story-list item (a headline link with its summary) above the headline."""
    candidate = (rows[:, _IN_CONTAINERS] > 0.5) & (rows[:, _NOISE] < 0.5) & (rows[:, _SKIP] < 0.5)
    teaser_above = ((rows[:, _STARTS_WITH_LINK] > 0.5) & (rows[:, _LINK_DENSITY] >= MIN_TEASER_LINK_DENSITY)
                    & (rows[:, _TITLE_FOUND] > 0.5) & (rows[:, _AFTER_TITLE] < 0.5))
    never = (rows[:, _NOISE] > 0.5) | (rows[:, _SKIP] > 0.5) | teaser_above
    return np.where(candidate, scores >= keep, (scores >= add) & ~never)
