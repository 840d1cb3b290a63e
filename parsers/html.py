"""HTML → ArticleRecord with BeautifulSoup (lxml tree builder).

One parse and one iterative walk (`index_page`) turn the page into a flat list of text blocks
with their element, position, link and bold character counts, plus the anchors and images in
document order. Every element gets a pre-order interval, so "which blocks are inside this
element" is a bisect and text/link/punctuation density of any subtree is a prefix-sum lookup.
Nothing here recurses over the tree (10,000-deep nesting is fine) and no function calls
get_text over the whole page.

Field extractors are small functions over that index. Main content is found by text,
link and punctuation density (CJK aware), never by site-specific ids or classes; class and id
names only nudge the scores the way Readability does.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning
from bs4.element import CData, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

from parsers.bylines import is_person_name, parse_byline, parse_group_credit, split_photo_credit
from parsers.dates import find_labeled_datetime, parse_datetime
from parsers.meta import (
    HeadMeta, JsonLdArticle, enp_properties, is_web_href, json_ld_article, json_ld_objects, resolve_url,
)
from parsers.metalines import (
    MetaLine, is_boilerplate_line, is_end_of_article_line, parse_meta_line, site_name_from_greeting,
)
from parsers.records import ArticleRecord, Author, Block, Image, Link, SubArticle

__all__ = ["extract_html", "strip_non_content", "index_page"]

# Pages are HTML by contract (XHTML e-papers, feeds served as text/html): lxml's HTML parser
# handles them, and the warnings would only be noise in pipeline logs.
for _category in (XMLParsedAsHTMLWarning, MarkupResemblesLocatorWarning):
    warnings.filterwarnings("ignore", category=_category, module=r"parsers\.html")

# ---------------------------------------------------------------------------------------
# Tunables
# ---------------------------------------------------------------------------------------
MIN_SCORED_BLOCK_CHARS = 10       # blocks shorter than this do not vote for a container
MAX_LINK_DENSITY_PROSE = 0.5      # a block with more link text than this is navigation
MIN_ARTICLE_PROSE_CHARS = 120     # body text an article needs (CJK chars count one each)
MIN_ARTICLE_PROSE_CHARS_TYPED = 40  # ... when JSON-LD / og:type says "article"
MAX_SECTION_CHARS = 40            # a bold-only line longer than this is a paragraph
MAX_FIGURE_TEXT_CHARS = 200       # caption + credit around one image
MAX_CONTAINMENT_CHECK_CHARS = 200_000  # pull-quote check is quadratic-ish; skip on huge bodies
ANCESTOR_SCORE_LEVELS = 4
SPLIT_BODY_LEVELS = 3             # how far up a split body's repeated wrappers are looked for
MAX_ERROR_PAGE_PROSE_CHARS = 300  # an error template has little text; a story about 404s has more

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
# Elements whose text is a paragraph of their parent container (the container is the candidate).
PARAGRAPH_TAGS = frozenset({"p", "li", "dd", "dt", "pre", "blockquote", "figcaption", "caption",
                            "h1", "h2", "h3", "h4", "h5", "h6", "span", "font"})

# ASCII and CJK punctuation that ends or splits clauses: prose has it, navigation does not.
PUNCTUATION = frozenset("，。！？；：、“”‘’（）《》,.!?;:")
_PUNCT_DELETE = {ord(ch): None for ch in PUNCTUATION}
_PROSE_PUNCT_DELETE = {ord(ch): None for ch in "，。！？；、,!?;"}
SENTENCE_END = tuple("。！？!?；;：:")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_KANA_HANGUL_RE = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")

# Readability-style hints: they only nudge candidate scores.
_POSITIVE_HINT_RE = re.compile(
    r"article|body|content|entry|main|page|post|text|story|detail|zoom|正文|news_?txt|neirong|wenzhang", re.I)
_NEGATIVE_HINT_RE = re.compile(
    r"comment|foot|footer|sidebar|side|widget|related|share|social|sponsor|banner|advert|\bads?\b|promo|"
    r"nav|menu|crumb|breadcrumb|location|position|pager|pagination|pagelist|hot|rank|paihang|tuijian|"
    r"recommend|right|links?|friend|copyright|login|topbar|toolbar|tools|header|masthead", re.I)
_COMMENT_HINT_RE = re.compile(r"comment|reply|replies|respond|discuss|disqus|pinglun|forum|post-?list|messages?-?list", re.I)
_LINK_NEGATIVE_HINT_RE = re.compile(
    r"foot|footer|sidebar|side|widget|related|share|social|sponsor|banner|advert|\bads?\b|promo|nav|menu|"
    r"crumb|location|position|pager|pagination|pagelist|pages|hot|rank|paihang|tuijian|recommend|right|"
    r"friend|copyright|topbar|toolbar|tools|header|prenext|prev|next", re.I)
_KICKER_HINT_RE = re.compile(r"(?:^|[-_\s])(?:kicker|introtitle|intro-title|pretitle|pre-title|yinti|yt)(?:$|[-_\s])", re.I)
_TITLE_HINT_PREFILTER = re.compile(r"title|kicker|yt|yinti|futi", re.I)
_SUBTITLE_HINT_RE = re.compile(r"(?:^|[-_\s])(?:subtitle|sub-title|subheadline|fubiaoti|futi)(?:$|[-_\s])", re.I)
_IMAGE_JUNK_RE = re.compile(
    r"(?<![a-z])(?:logo|icon|avatar|qrcode|qr-code|erweima|ewm|spacer|blank|pixel|loading|lazyload\.|"
    r"placeholder|share|btn|button|arrow|dot\.|bullet|pdf\.|banner|ads?/|badge|emoji|face/|gongan|beian|dzjg)",
    re.I)
_LAZY_SRC_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-original-src", "data-url",
                   "data-echo", "data-lazy", "file", "src")

_ERROR_PAGE_RE = re.compile(
    r"(?:页面|网页|文章|内容|信息|稿件|资源)(?:不存在|未找到|找不到|已删除|已被删除|已过期|无法访问)|"
    r"找不到(?:该|此|您要的)?页面|^\s*404\b|\b404\s*(?:not\s*found|错误|页面)|page\s+not\s+found|"
    r"not\s+found|出错了|访问的页面(?:不存在|出错)", re.I)
_CAPTION_START_RE = re.compile(r"^[（(【\[]?\s*(?:图为|图片说明|图注|上图|下图|左图|右图|图\s*[:：])")
_LEAD_LABELS = frozenset({"核心提示", "内容提要", "提要", "摘要", "导读", "核心阅读", "阅读提示", "编者按",
                          "内容摘要", "本文导读", "导语"})
_TITLE_SEPARATORS = (" | ", "|", "｜", "_", " - ", " — ", " – ", " :: ", "-", "—")
_EPAPER_TITLE_RE = re.compile(r"(数字报刊?|电子版|数字版|电子报|数字报纸)(平台)?$")
_URL_DATE_RES = (
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/"),
    re.compile(r"[/_]t((?:19|20)\d{2})(\d{2})(\d{2})_"),
)
_META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "publishdate",
    "pubdate", "publish_date", "publish-date", "publishtime", "datepublished", "dc.date.issued",
    "dc.date.created", "dc.date", "dcterms.issued", "dcterms.created", "sailthru.date", "release_date",
    "og:release_date", "weibo:article:create_at", "article:published", "date", "firstpublishedtime",
)
_META_SOURCE_KEYS = ("contentsource", "source", "article:source", "og:source", "dc.source", "xwsource")
_META_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl")
_META_TITLE_KEYS = ("og:title", "articletitle", "twitter:title", "title", "headline", "dc.title")


# ---------------------------------------------------------------------------------------
# Pre-cleaning and the page index
# ---------------------------------------------------------------------------------------
_STRIP_OPEN_RE = re.compile(r"<(?:(script|style|noscript|template)\b[^>]{0,4000}>|(!--)|\?)", re.I)
_CLOSE_RES = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "noscript", "template")}


def strip_non_content(html: str) -> str:
    """Remove script/style/noscript/template elements, comments and processing instructions
    with a linear scan.

    Cheaper than building them into the tree and deleting them afterwards.
    """
    out: list[str] = []
    pos = 0
    n = len(html)
    while pos < n:
        m = _STRIP_OPEN_RE.search(html, pos)
        if not m:
            break
        out.append(html[pos:m.start()])
        name = m.group(1)
        if name:
            close = _CLOSE_RES[name.lower()].search(html, m.end())
            pos = close.end() if close else n
        elif m.group(2):
            end = html.find("-->", m.end())
            pos = end + 3 if end >= 0 else n
        else:  # <?xml …?> and other processing instructions: bogus comments in HTML
            end = html.find(">", m.end())
            pos = end + 1 if end >= 0 else n
        out.append(" ")
    out.append(html[pos:])
    return "".join(out)


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

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0

    @property
    def spaced(self) -> str:
        """Text with inline element boundaries as spaces (for label:value parsing)."""
        return " ".join(self.parts)


@dataclass(eq=False)
class Anchor:
    element: Tag
    href: str
    pos: int
    pieces: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
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


def _is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs
    if not attrs:
        return False
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if isinstance(style, str) and ("none" in style or "hidden" in style):
        compact = style.replace(" ", "").lower()
        return "display:none" in compact or "visibility:hidden" in compact
    return False


def _class_id(tag: Tag) -> str:
    """class and id attribute values as one string (for hint regexes)."""
    attrs = tag.attrs
    cls = attrs.get("class")
    if cls is not None and not isinstance(cls, str):
        cls = " ".join(cls)
    ident = attrs.get("id")
    if cls and isinstance(ident, str) and ident:
        return f"{cls} {ident}"
    return cls or (ident if isinstance(ident, str) else "") or ""


def index_page(root: Tag) -> PageIndex:
    """One iterative pre-order walk: text blocks, anchors, images, element intervals."""
    blocks: list[TextBlock] = []
    anchors: list[Anchor] = []
    images: list[tuple[int, Tag]] = []
    spans: dict[int, tuple[int, int]] = {}
    open_spans: dict[int, int] = {}
    semantic: dict[str, Tag] = {}
    custom_tags: set[str] = set()
    head_tags: list[Tag] = []
    time_tags: list[tuple[int, Tag]] = []

    block_stack: list[Tag] = [root]
    raw: list[str] = []
    parts: list[str] = []
    state = {"pos": -1, "chars": 0, "links": 0, "bold": 0}
    link_depth = 0
    bold_depth = 0
    heading_stack: list[int] = []
    anchor_stack: list[Anchor | None] = []

    def flush() -> None:
        if state["chars"]:
            text = " ".join("".join(raw).split())
            punct = len(text) - len(text.translate(_PUNCT_DELETE))
            blocks.append(TextBlock(
                text=text, parts=list(parts), element=block_stack[-1], pos=state["pos"],
                chars=state["chars"], link_chars=state["links"], bold_chars=state["bold"],
                heading=heading_stack[-1] if heading_stack else 0, punct=punct,
            ))
        raw.clear()
        parts.clear()
        state.update(pos=-1, chars=0, links=0, bold=0)

    counter = 0
    open_spans[id(root)] = 0
    stack: list[tuple[Tag, object]] = [(root, iter(root.contents))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)  # type: ignore[call-overload]
        if child is None:
            stack.pop()
            spans[id(node)] = (open_spans.pop(id(node), counter), counter)
            name = node.name
            if name in BLOCK_TAGS and node is not root:
                flush()
                block_stack.pop()
            if name == "a":
                link_depth -= 1
                anchor_stack.pop()
            if name in BOLD_TAGS:
                bold_depth -= 1
            if name in HEADING_LEVEL:
                heading_stack.pop()
            continue
        counter += 1
        kind = type(child)
        if kind is NavigableString or (kind is not Tag and isinstance(child, NavigableString)):
            if kind is not NavigableString and isinstance(
                    child, (Comment, Declaration, Doctype, ProcessingInstruction, CData)):
                continue
            s = str(child)
            raw.append(s)
            stripped = s.strip()
            if not stripped:
                continue
            n = len("".join(stripped.split()))
            parts.append(" ".join(stripped.split()))
            if state["pos"] < 0:
                state["pos"] = counter
            state["chars"] += n
            if link_depth:
                state["links"] += n
                current = anchor_stack[-1] if anchor_stack else None
                if current is not None:
                    current.pieces.append(s)
            if bold_depth:
                state["bold"] += n
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        attrs = child.attrs
        if name in SKIP_TAGS or (attrs and ("style" in attrs or "hidden" in attrs) and _is_hidden(child)):
            spans[id(child)] = (counter, counter)
            if name in _HEAD_TAGS:
                head_tags.append(child)
            continue
        if name in BREAK_TAGS:
            spans[id(child)] = (counter, counter)
            flush()
            continue
        if name == "img":
            spans[id(child)] = (counter, counter)
            images.append((counter, child))
            continue
        open_spans[id(child)] = counter
        if name.startswith("founder-"):
            custom_tags.add(name)
            semantic.setdefault(name, child)
        elif name == "time":
            time_tags.append((counter, child))
        elif attrs and ("class" in attrs or "id" in attrs):
            hints = _class_id(child)
            if hints and _TITLE_HINT_PREFILTER.search(hints):
                if "kicker" not in semantic and _KICKER_HINT_RE.search(hints):
                    semantic["kicker"] = child
                elif "subtitle" not in semantic and _SUBTITLE_HINT_RE.search(hints):
                    semantic["subtitle"] = child
        if name in BLOCK_TAGS:
            flush()
            block_stack.append(child)
        if name == "a":
            link_depth += 1
            href = child.get("href")
            anchor = Anchor(child, href, counter) if isinstance(href, str) and href.strip() else None
            if anchor is not None:
                anchors.append(anchor)
            anchor_stack.append(anchor)
        if name in BOLD_TAGS:
            bold_depth += 1
        if name in HEADING_LEVEL:
            heading_stack.append(HEADING_LEVEL[name])
        stack.append((child, iter(child.contents)))
    flush()
    return PageIndex(blocks, anchors, images, spans, semantic, custom_tags, head_tags, time_tags).finish()


# ---------------------------------------------------------------------------------------
# Main content
# ---------------------------------------------------------------------------------------
def block_prose_score(b: TextBlock) -> float:
    """How much a block looks like article prose: length and punctuation, no links."""
    if b.chars < MIN_SCORED_BLOCK_CHARS or b.link_density > MAX_LINK_DENSITY_PROSE:
        return 0.0
    return 1.0 + b.punct + min(b.chars / 50.0, 3.0)


def _tag_weight(tag: Tag) -> float:
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
    hints = _class_id(tag) if tag.attrs else ""
    if hints:
        if _NEGATIVE_HINT_RE.search(hints):
            weight -= 25
        if _POSITIVE_HINT_RE.search(hints):
            weight += 25
    return weight


def find_main_content(index: PageIndex, root: Tag) -> Tag | None:
    """The element that holds the article body (Readability-style voting, CJK punctuation)."""
    scores: dict[int, list] = {}
    for b in index.blocks:
        s = block_prose_score(b)
        if s <= 0:
            continue
        el = b.element
        node = el.parent if el.name in PARAGRAPH_TAGS and el is not root else el
        level = 0
        while node is not None and level < ANCESTOR_SCORE_LEVELS and isinstance(node, Tag) \
                and node.name != "[document]":
            entry = scores.get(id(node))
            if entry is None:
                entry = scores[id(node)] = [node, _tag_weight(node)]
            entry[1] += s / (1 if level == 0 else 2 if level == 1 else level * 3)
            if node is root:
                break
            node = node.parent
            level += 1
    best, best_score = None, 0.0
    for node, raw in scores.values():
        final = raw * (1.0 - index.link_density(node))
        if final > best_score and _inside_comments(node):
            final *= 0.2  # reader comments can outweigh a short story
        if final > best_score:
            best, best_score = node, final
    return best


def _inside_comments(node: Tag, levels: int = 8) -> bool:
    """The node or a near ancestor is a comment thread (class/id comment, reply, respond …)."""
    for _ in range(levels):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return False
        if node.attrs:
            hints = _class_id(node)
            if hints and _COMMENT_HINT_RE.search(hints):
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
    if not blocks or index.link_density(sib) > 0.25 or _tag_weight(sib) < 0 or _inside_comments(sib):
        return False
    if _shares_class(node, sib):
        return any(is_prose(b) for b in blocks)  # a repeated wrapper: the body filter cleans it
    if level > 0 or sum(block_prose_score(b) for b in blocks) < max(10.0, top_score * 0.2):
        return False
    return not any(is_boilerplate_line(b.text) or parse_meta_line(b.spaced) for b in blocks if b.chars <= 200)


# ---------------------------------------------------------------------------------------
# Extraction context
# ---------------------------------------------------------------------------------------
@dataclass
class Facts:
    """Metadata gathered from lines around the body; the first value found wins."""
    published_at: list[str] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    original_urls: list[str] = field(default_factory=list)

    def add_meta(self, m: MetaLine, *, with_date: bool = True) -> None:
        if m.published_at and with_date:
            self.published_at.append(m.published_at)
        self.add_authors(m.authors)
        if m.source_name:
            self.sources.append(m.source_name)
        if m.original_url:
            self.original_urls.append(m.original_url)

    def add_authors(self, authors: list[Author] | None) -> None:
        for a in authors or []:
            if a not in self.authors:
                self.authors.append(a)


@dataclass
class Page:
    html: str
    soup: BeautifulSoup
    root: Tag
    index: PageIndex
    head: HeadMeta
    ld: JsonLdArticle | None
    enp: dict[str, str]
    url: str | None
    base: str | None
    now: datetime | None = None


def _norm(s: str | None) -> str:
    return " ".join((s or "").split())


# ---------------------------------------------------------------------------------------
# Title, kicker, subtitle
# ---------------------------------------------------------------------------------------
def _title_references(page: Page) -> list[str]:
    refs = [page.head.get(*_META_TITLE_KEYS), page.ld.headline if page.ld else None, page.enp.get("title")]
    return [_norm(r) for r in refs if r and _norm(r)]


def is_prose(b: TextBlock) -> bool:
    """A sentence-bearing body line (not a heading, byline, date or link list)."""
    return (b.chars >= 15 and not b.heading and b.link_density < MAX_LINK_DENSITY_PROSE
            and len(b.text) != len(b.text.translate(_PROSE_PUNCT_DELETE)))


def first_body_paragraph(index: PageIndex, lo: int, hi: int) -> int:
    for i in range(lo, hi):
        if is_prose(index.blocks[i]) and not is_section_heading(index.blocks[i]):
            return i
    return lo


def find_title_block(page: Page, limit: int) -> int | None:
    """Index of the block before `limit` (the first body paragraph) that displays the headline."""
    blocks = page.index.blocks
    refs = set(_title_references(page))
    page_title = _norm(page.head.title)
    best: tuple[int, int] | None = None
    for i in range(min(limit, len(blocks))):
        b = blocks[i]
        if b.chars > 120 or b.link_density > 0.5:
            continue
        text = b.text
        rank = 0
        if text in refs:
            rank = 4 if b.heading else 3
        elif b.heading and len(text) >= 4 and page_title and text in page_title:
            rank = 3 if b.heading == 1 else 2
        elif b.heading == 1:
            rank = 1
        if rank and (best is None or rank >= best[0]):
            best = (rank, i)
    return best[1] if best else None


def extract_title(page: Page, title_block: int | None) -> str | None:
    if title_block is not None:
        return page.index.blocks[title_block].text
    refs = _title_references(page)
    if refs:
        return refs[0]
    title, _ = split_page_title(page.head.title, None)
    return title


def split_page_title(page_title: str | None, headline: str | None) -> tuple[str | None, str | None]:
    """(headline part, site part) of a `<title>` such as `Headline_Channel_Site` or `Site-Headline`."""
    title = _norm(page_title)
    if not title:
        return None, None
    if headline and headline in title and headline != title:
        before, _, after = title.partition(headline)
        rest = after if after.strip(" _|｜-—–:") else before
        pieces = _split_on_separator(rest.strip(" _|｜-—–:"))
        site = (pieces[-1] if after.strip(" _|｜-—–:") else pieces[0]) if pieces else None
        return headline, site
    pieces = _split_on_separator(title)
    if len(pieces) > 1:
        return pieces[0], pieces[-1]
    return title, None


def _split_on_separator(text: str) -> list[str]:
    for sep in _TITLE_SEPARATORS:
        if sep in text:
            if sep in ("-", "—") and (sep * 2) in text:
                continue  # 逐“质”而行——阜新… : a dash pair inside the headline is not a separator
            pieces = [p.strip() for p in text.split(sep) if p.strip()]
            if len(pieces) > 1:
                return pieces
    return [text] if text else []


def _semantic_text(page: Page, key: str, lo_pos: int, hi_pos: int) -> str | None:
    """Text of the first element marked `key` (founder-introtitle, class=kicker …) when it starts
    between the two positions."""
    index = page.index
    el = index.semantic.get(key)
    sp = index.span(el) if el is not None else None
    if sp is None or not (lo_pos <= sp[0] <= hi_pos):
        return None
    lo, hi = index.block_range(el)
    text = " ".join(b.text for b in index.blocks[lo:hi])
    if not text:  # an inline element inside a larger block
        text = _norm(" ".join(el.strings))
    return text or None


def extract_kicker_subtitle(page: Page, title_block: int | None,
                            header_end: int) -> tuple[str | None, str | None, set[int]]:
    """引题 and 副题 around the headline; returns their block indexes too (excluded from the body)."""
    blocks = page.index.blocks
    if title_block is None:
        return None, None, set()
    title_text = blocks[title_block].text
    title_pos = blocks[title_block].pos
    before_pos = blocks[max(0, title_block - 3)].pos
    after_pos = blocks[header_end].pos if header_end < len(blocks) else title_pos + 10_000

    kicker = _semantic_text(page, "founder-introtitle", before_pos, title_pos) or \
        _semantic_text(page, "kicker", before_pos, title_pos)
    subtitle = _semantic_text(page, "founder-subtitle", title_pos, after_pos) or \
        _semantic_text(page, "subtitle", title_pos, after_pos)
    if kicker == title_text:
        kicker = None
    if subtitle == title_text:
        subtitle = None
    prev = blocks[title_block - 1] if title_block > 0 else None
    if kicker is None and prev is not None and prev.chars <= 60 and not prev.link_chars \
            and prev.text.endswith(("——", "--", "—")):
        kicker = prev.text
    nxt = blocks[title_block + 1] if title_block + 1 < len(blocks) else None
    if subtitle is None and nxt is not None and nxt.chars <= 80 and not nxt.link_chars \
            and nxt.text.startswith(("——", "--", "—")):
        subtitle = nxt.text
    used = {i for i in range(max(0, title_block - 3), min(len(blocks), max(header_end, title_block + 3)))
            if blocks[i].text in (kicker, subtitle)}
    return kicker, subtitle, used


# ---------------------------------------------------------------------------------------
# Body
# ---------------------------------------------------------------------------------------
def is_section_heading(b: TextBlock) -> bool:
    if b.link_chars:
        return False
    if b.heading >= 2 and b.chars <= 60:
        return True
    if b.bold_chars >= b.chars * 0.9 and 2 <= b.chars <= MAX_SECTION_CHARS \
            and not b.text.rstrip("”’\"')）)").endswith(SENTENCE_END):
        return True
    return False


def _figure_container(page: Page, img_pos: int, img: Tag, stop: list[Tag]) -> Tag | None:
    """The largest ancestor of an image that holds only it and a short caption."""
    index = page.index
    best = None
    node = img.parent
    while isinstance(node, Tag) and node is not page.root and node.name not in ("body", "html", "[document]"):
        if any(node is s or index.encloses(node, s) for s in stop):
            break
        if index.images_in(node) > 1 or index.chars_in(node) > MAX_FIGURE_TEXT_CHARS:
            break
        # an <hN>, or a bold line above the photo, is a subheading, not a caption
        if any(b.heading or (b.pos < img_pos and is_section_heading(b)) for b in index.blocks_in(node)):
            break
        best = node
        node = node.parent
    return best


def _image_src(img: Tag, base: str | None) -> str | None:
    for attr in _LAZY_SRC_ATTRS:
        value = img.get(attr)
        if isinstance(value, str) and value.strip() and not value.strip().startswith("data:"):
            return resolve_url(value.strip(), base)
    return None


def _is_junk_image(img: Tag, src: str) -> bool:
    if img.get("usemap") is not None or img.get("ismap") is not None:
        return True  # an e-paper page map / scan
    hints = f"{src} {_class_id(img) if img.attrs else ''}"
    if _IMAGE_JUNK_RE.search(hints):
        return True
    for attr in ("width", "height"):
        value = img.get(attr)
        if isinstance(value, str):
            digits = value.strip().removesuffix("px")
            if digits.isdigit() and int(digits) < 60:
                return True
    parent = img.parent
    for _ in range(6):  # a thumbnail's link is a near ancestor
        if not isinstance(parent, Tag) or parent.name in ("body", "html"):
            break
        if parent.name == "a":
            href = parent.get("href")
            if isinstance(href, str) and href.strip() and not re.search(r"\.(?:jpe?g|png|gif|webp|bmp)(?:\?|$)", href, re.I):
                return True  # a thumbnail linking to another page
            break
        parent = parent.parent
    return False


@dataclass
class Figure:
    image: Image
    photographers: list[Author]


def extract_images(page: Page, title_pos: int, containers: list[Tag], stop: list[Tag]) -> tuple[list[Figure], set[int]]:
    """Article photos (header zone and body), with caption and credit; the caption blocks used."""
    index = page.index
    end = max((index.span(c) or (0, 0))[1] for c in containers) if containers else -1
    figures: list[Figure] = []
    used_blocks: set[int] = set()
    seen: set[str] = set()
    for pos, img in index.images:
        if not (title_pos < pos <= end):
            continue
        src = _image_src(img, page.base)
        if not src or src in seen or _is_junk_image(img, src):
            continue
        seen.add(src)
        container = _figure_container(page, pos, img, stop)
        caption = credit = None
        people: list[Author] = []
        if container is not None:
            lo, hi = index.block_range(container)
            used_blocks.update(range(lo, hi))
            caption, credit, people = caption_and_credit(index.blocks[lo:hi])
        if not caption and not credit:
            following = _caption_line_after(page, pos)
            if following is not None:
                used_blocks.add(following)
                caption, credit, people = caption_and_credit([index.blocks[following]])
        if not caption:
            alt = img.get("alt") or img.get("title")
            if isinstance(alt, str) and _norm(alt) and not _IMAGE_JUNK_RE.search(alt):
                caption = _norm(alt)
        figures.append(Figure(Image(src=src, caption=caption or None, credit=credit), people))
    return figures, used_blocks


def _caption_line_after(page: Page, img_pos: int) -> int | None:
    """`<p><img></p><p>说明文字。 刘思源 摄</p>`: the line right after a bare image, when it
    carries a photo credit or starts like a caption (图为…)."""
    index = page.index
    i = bisect_right(index.block_pos, img_pos)
    if i >= len(index.blocks):
        return None
    b = index.blocks[i]
    if b.chars > 120 or b.heading or b.link_chars:
        return None
    j = bisect_right(index.image_pos, img_pos)
    if j < len(index.image_pos) and index.image_pos[j] < b.pos:
        return None  # another image comes first
    if _CAPTION_START_RE.match(b.text) or split_photo_credit(b.text)[1]:
        return i
    return None


def caption_and_credit(blocks: list[TextBlock]) -> tuple[str | None, str | None, list[Author]]:
    if not blocks:
        return None, None, []
    full = " ".join(b.text for b in blocks)
    caption, credit, people = split_photo_credit(full)
    if credit is None:
        parts = [p for b in blocks for p in b.parts]
        if len(parts) > 1:
            cap2, credit2, people2 = split_photo_credit(parts[-1])
            if credit2 and not cap2:
                cut = full.rfind(parts[-1])
                return _norm(full[:cut]) or None, credit2, people2
    return (caption or None), credit, people


def extract_body_blocks(page: Page, containers: list[Tag], skip: set[int],
                        facts: Facts) -> tuple[list[Block], str | None]:
    """Paragraphs and section headings of the body, in order; and the lead-box text."""
    index = page.index
    body: list[Block] = []
    lead = None
    expect_lead = False
    for container in containers:
        lo, hi = index.block_range(container)
        for i in range(lo, hi):
            if i in skip:
                continue
            b = index.blocks[i]
            text = b.text
            label = text.strip("【】[]:： ")
            if label in _LEAD_LABELS and b.chars <= 8:
                expect_lead = True
                continue
            if b.link_density > MAX_LINK_DENSITY_PROSE and b.chars < 200:
                continue
            if b.chars <= 200 and _consume_meta(b, facts, record_date=False, by_parts=False, now=page.now):
                continue
            if b.chars <= 200 and is_boilerplate_line(text):
                continue
            if is_end_of_article_line(text):
                break
            if is_section_heading(b):
                body.append(Block("heading", text))
                continue
            if expect_lead:
                lead = text
                expect_lead = False
            body.append(Block("paragraph", text))
    return drop_contained_paragraphs(body), lead


def _read_line(text: str, facts: Facts, *, record_date: bool, now: datetime | None) -> bool:
    """Record what one metadata-looking line says; True when it is such a line."""
    m = parse_meta_line(text)
    if m is not None:
        facts.add_meta(m, with_date=record_date)
        return True
    group = parse_group_credit(text)
    if group is not None:
        facts.add_authors(group)
        return True
    if len(text) <= 60:
        people = parse_byline(text)
        if people is not None:
            facts.add_authors(people)
            return True
    if _looks_like_bare_date(text):
        found = parse_datetime(text, now=now)
        if found:
            if record_date:
                facts.published_at.append(found)
            return True
    return False


def _consume_meta(b: TextBlock, facts: Facts, *, record_date: bool, by_parts: bool,
                  now: datetime | None = None) -> bool:
    """Record a metadata/byline/credit/date line in `facts`; True when the block is one.

    With `by_parts`, each text node is read on its own first (`<span>2024-11-02 09:05</span>
    <span>来源：阜新日报</span><span>文/图 记者 孙悦</span>`), so a value never runs into the
    next span's label; the joined line is read after, for labels split from their values.
    """
    recognized = False
    if by_parts and len(b.parts) > 1:
        for part in b.parts:
            recognized = _read_line(part, facts, record_date=record_date, now=now) or recognized
    for text in dict.fromkeys((b.text, b.spaced)):
        if _read_line(text, facts, record_date=record_date, now=now):
            return True
    if record_date and not recognized:
        labelled = find_labeled_datetime(b.spaced, now=now)
        if labelled:
            facts.published_at.append(labelled)
    return recognized


def drop_contained_paragraphs(body: list[Block]) -> list[Block]:
    """Pull quotes and repeats: a paragraph contained in another paragraph is dropped."""
    paragraphs = [b.text for b in body if b.kind == "paragraph"]
    total = sum(len(p) for p in paragraphs)
    if len(paragraphs) < 2:
        return body
    if total > MAX_CONTAINMENT_CHECK_CHARS:
        seen: set[str] = set()
        out = []
        for b in body:
            if b.kind == "paragraph" and b.text in seen:
                continue
            seen.add(b.text)
            out.append(b)
        return out
    joined = "\n".join(paragraphs)  # paragraphs hold no newline: a hit never spans two
    out = []
    kept: set[str] = set()
    for i, b in enumerate(body):
        if b.kind != "paragraph" or len(b.text) < 8:
            out.append(b)
            continue
        text = b.text
        if text in kept:
            continue  # an exact repeat
        if joined.count(text) > 1 and any(
                len(o.text) > len(text) and text in o.text for j, o in enumerate(body) if j != i):
            continue  # a pull quote: contained in a longer paragraph
        kept.add(text)
        out.append(b)
    return out


# ---------------------------------------------------------------------------------------
# Sub-articles (e-paper columns printed with the story)
# ---------------------------------------------------------------------------------------
def extract_sub_articles(page: Page, start: int, stop: int, facts: Facts) -> tuple[list[SubArticle], set[int]]:
    """Titled short reports after the body: heading + prose paragraphs, at least two of them."""
    blocks = page.index.blocks
    subs: list[SubArticle] = []
    used: set[int] = set()
    current: SubArticle | None = None
    current_used: list[int] = []
    group_authors: list[Author] = []
    i = start
    while i < stop:
        b = blocks[i]
        if is_end_of_article_line(b.text) or (b.link_density > MAX_LINK_DENSITY_PROSE and current is not None):
            break
        credit = parse_group_credit(b.text)
        if credit is not None:
            group_authors.extend(credit)
            used.add(i)
            i += 1
            continue
        if is_section_heading(b) and not is_boilerplate_line(b.text):
            if current is not None and current.paragraphs:
                subs.append(current)
                used.update(current_used)
            current, current_used = SubArticle(title=b.text), [i]
        elif current is not None and b.punct >= 1 and b.chars >= 20 and b.link_density < 0.2:
            current.paragraphs.append(b.text)
            current_used.append(i)
        elif current is not None and current.paragraphs:
            subs.append(current)
            used.update(current_used)
            current, current_used = None, []
        i += 1
    if current is not None and current.paragraphs:
        subs.append(current)
        used.update(current_used)
    if len(subs) < 2:
        return [], set()
    for sub in subs:
        sub.authors = list(dict.fromkeys(group_authors))
    facts.add_authors(group_authors)
    return subs, used


# ---------------------------------------------------------------------------------------
# Metadata around the body
# ---------------------------------------------------------------------------------------
def scan_header_zone(page: Page, start: int, stop: int, skip: set[int], facts: Facts) -> None:
    """Bylines, meta lines and the visible date between the headline and the body."""
    blocks = page.index.blocks
    for i in range(start, stop):
        if i in skip:
            continue
        b = blocks[i]
        if b.link_density > MAX_LINK_DENSITY_PROSE or b.chars > 300:
            continue
        _consume_meta(b, facts, record_date=True, by_parts=True, now=page.now)


def _looks_like_bare_date(text: str) -> bool:
    if len(text) > 40 or not re.search(r"\d{4}", text):
        return False
    return len(re.sub(r"[\d\s:：\-/.年月日时分秒TZ+星期一二三四五六日天]", "", text)) <= 2


def scan_footer_zone(page: Page, start: int, stop: int, skip: set[int], facts: Facts) -> None:
    """Editor lines, 原文链接, 来源 and credits after the body, up to the next story list."""
    blocks = page.index.blocks
    for i in range(start, stop):
        if i in skip:
            continue
        b = blocks[i]
        if is_end_of_article_line(b.text):
            break
        if b.chars > 200:
            continue
        _consume_meta(b, facts, record_date=False, by_parts=True, now=page.now)


def extract_original_url_from_links(page: Page, start: int, stop: int) -> str | None:
    """原文链接 whose URL is only in the href of a link on that line."""
    index = page.index
    for i in range(start, stop):
        b = index.blocks[i]
        if b.chars <= 200 and re.match(r"^[【\[(（]?\s*(?:原文链接|原文地址|原文网址|原始链接|阅读原文)", b.text):
            for a in index.anchors:
                if a.pos >= b.pos and index.contains(b.element, a.pos):
                    return resolve_url(a.href, page.base)
    return None


def extract_published_at(page: Page, facts: Facts, article_root: Tag | None, is_epaper: bool) -> str | None:
    """JSON-LD > meta tags > labelled visible date near the title > <time> > e-paper edition date
    (enpproperty comment, then the edition date line) > date in the URL."""
    now = page.now
    if page.ld and page.ld.date_published:
        found = parse_datetime(page.ld.date_published, now=now)
        if found:
            return found
    for key in _META_DATE_KEYS:
        value = page.head.metas.get(key)
        if value:
            found = parse_datetime(value, now=now)
            if found:
                return found
    if facts.published_at:
        return facts.published_at[0]
    if article_root is not None:
        for pos, tag in page.index.time_tags:
            if not page.index.contains(article_root, pos):
                continue
            value = tag.get("datetime") or tag.get_text()
            found = parse_datetime(value, now=now) if isinstance(value, str) else None
            if found:
                return found
    enp_date = page.enp.get("date")
    if enp_date:
        found = parse_datetime(enp_date, now=now)
        if found:
            return found[:10]  # the edition date: e-papers carry no publishing time
    if is_epaper:
        edition = epaper_edition_date(page)
        if edition:
            return edition
    return date_from_url(page.url, now)


def epaper_edition_date(page: Page) -> str | None:
    """`2023年03月07日 星期二 第06版：市县·阜新` in the masthead: the edition date, as a bare date."""
    for b in page.index.blocks[:40]:
        if b.chars <= 60 and "版" in b.text and not b.link_chars:
            found = parse_datetime(b.text, now=page.now)
            if found:
                return found[:10]
    return None


def date_from_url(url: str | None, now: datetime | None = None) -> str | None:
    if not url:
        return None
    for pattern in _URL_DATE_RES:
        m = pattern.search(url)
        if m:
            found = parse_datetime(f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}", now=now)
            if found:
                return found[:10]
    return None


def extract_authors(page: Page, facts: Facts, figures: list[Figure]) -> list[Author]:
    """Visible bylines, editor lines and photo credits; named-only sources (JSON-LD, meta, e-paper
    properties) add people the page does not show, as 'author'."""
    authors: list[Author] = []
    for a in facts.authors + [p for f in figures for p in f.photographers]:
        if a not in authors:
            authors.append(a)
    named: list[str] = []
    if page.ld:
        named.extend(page.ld.author_names)
    meta_author = page.head.get(*_META_AUTHOR_KEYS)
    if meta_author:
        named.extend(n for n in re.split(r"[\s,，、;；/]+", meta_author) if n)
    if page.enp.get("author"):
        named.extend(n for n in re.split(r"[\s,，、;；/]+", page.enp["author"]) if n)
    known = {a.name for a in authors}
    for name in named:
        if name not in known and is_person_name(name):
            authors.append(Author(name, "author"))
            known.add(name)
    return authors


def extract_source(page: Page, facts: Facts, is_epaper: bool) -> str | None:
    """来源 line > source metas > JSON-LD publisher > e-paper masthead."""
    if facts.sources:
        return facts.sources[0]
    value = page.head.get(*_META_SOURCE_KEYS)
    if value and len(value) <= 40:
        return value
    if page.ld and page.ld.publisher_name:
        return page.ld.publisher_name
    if is_epaper:
        return epaper_masthead(page)
    return None


def epaper_masthead(page: Page) -> str | None:
    """The newspaper's name: the `<title>` part naming the e-paper (辽宁日报数字报 → 辽宁日报)."""
    title = _norm(page.head.title)
    for piece in _split_on_separator(title):
        m = _EPAPER_TITLE_RE.search(piece)
        if m and piece[: m.start()].strip():
            return piece[: m.start()].strip()
    for pos, img in page.index.images[:5]:
        alt = img.get("alt")
        if isinstance(alt, str) and 2 <= len(_norm(alt)) <= 12 and _norm(alt).endswith(("报", "刊")):
            return _norm(alt)
    return None


def extract_canonical_url(page: Page) -> str | None:
    for candidate in (page.head.canonical, page.head.get("og:url"), page.ld.main_entity_url if page.ld else None):
        resolved = resolve_url(candidate, page.base) if candidate else None
        if resolved and resolved.startswith(("http://", "https://")):
            return resolved
    return None


def extract_site_name(page: Page, title: str | None) -> str | None:
    value = page.head.get("og:site_name", "sitename", "application-name", "site_name")
    if value:
        return value
    _, site = split_page_title(page.head.title, title)
    if site:
        return site
    for b in page.index.blocks[:10]:
        found = site_name_from_greeting(b.text)
        if found:
            return found
    return logo_alt(page)


def logo_alt(page: Page) -> str | None:
    """alt text of the site logo: an early image whose src/class says logo."""
    for _, img in page.index.images[:8]:
        alt = img.get("alt")
        src = img.get("src") or ""
        if isinstance(alt, str) and 2 <= len(_norm(alt)) <= 20 and (
                "logo" in (src if isinstance(src, str) else "").lower() or "logo" in _class_id(img).lower()
                or (isinstance(img.parent, Tag) and "logo" in _class_id(img.parent).lower())):
            return _norm(alt)
    return None


def detect_language(text: str, html_lang: str | None) -> str | None:
    sample = text[:20000]
    han = len(_HAN_RE.findall(sample))
    latin = len(_LATIN_RE.findall(sample))
    kana = len(_KANA_HANGUL_RE.findall(sample))
    if han + latin + kana == 0:
        if html_lang:
            return "zh" if html_lang.startswith("zh") else "en" if html_lang.startswith("en") else "other"
        return None
    if han >= 0.3 * (han + latin) and han > kana:
        return "zh"
    if latin > han + kana:
        return "en"
    return "other"


# ---------------------------------------------------------------------------------------
# Page kind and list links
# ---------------------------------------------------------------------------------------
def is_error_page(page: Page) -> bool:
    texts = [page.head.title or ""] + [b.text for b in page.index.blocks if b.heading and b.chars <= 60][:5]
    return any(_ERROR_PAGE_RE.search(t) for t in texts if t)


def prose_chars(body: list[Block]) -> int:
    return sum(len(b.text) for b in body if b.kind == "paragraph" and any(ch in PUNCTUATION for ch in b.text))


def classify_page(page: Page, body: list[Block], title: str | None) -> bool:
    """True for one news story; False for lists, channels and error pages."""
    prose = prose_chars(body)
    if prose < MAX_ERROR_PAGE_PROSE_CHARS and is_error_page(page):
        return False
    typed = (page.ld is not None and page.ld.is_article_type) or \
        (page.head.get("og:type") or "").lower() == "article"
    needed = MIN_ARTICLE_PROSE_CHARS_TYPED if typed else MIN_ARTICLE_PROSE_CHARS
    return prose >= needed and bool(title or typed)


def _anchor_signature(a: Anchor, depth: int = 5) -> tuple[str, ...]:
    sig = []
    node = a.element.parent
    for _ in range(depth):
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            break
        cls = node.get("class")
        sig.append(node.name + "." + ".".join(sorted(cls)) if isinstance(cls, list) and cls else node.name)
        node = node.parent
    return tuple(sig)


def _in_negative_region(a: Anchor, max_levels: int = 40) -> bool:
    node = a.element
    for _ in range(max_levels):
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            break
        if node.attrs:
            hints = _class_id(node)
            if hints and _LINK_NEGATIVE_HINT_RE.search(hints):
                return True
        if node.name in ("nav", "footer", "aside", "header"):
            return True
        node = node.parent
    return False


def extract_links(page: Page) -> list[Link]:
    """The content links a list page lists: the largest group of same-shaped title links
    outside navigation, sidebars, pagination and footers."""
    groups: dict[tuple[str, ...], list[Anchor]] = {}
    for a in page.index.anchors:
        text = a.text
        if len(text) < 2 or not is_web_href(a.href):
            continue
        groups.setdefault(_anchor_signature(a), []).append(a)
    best: list[Anchor] = []
    best_score = 0.0
    for anchors in groups.values():
        long_titles = [a for a in anchors if len(a.text) >= 5]
        if len(long_titles) < 3 or _in_negative_region(anchors[0]):
            continue
        if _preceded_by_story_list_heading(page, anchors[0]):
            continue
        score = sum(len(a.text) for a in long_titles)
        if score > best_score:
            best, best_score = anchors, score
    links: list[Link] = []
    seen: set[str] = set()
    for a in best:
        url = resolve_url(a.href, page.base)
        if not url or url in seen:
            continue
        seen.add(url)
        title = a.text
        attr_title = a.element.get("title")
        if isinstance(attr_title, str) and title.endswith(("...", "…")) and _norm(attr_title):
            title = _norm(attr_title)
        links.append(Link(url=url, title=title))
    return links


def _preceded_by_story_list_heading(page: Page, a: Anchor) -> bool:
    i = bisect_left(page.index.block_pos, a.pos) - 1
    return i >= 0 and is_end_of_article_line(page.index.blocks[i].text)


# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------
def build_page(html: str, url: str | None, now: datetime | None = None) -> Page:
    ld = json_ld_article(json_ld_objects(html)) if "ld+json" in html else None
    enp = enp_properties(html) if "enpproperty" in html else {}
    cleaned = strip_non_content(html)
    soup = BeautifulSoup(cleaned, "lxml")
    root = soup.body if isinstance(soup.body, Tag) else soup
    index = index_page(root)
    head = HeadMeta.from_soup(soup, index.head_tags if root is not soup else None)
    base = url
    if head.base_href:
        base = resolve_url(head.base_href, url) or base
    return Page(html, soup, root, index, head, ld, enp, url, base, now)


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


def locate_article(page: Page) -> Layout:
    index = page.index
    blocks = index.blocks
    content = find_main_content(index, page.root)
    containers = content_containers(index, content) if content is not None else []
    content_lo = min((index.block_range(c)[0] for c in containers), default=len(blocks))
    content_hi = max((index.block_range(c)[1] for c in containers), default=len(blocks))
    body_start = first_body_paragraph(index, content_lo, content_hi)
    title_block = find_title_block(page, body_start if containers else len(blocks))
    if title_block is not None:
        title_pos = blocks[title_block].pos
    else:
        title_pos = blocks[content_lo - 1].pos if 0 < content_lo <= len(blocks) else -1
    article_root = _article_root(page, title_block, content)
    root_lo, root_hi = index.block_range(article_root) if article_root is not None else (content_lo, content_hi)
    header_start = title_block + 1 if title_block is not None else max(root_lo, content_lo - 8)
    # a headline inside the body container: the header zone runs to the first paragraph
    header_end = content_lo if title_block is None or title_block < content_lo else body_start
    return Layout(content, containers, content_lo, content_hi, title_block, title_pos, article_root,
                  root_hi, header_start, header_end)


def is_epaper_page(page: Page) -> bool:
    """Founder e-paper markers, or a `<title>` that names a 数字报/电子版."""
    if page.enp or page.index.custom_tags:
        return True
    first = (_split_on_separator(_norm(page.head.title)) or [""])[0]
    return bool(_EPAPER_TITLE_RE.search(first))


def extract_html(html: str, *, url: str | None = None, path: str | None = None,
                 now: datetime | None = None) -> ArticleRecord:
    """Extract one page. `now` bounds dates ("never future"); default: the current time."""
    page = build_page(html, url, now)
    blocks = page.index.blocks
    layout = locate_article(page)
    title = extract_title(page, layout.title_block)
    kicker, subtitle, skip = extract_kicker_subtitle(page, layout.title_block, layout.header_end)
    if layout.title_block is not None:
        skip.add(layout.title_block)

    stop_elements = [e for e in (layout.content,) if e is not None]
    if layout.title_block is not None:
        stop_elements.append(blocks[layout.title_block].element)
    figures, caption_blocks = extract_images(page, layout.title_pos, layout.containers, stop_elements)
    skip |= caption_blocks

    facts = Facts()
    subs, sub_blocks = extract_sub_articles(page, layout.content_hi, layout.root_hi, facts)
    skip |= sub_blocks
    scan_header_zone(page, layout.header_start, layout.header_end, skip, facts)
    body, lead = extract_body_blocks(page, layout.containers, skip, facts)
    scan_footer_zone(page, layout.content_hi, layout.root_hi, skip, facts)

    record = ArticleRecord(path=path, url=url)
    record.is_article = layout.content is not None and classify_page(page, body, title)
    record.site_name = extract_site_name(page, title)
    record.canonical_url = extract_canonical_url(page)
    if record.is_article:
        is_epaper = is_epaper_page(page)
        record.title, record.kicker, record.subtitle, record.lead = title, kicker, subtitle, lead
        record.body = body
        record.images = [f.image for f in figures]
        record.sub_articles = subs
        record.authors = extract_authors(page, facts, figures)
        record.published_at = extract_published_at(page, facts, layout.article_root, is_epaper)
        record.source_name = extract_source(page, facts, is_epaper)
        record.original_url = facts.original_urls[0] if facts.original_urls else \
            extract_original_url_from_links(page, layout.content_hi, layout.root_hi)
        lang_text = "".join(b.text for b in body)
    else:
        error = prose_chars(body) < MAX_ERROR_PAGE_PROSE_CHARS and is_error_page(page)
        record.links = [] if error else extract_links(page)
        lang_text = "".join(b.text for b in blocks[:400])
    record.language = detect_language(lang_text or (title or ""), page.head.html_lang)
    return record


def _article_root(page: Page, title_block: int | None, content: Tag | None) -> Tag | None:
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
