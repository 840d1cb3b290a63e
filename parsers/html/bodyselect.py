"""Which text blocks are the article's body.

The rule-based layout (parsers/html/layout.py) finds the body containers by text density and drops the
boilerplate inside them (captions, galleries, story lists …): its blocks are the rule candidates. The body
classifier (parsers/html/bodymodel.py) then looks at every block of the page, with the layout's decisions
among its features, and keeps the blocks it scores at or above its threshold: article text the containers
missed (a body split around a figure or an ad, a first paragraph above the container) comes back, and
boilerplate inside them goes. Blocks that are the headline, 引题/副题, captions or sub-articles (`skip`)
are never body. Without a model file the rule candidates are the body.
"""

from __future__ import annotations

from parsers.html.blockfeatures import block_features
from parsers.html.bodymodel import current_model
from parsers.html.layout import Layout
from parsers.html.page import Page


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
    keep = model.probabilities(table) >= model.threshold
    return [i for i in range(len(keep)) if keep[i] and i not in skip]
