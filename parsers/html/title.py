"""Headline, kicker (引题) and subtitle (副题), each with where it came from.

The headline is the visible element that best matches the page's own statements of it
(`og:title`, JSON-LD `headline`, the e-paper `title` property, the `<title>` minus its site name);
ties go to the candidate nearest the body, so a logo `<h1>` above the page loses to the story's.
Without a visible headline, the `<title>` segment that best matches `og:title`/`<h1>` is used.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from bs4 import Tag

from parsers.bylines import parse_byline
from parsers.metalines import is_boilerplate_line, is_end_of_article_line, parse_meta_line
from parsers.html.page import Page, norm
from parsers.html.tree import class_id

# Separators between a `<title>`'s headline and its channel/site names, most specific first.
_TITLE_SEPARATORS = (" | ", "|", "｜", "_", " - ", " — ", " – ", " － ", " :: ", "--", "－", "-", "—")
_META_TITLE_KEYS = ("og:title", "articletitle", "twitter:title", "title", "headline", "dc.title")
# A `<title>` piece that names a site or channel, not a story.
_SITE_PIECE_RE = re.compile(
    r"(?:网|网站|官网|门户|日报|晚报|早报|报|数字报|电子版|新闻|资讯|频道|栏目|政府|客户端|平台|融媒|在线|"
    r"首页|专题|Online|News|Daily|Times|Post)$", re.I)
_KICKER_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:kicker|introtitle|intro-title|intro_title|pretitle|pre-title|pre_title|yinti|yin-ti|"
    r"yt|shoulder|overline|supertitle)(?:$|[-_\s\d])", re.I)
_SUBTITLE_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:subtitle|sub-title|sub_title|subheadline|sub-headline|subhead|fubiaoti|futi|fu-title|"
    r"fbt|vice-?title|deck|standfirst)(?:$|[-_\s\d])", re.I)
_TITLE_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:title|tit|biaoti|bt|headline|(?:art|article|news|detail|content|con|page|main)-?_?title)"
    r"(?:$|[-_\s\d])", re.I)
_DASHES = ("——", "--", "—", "――")
_PUNCT_RE = re.compile(r"[\s\u3000\xa0\"'“”‘’《》〈〉「」『』【】\[\]()（）:：,，.。!！?？、·•|｜_\-—–－]+")


def title_references(page: Page) -> dict[str, str]:
    """Statements of the headline other than visible elements: text -> provenance."""
    refs: dict[str, str] = {}
    found = page.head.get_with_source(*_META_TITLE_KEYS)
    candidates = [found, (page.ld.headline, "jsonld.headline") if page.ld and page.ld.headline else None,
                  (page.enp.get("title"), "enp.title") if page.enp.get("title") else None]
    for item in candidates:
        if item and norm(item[0]):
            refs.setdefault(norm(item[0]), item[1])
    return refs


def _compact(text: str) -> str:
    return _PUNCT_RE.sub("", text).lower()


def similar(a: str, b: str, at_least: float = 0.0) -> float:
    """How alike two headlines are, ignoring spaces and punctuation (0..1). Pairs whose lengths
    alone rule out `at_least` get 0 without a full comparison."""
    ca, cb = _compact(a), _compact(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    short, long_ = sorted((len(ca), len(cb)))
    if 2 * short / (short + long_) < at_least:
        return 0.0
    if ca in cb or cb in ca:
        return short / long_
    return SequenceMatcher(None, ca, cb, autojunk=False).ratio()


def _heading_group(page: Page, i: int) -> tuple[int, str]:
    """The end (exclusive) and joined text of the headline starting at block i: an `<h1>` broken by
    `<br>` is several blocks of one element."""
    blocks = page.index.blocks
    b = blocks[i]
    j = i + 1
    if b.heading:
        while j < len(blocks) and j - i < 4 and blocks[j].element is b.element and blocks[j].chars <= 60:
            j += 1
    return j, " ".join(blocks[k].text for k in range(i, j))


def site_names(page: Page, refs: dict[str, str] | None = None) -> set[str]:
    """Names the page gives itself (og:site_name, the site and channel parts of `<title>`)."""
    names = {norm(page.head.get("og:site_name", "sitename", "site_name", "application-name") or "")}
    title = norm(page.head.title)
    pieces = split_on_separator(title)
    if len(pieces) > 1:
        headline = headline_from_page_title(title, list(refs if refs is not None else title_references(page)))
        names.update(p for p in pieces
                     if p != headline and (_SITE_PIECE_RE.search(p) or p in (pieces[0], pieces[-1])))
    names.discard("")
    return names


def find_title_block(page: Page, limit: int) -> int | None:
    """Index of the block before `limit` (the first body paragraph) that displays the headline."""
    profiled = _profile_block(page, "title")
    if profiled is not None:
        return profiled
    blocks = page.index.blocks
    refs = title_references(page)
    page_title = norm(page.head.title)
    segments = [s for s in split_on_separator(page_title) if len(s) >= 2]
    names = site_names(page, refs)
    best: tuple[int, int] | None = None
    i = 0
    stop = min(limit, len(blocks))
    while i < stop:
        b = blocks[i]
        if b.chars > 120 or b.link_density > 0.5:
            i += 1
            continue
        end, text = _heading_group(page, i) if b.heading else (i + 1, b.text)
        if text in names and text not in refs:
            i = end
            continue
        rank = 0
        if text in refs or any(similar(text, r, 0.9) >= 0.9 for r in refs):
            rank = 5 if b.heading else 4
        elif b.heading and len(text) >= 4 and page_title and (text in page_title or _matches_segment(text, segments)):
            rank = 4 if b.heading == 1 else 3
        elif not b.heading and len(text) >= 4 and len(segments) > 1 and text in segments:
            rank = 3
        elif b.heading == 1:
            rank = 2
        elif not b.heading and 4 <= b.chars <= 80 and _has_class_hint(page, b.element, _TITLE_CLASS_RE, 1) \
                and not text.endswith(("。", "！", "？", ".")) and not is_boilerplate_line(text) \
                and not is_end_of_article_line(text):
            rank = 2  # <div class="article-title">: a headline styled without a heading element
        if rank and (best is None or rank >= best[0]):
            best = (rank, i)
        i = end
    return best[1] if best else None


def _matches_segment(text: str, segments: list[str]) -> bool:
    return any(similar(text, s, 0.8) >= 0.8 for s in segments)


def _profile_node(page: Page, key: str) -> Tag | None:
    profile = page.profile
    return profile.select_one(key, page.root) if profile is not None else None


def _profile_block(page: Page, key: str) -> int | None:
    """Index of the first block inside the profile's `key` node, when it matches one that has text."""
    node = _profile_node(page, key)
    if node is None:
        return None
    lo, hi = page.index.block_range(node)
    return lo if hi > lo else None


def extract_title(page: Page, title_block: int | None) -> tuple[str | None, str | None]:
    """(headline, provenance)."""
    blocks = page.index.blocks
    if title_block is not None:
        b = blocks[title_block]
        node = _profile_node(page, "title")
        if node is not None and page.index.block_range(node)[0] == title_block:
            return _node_text(page, node), page.profile.provenance
        _, text = _heading_group(page, title_block)
        if b.heading:
            return text, f"h{b.heading}"
        refs = title_references(page)
        if text in refs:
            return text, refs[text]
        return text, "title-tag" if norm(page.head.title) and text in norm(page.head.title) else "text"
    refs = title_references(page)
    h1s = [b.text for b in blocks if b.heading == 1 and b.chars <= 120][:3]
    headline = headline_from_page_title(page.head.title, list(refs) + h1s, site_names(page))
    if refs:
        text, source = next(iter(refs.items()))
        if headline is None or similar(headline, text, 0.9) < 0.9 or len(text) >= len(headline):
            return text, source
    return headline, "title-tag" if headline else None


def _node_text(page: Page, node: Tag) -> str | None:
    lo, hi = page.index.block_range(node)
    text = " ".join(b.text for b in page.index.blocks[lo:hi]) or norm("".join(node.strings))
    return text or None


def headline_from_page_title(page_title: str | None, hints: list[str], names: set[str] | None = None) -> str | None:
    """The `<title>` piece that is the headline: the one most like a hint (og:title, an `<h1>`), else
    the first piece that does not name a site or channel."""
    pieces = split_on_separator(norm(page_title))
    if not pieces:
        return None
    if len(pieces) == 1:
        return pieces[0]
    scored = [(max((similar(p, h, 0.5) for h in hints), default=0.0), -k, p) for k, p in enumerate(pieces)]
    score, _, piece = max(scored)
    if score >= 0.5:
        return piece
    names = names or set()
    for p in pieces:
        if p not in names and not _SITE_PIECE_RE.search(p):
            return p
    return max(pieces, key=len)


def split_page_title(page_title: str | None, headline: str | None) -> tuple[str | None, str | None]:
    """(headline part, site part) of a `<title>` such as `Headline_Channel_Site` or `Site-Headline`."""
    title = norm(page_title)
    if not title:
        return None, None
    if headline and headline in title and headline != title:
        before, _, after = title.partition(headline)
        rest = after if after.strip(" _|｜-—–－:") else before
        pieces = split_on_separator(rest.strip(" _|｜-—–－:"))
        site = (pieces[-1] if after.strip(" _|｜-—–－:") else pieces[0]) if pieces else None
        return headline, _last_part(site) if site else None
    pieces = split_on_separator(title)
    if len(pieces) > 1:
        chosen = headline_from_page_title(title, [headline] if headline else [])
        site = pieces[0] if chosen == pieces[-1] and chosen != pieces[0] else pieces[-1]
        return chosen, _last_part(site)
    return title, None


def _last_part(site: str) -> str:
    """`阜新_新浪新闻` → `新浪新闻`: the site piece may still hold a channel before another separator."""
    parts = [p for p in re.split(r"\s*[_|｜]\s*", site) if p.strip()]
    return parts[-1].strip() if parts else site


def split_on_separator(text: str) -> list[str]:
    for sep in _TITLE_SEPARATORS:
        if sep in text:
            if sep in ("-", "—", "－") and (sep * 2) in text:
                continue  # 逐“质”而行——阜新… : a dash pair inside the headline is not a separator
            if sep == "-":
                raw = re.split(r"(?<!\d)-|-(?!\d)", text)  # 2024-2025 stays whole
            else:
                raw = text.split(sep)
            pieces = [p.strip() for p in raw if p.strip()]
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
        text = norm(" ".join(el.strings))
    return text or None


def _first_semantic_text(page: Page, lo_pos: int, hi_pos: int, sources: dict[str, str], field: str,
                         *marks: tuple[str, str]) -> str | None:
    """The text of the first of `marks` (semantic key, provenance) found between the positions; its provenance
    goes to sources[field]."""
    for key, provenance in marks:
        text = _semantic_text(page, key, lo_pos, hi_pos)
        if text:
            sources[field] = provenance
            return text
    return None


def _has_class_hint(page: Page, el: Tag, pattern: re.Pattern, levels: int = 2) -> bool:
    node = el
    for _ in range(levels):
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            return False
        if node.attrs and pattern.search(class_id(node)):
            return True
        node = node.parent
    return False


def _is_note_or_meta(text: str) -> bool:
    """A line that is metadata (原标题, 来源, a byline), never a kicker or subtitle."""
    return parse_meta_line(text) is not None or (len(text) <= 60 and parse_byline(text) is not None)


def extract_kicker_subtitle(page: Page, title_block: int | None,
                            header_end: int) -> tuple[str | None, str | None, set[int], dict[str, str]]:
    """引题 and 副题 around the headline; the block indexes they (and a multi-line headline) use,
    which are excluded from the body; and their provenance."""
    blocks = page.index.blocks
    sources: dict[str, str] = {}
    if title_block is None:
        return None, None, set(), sources
    title_end, title_text = _heading_group(page, title_block)
    if _profile_node(page, "title") is not None:
        node = _profile_node(page, "title")
        lo, hi = page.index.block_range(node)
        title_end = max(title_end, hi)
    title_pos = blocks[title_block].pos
    before_pos = blocks[max(0, title_block - 3)].pos
    after_pos = blocks[header_end].pos if header_end < len(blocks) else title_pos + 10_000
    used = set(range(title_block + 1, title_end))

    kicker = subtitle = None
    profile = page.profile
    for key in ("kicker", "subtitle"):
        node = _profile_node(page, key)
        if node is not None:
            lo, hi = page.index.block_range(node)
            text = _node_text(page, node)
            if text:
                used.update(range(lo, hi))
                sources[key] = profile.provenance
                if key == "kicker":
                    kicker = text
                else:
                    subtitle = text
    if kicker is None:
        kicker = _first_semantic_text(page, before_pos, title_pos, sources, "kicker",
                                      ("founder-introtitle", "founder-introtitle"), ("kicker", "class-hint"))
    if subtitle is None:
        subtitle = _first_semantic_text(page, title_pos, after_pos, sources, "subtitle",
                                        ("founder-subtitle", "founder-subtitle"), ("subtitle", "class-hint"))
    if kicker == title_text or (kicker and _is_note_or_meta(kicker)):
        kicker = None
        sources.pop("kicker", None)
    if subtitle == title_text or (subtitle and _is_note_or_meta(subtitle)):
        subtitle = None
        sources.pop("subtitle", None)

    prev = blocks[title_block - 1] if title_block > 0 else None
    if kicker is None and prev is not None and prev.chars <= 60 and not prev.link_chars \
            and not _is_note_or_meta(prev.text):
        if prev.text.endswith(_DASHES):
            kicker, sources["kicker"] = prev.text, "dash"
        elif _has_class_hint(page, prev.element, _KICKER_CLASS_RE):
            kicker, sources["kicker"] = prev.text, "class-hint"
    nxt = blocks[title_end] if title_end < len(blocks) else None
    if subtitle is None and nxt is not None and nxt.chars <= 80 and not nxt.link_chars \
            and not _is_note_or_meta(nxt.text):
        if nxt.text.startswith(_DASHES):
            subtitle, sources["subtitle"] = nxt.text, "dash"
        elif _has_class_hint(page, nxt.element, _SUBTITLE_CLASS_RE):
            subtitle, sources["subtitle"] = nxt.text, "class-hint"
    used |= {i for i in range(max(0, title_block - 3), min(len(blocks), max(header_end, title_end + 3)))
             if blocks[i].text in (kicker, subtitle)}
    return kicker, subtitle, used, sources

