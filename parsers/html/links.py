"""Page kind (story, list, error page) and the story links of a list page."""

from __future__ import annotations

import re
from bisect import bisect_left

from bs4 import Tag

from parsers.meta import is_web_href, resolve_url
from parsers.metalines import is_end_of_article_line
from parsers.records import Block, Link
from parsers.html.page import Page, norm
from parsers.html.tree import PUNCTUATION, Anchor, class_id

MIN_ARTICLE_PROSE_CHARS = 120     # body text an article needs (CJK chars count one each)
MIN_ARTICLE_PROSE_CHARS_TYPED = 40  # ... when JSON-LD / og:type says "article"
MAX_ERROR_PAGE_PROSE_CHARS = 300  # an error template has little text; a story about 404s has more
_LINK_NEGATIVE_HINT_RE = re.compile(
    r"foot|footer|sidebar|side|widget|related|share|social|sponsor|banner|advert|\bads?\b|promo|nav|menu|"
    r"crumb|location|position|pager|pagination|pagelist|pages|hot|rank|paihang|tuijian|recommend|right|"
    r"friend|copyright|topbar|toolbar|tools|header|prenext|prev|next", re.I)
_ERROR_PAGE_RE = re.compile(
    r"(?:页面|网页|文章|内容|信息|稿件|资源)(?:不存在|未找到|找不到|已删除|已被删除|已过期|无法访问)|"
    r"找不到(?:该|此|您要的)?页面|^\s*404\b|\b404\s*(?:not\s*found|错误|页面)|page\s+not\s+found|"
    r"not\s+found|出错了|访问的页面(?:不存在|出错)", re.I)


def is_error_page(page: Page) -> bool:
    texts = [page.head.title or ""] + [b.text for b in page.index.blocks if b.heading and b.chars <= 60][:5]
    return any(_ERROR_PAGE_RE.search(t) for t in texts if t)


def prose_chars(body: list[Block]) -> int:
    return sum(len(b.text) for b in body if b.kind == "paragraph" and any(ch in PUNCTUATION for ch in b.text))


def declares_one_story(page: Page) -> bool:
    """The markup declares one article: a JSON-LD article type, `og:type=article`, or a Founder
    e-paper `<founder-content>`."""
    return (page.ld is not None and page.ld.is_article_type) or \
        (page.head.get("og:type") or "").lower() == "article" or "founder-content" in page.index.custom_tags


def is_main_text(body: list[Block], links: list[Link]) -> bool:
    """A page that is not one story still has a text worth keeping (an about page, a guide, a product
    description) when its body holds an article's worth of prose and at least twice the text of the
    story links it lists: a list or channel page's teasers never make one."""
    prose = prose_chars(body)
    return prose >= max(MIN_ARTICLE_PROSE_CHARS, 2 * sum(len(link.title) for link in links))


def classify_page(page: Page, body: list[Block], title: str | None) -> bool:
    """True for one news story; False for lists, channels and error pages."""
    prose = prose_chars(body)
    if prose < MAX_ERROR_PAGE_PROSE_CHARS and is_error_page(page):
        return False
    typed = declares_one_story(page)
    needed = MIN_ARTICLE_PROSE_CHARS_TYPED if typed else MIN_ARTICLE_PROSE_CHARS
    return prose >= needed and bool(title or typed)


def _anchor_signature(a: Anchor, memo: dict[int, tuple[str, ...]], depth: int = 5) -> tuple[str, ...]:
    """Tag and classes of the link's first `depth` ancestors (below body). `memo` keeps each
    ancestor's own signature: a list's links share all but the nearest ones."""
    return _element_signature(a.element.parent, depth, memo)


def _element_signature(node: Tag | None, depth: int, memo: dict[int, tuple[str, ...]]) -> tuple[str, ...]:
    path: list[Tag] = []
    tail: tuple[str, ...] = ()
    while isinstance(node, Tag) and node.name not in ("body", "html", "[document]"):
        known = memo.get(id(node))
        if known is not None:
            tail = known
            break
        path.append(node)
        node = node.parent
    for el in reversed(path):  # each element once per page: the walk up stops at a known one
        cls = el.get("class")
        name = el.name + "." + ".".join(sorted(cls)) if isinstance(cls, list) and cls else el.name
        tail = (name,) + tail[: depth - 1]
        memo[id(el)] = tail
    return tail


def _in_negative_region(a: Anchor, max_levels: int = 40) -> bool:
    node = a.element
    for _ in range(max_levels):
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            break
        if node.attrs:
            hints = class_id(node)
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
    memo: dict[int, tuple[str, ...]] = {}
    for a in page.index.anchors:
        text = a.text
        if len(text) < 2 or not is_web_href(a.href):
            continue
        groups.setdefault(_anchor_signature(a, memo), []).append(a)
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
        if isinstance(attr_title, str) and title.endswith(("...", "…")) and norm(attr_title):
            title = norm(attr_title)
        links.append(Link(url=url, title=title))
    return links


def _preceded_by_story_list_heading(page: Page, a: Anchor) -> bool:
    i = bisect_left(page.index.block_pos, a.pos) - 1
    return i >= 0 and is_end_of_article_line(page.index.blocks[i].text)
