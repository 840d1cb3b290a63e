"""Plain-text article dumps → ArticleRecord.

A dump is what copying a page or an e-paper article as text gives: blocks separated by blank
lines, with

- a header (引题 ending in ——, 主题, 副题 starting with ——, a byline or a meta line),
- layout fragments: one paragraph split mid-sentence over two adjacent blocks,
- photos reduced to extra blank lines, followed by a caption and a credit (`X 摄`),
- pull quotes repeating a body sentence,
- page furniture around the story (greeting, breadcrumb, 原文链接, 免责声明…),
- sometimes a column of short reports (`■ 县区扫描`) printed with the story.

How the text is read:

1. Lines become units with the number of blank lines before them. The most common gap is
   the document's paragraph gap; a larger gap stands for something removed (a photo).
2. Each unit is classified once, with the line parsers of bylines/dates/metalines.
3. The header gives kicker/title/subtitle; the rest is walked in order, building sections,
   paragraphs, images and sub-articles.

Joining fragments: a paragraph that ends without sentence-final punctuation is continued by
the next unit only if that unit is *directly* next to it (paragraph gap, nothing between) and
is not an orphan tail — a short complete sentence such as `动全面打响。`, which ends a
sentence within a few characters and so cannot be the rest of a long paragraph's clause.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from parsers.bylines import parse_byline, parse_byline_credits, parse_group_credit, split_photo_credit
from parsers.dates import parse_datetime
from parsers.metalines import (
    MetaLine,
    is_boilerplate_line,
    is_end_of_article_line,
    parse_meta_line,
    site_name_from_greeting,
)
from parsers.language import language_and_source
from parsers.provenance import note_author, note_field
from parsers.records import ArticleRecord, Author, Block, Image, SubArticle

__all__ = ["extract_text", "ends_sentence", "is_orphan_tail", "looks_like_heading",
           "drop_contained_paragraphs"]

MAX_TITLE_CHARS = 80
MAX_HEADING_CHARS = 40
MAX_CAPTION_CHARS = 150
# A unit this short that is one complete sentence is an orphan tail, never a continuation.
MAX_ORPHAN_CHARS = 12
# Pull-quote removal ignores very short paragraphs: they may legitimately recur.
MIN_CONTAINED_CHARS = 8

_SENTENCE_FINAL = "。！？!?…；;"
_CLAUSE_BREAKS = "，,、"
_CLOSERS = "”’」』）)】》\"'"
_INNER_BREAK_RE = re.compile(r"[。！？!?；;，,]")
_HEADING_FORBIDDEN_RE = re.compile(r"[。！？!?；;]")
_INDENT_RE = re.compile(r"^(?:\u3000|\xa0|\t| {2,})")
_INVISIBLE_RE = re.compile(r"[\ufeff\u200b\u200c\u200d\u2060]")
_LEAD_LABEL_RE = re.compile(
    r"^[【\[]?\s*(?:核心提示|内容提要|内容摘要|提要|摘要|导读|编者按|编者的话|导语)\s*[】\]]?\s*[:：]?\s*(?P<rest>.*)$"
)
# 本报讯（记者 张三 通讯员 李四）… / 新华社北京11月3日电（记者 王五）…: the dateline credit.
_DATELINE_CREDIT_RE = re.compile(r"^.{0,30}?(?:讯|电)\s*[（(](?P<by>[^（()）]{2,40})[）)]")
# 稿尾 markers: （完）, 【完】, -END-.
_END_MARK_RE = re.compile(r"^[（(【\[-]*\s*(?:完|全文完|END|End|end)\s*[）)】\]-]*$")
_MARKER_RE = re.compile(r"^[■□◆◇▲△●○★☆▶►◎◉]\s*(?P<name>\S.{0,29})$")
_DATE_RESIDUE_RE = re.compile(r"[\d\s:：\-/.年月日号时分秒TZ+()（）星期周一二三四五六日天]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]")
_DASHES = ("——", "—", "--", "――")
# A masthead line above the headline: 阜新新闻网, 辽宁日报, 人民网客户端.
_SITE_NAME_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,10}(?:网|网站|日报|晚报|早报|报|新闻|频道|客户端|融媒)")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass
class _Unit:
    text: str
    gap: int          # blank lines before this line
    index: int
    indented: bool    # the raw line started with an indent: a paragraph start
    kind: str = "body"
    payload: object = None


@dataclass
class _Para:
    text: str
    first_unit: int
    last_unit: int
    units: int = 1


@dataclass
class _Container:
    """Where paragraphs go: the main body or one sub-article."""
    blocks: list = field(default_factory=list)  # _Para or Block(heading)

    def last_para(self) -> _Para | None:
        return self.blocks[-1] if self.blocks and isinstance(self.blocks[-1], _Para) else None


# --- small text predicates (shared with other extractors) -----------------------------

def ends_sentence(text: str) -> bool:
    """True when `text` ends a sentence (closing quotes and brackets looked through)."""
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    if not stripped:
        return True
    return stripped[-1] in _SENTENCE_FINAL or stripped.endswith("...") or (
        stripped[-1] == "." and _LATIN_WORD_RE.search(stripped[-3:] or "") is not None
    )


def is_orphan_tail(text: str) -> bool:
    """A short, complete sentence with no inner break (`动全面打响。`)."""
    text = text.strip()
    return len(text) <= MAX_ORPHAN_CHARS and ends_sentence(text) and not _INNER_BREAK_RE.search(
        text.rstrip(_CLOSERS)[:-1]
    )


def looks_like_heading(text: str, max_chars: int = MAX_HEADING_CHARS) -> bool:
    """A short line without sentence punctuation: a title or a section heading."""
    text = text.strip()
    if len(text) < 2 or len(text) > max_chars:
        return False
    if _HEADING_FORBIDDEN_RE.search(text):
        return False
    if text[-1] in ",，、:：(（“\"-" or text.count("，") + text.count(",") > 1:
        return False
    if _is_latin(text):
        words = text.split()
        return len(words) <= 16 and text[0].isupper() and not text.endswith((".", ",", ";", ":"))
    return True


def drop_contained_paragraphs(paragraphs: list[str]) -> list[str]:
    """Drop exact repeats and any paragraph contained in another one (pull quotes)."""
    return [paragraphs[i] for i in _kept_paragraph_indices(paragraphs)]


def _kept_paragraph_indices(paragraphs: list[str]) -> list[int]:
    normed = [" ".join(p.split()) for p in paragraphs]
    keep = []
    seen: set[str] = set()
    for i, text in enumerate(normed):
        if text in seen:
            continue
        seen.add(text)
        if len(text) >= MIN_CONTAINED_CHARS and any(
            len(other) > len(text) and text in other for other in normed
        ):
            continue
        keep.append(i)
    return keep


def _is_latin(text: str) -> bool:
    return not _CJK_RE.search(text) and bool(_LATIN_WORD_RE.search(text))


def _join(left: str, right: str) -> str:
    """Glue two pieces of one paragraph: nothing between CJK text, a space between Latin words."""
    if not left or not right:
        return left + right
    if left.endswith("-") and left[-2:-1].isalpha() and right[0].islower():
        return left[:-1] + right  # a hyphenated English line break
    if left[-1].isascii() and right[0].isascii() and not _CJK_RE.search(left[-20:]):
        return f"{left} {right}"
    return left + right


# --- reading units ---------------------------------------------------------------------

def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    gap = 0
    for raw in _INVISIBLE_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.strip()
        if not stripped:
            gap += 1
            continue
        units.append(_Unit(stripped, gap, len(units), bool(_INDENT_RE.match(raw))))
        gap = 0
    return units


def _paragraph_gap(units: list[_Unit]) -> int:
    """The usual number of blank lines between paragraphs in this dump (0 or more)."""
    gaps = Counter(u.gap for u in units[1:])
    if not gaps:
        return 1
    best = max(gaps.values())
    return min(g for g, n in gaps.items() if n == best)


def _is_date_line(text: str) -> str | None:
    if len(text) > 40:
        return None
    found = parse_datetime(text)
    if found and len(_DATE_RESIDUE_RE.sub("", text)) <= 4:
        return found
    return None


def _classify(unit: _Unit) -> None:
    text = unit.text
    if is_end_of_article_line(text):
        unit.kind = "end"
    elif _END_MARK_RE.match(text):
        unit.kind = "boilerplate"
    elif is_boilerplate_line(text):
        unit.kind, unit.payload = "boilerplate", site_name_from_greeting(text)
    elif (group := parse_group_credit(text)) is not None:
        unit.kind, unit.payload = "group_credit", group
    elif (meta := parse_meta_line(text)) is not None:
        unit.kind, unit.payload = "meta", meta
    elif (m := _LEAD_LABEL_RE.match(text)) is not None:
        unit.kind, unit.payload = "lead_label", m.group("rest").strip()
    elif (credit := _photo_credit(text)) is not None:
        unit.kind, unit.payload = credit
    elif (credits := parse_byline_credits(text)) is not None:
        unit.kind, unit.payload = "byline", credits
    elif (date := _is_date_line(text)) is not None:
        unit.kind, unit.payload = "date", date
    elif (m := _MARKER_RE.match(text)) is not None and looks_like_heading(m.group("name")):
        unit.kind, unit.payload = "marker", m.group("name")
    elif looks_like_heading(text, MAX_TITLE_CHARS):
        unit.kind = "heading" if looks_like_heading(text) else "long_heading"
    else:
        unit.kind = "body"


def _photo_credit(text: str) -> tuple[str, tuple[str | None, str, list[Author]]] | None:
    if len(text) > MAX_CAPTION_CHARS + 30:
        return None
    caption, credit, people = split_photo_credit(text)
    if credit is None:
        return None
    if caption is None:
        return "credit", (None, credit, people)
    return "caption_credit", (caption, credit, people)


# --- the record -------------------------------------------------------------------------

@dataclass
class _State:
    units: list[_Unit]
    para_gap: int
    record: ArticleRecord
    main: _Container = field(default_factory=_Container)
    subs: list[tuple[SubArticle, _Container]] = field(default_factory=list)
    column_subs_start: int | None = None  # index in subs where the current column starts
    column_name: str | None = None
    pending_lead: bool = False
    lead_para: _Para | None = None
    ended: bool = False

    @property
    def container(self) -> _Container:
        if self.column_subs_start is not None and self.subs:
            return self.subs[-1][1]
        return self.main


def extract_text(text: str, *, url: str | None = None, path: str | None = None) -> ArticleRecord:
    """Read a plain-text article dump. Never raises on odd input; an empty text gives
    `is_article=False`."""
    record = ArticleRecord(path=path, url=url)
    units = _units(text or "")
    if not units:
        record.is_article = False
        return record
    for unit in units:
        _classify(unit)
    state = _State(units, _paragraph_gap(units), record)
    start = _read_header(state)
    for unit in units[start:]:
        _read_body_unit(state, unit)
    _finish(state)
    return record


def _add_authors(record: ArticleRecord, people: list[Author], source: str) -> None:
    for person in people:
        if person not in record.authors:
            record.authors.append(person)
            note_author(record.provenance, person, source)


def _add_credits(record: ArticleRecord, credits: list[tuple[Author, str]]) -> None:
    for person, source in credits:
        _add_authors(record, [person], source)


def _apply_meta(record: ArticleRecord, meta: MetaLine) -> None:
    for name in ("published_at", "source_name", "original_url"):
        value = getattr(meta, name)
        if value and getattr(record, name) is None:
            setattr(record, name, value)
            note_field(record.provenance, name, meta.sources.get(name, "text"))
    _add_credits(record, [(a, meta.credits.get(a, "byline")) for a in meta.authors])


def _set_site_name(record: ArticleRecord, name: str | None, source: str) -> None:
    if name and record.site_name is None:
        record.site_name = name
        note_field(record.provenance, "site_name", source)


def _read_header(state: _State) -> int:
    """Find kicker / title / subtitle; return the index of the first unit of the body."""
    units, record = state.units, state.record
    headings: list[_Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind == "boilerplate":
            _set_site_name(record, unit.payload, "greeting")
        elif unit.kind == "meta":
            _apply_meta(record, unit.payload)
        elif unit.kind == "byline":
            _add_credits(record, unit.payload)
        elif unit.kind == "date":
            if record.published_at is None:
                record.published_at = unit.payload
                note_field(record.provenance, "published_at", "text:date")
        elif unit.kind in ("heading", "long_heading") and not _header_closed(units, i, headings):
            headings.append(unit)
        else:
            break
        i += 1
    # Header lines not used as titles are the first section headings of the body.
    for unit in _assign_titles(state, headings):
        state.main.blocks.append(Block("heading", unit.text))
    return i


def _header_closed(units: list[_Unit], i: int, headings: list[_Unit]) -> bool:
    """Once a title is followed by a byline/meta line, later headings belong to the body."""
    if not headings:
        return False
    return any(u.kind in ("byline", "meta", "date") for u in units[headings[0].index + 1: i])


def _assign_titles(state: _State, headings: list[_Unit]) -> list[_Unit]:
    """引题 / 主题 / 副题 from the header lines: a 副题 starts with ——, an 引题 ends with it.
    Without dashes the first line is the title, and a second line directly above the
    byline is the subtitle. Returns the header lines left over."""
    record = state.record
    if headings and len(headings) >= 2 and _SITE_NAME_RE.fullmatch(headings[0].text):
        _set_site_name(record, headings[0].text, "masthead")
        del headings[0]
    texts = [u.text for u in headings]
    if not texts:
        return []
    dashed = next((k for k, t in enumerate(texts) if k >= 1 and t.startswith(_DASHES)), None)
    prov = record.provenance
    if dashed is not None:
        record.title, record.subtitle = texts[dashed - 1], texts[dashed]
        prov.update(title="text", subtitle="dash")
        if dashed >= 2:
            record.kicker = texts[dashed - 2]
            prov["kicker"] = "text"
        return headings[dashed + 1:]  # lines above the kicker are dropped: masthead, channel
    if len(texts) >= 2 and texts[0].endswith(_DASHES):
        record.kicker, record.title = texts[0], texts[1]
        prov.update(kicker="dash", title="text")
        rest = headings[2:]
    else:
        record.title = texts[0]
        prov["title"] = "text"
        rest = headings[1:]
    if rest and _directly_before_byline(state, rest[0]):
        record.subtitle = rest[0].text
        prov["subtitle"] = "text"
        rest = rest[1:]
    return rest


def _directly_before_byline(state: _State, unit: _Unit) -> bool:
    """A second header line right before the byline/meta line is a 副题, not a section."""
    nxt = unit.index + 1
    return nxt < len(state.units) and state.units[nxt].kind in ("byline", "meta", "date")


def _read_body_unit(state: _State, unit: _Unit) -> None:
    record = state.record
    kind = unit.kind
    if kind == "boilerplate":
        _set_site_name(record, unit.payload, "greeting")
        return
    if kind == "end":
        state.ended = True
        return
    if kind == "meta":
        _apply_meta(record, unit.payload)
        return
    if kind == "group_credit":
        _add_authors(record, unit.payload, "credit:group")
        if state.column_subs_start is not None:
            for sub, _ in state.subs[state.column_subs_start:]:
                sub.authors.extend(a for a in unit.payload if a not in sub.authors)
        return
    if kind == "byline":
        _add_credits(record, unit.payload)
        return
    if state.ended:
        return  # a list of other stories after 相关阅读: nothing here is this article's body
    if kind == "date":
        return  # dates inside the body are not the publishing date
    if kind in ("credit", "caption_credit"):
        _add_image(state, unit)
        return
    if kind == "lead_label":
        if unit.payload:
            para = _Para(unit.payload, unit.index, unit.index)
            state.container.blocks.append(para)
            state.lead_para = state.lead_para or para
        else:
            state.pending_lead = True
        return
    if kind == "marker":
        if _starts_column(state, unit):
            state.column_subs_start = len(state.subs)
            state.column_name = unit.payload
        else:
            state.container.blocks.append(Block("heading", unit.text))
        return
    if kind in ("heading", "long_heading") and not _continues_previous(state, unit):
        if state.column_subs_start is not None:
            state.subs.append((SubArticle(title=unit.text), _Container()))
        elif kind == "heading":
            state.main.blocks.append(Block("heading", unit.text))
        else:
            _add_paragraph(state, unit)
        return
    _add_paragraph(state, unit)


def _starts_column(state: _State, unit: _Unit) -> bool:
    """`■ 县区扫描` starts a column when the next line is a report title, not a paragraph."""
    for nxt in state.units[unit.index + 1:]:
        if nxt.kind == "boilerplate":
            continue
        return nxt.kind == "heading"
    return False


def _continues_previous(state: _State, unit: _Unit) -> bool:
    """A short unpunctuated unit glued to an unfinished paragraph is its tail, not a heading."""
    prev = state.container.last_para()
    return (
        prev is not None
        and prev.last_unit == unit.index - 1
        and unit.gap <= state.para_gap
        and not unit.indented
        and not ends_sentence(prev.text)
        and len(prev.text) > MAX_HEADING_CHARS
        and _next_is_body_text(state, unit)
    )


def _next_is_body_text(state: _State, unit: _Unit) -> bool:
    nxt = unit.index + 1
    return nxt >= len(state.units) or state.units[nxt].kind == "body"


def _add_paragraph(state: _State, unit: _Unit) -> None:
    container = state.container
    if state.column_subs_start is not None and not state.subs:
        state.subs.append((SubArticle(title=state.column_name or ""), _Container()))
        container = state.container
    prev = container.last_para()
    if prev is not None and _should_join(state, prev, unit):
        prev.text = _join(prev.text, unit.text)
        prev.last_unit = unit.index
        prev.units += 1
        return
    para = _Para(unit.text, unit.index, unit.index)
    container.blocks.append(para)
    _take_dateline_credit(state, unit.text)
    if state.pending_lead:
        state.lead_para = para
        state.pending_lead = False


def _take_dateline_credit(state: _State, text: str) -> None:
    """Authors named in a dateline (本报讯（记者 张三）…); the paragraph keeps its text."""
    m = _DATELINE_CREDIT_RE.match(text)
    people = parse_byline(m.group("by")) if m else None
    if not people:
        return
    _add_authors(state.record, people, "credit:dateline")
    if state.column_subs_start is not None and state.subs:
        sub = state.subs[-1][0]
        sub.authors.extend(a for a in people if a not in sub.authors)


def _should_join(state: _State, prev: _Para, unit: _Unit) -> bool:
    if prev.last_unit != unit.index - 1 or unit.gap > state.para_gap or unit.indented:
        return False
    if unit.gap < state.para_gap:
        return True  # a wrapped line inside one block
    if ends_sentence(prev.text):
        return False
    if prev.text.rstrip(_CLOSERS)[-1:] in _CLAUSE_BREAKS:
        return True  # a paragraph never ends on a comma: what follows is its rest
    return not is_orphan_tail(unit.text)


def _add_image(state: _State, unit: _Unit) -> None:
    caption, credit, people = unit.payload
    _add_authors(state.record, people, "credit:摄" if "摄" in credit else "credit:图")
    if caption is None:
        caption = _take_caption(state, unit)
    state.record.images.append(Image(src=None, caption=caption, credit=credit))


def _take_caption(state: _State, credit_unit: _Unit) -> str | None:
    """The paragraph just above a bare credit is its caption when it stands alone under
    an image gap (or is short), and is directly above the credit."""
    container = state.container
    prev = container.last_para()
    if (
        prev is None
        or prev.units != 1
        or prev is state.lead_para
        or prev.last_unit != credit_unit.index - 1
        or credit_unit.gap > state.para_gap
        or len(prev.text) > MAX_CAPTION_CHARS
    ):
        return None
    first = state.units[prev.first_unit]
    if first.gap <= state.para_gap and len(prev.text) > 60:
        return None
    container.blocks.pop()
    return prev.text


def _finish(state: _State) -> None:
    record = state.record
    record.body = _blocks_of(state.main)
    for sub, container in state.subs:
        sub.paragraphs = drop_contained_paragraphs([b.text for b in container.blocks if isinstance(b, _Para)])
        if sub.title or sub.paragraphs:
            record.sub_articles.append(sub)
    if state.lead_para is not None:
        record.lead = state.lead_para.text
        note_field(record.provenance, "lead", "lead-box")
    if record.published_at is None:
        record.published_at = _trailing_date(state.units)
        note_field(record.provenance, "published_at", "text:signature-date", record.published_at)
    sample = record.text or " ".join(p for s in record.sub_articles for p in s.paragraphs) or (record.title or "")
    record.language, source = language_and_source(sample)
    note_field(record.provenance, "language", source, record.language)
    record.is_article = bool(record.paragraphs) or any(s.paragraphs for s in record.sub_articles)


def _blocks_of(container: _Container) -> list[Block]:
    paras = [b for b in container.blocks if isinstance(b, _Para)]
    kept = {id(paras[i]) for i in _kept_paragraph_indices([p.text for p in paras])}
    return [
        b if isinstance(b, Block) else Block("paragraph", b.text)
        for b in container.blocks
        if isinstance(b, Block) or id(b) in kept
    ]


def _trailing_date(units: list[_Unit]) -> str | None:
    """A signature date on the last lines (落款日期 of notices)."""
    for unit in reversed(units[-3:]):
        if unit.kind == "date":
            return unit.payload
    return None
