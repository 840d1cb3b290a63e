"""Boilerplate inside the chosen body containers: captions, galleries, share bars, related-story
boxes, author bios, and story-list items (a headline link with its summary and byline).

The containers are chosen by text density; these pieces sit inside them and read like prose, so
they are recognised by their wrappers: the tag (figure, aside …), class/id words, or the shape of
a story-list item repeated by its neighbour.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bs4 import Tag

from parsers.html.tree import PageIndex, class_id

MAX_TEASER_BLOCKS = 5      # headline link + summary + byline/date: a story-list item is small
MAX_TEASER_CHARS = 500
# Wrappers whose class/id says they hold no article text. Narrower than the hints that steer the
# choice of the container: words like "widget", "social" or "right" also name body wrappers.
_INNER_NOISE_HINT_RE = re.compile(
    r"caption|credit|gallery|slide|carousel|related|sharing|share-?(?:bar|tools|buttons|list)|"
    r"newsletter|subscri|promo|advert|sponsor|comment|trending|popular|most-?read|recommend|outbrain|"
    r"taboola|tuijian|xiangguan|author-?bio|about-?(?:the-?)?author|"
    r"(?:^|[\s_-])(?:ads?|ad-?slot|rail|sidebar|share|toolbar)(?:$|[\s_-])", re.I)
_INNER_NOISE_TAGS = frozenset({"figure", "figcaption", "aside", "nav", "footer"})


MAX_WRAPPER_SHARE = 0.5    # a hinted wrapper with more of the container's prose than this is the body
MAX_HINTED_SHARE = 0.7     # hints that would remove more of it than this are not believed at all


def inner_noise_blocks(index: PageIndex, containers: list[Tag]) -> tuple[set[int], set[int]]:
    """Blocks of the containers that sit in a caption, gallery, share bar, related-stories box,
    aside … between the block and its container (the container's own class does not count), and the
    blocks of hinted wrappers the hint was not believed for (`doubted`).

    A class hint never removes the body itself: a hinted wrapper that holds most of the container's
    prose (`<article class="post commented">`) is not noise, and when hinted wrappers together would
    remove most of it (a listicle whose every part is a `slide`), no hint counts in that container;
    the tags that never hold body text (figure, figcaption, aside, nav, footer) still do. A hinted
    wrapper that holds most of the prose is either the body or boilerplate that outweighs it (a comment
    thread or a slideshow of other stories under a short story): its blocks are `doubted`, for the body
    classifier to judge."""
    noise: set[int] = set()
    doubted: set[int] = set()
    blocks = index.blocks
    for container in containers:
        wrapper_of: dict[int, Tag | None] = {id(container): None}
        lo, hi = index.block_range(container)
        by_wrapper: dict[int, tuple[Tag, list[int]]] = {}
        for i in range(lo, hi):
            el = blocks[i].element
            path = []
            while isinstance(el, Tag) and id(el) not in wrapper_of:
                path.append(el)
                el = el.parent
            wrapper = wrapper_of.get(id(el)) if isinstance(el, Tag) else None
            for node in reversed(path):
                if wrapper is None and _is_noise_wrapper(node):
                    wrapper = node
                wrapper_of[id(node)] = wrapper
            if wrapper is not None:
                by_wrapper.setdefault(id(wrapper), (wrapper, []))[1].append(i)
        prose = sum(b.chars for b in blocks[lo:hi] if b.punct)
        hinted: list[list[int]] = []
        for wrapper, members in by_wrapper.values():
            if wrapper.name in _INNER_NOISE_TAGS:
                noise.update(members)
            elif not prose or sum(blocks[k].chars for k in members if blocks[k].punct) <= MAX_WRAPPER_SHARE * prose:
                hinted.append(members)
            else:
                doubted.update(members)
        hinted_prose = sum(blocks[k].chars for members in hinted for k in members if blocks[k].punct)
        if not prose or hinted_prose <= MAX_HINTED_SHARE * prose:
            for members in hinted:
                noise.update(members)
    return noise, doubted


# Story-list items that hold more than this share of the containers' text are the body itself: a
# guide or listicle whose sections open with a linked heading, a catalogue of linked entries.
MAX_TEASER_SHARE = 0.8


def teaser_blocks(index: PageIndex, containers: list[Tag]) -> set[int]:
    """Story-list items inside the body (related stories, previous/next story): a small wrapper
    holding a headline link and a few short blocks, next to a sibling wrapper of the same shape.
    Their summaries and bylines look like prose, so link density alone misses them. Items that
    together hold more than MAX_TEASER_SHARE of the containers' text are the body, not a list beside
    it: then none is boilerplate."""
    teasers: set[int] = set()
    blocks = index.blocks
    total_chars = 0
    for container in containers:
        lo, hi = index.block_range(container)
        total_chars += index.prefix_chars[hi] - index.prefix_chars[lo]
        for i in range(lo, hi):
            b = blocks[i]
            if i in teasers or not (8 <= b.chars <= 160) or b.link_chars < b.chars * 0.9:
                continue
            item = _teaser_item(index, b.element, container)
            if item is None:
                continue
            for el in (item, *_similar_neighbours(item)):
                if _holds_headline_link(index, el):
                    teasers.update(range(*index.block_range(el)))
    if sum(blocks[i].chars for i in teasers) > MAX_TEASER_SHARE * total_chars:
        return set()
    return teasers


def _teaser_item(index: PageIndex, el: Tag, container: Tag) -> Tag | None:
    """The smallest ancestor of a headline link's block that holds more than that block, if it
    is small enough to be one story-list item."""
    for _ in range(4):
        if el is container or not isinstance(el, Tag):
            return None
        lo, hi = index.block_range(el)
        if hi - lo >= 2:
            if hi - lo > MAX_TEASER_BLOCKS or index.prefix_chars[hi] - index.prefix_chars[lo] > MAX_TEASER_CHARS:
                return None
            return el if _similar_neighbours(el) else None
        el = el.parent
    return None


def _similar_neighbours(el: Tag) -> list[Tag]:
    """The previous and next element siblings with the same tag and a shared class (or none)."""
    found = []
    for sib in (_element_sibling(el, forward=False), _element_sibling(el, forward=True)):
        if isinstance(sib, Tag) and sib.name == el.name:
            a, b = el.get("class"), sib.get("class")
            if (not a and not b) or (isinstance(a, list) and isinstance(b, list) and set(a) & set(b)):
                found.append(sib)
    return found


def _element_sibling(el: Tag, *, forward: bool) -> Tag | None:
    node = el.next_sibling if forward else el.previous_sibling
    while node is not None and not isinstance(node, Tag):
        node = node.next_sibling if forward else node.previous_sibling
    return node


def _holds_headline_link(index: PageIndex, el: Tag) -> bool:
    lo, hi = index.block_range(el)
    return 0 < hi - lo <= MAX_TEASER_BLOCKS and any(
        8 <= b.chars <= 160 and b.link_chars >= b.chars * 0.9 for b in index.blocks[lo:hi])


def _is_noise_wrapper(node: Tag) -> bool:
    if node.name in _INNER_NOISE_TAGS:
        return True
    hints = class_id(node) if node.attrs else ""
    return bool(hints) and _noise_hint(hints)


@lru_cache(maxsize=4096)
def _noise_hint(hints: str) -> bool:
    return _INNER_NOISE_HINT_RE.search(hints) is not None
