"""Page kind (story, list, error page) and the story links of a list page."""

from __future__ import annotations

import re
from bisect import bisect_left
from urllib.parse import parse_qsl, unquote, urlsplit

from bs4 import Tag

from parsers.urls import is_web_href, resolve_url
from parsers.metalines import is_end_of_article_line
from parsers.records import Block, Link
from parsers.html.page import Page, norm
from parsers.html.shingles import SHINGLE_SIZE, shingles, tokens
from parsers.html.tree import PUNCTUATION, Anchor, in_region

MIN_ARTICLE_PROSE_CHARS = 120     # body text an article needs (CJK chars count one each)
MIN_ARTICLE_PROSE_CHARS_TYPED = 40  # ... when JSON-LD / og:type says "article"
MAX_ERROR_PAGE_PROSE_CHARS = 300  # an error template has little text; a story about 404s has more
_ERROR_PAGE_RE = re.compile(
    r"(?:页面|网页|文章|内容|信息|稿件|资源)(?:不存在|未找到|找不到|已删除|已被删除|已过期|无法访问)|"
    r"找不到(?:该|此|您要的)?页面|^\s*404\b|\b404\s*(?:not\s*found|错误|页面)|page\s+not\s+found|"
    r"not\s+found|出错了|访问的页面(?:不存在|出错)", re.I)


# --- URL shape ------------------------------------------------------------------------------------
# Path words that name a list of stories: the last segment of a home, channel, tag, search or archive
# page (`/news`, `/category/`, `/list_2.html`, `/gundong/`), or a directory that only holds such pages
# (`/tag/x`, `/list/aall.aspx`). A story's URL carries an id, a date or a slug instead.
LIST_PATH_WORDS = frozenset("""
news category categories tag tags topic topics section sections list lists archive archives search index
latest recent trending home blog blogs channel channels column columns feed roll gundong gd zhuanti author
authors collections collection browse catalog default main
""".split())
LIST_DIRECTORY_WORDS = frozenset("""
tag tags category categories list lists archive archives search channel channels column columns author authors
""".split())
# Query keys of a list page's URL (pagination, filters, search) and of a story's (its id).
LIST_QUERY_KEYS = frozenset("page pg paged cat catid classid cid category tag q s query keyword keywords search sort "
                            "channel".split())
STORY_QUERY_KEYS = frozenset("""
id aid articleid article_id newsid news_id contentid content_id docid itemid nid tid thread topic t p postid
post_id storyid story artid
""".split())
# Query keys that track a visit and say nothing of the page.
_TRACKING_KEY_PREFIXES = ("utm_", "srsltid", "fbclid", "gclid", "spm", "from", "ref")
# A path segment that names one story: a long number, a slug of four words or more, a date.
_STORY_SEGMENT_RE = re.compile(r"\d{5,}|(?:[^\W_]+[-_]){3,}[^\W_]+|(?:19|20)\d\d[-_]?[01]\d[-_]?[0-3]\d")
_DAY_PATH_RE = re.compile(r"/(?:19|20)\d\d/[01]?\d/[0-3]?\d/[^/]*[^\W\d]")   # /2019/11/18/slug
_LIST_FILE_NAME_RE = re.compile(r"(?:news|article|art|info|doc|content|story|post)lists?")  # newslist.aspx
_FILE_EXTENSION_RE = re.compile(r"\.[a-z]{2,5}$", re.I)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def url_kind(url: str | None) -> str | None:
    """"story" when the URL names one story (an id, a date path, a long slug), "list" when it names a
    home, channel, tag, search or archive page (`/`, `/news`, `/list/x.aspx`, `index_2.html`, `?page=3`,
    `/breaknews/2`), None when its shape says neither."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return None
    keys = {k.lower(): v for k, v in query if not k.lower().startswith(_TRACKING_KEY_PREFIXES)}
    if any(k in STORY_QUERY_KEYS and any(c.isdigit() for c in v) or k not in LIST_QUERY_KEYS and re.search(r"\d{4}", v)
           for k, v in keys.items()):
        return "story"
    if "=" not in parts.query and _STORY_SEGMENT_RE.search(unquote(parts.query)):
        return "story"  # index.php?/topic/201820-ai-discussion/
    segments = [s for s in unquote(parts.path).split("/") if s]
    if not segments:
        return "list"
    if any(_STORY_SEGMENT_RE.search(s) for s in segments) or _DAY_PATH_RE.search(parts.path):
        return "story"
    stem = _FILE_EXTENSION_RE.sub("", segments[-1]).lower()
    tokens = [t for t in re.split(r"[-_.]", stem) if t]
    listed = [t in LIST_PATH_WORDS or bool(_LIST_FILE_NAME_RE.fullmatch(t)) for t in tokens]
    if any(listed) and all(w or t.isdigit() and len(t) <= 2 for w, t in zip(listed, tokens)):
        return "list"  # news, index_2, news-list
    if any(k in LIST_QUERY_KEYS for k in keys):
        return "list"
    if stem.isdigit() and len(stem) <= 3 and len(segments) >= 2 and not segments[-2].isdigit():
        return "list"  # /breaknews/2: a page number
    if any(s.lower() in LIST_DIRECTORY_WORDS for s in segments[:-1]):
        return "list"
    return None


_SECOND_LEVEL = frozenset({"com", "co", "net", "org", "gov", "edu", "ac", "or", "ne", "go"})


def _site_of(url: str | None) -> str | None:
    """The registrable part of a URL's host (`news.qq.com` → `qq.com`, `www.bbc.co.uk` → `bbc.co.uk`)."""
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return None
    labels = [lab for lab in host.lower().rstrip(".").split(".") if lab]
    if len(labels) < 2:
        return None
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


MIN_LISTED_STORIES = 5           # a home or channel page links this many stories at least
_MIN_STORY_LINK_WORDS, _MIN_STORY_LINK_CJK = 4, 8


def listed_story_count(page: Page, url: str | None, enough: int = MIN_LISTED_STORIES) -> int:
    """Distinct links (up to `enough`) to other stories of the same site: a story-shaped URL under link
    text as long as a headline (four words, eight CJK characters)."""
    site = _site_of(url)
    if site is None:
        return 0
    here = url.split("#", 1)[0].rstrip("/")
    seen: set[str] = set()
    for a in page.index.anchors:
        if not _headline_length(a.text):
            continue
        target = resolve_url(a.href, page.base)
        if not target or target in seen or target.rstrip("/") == here or _site_of(target) != site:
            continue
        if url_kind(target) == "story":
            seen.add(target)
            if len(seen) >= enough:
                break
    return len(seen)


def page_url(page: Page) -> str | None:
    """The page's own URL: the one it was fetched from, else its canonical or `og:url`."""
    return page.url or page.head.canonical or page.head.get("og:url")


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


MAX_BARE_DOCUMENT_BLOCKS = 20    # a page without links that has more lines than this has furniture too


_SCRIPT_TAG_RE = re.compile(r"<script\b", re.I)


def _goes_somewhere(href: str) -> bool:
    """A link to a page or a place in this one (`#main`: a skip link); a `javascript:` pseudo-link goes
    nowhere."""
    return not href.strip().lower().startswith("javascript:")


def bare_document_text(page: Page) -> list[Block]:
    """The text of a bare document: a page that links nowhere (no link at all: no menu, no footer, no
    related stories, no skip link), runs no script (a page its script renders shows only its shell) and
    holds a few lines of text has nothing but its content, however short
    (`<body><main><div>Lorem ipsum …</div></main></body>`); headings stay headings. Empty for any other
    page."""
    blocks = page.index.blocks
    if not blocks or len(blocks) > MAX_BARE_DOCUMENT_BLOCKS or any(_goes_somewhere(a.href) for a in page.index.anchors):
        return []
    if _SCRIPT_TAG_RE.search(page.html):
        return []
    return [Block("heading" if b.heading else "paragraph", b.text) for b in blocks]


def classify_page(page: Page, body: list[Block], title: str | None, containers: list[Tag] = (),
                  chosen: list[Block] = ()) -> bool:
    """True for one news story; False for lists, channels and error pages. `body`: the reading of the
    layout's candidates; `containers`: the layout's body containers; `chosen`: the body the block
    classifier chose. Only the layout's view counts, so a list page never becomes a story because the
    classifier reached into its list, except on a page whose URL names one story (`url_kind`): there
    the chosen body's prose counts too, for the layout's candidates may hold a photo's caption or a
    box beside the story and not its text."""
    prose = prose_chars(body)
    if prose < MAX_ERROR_PAGE_PROSE_CHARS and is_error_page(page):
        return False
    typed = declares_one_story(page)
    needed = MIN_ARTICLE_PROSE_CHARS_TYPED if typed else MIN_ARTICLE_PROSE_CHARS
    if prose < needed and chosen and url_kind(page_url(page)) == "story":
        prose = max(prose, prose_chars(chosen))
    if prose < needed and states_own_summary(page, body):
        prose = needed  # a short story (a photo post, a blog post) whose text is the page's own summary
    if not (prose >= needed and bool(title or typed)):
        return False
    return not is_listing_page(page, prose, containers)


MIN_SUMMARY_CHARS = 40            # a page summary shorter than this says too little to stand for a story
MIN_SUMMARY_TOKENS = 8
SUMMARY_BODY_SHARE = 0.8          # of the body's 4-token shingles the summary holds: the body is the summary
SUMMARY_STATED_SHARE = 0.5        # ... and of the summary's shingles the body states
_SUMMARY_KEYS = ("og:description", "description", "twitter:description")

# Page furniture: what a site prints around every page's content. A site's tagline is printed in
# its masthead, menus or footer (FURNITURE_TAGS); a group of links there or in a box beside the content
# (LINK_FURNITURE_TAGS), or in an element whose class or id names furniture (LINK_FURNITURE_HINT_RE),
# is no list of the page's stories.
FURNITURE_TAGS = frozenset(("nav", "header", "footer"))
LINK_FURNITURE_TAGS = FURNITURE_TAGS | {"aside"}
LINK_FURNITURE_HINT_RE = re.compile(
    r"foot|footer|sidebar|side|widget|related|share|social|sponsor|banner|advert|\bads?\b|promo|nav|menu|"
    r"crumb|location|position|pager|pagination|pagelist|pages|hot|rank|paihang|tuijian|recommend|right|"
    r"friend|copyright|topbar|toolbar|tools|header|prenext|prev|next", re.I)
MAX_FURNITURE_LEVELS = 40         # levels above an element looked at for furniture


def _in_furniture(node: Tag | None, tags: frozenset[str] = FURNITURE_TAGS,
                  hints: re.Pattern[str] | None = None) -> bool:
    """`node` or one of its ancestors below <body> (MAX_FURNITURE_LEVELS of them) is one of `tags` or has a
    class or id that `hints` finds."""
    return in_region(node, tags, hints.search if hints is not None else None, MAX_FURNITURE_LEVELS)


def page_summary(page: Page) -> str | None:
    """The page's own summary (`og:description`, `description`, `twitter:description`), when it is long
    enough to say something (MIN_SUMMARY_CHARS, MIN_SUMMARY_TOKENS) and is not the site's name."""
    for key in _SUMMARY_KEYS:
        text = norm(page.head.get(key))
        if len(text) >= MIN_SUMMARY_CHARS and len(tokens(text)) >= MIN_SUMMARY_TOKENS \
                and text.lower() != norm(page.head.get("og:site_name")).lower():
            return text
    return None


def states_own_summary(page: Page, body: list[Block]) -> bool:
    """The body is the page's own summary: nearly all its text is in the summary (SUMMARY_BODY_SHARE of
    its 4-token shingles) and it states at least half of it (SUMMARY_STATED_SHARE; the summary may add a
    credit or a handle). The publisher says the page is this text: a short story (a photo and its
    caption, a short post) however little prose it holds. A list page's intro may repeat the summary
    too, but its body holds more than that. A site's tagline, the same summary on every page, is printed
    in the masthead or the footer (FURNITURE_TAGS) and says nothing of the page."""
    summary = page_summary(page)
    if summary is None or not body:
        return False
    body_tokens = tokens("\n".join(b.text for b in body))
    if len(body_tokens) < SHINGLE_SIZE:
        return False  # 1-3 words are no summary's text (one has MIN_SUMMARY_TOKENS)
    wanted = set(shingles(tokens(summary)))
    said = set(shingles(body_tokens))
    shared = len(wanted & said)
    if shared < SUMMARY_BODY_SHARE * len(said) or shared < SUMMARY_STATED_SHARE * len(wanted):
        return False
    furniture = [b.text for b in page.index.blocks if _in_furniture(b.element)]
    return len(wanted & set(shingles(tokens("\n".join(furniture))))) < SUMMARY_STATED_SHARE * len(wanted)


def is_listing_page(page: Page, prose: int, containers: list[Tag]) -> bool:
    """A home, channel, tag or search page by its URL (`url_kind`) that links other stories of its site
    (MIN_LISTED_STORIES) and declares no article in JSON-LD, whose text is no story of its own: less
    prose than a story has (MIN_STORY_PROSE_CHARS: a blurb, a cookie notice, a teaser) or teasers
    (`is_teaser_column`). A tag page that shows one whole post stays an article."""
    url = page_url(page)
    if url_kind(url) != "list" or (page.ld is not None and page.ld.is_article_type):
        return False
    if listed_story_count(page, url) < MIN_LISTED_STORIES:
        return False
    return prose < MIN_STORY_PROSE_CHARS or is_teaser_column(page, containers)


MIN_STORY_PROSE_CHARS = 1000     # a list page's blurb or notice is shorter than a story
MIN_TEASERS = 5                  # linked headlines that make a column of teasers
MAX_TEASER_RUN_SHARE = 0.5       # ... when no run of prose between two of them holds this share


def is_teaser_column(page: Page, containers: list[Tag]) -> bool:
    """The body containers read as a column of teasers: at least MIN_TEASERS linked headlines (a heading
    or a line led by a link, nearly all link, as long as a headline), and no run of prose between two
    of them holding MAX_TEASER_RUN_SHARE of the containers' prose (a story's body is one run; a
    listicle's linked subheadings split it, which is why this only counts on a list-shaped URL)."""
    index = page.index
    heads = 0
    runs = [0]
    for container in containers:
        lo, hi = index.block_range(container)
        for b in index.blocks[lo:hi]:
            if (b.heading or b.starts_with_link) and b.link_density >= 0.7 and _headline_length(b.text):
                heads += 1
                if runs[-1]:
                    runs.append(0)
            elif b.punct and b.chars >= 10 and b.link_density < 0.5:
                runs[-1] += b.chars
    total = sum(runs)
    return heads >= MIN_TEASERS and total > 0 and max(runs) < MAX_TEASER_RUN_SHARE * total


def _headline_length(text: str) -> bool:
    return len(_CJK_RE.findall(text)) >= _MIN_STORY_LINK_CJK or len(text.split()) >= _MIN_STORY_LINK_WORDS


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
        if len(long_titles) < 3 or _in_furniture(anchors[0].element, LINK_FURNITURE_TAGS, LINK_FURNITURE_HINT_RE):
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
