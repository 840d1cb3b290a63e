"""Headline, kicker (引题) and subtitle (副题), each with where it came from.

The displayed headline is the visible element that best matches the page's own statements of it
(`og:title`, JSON-LD `headline`, the e-paper `title` property, the `<title>` minus its site name);
ties go to the candidate nearest the body, so a logo `<h1>` above the page loses to the story's.
Pages without such an element fall back to the nearest heading, then the nearest short plain line,
above the body.

The statements then vote: the displayed headline stands unless two statements agree on another text
(`choose_headline`). A statement `kicker: headline`, whose kicker is displayed with the headline, is
the headline with its kicker. Without a visible headline, the statements alone decide.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from bs4 import NavigableString, Tag

from parsers.bylines import parse_byline
from parsers.metalines import is_boilerplate_line, is_end_of_article_line, parse_meta_line
from parsers.html.page import Page, norm
from parsers.html.tree import TextBlock, class_id, is_hidden

# Separators between a `<title>`'s headline and its channel/site names, most specific first.
_TITLE_SEPARATORS = (" | ", "|", "｜", "_", " - ", " — ", " – ", " － ", " @ ", " :: ", " • ", " · ", "--", "－", "-", "—",
                     " ㅣ ", "丨", "│")
_SEPARATOR_CHARS = " |｜_-—–－:ㅣ•·丨│\u00a0"
_META_TITLE_KEYS = ("og:title", "articletitle", "twitter:title", "title", "headline", "dc.title")
_META_SITE_KEYS = ("og:site_name", "sitename", "site_name", "application-name", "al:android:app_name")
# A `<title>` piece that names a site or channel, not a story.
_SITE_PIECE_RE = re.compile(
    r"(?:网|網|网站|網站|官网|門戶|门户|日报|日報|晚报|晚報|早报|早報|报|報|数字报|电子版|新闻|新聞|资讯|資訊|频道|頻道|栏目|"
    r"政府|客户端|平台|融媒|在线|首页|專題|专题|網頁|网页|新闻中心|新聞中心|资讯中心|資訊中心|融媒体中心|"
    r"Online|News|Daily|Times|Post)$", re.I)
_DOMAIN_RE = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.I)
_MAX_SITE_PIECE_CHARS = 24
_KICKER_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:kicker|introtitle|intro-title|intro_title|pretitle|pre-title|pre_title|yinti|yin-ti|"
    r"yt|shoulder|overline|supertitle)(?:$|[-_\s\d])", re.I)
# Inside a headline element: the part shown above the headline proper (Dachzeile, overline, catchline).
_HEADING_KICKER_RE = re.compile(
    r"kicker|overline|dachzeile|catchline|topline|roofline|eyebrow|pretitle|pre-title|supertitle|flag|label", re.I)
_SUBTITLE_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:subtitle|sub-title|sub_title|subheadline|sub-headline|subhead|fubiaoti|futi|fu-title|"
    r"fbt|vice-?title|deck|standfirst)(?:$|[-_\s\d])", re.I)
_TITLE_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:title|tit|biaoti|bt|headline|(?:art|article|news|detail|content|con|page|main)-?_?title)"
    r"(?:$|[-_\s\d])", re.I)
_DASHES = ("——", "--", "—", "――")
_PUNCT_RE = re.compile(r"[\s\u3000\xa0\"'“”‘’„‚«»‹›《》〈〉「」『』【】\[\]()（）:：,，.。!！?？、·•…|｜_\-—–－]+")
_PERMALINK_MARKS = "¶🔗 "
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Characters that show nothing and change nothing on screen: the soft hyphen, zero-width space, word
# joiner, BOM, and the left-to-right, right-to-left and Arabic letter marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\u200e\u200f\u061c"), None)
# The zero-width non-joiner and joiner change how letters of the scripts that join or conjoin them are
# drawn (Persian `می‌خواهد`, Devanagari half forms) and join emoji (`👩‍💻`): after a character of those
# scripts they are text; after any other they show nothing.
_SHAPED_SCRIPTS = ("\u0600-\u08ff"       # Arabic, Syriac, Thaana, N'Ko and their supplements
                   "\u0900-\u0dff"       # the Indic scripts, Devanagari to Sinhala
                   "\u0f00-\u10ff"       # Tibetan, Myanmar
                   "\u1780-\u18af"       # Khmer, Mongolian
                   "\ufb50-\ufdff\ufe70-\ufefc"  # Arabic presentation forms
                   "\u2600-\u27bf\ufe0f\U0001f000-\U0001faff")  # emoji and the emoji variation selector
_STRAY_JOINER_RE = re.compile(f"(?<![{_SHAPED_SCRIPTS}])[\u200c\u200d]")
# What a date line is made of; a line with at most 3 other characters is a date (`2014/12/11 18:58 報導`,
# `December 17th 2025`, `Tue, Mar 4, 2025`).
_NOT_DATE_CHARS_RE = re.compile(
    r"[\d\s:：\-/.,年月日时分秒時TZ+()（）星期一二三四五六日天]|AM|PM|am|pm|(?<=\d)(?:st|nd|rd|th)\b|"
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:rs(?:day)?)?|"
    r"Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)\b", re.I)
# After a space inside a headline's text: a full date (2024-11-03, 2024年11月3日) or a 来源/作者/时间 label, and
# everything after it.
_TRAILING_DATE_OR_LABEL_RE = re.compile(
    r"\s(?:(?:19|20)\d\d(?:[-/.]\d{1,2}[-/.]\d{1,2}|年\d{1,2}月\d{1,2}日)|"
    r"(?:来源|來源|作者|发布时间|發佈時間|发布日期|時間|时间|编辑|編輯)\s*[:：]).*$")
_DATE_PIECE_RE = re.compile(r"\d{1,4}\s*[./\-年]\s*\d{1,2}")
# Separators that also join words (`VOGUE-Cover`, `49-Euro-Ticket`): pieces split on them are site names
# only when declared, a domain, or ending in a site word.
_TIGHT_SEPARATORS = frozenset({"-", "—", "－"})
# A bare hyphen or dash between two letters or digits of an alphabetic script joins words (`AI-Powered`,
# `2024-2025`, `plan—and`); next to CJK text or a space it separates (`标题-网站`).
_WORD_CHAR = r"A-Za-z0-9\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF"
_WORD_JOINING_DASHES = ("-", "—")
_BARE_DASH_RES = {d: re.compile(rf"(?<![{_WORD_CHAR}]){d}|{d}(?![{_WORD_CHAR}])") for d in _WORD_JOINING_DASHES}
# Second-level labels under a country domain: the brand is the label before them (bbc.co.uk).
_SECOND_LEVEL_LABELS = frozenset({"com", "co", "net", "org", "gov", "edu", "ac", "or", "ne", "go"})

# Ranks of the visible headline candidates (higher wins; ties go to the one nearest the body).
RANK_STATED_HEADING, RANK_STATED = 10, 8          # equal to og:title / JSON-LD headline
RANK_TITLE_H1, RANK_TITLE_HEADING = 8, 6          # a heading inside the `<title>`
RANK_TITLE_SEGMENT = 6                            # a plain line equal to a `<title>` segment
RANK_H1, RANK_TITLE_CLASS = 4, 3                  # any `<h1>`; <div class="article-title">
RANK_HEADING, RANK_LINE = 2, 1                    # the nearest h2/h3, the nearest short plain line
MAX_HEADLINE_CHARS = 120          # longer blocks are headlines only when a statement says so
MAX_STATED_HEADLINE_CHARS = 300
MAX_LINE_HEADLINE_CHARS = 80      # the plain-line fallback


def clean_headline(text: str | None) -> str:
    """Headline text as read: invisible characters dropped (`_INVISIBLE`, and the joiners where they
    shape nothing), spaces normalised, a trailing permalink mark (`Models¶`: documentation generators'
    heading anchors) cut."""
    text = _STRAY_JOINER_RE.sub("", (text or "").translate(_INVISIBLE))
    return norm(text).rstrip(_PERMALINK_MARKS)


def _compact(text: str) -> str:
    return _PUNCT_RE.sub("", text).lower()


def similar(a: str, b: str, at_least: float = 0.0) -> float:
    """How alike two headlines are, ignoring spaces and punctuation (0..1). Pairs whose lengths or
    characters alone rule out `at_least` get 0 without a full comparison."""
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
    matcher = SequenceMatcher(None, ca, cb, autojunk=False)
    if at_least and matcher.quick_ratio() < at_least:  # an upper bound of ratio(), from the characters
        return 0.0
    return matcher.ratio()


def declared_site_names(page: Page) -> set[str]:
    """Compacted names the page declares for itself: `og:site_name` and friends, the JSON-LD publisher,
    and the host's brand label (`dw` of www.dw.com, `rbb24` of www.rbb24.de)."""
    names = page.memo.get("declared_site_names")
    if names is None:
        names = page.memo["declared_site_names"] = _declared_site_names(page)
    return names


def _declared_site_names(page: Page) -> set[str]:
    names = {_compact(v) for v in (page.head.get(k) for k in _META_SITE_KEYS) if v}
    if page.ld and page.ld.publisher_name:
        names.add(_compact(page.ld.publisher_name))
    brand = host_brand(page.url)
    if brand:
        names.add(_compact(brand))
    names.discard("")
    return names


def host_brand(url: str | None) -> str | None:
    """The label that names the site in a URL's host: `dw` (www.dw.com), `singtao` (news.singtao.ca),
    `bbc` (www.bbc.co.uk); None without a host."""
    host = (urlsplit(url).hostname or "") if url else ""
    labels = [lab for lab in host.lower().split(".") if lab]
    if len(labels) < 2:
        return None
    labels.pop()  # the top-level domain
    if labels and len(labels) > 1 and labels[-1] in _SECOND_LEVEL_LABELS:
        labels.pop()
    return labels[-1] if labels else None


def is_site_piece(piece: str, declared: set[str], *, strict: bool = False) -> bool:
    """A separator-delimited piece of a headline statement that names the site or channel: a declared
    name (or one after an inner bar: `政治ㅣ한국일보`), a domain (`Golem.de`), a short piece ending in a
    site word (…网, …日報, …新聞, News, Online); unless `strict`, also one that begins or ends with the
    host's brand (`新頭殼 newtalk`) or a date (`13.06.2023`)."""
    c = _compact(piece)
    if not c or c in declared:
        return True
    inner = re.split(r"[_|｜ㅣ·•]", piece)
    if len(inner) > 1 and _compact(inner[-1]) in declared:
        return True
    piece = piece.strip()
    if _DOMAIN_RE.match(piece):
        return True
    site_word = len(piece) <= _MAX_SITE_PIECE_CHARS and bool(_SITE_PIECE_RE.search(piece))
    if strict:
        return site_word
    if len(piece) > _MAX_SITE_PIECE_CHARS * 2:
        return False
    if any(len(name) >= 4 and (c.startswith(name) or c.endswith(name)) for name in declared):
        return True
    return site_word or bool(_DATE_PIECE_RE.search(piece) and _is_date_like(piece))


def _is_site_word_piece(piece: str) -> bool:
    """A short piece ending in a site word (…网, …日报, …政府, News)."""
    return len(piece) <= _MAX_SITE_PIECE_CHARS and bool(_SITE_PIECE_RE.search(piece))


def _is_date_like(text: str) -> bool:
    return bool(re.search(r"\d", text)) and len(_NOT_DATE_CHARS_RE.sub("", text)) <= 3


def strip_site_affix(text: str, declared: set[str], *, leading: bool = True) -> str:
    """`Headline - Site`, `Headline | Channel | Site`, `Site | Headline` → `Headline`: site and channel
    pieces dropped from either end; text that is nothing but such pieces gives ''. Across a bare
    hyphen or dash (`VOGUE-Cover`, `49-Euro`), only a declared name, a domain or a site word counts.
    What is left is stripped again at its end, for names behind another separator (`Headline – Site -
    Site`); `leading=False` leaves the front alone."""
    sep, pieces = split_with_separator(text)
    if len(pieces) < 2:  # a lone name, or one left dangling by an empty headline (`-阜新新闻网`)
        core = text.strip(_SEPARATOR_CHARS)
        lone = _compact(text) in declared or core != text.strip() and is_site_piece(core, declared)
        return "" if lone else text
    strict = sep in _TIGHT_SEPARATORS
    lo, hi = 0, len(pieces)
    # the last piece left is a name only when declared, a domain or a site word (`Squarespace Roadmap
    # Discussion - Squarespace Forum` keeps its headline although it starts with the brand)
    while hi > lo and is_site_piece(pieces[hi - 1], declared, strict=strict or hi - lo == 1):
        hi -= 1
    if hi == lo:
        return ""
    while leading and hi - lo > 1 and is_site_piece(pieces[lo], declared, strict=strict):
        lo += 1
    if (lo, hi) == (0, len(pieces)):
        return text
    # each piece's place in the text, found in order (a kept piece may recur inside a dropped one:
    # `Headline - Support - Netlify Support Forums`)
    at, places = 0, []
    for piece in pieces:
        at = text.find(piece, at)
        if at < 0:
            return text
        places.append(at)
        at += len(piece)
    core = text[places[lo]:places[hi - 1] + len(pieces[hi - 1])].strip(_SEPARATOR_CHARS)
    return strip_site_affix(core, declared, leading=False) if len(core) < len(text) else core


@dataclass
class Statement:
    """A statement of the headline that is not a visible element."""
    text: str
    source: str


def headline_statements(page: Page, hints: list[str] | None = None) -> list[Statement]:
    """The page's statements of its headline, site names removed, in order of trust: the title meta
    (`og:title` …), JSON-LD `headline`, the e-paper `title`, the `<title>`'s headline piece."""
    declared = declared_site_names(page)
    out = list(_meta_statements(page))
    page_title = clean_headline(page.head.title)
    if page_title:
        hints = [s.text for s in out] + (hints or [])
        piece = _title_tag_headline(page_title, hints, declared)
        if piece:
            out.append(Statement(piece, "title-tag"))
    return out


def _meta_statements(page: Page) -> list[Statement]:
    found = page.memo.get("meta_statements")
    if found is not None:
        return found
    declared = declared_site_names(page)
    raw: list[tuple[str, str]] = []
    meta = page.head.get_with_source(*_META_TITLE_KEYS)
    if meta:
        raw.append(meta)
    if page.ld and page.ld.headline:
        raw.append((html.unescape(page.ld.headline), "jsonld.headline"))
    if page.enp.get("title"):
        raw.append((page.enp["title"], "enp.title"))
    out = [Statement(strip_site_affix(clean_headline(t), declared), s) for t, s in raw]
    out = [s for s in out if len(_compact(s.text)) >= 2]
    page.memo["meta_statements"] = out
    return out


def _title_tag_headline(page_title: str, hints: list[str], declared: set[str]) -> str | None:
    """The headline the `<title>` states: all of it when it equals a hint, else its headline piece;
    None when it is only the site's name."""
    if any(_compact(h) == _compact(page_title) for h in hints):
        return page_title
    stripped = strip_site_affix(page_title, declared)
    if not stripped:
        return None
    sep, _ = split_with_separator(page_title)
    if stripped != page_title and not (sep and sep in stripped):
        return stripped
    return headline_from_page_title(stripped, hints, set())


def title_references(page: Page) -> dict[str, str]:
    """Statements of the headline other than visible elements and `<title>`: text -> provenance."""
    refs: dict[str, str] = {}
    for s in _meta_statements(page):
        refs.setdefault(s.text, s.source)
    return refs


def _heading_group(page: Page, i: int) -> tuple[int, str]:
    """The end (exclusive) and joined text of the headline starting at block i: an `<h1>` broken by
    `<br>` is several blocks of one element."""
    blocks = page.index.blocks
    b = blocks[i]
    j = i + 1
    if b.heading or (i + 1 < len(blocks) and blocks[i + 1].element is b.element
                     and _has_class_hint(page, b.element, _TITLE_CLASS_RE, 1)):
        # a heading, or an element whose class says title (`<td class="title">` broken with <br>)
        while j < len(blocks) and j - i < 4 and blocks[j].element is b.element and blocks[j].chars <= 60 \
                and not _is_date_like(blocks[j].text) and not _is_note_or_meta(blocks[j].text) \
                and not blocks[j].text.startswith(_DASHES):
            j += 1  # a date or 来源 line, or the 副题 (`——记…`), inside the heading is not part of the headline
    else:
        # a plain element broken with <br>: its lines are one headline when the page states them so
        while j < len(blocks) and j - i < 4 and blocks[j].element is b.element and blocks[j].chars <= 60:
            j += 1
        if j > i + 1:
            stated = {_compact(r) for r in title_references(page)}
            stated.update(_compact(p) for p in split_on_separator(clean_headline(page.head.title)))
            j = next((end for end in range(j, i + 1, -1)
                      if _compact(" ".join(blocks[k].text for k in range(i, end))) in stated), i + 1)
    lines = [_without_trailing_meta(blocks[k]) for k in range(i, j)]
    return j, clean_headline(" ".join(lines))


def _without_trailing_meta(b: TextBlock) -> str:
    """A line's text without the inline elements that end it with a date, a 来源/byline or furniture
    (`<h1>标题 <span>2024-11-03 08:40</span> <span>来源：新华网</span></h1>`), nor the same run in its
    last text after a space (`<h1>标题&nbsp;&nbsp;2024-11-03 08:40 来源：新华网</h1>`)."""
    parts = b.parts
    k = len(parts)
    while k > 1 and (_is_date_like(parts[k - 1]) or _is_note_or_meta(parts[k - 1])
                     or is_boilerplate_line(parts[k - 1])):
        k -= 1
    text = b.text
    if k < len(parts):
        cut = text.rfind(parts[k])
        text = text[:cut].strip() if cut > 0 else text
    m = _TRAILING_DATE_OR_LABEL_RE.search(text)
    return text[:m.start()].strip() if m and m.start() > 0 else text


def title_parts(page: Page, hints: list[str], headings: list[str] = ()) -> tuple[str | None, set[str]]:
    """(headline piece, names) of the `<title>`: the piece most like a statement (`hints`), else most like
    a heading (a logo heading states the site's name, so headings count only when no statement decides),
    and the names the page gives itself — `og:site_name` and friends, and every other piece of the
    `<title>` (channel, blog, site), split again on the other separators (`小明的日记 :: 痞客邦`)."""
    names = {norm(page.head.get(*_META_SITE_KEYS[:4]) or "")}
    title = clean_headline(page.head.title)
    pieces = split_on_separator(title)
    headline = None
    if len(pieces) > 1:
        # on a CJK page a statement decides before the headings (a Chinese blog's `<title>` holds its name,
        # which its logo heading repeats); one that repeats the whole `<title>` says nothing of its pieces.
        # Elsewhere the headings weigh as much (a docs page's og:title holds several of its pieces).
        told = [h for h in hints if _compact(h) != _compact(title)] if _CJK_RE.search(title) else []
        headline = headline_from_page_title(title, told, weak_hints=[h for h in hints if h not in told] + list(headings))
        for p in pieces:
            if p != headline:
                names.add(p)
                names.update(split_on_separator(p))
    elif title and _is_site_word_piece(title):
        names.add(title)  # a `<title>` that is only the site's name (`xx市人民政府门户网站`)
    names.discard("")
    return headline, names


def _is_headline_line(b: TextBlock, text: str) -> bool:
    """A short line that could be a headline: not metadata, a date, furniture or a sentence."""
    return (2 <= len(_compact(text)) and not b.link_chars and not _is_date_like(text)
            and not text.endswith(("。", ".", ":", "：", "，", ",")) and not is_boilerplate_line(text)
            and not is_end_of_article_line(text) and not _is_note_or_meta(text))


def find_title_block(page: Page, limit: int) -> int | None:
    """Index of the block before `limit` (the first body paragraph) that displays the headline (its
    rank is kept in `page.memo["title_rank"]` for `extract_title`)."""
    found = rank_title_blocks(page, limit)
    page.memo["title_rank"] = found
    return found[1] if found else None


def rank_title_blocks(page: Page, limit: int) -> tuple[int, int] | None:
    """(rank, index) of the best headline candidate before `limit` (RANK_* constants)."""
    profiled = _profile_block(page, "title")
    if profiled is not None:
        return RANK_STATED_HEADING, profiled
    blocks = page.index.blocks
    refs = title_references(page)
    ref_keys = [_compact(r) for r in refs]
    page_title = clean_headline(page.head.title)
    segments = [s for s in split_on_separator(page_title) if len(s) >= 2]
    stop = min(limit, len(blocks))
    headings = [clean_headline(b.text) for b in blocks[:stop] if b.heading and b.chars <= MAX_HEADLINE_CHARS][:20]
    piece, names = title_parts(page, list(refs), headings)
    piece_key = _compact(piece or "")
    name_keys = {_compact(n) for n in names}
    declared = declared_site_names(page)
    best: tuple[int, int] | None = None
    weak: list[tuple[int, int, str]] = []  # (rank, index, text) of the fallbacks, checked only when needed
    i = 0
    while i < stop:
        b = blocks[i]
        linked = b.link_density > 0.5
        if b.chars > MAX_STATED_HEADLINE_CHARS or linked and not b.heading:
            i += 1
            continue
        end, text = _heading_group(page, i)
        key = _compact(text)
        if (key in name_keys or key in declared) and text not in refs and key != piece_key:
            i = end  # the site's, channel's or blog's name (a logo), not a story's
            continue
        if linked and key != piece_key and key not in ref_keys and not _title_states(page_title, text):
            i = end  # a linked heading is the headline only when the page states it (a blog post's permalink)
            continue
        rank = 0
        if key and any(key == r or _alike(key, r, 0.9) for r in ref_keys):
            rank = RANK_STATED_HEADING if b.heading else RANK_STATED
        elif b.chars > MAX_HEADLINE_CHARS or b.heading and _is_date_like(text):
            rank = 0
        elif b.heading and len(text) >= 4 and page_title and (text in page_title or _matches_segment(text, segments)):
            rank = RANK_TITLE_H1 if b.heading == 1 else RANK_TITLE_HEADING
        elif not b.heading and len(text) >= 4 and len(segments) > 1 and text in segments:
            rank = RANK_TITLE_SEGMENT
        elif b.heading == 1:
            rank = RANK_H1
        elif not b.heading and 4 <= b.chars <= 80 and _has_class_hint(page, b.element, _TITLE_CLASS_RE, 1) \
                and _is_headline_line(b, text):
            rank = RANK_TITLE_CLASS  # <div class="article-title">: a headline styled without a heading element
        elif b.heading in (2, 3):
            weak.append((RANK_HEADING, i, text))
        elif not b.heading and 4 <= b.chars <= MAX_LINE_HEADLINE_CHARS and not b.link_chars:
            weak.append((RANK_LINE, i, text))
        if rank and (best is None or rank >= best[0]):
            best = (rank, i)
        i = end
    if best is None:
        for wanted in (RANK_HEADING, RANK_LINE):  # the nearest h2/h3 above the body, else the nearest line
            for rank, k, text in reversed(weak):
                if rank == wanted and _is_headline_line(blocks[k], text):
                    return rank, k
    return best


_PIECE_BOUNDARY_CHARS = "|｜_-—–－•·丨│ㅣ@"  # what may stand right beside a piece of a `<title>` (a space alone may not)


def _title_states(page_title: str | None, text: str) -> bool:
    """The `<title>` holds `text` (at least four characters) whole, between its ends or separators: a
    headline that itself holds a separator (`Python入门_笔记_某某的博客`) is still stated."""
    text = text.strip()
    if not page_title or len(_compact(text)) < 4:
        return False
    at = page_title.find(text)
    while at >= 0:
        before = page_title[:at].rstrip()[-1:]
        after = page_title[at + len(text):].lstrip()[:1]
        if (before or after) and (not before or before in _PIECE_BOUNDARY_CHARS) \
                and (not after or after in _PIECE_BOUNDARY_CHARS):
            return True
        at = page_title.find(text, at + 1)
    return False


def _alike(a: str, b: str, at_least: float) -> bool:
    """Two compacted headlines at least `at_least` alike (SequenceMatcher ratio), pairs whose lengths
    rule it out rejected first."""
    short, long_ = sorted((len(a), len(b)))
    if not short or 2 * short / (short + long_) < at_least:
        return False
    if a in b or b in a:
        return short / long_ >= at_least
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= at_least


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


def _element_text(el: Tag) -> str:
    return clean_headline(" ".join(el.stripped_strings))


def heading_kicker(page: Page, title_block: int) -> tuple[str, str] | None:
    """(kicker, headline) of a headline element that holds both as child elements:
    `<h2><span class="kicker">Streit um X</span> <span>Die Regierung …</span></h2>`. The first child is the
    kicker when its class says so, or when it is shorter than the rest and the heading holds nothing
    but child elements."""
    b = page.index.blocks[title_block]
    el = b.element
    if not b.heading or _heading_group(page, title_block)[0] != title_block + 1:
        return None
    children: list[Tag] = []
    for c in el.children:
        if isinstance(c, Tag):
            if c.name in ("meta", "br", "script", "style") or is_hidden(c) or not _compact(_element_text(c)):
                continue
            children.append(c)
        elif isinstance(c, NavigableString) and _compact(str(c)):
            return None  # loose text: one headline with inline markup
    if len(children) < 2:
        return None
    kicker = _element_text(children[0])
    rest = clean_headline(" ".join(_element_text(c) for c in children[1:]))
    hinted = any(isinstance(v, str) and _HEADING_KICKER_RE.search(v) or
                 isinstance(v, list) and _HEADING_KICKER_RE.search(" ".join(v)) for v in children[0].attrs.values())
    if not rest or len(_compact(rest)) < 4 or not (hinted or len(kicker) < len(rest)):
        return None
    return kicker, rest


@dataclass
class Displayed:
    """The visible headline, where it came from, and the kicker displayed with it (inside its element
    or on the line right above)."""
    text: str
    source: str
    kicker: str | None = None


def displayed_headline(page: Page, title_block: int | None) -> Displayed | None:
    """The visible headline at `title_block` with its provenance."""
    if title_block is None:
        return None
    blocks = page.index.blocks
    b = blocks[title_block]
    node = _profile_node(page, "title")
    if node is not None and page.index.block_range(node)[0] == title_block:
        text = _node_text(page, node)
        return Displayed(text, page.profile.provenance) if text else None
    _, text = _heading_group(page, title_block)
    split = heading_kicker(page, title_block)
    kicker = None
    if split is not None:
        kicker, text = split
    elif title_block > 0 and blocks[title_block - 1].chars <= 60 and not blocks[title_block - 1].link_chars:
        kicker = clean_headline(blocks[title_block - 1].text)
    if b.heading:
        source = f"h{b.heading}"
    else:
        refs = title_references(page)
        source = refs.get(text) or ("title-tag" if text in clean_headline(page.head.title) else "text")
    return Displayed(text, source, kicker)


_MAX_LABEL_CHARS = 4     # a label before a displayed headline: 原创, 独家, 快讯
_JOINERS = (":", "：", " - ", " – ", " — ", " | ", "｜", "|", " · ", " • ", "丨", "_")
# A short bracketed label after a displayed headline: `… (港聞)`, `…【图】`.
_TRAILING_LABEL_RE = re.compile(r"\s*[(（【\[][^()（）【】\[\]]{1,6}[)）】\]]$")


def _split_around(statement: str, text: str) -> tuple[str, str] | None:
    """(prefix, suffix) when `statement` is `prefix<joiner>text<joiner>suffix` (either side may be
    empty, not both), else None."""
    ct = _compact(text)
    cs = _compact(statement)
    if not ct or ct == cs or ct not in cs:
        return None
    for sep in _JOINERS:
        parts = statement.split(sep)
        for i in range(len(parts)):
            for j in range(i + 1, len(parts) + 1):
                if (i, j) != (0, len(parts)) and _compact(sep.join(parts[i:j])) == ct:
                    return sep.join(parts[:i]).strip(), sep.join(parts[j:]).strip()
    return None


def choose_headline(displayed: Displayed | None, statements: list[Statement]) -> tuple[str | None, str | None]:
    """(headline, provenance) from the displayed headline and the statements.

    Readings of the headline get one vote per statement that states them: the displayed headline
    (stated as is, or inside `Channel: headline` / `headline - Site`), the displayed kicker and
    headline joined (`Kicker: headline`), and each other text. The displayed readings win ties (the
    bare headline first); another text needs two statements and more votes than the displayed
    reading plus one."""
    groups: dict[str, list[Statement]] = {}
    for s in statements:
        groups.setdefault(_compact(s.text), []).append(s)
    if displayed is None:
        if not groups:
            return None, None
        best = max(groups.values(), key=len)  # ties: the first in order of trust
        return best[0].text, best[0].source
    text = displayed.text
    bare = _TRAILING_LABEL_RE.sub("", text)
    kicker = _compact(displayed.kicker or "")
    alone: list[Statement] = []
    joined: list[Statement] = []
    counted: set[str] = set()
    for key, group in groups.items():
        for reading in ((text, bare) if bare != text else (text,)):
            if key == _compact(reading):
                alone += group
                counted.add(key)
                break
            around = _split_around(group[0].text, reading)
            if around is not None:
                counted.add(key)
                if kicker and _compact(around[0]) == kicker and not around[1]:
                    joined += group
                else:
                    alone += group
                break
    best_other = max((g for k, g in groups.items() if k not in counted), key=len, default=[])
    if len(best_other) >= 2 and len(best_other) > 1 + max(len(alone), len(joined)):
        return best_other[0].text, best_other[0].source
    if len(joined) > len(alone):
        return joined[0].text, joined[0].source  # the kicker is part of the headline
    if bare != text and any(_compact(s.text) == _compact(bare) for s in alone):
        return bare, displayed.source  # the label is not part of the headline
    if not alone and not joined:
        # a short label shown before the headline (`<span>原创</span>…`, `【快讯】…`) that no statement has
        shown = _compact(text)
        for key, group in groups.items():
            if len(group) >= 1 and shown.endswith(key) and 0 < len(shown) - len(key) <= _MAX_LABEL_CHARS:
                return group[0].text, displayed.source
    if text.isupper():  # shown in capitals: a statement of the same words keeps the writer's case
        cased = next((s for s in alone if s.text.lower() == text.lower() and not s.text.isupper()), None)
        if cased is not None:
            return cased.text, displayed.source
    return text, displayed.source


def extract_title(page: Page, title_block: int | None) -> tuple[str | None, str | None]:
    """(headline, provenance): the displayed headline at `title_block` and the page's statements,
    reconciled by `choose_headline`."""
    shown = displayed_headline(page, title_block)
    hints = [shown.text] if shown else \
        [clean_headline(b.text) for b in page.index.blocks if b.heading == 1 and b.chars <= MAX_HEADLINE_CHARS][:3]
    statements = headline_statements(page, hints)
    ranked = page.memo.get("title_rank")
    if shown is not None and ranked is not None and ranked[1] == title_block and ranked[0] <= RANK_HEADING:
        # a fallback (the nearest h2/h3 or short line above the body): any statement that names a
        # story outranks it unless one states it
        if not any(_supports(s.text, shown.text) for s in statements):
            story = [s for s in statements if _names_a_story(s)]
            if story:
                return choose_headline(None, story)
    return choose_headline(shown, statements)


def _supports(statement: str, text: str) -> bool:
    return _compact(statement) == _compact(text) or _split_around(statement, text) is not None


_MIN_STORY_WORDS, _MIN_STORY_CJK = 4, 8
_MAX_CHANNEL_WORD_CHARS = 4  # a CJK channel name in a `<title>`: 港聞, 国内, 財經新聞


def _names_a_story(s: Statement) -> bool:
    """A statement that reads as a story's headline rather than a site's name: a title meta, JSON-LD
    or e-paper headline, or a `<title>` piece of at least four words (eight CJK characters) that does not
    end in a site word."""
    return s.source != "title-tag" or _reads_as_story(s.text)


def _reads_as_story(text: str) -> bool:
    """At least four words or eight CJK characters, not ending in a site word."""
    cjk = len(_CJK_RE.findall(text))
    words = len(_CJK_RE.sub(" ", text).split())
    return (words >= _MIN_STORY_WORDS or cjk >= _MIN_STORY_CJK) and not _SITE_PIECE_RE.search(text)


def _is_channel_word(piece: str) -> bool:
    """A `<title>` piece of at most four CJK characters and nothing else: a channel's name, not a headline."""
    compact = _compact(piece)
    return 0 < len(compact) <= _MAX_CHANNEL_WORD_CHARS and len(_CJK_RE.findall(compact)) == len(compact)


def _node_text(page: Page, node: Tag) -> str | None:
    lo, hi = page.index.block_range(node)
    text = " ".join(b.text for b in page.index.blocks[lo:hi]) or norm("".join(node.strings))
    return clean_headline(text) or None


def headline_from_page_title(page_title: str | None, hints: list[str], names: set[str] | None = None,
                             weak_hints: list[str] = ()) -> str | None:
    """The `<title>` piece that is the headline: the one most like a hint (og:title, an `<h1>`), else
    most like a weak hint (any heading), else the first piece that does not name a site or channel."""
    pieces = split_on_separator(norm(page_title))
    if not pieces:
        return None
    if len(pieces) == 1:
        return pieces[0]
    names = names or set()
    # a piece that names a site (`xx市人民政府`, `某某新闻网`) is no headline, even when a logo heading
    # repeats it, as long as another piece is left
    storied = [p for p in pieces if p not in names and not _is_site_word_piece(p)] or pieces
    for tier in (hints, list(hints) + list(weak_hints)):
        scored = [(max((similar(p, h, 0.5) for h in tier), default=0.0), -k, p) for k, p in enumerate(pieces)
                  if p in storied]
        score, _, piece = max(scored)
        if score >= 0.5:
            return piece
    candidates = [p for p in pieces if p not in names and not _SITE_PIECE_RE.search(p)]
    if len(candidates) > 1 and _is_channel_word(candidates[0]) and any(_reads_as_story(p) for p in candidates[1:]):
        candidates = candidates[1:]  # `文匯網 - 港聞 - 標題`: a channel word before the story's piece
    return candidates[0] if candidates else max(pieces, key=len)


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
    return split_with_separator(text)[1]


def split_with_separator(text: str) -> tuple[str | None, list[str]]:
    """(separator, pieces) of a `<title>`-like text, trying the separators most specific first."""
    for sep in _TITLE_SEPARATORS:
        if sep in text:
            if sep in ("-", "—", "－") and (sep * 2) in text:
                continue  # 逐“质”而行——阜新… : a dash pair inside the headline is not a separator
            if sep in _WORD_JOINING_DASHES:
                raw = _BARE_DASH_RES[sep].split(text)  # 2024-2025, AI-Powered, word—word stay whole
            else:
                raw = text.split(sep)
            pieces = [p.strip() for p in raw if p.strip()]
            if len(pieces) > 1:
                return sep, pieces
    return None, [text] if text else []


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
    """A line that is metadata (原标题, 来源, a byline, a date), never a kicker or subtitle."""
    return parse_meta_line(text) is not None or (len(text) <= 60 and parse_byline(text) is not None) \
        or _is_date_like(text)


def extract_kicker_subtitle(page: Page, title_block: int | None, header_end: int,
                            title: str | None = None) -> tuple[str | None, str | None, set[int], dict[str, str]]:
    """引题 and 副题 around the headline; the block indexes they (and a multi-line headline) use,
    which are excluded from the body; and their provenance. A kicker the chosen `title` already
    starts with is not repeated."""
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
    if kicker is None:
        split = heading_kicker(page, title_block)
        if split is not None:
            kicker, sources["kicker"] = split[0], "heading-part"
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
    if kicker and title and _compact(title) != _compact(kicker) and _compact(title).startswith(_compact(kicker)):
        kicker = None
        sources.pop("kicker", None)
    return kicker, subtitle, used, sources

