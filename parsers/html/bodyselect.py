"""Which text blocks are the article's body.

The rule-based layout (parsers/html/layout.py) finds the body containers by text density and drops the
boilerplate inside them (captions, galleries, story lists …): its blocks are the rule candidates. The body
classifier (parsers/html/bodymodel.py) then looks at every block of the page, with the layout's decisions
among its features: a candidate stays unless the model scores it below its `keep` threshold (boilerplate
inside the containers goes), and a block outside them joins when the model finds it more likely body than
not (`add`): article text the containers missed (a body split around a figure or an ad, a first paragraph
above the container) comes back. Blocks that are the headline, 引题/副题, captions or sub-articles (`skip`),
and the boilerplate the layout recognised by its markup inside the containers (captions, galleries, share
bars, story lists: `layout.noise`) are never body, nor are story-list items above the headline (a
ticker of other stories). Without a model file the rule candidates are the body.
"""

from __future__ import annotations

from parsers.html.blockfeatures import block_features
from parsers.html.content import MIN_TEASER_LINK_DENSITY
from parsers.html.bodymodel import current_model
from parsers.html.layout import Layout
from parsers.html.page import Page
from parsers.html.tree import TextBlock


def rule_candidates(page: Page, layout: Layout, skip: set[int]) -> list[int]:
    """Blocks of the body containers in document order, less `skip` and the containers' boilerplate."""
    out: list[int] = []
    for container in layout.containers:
        lo, hi = page.index.block_range(container)
        out.extend(i for i in range(lo, hi) if i not in skip and i not in layout.noise)
    return sorted(set(out))


def choose_body_blocks(page: Page, layout: Layout, skip: set[int]) -> list[int]:
    """Indexes of the body's blocks, in document order."""
    model = current_model()
    candidates = rule_candidates(page, layout, skip)
    if model is None or not page.index.blocks:
        return candidates
    table = block_features(page, containers=layout.containers, top=layout.content, noise=layout.noise,
                           skip=skip, title_block=layout.title_block)
    scores = model.probabilities(table)
    kept = set(candidates)
    never = skip | layout.noise  # captions, galleries, story lists the layout recognised by their markup
    blocks = page.index.blocks
    title = layout.title_block
    return [i for i in range(len(scores))
            if i not in never and scores[i] >= (model.keep if i in kept else model.add)
            and (i in kept or title is None or i > title or not is_teaser(blocks[i]))]


def is_teaser(b: TextBlock) -> bool:
    """A story-list item: a headline link with its summary (a ticker above the headline, say)."""
    return b.starts_with_link and b.link_density >= MIN_TEASER_LINK_DENSITY
