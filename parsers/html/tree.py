"""Pre-cleaning, parsing helpers and the page index.

One iterative pre-order walk (`index_page`) turns the tree into a flat list of text blocks with
their element, position, link, bold and punctuation counts, plus the anchors and images in
document order. Every element gets a pre-order interval, so "which blocks are inside this
element" is a bisect and text/link/punctuation density of any subtree is a prefix-sum lookup.
Nothing here recurses over the tree (10,000-deep nesting is fine) and nothing calls get_text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable

from bs4 import Tag
from bs4.element import CData, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

MAX_LINK_DENSITY_PROSE = 0.5      # a block with more link text than this is navigation
BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup html li main menu nav ol p pre "
    "section summary table tbody thead tfoot td th tr ul".split()
)
BREAK_TAGS = frozenset({"br", "hr"})
SKIP_TAGS = frozenset(
    "script style noscript template head select option optgroup textarea button input iframe svg math "
    "object embed canvas audio video map area title meta link base".split()
)
_HEAD_TAGS = frozenset({"meta", "link", "title", "base"})
BOLD_TAGS = frozenset({"b", "strong"})
HEADING_LEVEL = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# ASCII and CJK punctuation that ends or splits clauses: prose has it, navigation does not.
PUNCTUATION = frozenset("，。！？；：、“”‘’（）《》,.!?;:")
_PUNCT_RE = re.compile("[" + re.escape("".join(sorted(PUNCTUATION))) + "]")  # findall: faster than translate
_KICKER_HINT_RE = re.compile(r"(?:^|[-_\s])(?:kicker|introtitle|intro-title|pretitle|pre-title|yinti|yt)(?:$|[-_\s])", re.I)
_SUBTITLE_HINT_RE = re.compile(r"(?:^|[-_\s])(?:subtitle|sub-title|subheadline|fubiaoti|futi)(?:$|[-_\s])", re.I)
# Raw-text elements (their content is not markup): dropped up to their end tag, or to the end of
# the page when it has none, the way a browser reads them.
_RAW_TEXT_TAGS = ("script", "style", "noscript", "template", "textarea", "iframe")
# ... except these, which pages quote as embed codes inside attribute values and script strings
# (`data-embed="<iframe src=\&quot;…\&quot;>"`): one with no end tag anywhere after it is such a quote,
# not an element running to the end of the page, and only its opening tag goes.
_QUOTED_RAW_TEXT_TAGS = frozenset({"noscript", "template", "textarea", "iframe"})
# Elements the index skips whose content is markup: dropped with their content when the end tag
# comes before any block-level start tag (so an unclosed <svg> or <button> cannot eat the article).
_SKIPPED_MARKUP_TAGS = ("svg", "math", "select", "button", "video", "audio", "object", "canvas")
_STRIP_OPEN_RE = re.compile(
    r"<(?:(%s)\b[^<>]{0,4000}>|(%s)\b[^<>]{0,4000}>|(!--)|(\?)|link\b([^<>]{0,4000})>)"
    % ("|".join(_RAW_TEXT_TAGS), "|".join(_SKIPPED_MARKUP_TAGS)), re.I)
_CLOSE_RES = {name: re.compile(rf"</{name}\s*>", re.I) for name in _RAW_TEXT_TAGS + _SKIPPED_MARKUP_TAGS}
# Whitespace between a tag and a block-level tag never shows (the block boundary separates the
# text anyway), but each run would become a text node: fewer nodes, cheaper tree.
_SPACE_BEFORE_BLOCK_RE = re.compile(
    r">\s+<(?=/?(?:div|p|li|ul|ol|dl|dt|dd|tr|td|th|table|tbody|thead|tfoot|section|article|header|footer|"
    r"nav|aside|main|h[1-6]|form|figure|figcaption|blockquote|meta|title|head|body|html|br|hr)\b)", re.I)
_BLOCK_START_RE = re.compile(r"<(?:p|div|article|section|main|td|li|h[1-6]|table|ul|ol|dl|blockquote)[\s>/]", re.I)


class _NextMatch:
    """First match of a pattern at or after a position, remembered: the scan below asks again
    from later positions (many unclosed `<svg>` tags), and each answer holds until passed."""

    def __init__(self, pattern: re.Pattern[str], text: str):
        self.pattern, self.text = pattern, text
        self.asked_from: int | None = None
        self.found: re.Match[str] | None = None

    def at_or_after(self, pos: int) -> re.Match[str] | None:
        known = self.asked_from is not None and self.asked_from <= pos and (
            self.found is None or self.found.start() >= pos)
        if not known:
            self.found = self.pattern.search(self.text, pos)
            self.asked_from = pos
        return self.found


def strip_non_content(html: str) -> str:
    """Remove what the index would skip before the tree is built, with a linear scan: script,
    style, noscript, template, textarea and iframe elements; svg, math, select, button, media and
    canvas elements; comments, processing instructions, and `<link>` tags other than canonical.

    Whitespace right before a block-level tag is dropped too. Cheaper than building all that into
    the tree and skipping it afterwards: the tree builder's cost grows with every node.
    """
    out: list[str] = []
    pos = 0
    n = len(html)
    closes = {name: _NextMatch(pattern, html) for name, pattern in _CLOSE_RES.items()}
    block_start = _NextMatch(_BLOCK_START_RE, html)
    while pos < n:
        m = _STRIP_OPEN_RE.search(html, pos)
        if not m:
            break
        raw, markup, comment, instruction, link_attrs = m.groups()
        if link_attrs is not None and "canonical" in link_attrs.lower():
            out.append(html[pos:m.end()])
            pos = m.end()
            continue
        start = m.start()
        if raw:
            close = closes[raw.lower()].at_or_after(m.end())
            end = close.end() if close else m.end() if raw.lower() in _QUOTED_RAW_TEXT_TAGS else n
        elif markup:
            close = closes[markup.lower()].at_or_after(m.end())
            block = block_start.at_or_after(m.end()) if close is not None else None
            if close is None or (block is not None and block.start() < close.start()):
                out.append(html[pos:m.end()])  # keep it: the index skips it anyway
                pos = m.end()
                continue
            end = close.end()
        elif comment:
            found = html.find("-->", m.end())
            end = found + 3 if found >= 0 else n
        elif instruction:  # <?xml …?> and other processing instructions: bogus comments in HTML
            found = html.find(">", m.end())
            end = found + 1 if found >= 0 else n
        else:  # <link rel=stylesheet|preload|icon …>
            end = m.end()
        out.append(html[pos:start])
        out.append(" ")
        pos = end
    out.append(html[pos:])
    return _SPACE_BEFORE_BLOCK_RE.sub("><", "".join(out))


@dataclass(eq=False)
class TextBlock:
    """Text between two block boundaries, held by its innermost block-level element."""
    text: str                 # whitespace-normalised display text
    parts: list[str]          # the stripped text nodes (inline element boundaries kept apart)
    element: Tag
    pos: int                  # pre-order index of its first text node
    chars: int                # non-whitespace characters
    link_chars: int
    bold_chars: int
    heading: int              # 1..6 inside <hN>, else 0
    punct: int
    starts_with_link: bool = False  # its first text is link text (a teaser: headline link + summary)

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0

    @cached_property
    def spaced(self) -> str:
        """Text with inline element boundaries as spaces (for label:value parsing; `parts` never
        changes after the index is built, so it is joined once)."""
        return " ".join(self.parts)


@dataclass(eq=False)
class Anchor:
    element: Tag
    href: str
    pos: int
    pieces: list[str] = field(default_factory=list)

    @cached_property
    def text(self) -> str:
        """Whitespace-normalised link text (read after the walk has collected every piece)."""
        return " ".join("".join(self.pieces).split())


@dataclass(eq=False)
class PageIndex:
    blocks: list[TextBlock]
    anchors: list[Anchor]
    images: list[tuple[int, Tag]]
    spans: dict[int, tuple[int, int]]
    semantic: dict[str, Tag]          # first kicker/subtitle/founder-* element
    custom_tags: set[str]
    head_tags: list[Tag] = field(default_factory=list)  # meta/link/title/base misplaced in <body>
    time_tags: list[tuple[int, Tag]] = field(default_factory=list)
    # elements an inline style (display:none, visibility:hidden) or the `hidden` attribute hides: skipped by
    # the walk, and candidates for scripted reveal (reveal_scripted_content)
    markup_hidden: list[Tag] = field(default_factory=list)
    block_pos: list[int] = field(default_factory=list)
    prefix_chars: list[int] = field(default_factory=list)
    prefix_links: list[int] = field(default_factory=list)
    prefix_punct: list[int] = field(default_factory=list)
    image_pos: list[int] = field(default_factory=list)

    def finish(self) -> "PageIndex":
        self.block_pos = [b.pos for b in self.blocks]
        chars, links, punct = [0], [0], [0]
        for b in self.blocks:
            chars.append(chars[-1] + b.chars)
            links.append(links[-1] + b.link_chars)
            punct.append(punct[-1] + b.punct)
        self.prefix_chars, self.prefix_links, self.prefix_punct = chars, links, punct
        self.image_pos = [p for p, _ in self.images]
        return self

    def span(self, el: Tag) -> tuple[int, int] | None:
        return self.spans.get(id(el))

    def block_range(self, el: Tag) -> tuple[int, int]:
        """Indexes [lo, hi) of the blocks inside `el`."""
        sp = self.spans.get(id(el))
        if sp is None:
            return (0, 0)
        return bisect_left(self.block_pos, sp[0]), bisect_right(self.block_pos, sp[1])

    def blocks_in(self, el: Tag) -> list[TextBlock]:
        lo, hi = self.block_range(el)
        return self.blocks[lo:hi]

    def chars_in(self, el: Tag) -> int:
        lo, hi = self.block_range(el)
        return self.prefix_chars[hi] - self.prefix_chars[lo]

    def link_density(self, el: Tag) -> float:
        lo, hi = self.block_range(el)
        chars = self.prefix_chars[hi] - self.prefix_chars[lo]
        return (self.prefix_links[hi] - self.prefix_links[lo]) / chars if chars else 0.0

    def images_in(self, el: Tag) -> int:
        sp = self.spans.get(id(el))
        if sp is None:
            return 0
        return bisect_right(self.image_pos, sp[1]) - bisect_left(self.image_pos, sp[0])

    def contains(self, outer: Tag, pos: int) -> bool:
        sp = self.spans.get(id(outer))
        return sp is not None and sp[0] <= pos <= sp[1]

    def encloses(self, outer: Tag, inner: Tag) -> bool:
        a, b = self.spans.get(id(outer)), self.spans.get(id(inner))
        return a is not None and b is not None and a[0] <= b[0] and b[1] <= a[1]


# Class names that hide an element until the reader hovers or opens it, or for good.
_HIDDEN_CLASSES = frozenset({"hidden", "element-hidden", "element-invisible", "d-none", "sr-only",
                             "visually-hidden", "screen-reader-text", "screen-reader-only"})
# Pop-ups and consent dialogs (cookie banners, consent-management settings), shown by a script on demand.
_POPUP_CLASS_WORDS = ("tooltip", "popover", "popup", "rollover", "hovercard", "consent", "gdpr", "cookie-banner",
                      "cookiebanner", "cookie-notice", "cookie-bar", "cookiebar")


@lru_cache(maxsize=8192)
def _hidden_by_class(classes: str) -> bool:
    """`classes`: the class attribute, space-separated (cached: pages repeat the same ones)."""
    low = classes.lower()
    return any(word in low for word in _POPUP_CLASS_WORDS) or not _HIDDEN_CLASSES.isdisjoint(low.split())


REVEALED_ATTR = "data-newsduck-revealed"  # set on a hidden container found to hold the article


def is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs
    if not attrs:
        return False
    if "hidden" in attrs:
        return REVEALED_ATTR not in attrs
    return hidden_by_style(tag)


def hidden_by_style(tag: Tag) -> bool:
    """An inline style hides the element (and reveal_scripted_content has not revealed it)."""
    style = tag.attrs.get("style")
    if isinstance(style, str) and ("none" in style or "hidden" in style) and REVEALED_ATTR not in tag.attrs:
        compact = style.replace(" ", "").lower()
        return "display:none" in compact or "visibility:hidden" in compact
    return False


MIN_REVEALED_CHARS = 200   # a hidden container with less text than this is never the article
MIN_REVEALED_STORY_CHARS = 1000  # ... nor one the `hidden` attribute hides with less: a dialog's or menu's text


def reveal_scripted_content(index: PageIndex, hidden_attribute: bool = True) -> Tag | None:
    """The container a script hides until it has laid the page out, marked as visible.

    Pages such as WeChat articles (`<div id="js_content" style="visibility: hidden">`) hide the whole
    article with an inline style that their script removes; pages React streams from the server send
    their content in `<div hidden id="S:0">` for a script to move into place. Such a container holds the
    bulk of the page's text: an element hidden by an inline style or the `hidden` attribute whose prose
    outweighs all the prose the reader can see is revealed (REVEALED_ATTR) and the caller indexes the
    page again. Menus, tabs, dialogs and pop-ups hidden the same way hold less text than the visible
    article and stay hidden, and so does an element also hidden from screen readers (`aria-hidden`: a
    copy of the article kept for machines, such as its Markdown source). `hidden_attribute`: whether
    elements the `hidden` attribute hides are candidates (`build_page` allows them on a page that is
    one story by its URL or its JSON-LD: elsewhere, a list's item pop-ups are hidden that way too)."""
    if not index.markup_hidden:
        return None
    visible = sum(b.chars for b in index.blocks if b.punct and b.chars >= 15 and b.link_density < 0.5)
    best, best_chars = None, max(MIN_REVEALED_CHARS, visible)
    for el in index.markup_hidden:
        if el.attrs.get("aria-hidden") == "true" or not hidden_attribute and "hidden" in el.attrs:
            continue  # aria-hidden: hidden from assistive technology too, a copy kept for machines
        text = "".join(el.strings)
        if len(text) <= best_chars:
            continue
        chars = len(_PUNCT_RE.sub("", "".join(text.split())))
        punct = len(_PUNCT_RE.findall(text))
        if "hidden" in el.attrs and chars < MIN_REVEALED_STORY_CHARS:
            continue
        if chars > best_chars and punct * 100 >= chars:  # prose: a clause mark every 100 characters
            best, best_chars = el, chars
    if best is not None:
        best.attrs[REVEALED_ATTR] = ""
    return best


def class_id(tag: Tag) -> str:
    """class and id attribute values as one string (for hint regexes)."""
    attrs = tag.attrs
    cls = attrs.get("class")
    if cls is not None and not isinstance(cls, str):
        cls = " ".join(cls)
    ident = attrs.get("id")
    if cls and isinstance(ident, str) and ident:
        return f"{cls} {ident}"
    return cls or (ident if isinstance(ident, str) else "") or ""


_ROOT_TAGS = frozenset(("body", "html", "[document]"))


def in_region(node: Tag | None, tags: frozenset[str], names: Callable[[str], bool] | None = None,
              max_levels: int | None = None) -> bool:
    """`node` or an ancestor below <body> (at most `max_levels` of them, counting `node`) is one of `tags` or has
    a class/id (`class_id`) that `names` accepts: the one walk up the tree for "inside the page's furniture"."""
    level = 0
    while isinstance(node, Tag) and node.name not in _ROOT_TAGS and (max_levels is None or level < max_levels):
        if node.name in tags:
            return True
        if names is not None and node.attrs:
            hints = class_id(node)
            if hints and names(hints):
                return True
        node = node.parent
        level += 1
    return False


def index_page(root: Tag) -> PageIndex:
    """One iterative pre-order walk: text blocks, anchors, images, element intervals."""
    blocks: list[TextBlock] = []
    anchors: list[Anchor] = []
    images: list[tuple[int, Tag]] = []
    spans: dict[int, tuple[int, int]] = {}
    semantic: dict[str, Tag] = {}
    custom_tags: set[str] = set()
    head_tags: list[Tag] = []
    time_tags: list[tuple[int, Tag]] = []
    markup_hidden: list[Tag] = []

    block_stack: list[Tag] = [root]
    raw: list[str] = []
    parts: list[str] = []
    # the block being read: first text position, non-space chars, link chars, bold chars
    pos = -1
    chars = links = bold = 0
    lead_link = False
    link_depth = 0
    bold_depth = 0
    heading_stack: list[int] = []
    anchor_stack: list[Anchor | None] = []

    def flush() -> None:
        nonlocal pos, chars, links, bold, lead_link
        if chars:
            text = " ".join("".join(raw).split())
            blocks.append(TextBlock(
                text, parts.copy(), block_stack[-1], pos, chars, links, bold,
                heading_stack[-1] if heading_stack else 0,
                len(_PUNCT_RE.findall(text)), lead_link,
            ))
            pos = -1
            chars = links = bold = 0
            lead_link = False
        raw.clear()
        parts.clear()

    navigable, tag_type = NavigableString, Tag
    skip_tags, block_tags, heading_level, bold_tags = SKIP_TAGS, BLOCK_TAGS, HEADING_LEVEL, BOLD_TAGS
    counter = 0
    # Document order through bs4's next_element chain; an element closes when the next node is
    # not inside it. `open_elements` holds the current node's ancestors up to `root`, with the
    # position each one opened at.
    open_elements: list[Tag] = [root]
    open_at: list[int] = [0]
    child = root.next_element
    while child is not None:
        parent = child.parent
        while parent is not open_elements[-1]:
            node = open_elements.pop()
            spans[id(node)] = (open_at.pop(), counter)
            name = node.name
            if name in block_tags and node is not root:
                if chars:
                    flush()
                elif raw:
                    raw.clear()
                block_stack.pop()
            elif name == "a":
                link_depth -= 1
                anchor_stack.pop()
            elif name in bold_tags:
                bold_depth -= 1
            if name in heading_level:
                heading_stack.pop()
            if not open_elements:
                break
        if not open_elements:
            break
        counter += 1
        kind = type(child)
        if kind is navigable or (kind is not tag_type and isinstance(child, navigable)):
            if kind is not navigable and isinstance(
                    child, (Comment, Declaration, Doctype, ProcessingInstruction, CData)):
                child = child.next_element
                continue
            raw.append(child)
            words = child.split()
            if words:
                piece = " ".join(words)
                parts.append(piece)
                n = len(piece) - len(words) + 1
                if pos < 0:
                    pos = counter
                    lead_link = link_depth > 0
                chars += n
                if link_depth:
                    links += n
                    current = anchor_stack[-1]
                    if current is not None:
                        current.pieces.append(child)
                if bold_depth:
                    bold += n
            child = child.next_element
            continue
        if kind is not tag_type and not isinstance(child, tag_type):
            child = child.next_element
            continue
        name = child.name
        attrs = child.attrs
        cls = attrs.get("class") if attrs else None
        classes = (" ".join(cls) if isinstance(cls, list) else cls if isinstance(cls, str) else "") if cls else ""
        if name in skip_tags or (attrs and (
                (("style" in attrs or "hidden" in attrs) and is_hidden(child))
                or (classes and _hidden_by_class(classes)))):
            spans[id(child)] = (counter, counter)
            if attrs and name not in skip_tags and ("hidden" in attrs or "style" in attrs and hidden_by_style(child)):
                markup_hidden.append(child)
            if name in _HEAD_TAGS:
                head_tags.append(child)
            child = _after_subtree(child)
            continue
        if name in BREAK_TAGS:
            spans[id(child)] = (counter, counter)
            if chars:
                flush()
            elif raw:
                raw.clear()
            child = _after_subtree(child)
            continue
        if name == "img":
            spans[id(child)] = (counter, counter)
            images.append((counter, child))
            child = _after_subtree(child)
            continue
        if name in block_tags:
            if chars:
                flush()
            elif raw:
                raw.clear()
            block_stack.append(child)
        elif name == "a":
            link_depth += 1
            href = attrs.get("href") if attrs else None
            anchor = Anchor(child, href, counter) if isinstance(href, str) and href.strip() else None
            if anchor is not None:
                anchors.append(anchor)
            anchor_stack.append(anchor)
        elif name in bold_tags:
            bold_depth += 1
        if name in heading_level:
            heading_stack.append(heading_level[name])
        if name == "time":
            time_tags.append((counter, child))
        elif name.startswith("founder-"):
            custom_tags.add(name)
            semantic.setdefault(name, child)
        elif classes or (attrs and "id" in attrs):
            ident = attrs.get("id")
            hints = f"{classes} {ident}" if classes and isinstance(ident, str) and ident else \
                classes or (ident if isinstance(ident, str) else "")
            low = hints.lower()
            if "title" in low or "kicker" in low or "yt" in low or "yinti" in low or "futi" in low:
                if "kicker" not in semantic and _KICKER_HINT_RE.search(hints):
                    semantic["kicker"] = child
                elif "subtitle" not in semantic and _SUBTITLE_HINT_RE.search(hints):
                    semantic["subtitle"] = child
        open_elements.append(child)
        open_at.append(counter)
        child = child.next_element
    while open_elements:  # the page ended: close what is still open, innermost first
        node = open_elements.pop()
        spans[id(node)] = (open_at.pop(), counter)
        name = node.name
        if name in block_tags and node is not root:
            flush()
            block_stack.pop()
        if name in heading_level:
            heading_stack.pop()
    flush()
    return PageIndex(blocks, anchors, images, spans, semantic, custom_tags, head_tags, time_tags,
                     markup_hidden).finish()



def _after_subtree(el: Tag):
    """The node that follows `el` and all its descendants in document order."""
    last = el
    while isinstance(last, Tag) and last.contents:
        last = last.contents[-1]
    return last.next_element
