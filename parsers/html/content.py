"""Main content: the element that holds the article body, and the containers that continue it.

Blocks vote for their ancestors by text, link and punctuation density (CJK aware), never by
site-specific ids or classes; class and id names only nudge the scores the way Readability does.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bs4 import Tag

from parsers.metalines import is_boilerplate_line, parse_meta_line
from parsers.html.blocks import is_prose, is_section_heading
from parsers.html.tree import HEADING_LEVEL, MAX_LINK_DENSITY_PROSE, PageIndex, TextBlock, class_id

MIN_SCORED_BLOCK_CHARS = 10       # blocks shorter than this do not vote for a container
ANCESTOR_SCORE_LEVELS = 4
MIN_TEASER_LINK_DENSITY = 0.15    # a block that starts with a link this long is a story-list item
MIN_STORY_SCORE = 45.0            # a container score that is a story (three or four paragraphs), not a blurb
COMMENTS_OUTWEIGH = 5.0           # reader comments outweigh a lesser container this many times to be the text
ASIDE_LEVELS = 8                  # a node fewer levels than this below a comment thread or slideshow is in it
SPLIT_BODY_LEVELS = 3             # how far up a split body's repeated wrappers are looked for
MAX_GAP_LINK_CHARS = 150          # link text between two parts of one body (share bar, "read more")
# Elements whose text is a paragraph of their parent container (the container is the candidate).
PARAGRAPH_TAGS = frozenset({"p", "li", "dd", "dt", "pre", "blockquote", "figcaption", "caption",
                            "h1", "h2", "h3", "h4", "h5", "h6", "span", "font"})
# Readability-style hints (class/id words, matched lower-cased): they only nudge candidate scores.
_POSITIVE_HINT_RE = re.compile(
    r"article|body|content|entry|main|page|post|text|story|detail|zoom|正文|news_?txt|neirong|wenzhang")
_NEGATIVE_HINT_RE = re.compile(
    r"comment|foot|footer|sidebar|side|widget|related|share|social|sponsor|banner|advert|\bads?\b|promo|"
    r"nav|menu|crumb|breadcrumb|location|position|pager|pagination|pagelist|hot|rank|paihang|tuijian|"
    r"recommend|right|links?|friend|copyright|login|topbar|toolbar|tools|header|masthead")
_SLIDESHOW_HINT_RE = re.compile(r"slideshow|slide-?show|carousel|gallery|slider|swiper|lightbox")
_COMMENT_HINT_RE = re.compile(r"comment|reply|replies|respond|discuss|disqus|pinglun|forum|post-?list|messages?-?list")


@lru_cache(maxsize=16384)
def hint_flags(hints: str) -> tuple[bool, bool, bool]:
    """Whether class/id words (`class_id`) read as article text, as boilerplate, as a comment thread
    (cached: a page repeats its class strings, and so do pages of one site)."""
    low = hints.lower()
    return (_POSITIVE_HINT_RE.search(low) is not None, _NEGATIVE_HINT_RE.search(low) is not None,
            _COMMENT_HINT_RE.search(low) is not None)


def block_prose_score(b: TextBlock) -> float:
    """How much a block looks like article prose: length and punctuation, no links."""
    if b.chars < MIN_SCORED_BLOCK_CHARS or b.link_density > MAX_LINK_DENSITY_PROSE:
        return 0.0
    if b.starts_with_link and b.link_density >= MIN_TEASER_LINK_DENSITY:
        return 0.0  # a headline link with its summary: an item of a story list or ticker
    return 1.0 + b.punct + min(b.chars / 50.0, 3.0)


def tag_weight(tag: Tag) -> float:
    name = tag.name
    weight = 0.0
    if name in ("div", "article", "section", "main") or name.startswith("founder-"):
        weight += 5
    elif name in ("td", "blockquote", "pre"):
        weight += 3
    elif name in ("ul", "ol", "dl", "li", "dd", "dt", "form", "address"):
        weight -= 3
    elif name in HEADING_LEVEL or name == "th":
        weight -= 5
    hints = class_id(tag) if tag.attrs else ""
    return weight + _hint_weight(hints) if hints else weight


def _hint_weight(hints: str) -> float:
    """Readability's class/id nudge."""
    positive, negative, _ = hint_flags(hints)
    return (25.0 if positive else 0.0) - (25.0 if negative else 0.0)


def find_main_content(index: PageIndex, root: Tag) -> Tag | None:
    """The element that holds the article body (Readability-style voting, CJK punctuation)."""
    scores: dict[int, list] = {}
    aside_levels: dict[int, int] = {}

    def is_aside(node: Tag) -> bool:
        return _levels_to_aside(node, aside_levels) < ASIDE_LEVELS

    for b in index.blocks:
        s = block_prose_score(b)
        if s <= 0:
            continue
        el = b.element
        node = el.parent if el.name in PARAGRAPH_TAGS and el is not root else el
        in_aside = is_aside(node)
        level = 0
        while node is not None and level < ANCESTOR_SCORE_LEVELS and isinstance(node, Tag) \
                and node.name != "[document]":
            if in_aside and not is_aside(node):
                break  # comments and slideshow captions vote only for nodes inside them
            entry = scores.get(id(node))
            if entry is None:
                entry = scores[id(node)] = [node, tag_weight(node)]
            entry[1] += s / (1 if level == 0 else 2 if level == 1 else level * 3)
            if node is root:
                break
            node = node.parent
            level += 1
    # Reader comments and slideshow captions can outweigh a short story: a node inside them is the
    # main content only when no node outside them holds a story (MIN_STORY_SCORE) and it outweighs the
    # best one (comments by COMMENTS_OUTWEIGH times: on a forum page they are the text).
    best, best_score = None, 0.0
    aside, aside_score = None, 0.0
    for node, raw in scores.values():
        final = raw * (1.0 - index.link_density(node))
        if final <= best_score and final <= aside_score:
            continue
        if is_aside(node):
            if final > aside_score:
                aside, aside_score = node, final
        elif final > best_score:
            best, best_score = node, final
    if aside is not None and best_score < MIN_STORY_SCORE:
        if aside_score > (COMMENTS_OUTWEIGH if inside_comments(aside) else 1.0) * best_score:
            return aside
    return best


@lru_cache(maxsize=16384)
def _is_aside_hint(hints: str) -> bool:
    return hint_flags(hints)[2] or _SLIDESHOW_HINT_RE.search(hints.lower()) is not None


def _levels_to_aside(node: Tag, memo: dict[int, int]) -> int:
    """Levels from the node up to the nearest comment-thread or slideshow element (0: the node itself),
    at most ASIDE_LEVELS; `memo` keeps every element's answer, so a page's elements are read once."""
    path = []
    while isinstance(node, Tag) and node.name not in ("body", "html", "[document]") and id(node) not in memo:
        path.append(node)
        node = node.parent
    levels = memo.get(id(node), ASIDE_LEVELS) if isinstance(node, Tag) else ASIDE_LEVELS
    for n in reversed(path):
        hints = class_id(n) if n.attrs else ""
        levels = 0 if hints and _is_aside_hint(hints) else min(levels + 1, ASIDE_LEVELS)
        memo[id(n)] = levels
    return levels


def inside_comments(node: Tag, levels: int = 8) -> bool:
    """The node or a near ancestor is a comment thread (class/id comment, reply, respond …)."""
    for _ in range(levels):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return False
        if node.attrs:
            hints = class_id(node)
            if hints and hint_flags(hints)[2]:
                return True
        node = node.parent
    return False


def content_containers(index: PageIndex, top: Tag) -> list[Tag]:
    """The top candidate plus the containers that continue the body.

    Bodies are often split: `<section><div class=col><div><p>…</div></div><div class=col>…`.
    Going up at most `SPLIT_BODY_LEVELS` ancestors, siblings that repeat the ancestor's shape
    (same tag, a shared class) and hold prose continue the body; at the first level, any same-tag
    sibling with a fifth of the top candidate's prose score does too.
    """
    top_score = sum(block_prose_score(b) for b in index.blocks_in(top))
    node = top
    for level in range(SPLIT_BODY_LEVELS):
        parent = node.parent
        if not isinstance(parent, Tag) or parent.name in ("html", "[document]"):
            break
        continuation = [sib for sib in parent.children if isinstance(sib, Tag) and sib is not node
                        and _continues_body(index, node, sib, level, top_score)]
        if continuation:
            keep = set(map(id, continuation))
            return [sib for sib in parent.children if sib is node or id(sib) in keep]
        node = parent
    return [top]


def _shares_class(a: Tag, b: Tag) -> bool:
    ca, cb = a.get("class"), b.get("class")
    return isinstance(ca, list) and isinstance(cb, list) and bool(set(ca) & set(cb))


def _continues_body(index: PageIndex, node: Tag, sib: Tag, level: int, top_score: float) -> bool:
    if sib.name != node.name or index.span(sib) is None or sib.name in HEADING_LEVEL:
        return False
    blocks = index.blocks_in(sib)
    if not blocks or index.link_density(sib) > 0.25 or tag_weight(sib) < 0 or inside_comments(sib):
        return False
    if _shares_class(node, sib):
        return any(is_prose(b) for b in blocks)  # a repeated wrapper: the body filter cleans it
    if level > 0 or sum(block_prose_score(b) for b in blocks) < max(10.0, top_score * 0.2):
        return False
    return not any(is_boilerplate_line(b.text) or parse_meta_line(b.spaced) for b in blocks if b.chars <= 200)


def block_signature(b: TextBlock) -> tuple[int, frozenset[str]] | None:
    """The classes of the block's element, or of its parent when the element has none (`<p>` in
    `<div class=post__content>`), with the level they were found at."""
    el = b.element
    for level in (0, 1):
        cls = el.attrs.get("class") if el.attrs else None
        if isinstance(cls, list) and cls:
            return level, frozenset(cls)
        el = el.parent
        if not isinstance(el, Tag):
            return None
    return None


def _same_signature(a: tuple[int, frozenset[str]], b: tuple[int, frozenset[str]]) -> bool:
    return a[0] == b[0] and len(a[1] & b[1]) * 2 >= len(a[1] | b[1])


def extend_by_signature(index: PageIndex, containers: list[Tag]) -> list[Tag]:
    """Body parts elsewhere on the page that repeat the body's paragraph markup.

    Long articles are cut into sections by figures, videos, ads or pull quotes, often at different
    depths; their paragraphs keep the same classes (`div.zn-body__paragraph`, `<p>` in
    `div.post__content`). Paragraph holders with the signature of at least two body paragraphs,
    outside comments and link lists, join the containers (in document order).
    """
    inside = [index.block_range(c) for c in containers]
    in_body = bytearray(len(index.blocks))
    for lo, hi in inside:
        in_body[lo:hi] = b"\x01" * (hi - lo)
    counts: dict[tuple[int, frozenset[str]], int] = {}
    for lo, hi in inside:
        for b in index.blocks[lo:hi]:
            if is_prose(b):
                sig = block_signature(b)
                if sig is not None:
                    counts[sig] = counts.get(sig, 0) + 1
    body_sigs = [sig for sig, n in counts.items() if n >= 2]
    if not body_sigs:
        return containers
    candidates: list[Tag] = []  # in document order, none inside another
    for i, b in enumerate(index.blocks):
        if in_body[i] or b.chars < MIN_SCORED_BLOCK_CHARS or b.link_density >= MAX_LINK_DENSITY_PROSE:
            continue
        sig = block_signature(b)
        if sig is None or not any(_same_signature(sig, s) for s in body_sigs):
            continue
        if sig[0] > 0 and not is_prose(b):
            continue  # a classless line in a generic wrapper: only prose shows it is body text
        holder = b.element if sig[0] == 0 else b.element.parent
        if candidates and (candidates[-1] is holder or index.encloses(candidates[-1], holder)):
            continue
        if any(index.encloses(holder, c) for c in containers):
            continue
        if inside_comments(holder) or tag_weight(holder) < 0 or index.link_density(holder) > 0.3:
            continue
        while candidates and index.encloses(holder, candidates[-1]):
            candidates.pop()
        candidates.append(holder)
    added = _connected_parts(index, inside, candidates)
    if not added:
        return containers
    return sorted(containers + added, key=lambda el: index.span(el)[0])


def _connected_parts(index: PageIndex, body: list[tuple[int, int]], candidates: list[Tag]) -> list[Tag]:
    """The candidates reachable from the body without crossing a menu or story list: a sweep
    forward from each body part, then one backward, each kept part extending the reach."""
    parts = sorted([(lo, hi, None) for lo, hi in body] + [(*index.block_range(c), c) for c in candidates],
                   key=lambda p: p[0])
    kept: set[int] = set()
    for forward, order in ((True, parts), (False, parts[::-1])):
        edge = None  # the block index where the body reached so far ends (or starts, backward)
        for lo, hi, candidate in order:
            if candidate is None or id(candidate) in kept:
                edge = hi if forward else lo
            elif edge is not None:
                gap = (index.prefix_links[lo] - index.prefix_links[edge] if forward
                       else index.prefix_links[edge] - index.prefix_links[hi])
                if gap <= MAX_GAP_LINK_CHARS:
                    kept.add(id(candidate))
                    edge = hi if forward else lo
    return [c for c in candidates if id(c) in kept]


def first_body_paragraph(index: PageIndex, lo: int, hi: int) -> int:
    for i in range(lo, hi):
        if is_prose(index.blocks[i]) and not is_section_heading(index.blocks[i]):
            return i
    return lo
