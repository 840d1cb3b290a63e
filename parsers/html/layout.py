"""Where the parts of an article sit: body containers, headline, header and footer zones."""

from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import Tag

from parsers.html.content import (
    content_containers, extend_by_signature, find_main_content, first_body_paragraph,
)
from parsers.html.noise import inner_noise_blocks, teaser_blocks
from parsers.html.page import Page
from parsers.html.metadata import profile_container
from parsers.html.title import find_title_block


@dataclass
class Layout:
    """Where the parts of an article sit, as block indexes (half-open ranges)."""
    content: Tag | None          # the body container (top candidate)
    containers: list[Tag]        # content plus sibling continuations
    content_lo: int
    content_hi: int
    title_block: int | None
    title_pos: int               # images before this position are not article photos
    article_root: Tag | None     # lowest common ancestor of headline and body
    root_hi: int
    header_start: int            # bylines/meta lines: [header_start, header_end)
    header_end: int
    noise: set[int] = field(default_factory=set)  # captions, galleries, share bars … inside the containers
    doubted: set[int] = field(default_factory=set)  # blocks of hinted wrappers not taken for noise (noise.py)


def locate_article(page: Page) -> Layout:
    index = page.index
    blocks = index.blocks
    profiled = profile_container(page, "body")  # a site profile's body selector wins when it matches
    if profiled is not None:
        content, containers = profiled, [profiled]
    else:
        content = find_main_content(index, page.root)
        containers = content_containers(index, content) if content is not None else []
        if containers:
            containers = extend_by_signature(index, containers)
    content_lo = min((index.block_range(c)[0] for c in containers), default=len(blocks))
    content_hi = max((index.block_range(c)[1] for c in containers), default=len(blocks))
    body_start = first_body_paragraph(index, content_lo, content_hi)
    title_block = find_title_block(page, body_start if containers else len(blocks))
    if title_block is not None:
        title_pos = blocks[title_block].pos
    else:
        title_pos = blocks[content_lo - 1].pos if 0 < content_lo <= len(blocks) else -1
    article_root = find_article_root(page, title_block, content)
    root_lo, root_hi = index.block_range(article_root) if article_root is not None else (content_lo, content_hi)
    header_start = title_block + 1 if title_block is not None else max(root_lo, content_lo - 8)
    # a headline inside the body container: the header zone runs to the first paragraph
    header_end = content_lo if title_block is None or title_block < content_lo else body_start
    noise, doubted = inner_noise_blocks(index, containers)
    return Layout(content, containers, content_lo, content_hi, title_block, title_pos, article_root,
                  root_hi, header_start, header_end, noise | teaser_blocks(index, containers), doubted)


def find_article_root(page: Page, title_block: int | None, content: Tag | None) -> Tag | None:
    """Lowest common ancestor of the headline and the body."""
    if content is None:
        return None
    if title_block is None:
        return content.parent if isinstance(content.parent, Tag) else content
    title_pos = page.index.blocks[title_block].pos
    node = content
    while isinstance(node, Tag):
        if page.index.contains(node, title_pos):
            return node
        node = node.parent
    return None
