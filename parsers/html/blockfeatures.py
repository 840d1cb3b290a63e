"""What the body classifier knows of each text block: one row of numbers per block of the page index.

Features are language-neutral (CJK characters count one each, CJK punctuation counts as punctuation;
function words come from a small multilingual list, vocab.FUNCTION_WORDS): the block's own text shape,
its neighbours', the markup around it (tags and class/id hints of its ancestors, how much text and how
many links they hold, how often its wrapper repeats), where it sits on the page, what the rule-based
layout (parsers/html/layout.py) decided about it, and what the page as a whole declares.

The classifier has two stages (parsers/html/bodymodel.py): the first scores every block from
FEATURE_NAMES; the second adds CONTEXT_NAMES, the first stage's scores of the block's neighbours and of
the blocks that share its parent, so one decision can lean on the others (a story list is kept or dropped
as a whole). bench/train_body.py builds the training rows with these same functions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from bs4 import Tag

from parsers.html.content import hint_flags
from parsers.html.page import Page
from parsers.html.tree import HEADING_LEVEL, PageIndex, class_id
from parsers.vocab import FUNCTION_CHARS, FUNCTION_WORDS

FEATURE_NAMES = (
    # the block's own text
    "log_chars", "link_density", "punct_density", "bold_ratio", "heading", "starts_with_link",
    "ends_sentence", "log_words", "cjk_ratio", "digit_ratio", "upper_start", "parts", "function_words",
    # its element
    "tag_p", "tag_div", "tag_td", "tag_li", "tag_span", "tag_heading", "tag_quote", "tag_dd", "tag_other",
    "depth",
    # its ancestors (levels up to the nearest one with the property; NONE when there is none)
    "up_positive_hint", "up_negative_hint", "up_comment_hint", "up_nav", "up_list", "up_table",
    "up_article", "up_form", "up_anchor_list",
    # text held by its parent and grandparent
    "parent_log_chars", "parent_link_density", "parent_blocks", "parent_share",
    "grand_log_chars", "grand_link_density", "grand_share", "grand_punct_density",
    # repeated structure: siblings of the same tag and class (list items, teasers of a story list)
    "parent_repeats", "grand_repeats",
    # where it sits
    "position", "mass_position", "after_title", "blocks_from_title",
    # the rule-based layout
    "in_containers", "rule_noise", "rule_skip", "container_distance", "in_top_candidate",
    # neighbours
    "prev_log_chars", "prev_link_density", "prev_punct_density", "next_log_chars", "next_link_density",
    "next_punct_density", "prev2_log_chars", "next2_log_chars", "window_prose",
    # the page: does it declare one article, how much of its prose the rule body holds
    "typed_article", "top_share", "body_log_chars", "title_found", "page_log_blocks",
)
CONTEXT_NAMES = (
    "p", "p_prev", "p_next", "p_prev2", "p_next2", "p_window_max", "p_window_mean", "p_parent_mean",
    "p_grand_mean", "p_page_share", "p_rank",
)
NONE = 15.0  # "no such ancestor within reach"

_SENTENCE_END = tuple(".!?。！？…;；:：\"'”’」』)）")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_DIGIT_RE = re.compile(r"\d")
_WORD_RE = re.compile(r"[^\W\d_]+")
_TAG_COLUMN = {"p": 0, "div": 1, "td": 2, "th": 2, "li": 3, "span": 4, "font": 4, "blockquote": 6, "pre": 6,
               "dd": 7, "dt": 7, **{h: 5 for h in HEADING_LEVEL}}
_NAV_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
_LIST_TAGS = frozenset({"ul", "ol", "dl"})
_TABLE_TAGS = frozenset({"table", "td", "th", "tr", "tbody"})
_ARTICLE_TAGS = frozenset({"article", "main"})
_FORM_TAGS = frozenset({"form", "fieldset"})
_NO_HINTS = (False, False, False)


@dataclass
class BlockTable:
    """The feature rows of a page's blocks, and which blocks share a parent / grandparent element."""
    rows: np.ndarray      # (blocks, len(FEATURE_NAMES)) float32
    parent: np.ndarray    # (blocks,) int: a group number per parent element
    grand: np.ndarray     # (blocks,) int: a group number per grandparent element


class _Ancestry:
    """Per-element memo: (depth, then for each property the levels up to the nearest ancestor that has
    it: positive hint, negative hint, comment hint, nav, list, table, article, form). Levels grow without
    bound here; the feature rows cap them at NONE."""

    def __init__(self, root: Tag):
        self.root = root
        self.memo: dict[int, tuple[int, ...]] = {}
        self.top = (0,) + (int(NONE),) * 8

    def of(self, el: Tag) -> tuple[int, ...]:
        memo = self.memo
        found = memo.get(id(el))
        if found is not None:
            return found
        path = []
        node = el
        root = self.root
        while isinstance(node, Tag) and id(node) not in memo and node is not root \
                and node.name not in ("body", "html", "[document]"):
            path.append(node)
            node = node.parent
        base = memo.get(id(node), self.top) if isinstance(node, Tag) else self.top
        nav, lists, table, article, form = _NAV_TAGS, _LIST_TAGS, _TABLE_TAGS, _ARTICLE_TAGS, _FORM_TAGS
        for n in reversed(path):
            name = n.name
            attrs = n.attrs
            if attrs:
                pos, neg, comment = hint_flags(class_id(n)) if "class" in attrs or "id" in attrs else _NO_HINTS
                pos = pos or attrs.get("itemprop") == "articleBody"
            else:
                pos = neg = comment = False
            d, p1, p2, p3, p4, p5, p6, p7, p8 = base
            base = (d + 1, 0 if pos else p1 + 1, 0 if neg else p2 + 1, 0 if comment else p3 + 1,
                    0 if name in nav else p4 + 1, 0 if name in lists else p5 + 1, 0 if name in table else p6 + 1,
                    0 if name in article else p7 + 1, 0 if name in form else p8 + 1)
            memo[id(n)] = base
        return base


def _anchor_list_levels(index: PageIndex, el: Tag, memo: dict[int, float]) -> float:
    """Levels up to the nearest ancestor (within 3) whose text is mostly links and that holds several
    blocks: a menu, a tag cloud, a list of related stories."""
    node = el
    for level in range(3):
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            return NONE
        known = memo.get(id(node))
        if known is None:
            lo, hi = index.block_range(node)
            known = memo[id(node)] = 1.0 if hi - lo >= 3 and index.link_density(node) > 0.6 else 0.0
        if known:
            return float(level)
        node = node.parent
    return NONE


def _signature(el: Tag) -> tuple:
    cls = el.attrs.get("class") if el.attrs else None
    return (el.name, tuple(cls) if isinstance(cls, list) else cls)


def _repeats(el: Tag | None, memo: dict[int, dict]) -> float:
    """How many element siblings of `el` (itself included) share its tag and class, log-scaled."""
    if not isinstance(el, Tag) or not isinstance(el.parent, Tag):
        return 0.0
    parent = el.parent
    counts = memo.get(id(parent))
    if counts is None:
        counts = memo[id(parent)] = {}
        for child in parent.children:
            if isinstance(child, Tag):
                sig = _signature(child)
                counts[sig] = counts.get(sig, 0) + 1
    return math.log1p(counts.get(_signature(el), 1) - 1)


FUNCTION_SAMPLE_CHARS = 300  # the share is read on the block's first characters: enough for a paragraph


def _function_share(text: str, cjk: int) -> float:
    """Share of the words (or, in CJK text, of the characters) that are function words: prose has
    many, menus, names and headlines few."""
    sample = text[:FUNCTION_SAMPLE_CHARS]
    if cjk:
        in_sample = len(_CJK_RE.findall(sample)) if len(text) > FUNCTION_SAMPLE_CHARS else cjk
        return sum(1 for ch in sample if ch in FUNCTION_CHARS) / max(1, in_sample)
    words = _WORD_RE.findall(sample.lower())
    if len(words) < 3:
        return 0.0
    return sum(1 for w in words if w in FUNCTION_WORDS) / len(words)


def block_features(page: Page, *, containers: list[Tag], top: Tag | None, noise: set[int], skip: set[int],
                   title_block: int | None) -> BlockTable:
    """One row per block of `page.index`, columns in FEATURE_NAMES order."""
    index = page.index
    blocks = index.blocks
    n = len(blocks)
    if n == 0:
        empty = np.zeros(0, dtype=np.int32)
        return BlockTable(np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32), empty, empty)
    prefix_chars, prefix_links, prefix_punct = index.prefix_chars, index.prefix_links, index.prefix_punct
    total = max(1, prefix_chars[-1])
    in_body = bytearray(n)
    ranges = [index.block_range(c) for c in containers]
    for lo, hi in ranges:
        in_body[lo:hi] = b"\x01" * (hi - lo)
    top_lo, top_hi = index.block_range(top) if top is not None else (0, 0)
    body_lo = min((lo for lo, _ in ranges), default=n)
    body_hi = max((hi for _, hi in ranges), default=n)
    ancestry = _Ancestry(page.root)
    anchor_memo: dict[int, float] = {}
    repeat_memo: dict[int, dict] = {}
    element_stats: dict[int, tuple[int, float, float, float, float, float]] = {}
    group_of: dict[int, int] = {}

    def stats(el: Tag | None) -> tuple[int, float, float, float, float, float]:
        """group number, log chars, link density, blocks, share of the page's chars, punctuation per char."""
        if not isinstance(el, Tag):
            return (-1, 0.0, 0.0, 0.0, 0.0, 0.0)
        found = element_stats.get(id(el))
        if found is None:
            lo, hi = index.block_range(el)
            chars = prefix_chars[hi] - prefix_chars[lo]
            links = prefix_links[hi] - prefix_links[lo]
            punct = prefix_punct[hi] - prefix_punct[lo]
            group = group_of.setdefault(id(el), len(group_of))
            found = element_stats[id(el)] = (
                group, math.log1p(chars), links / chars if chars else 0.0, float(hi - lo), chars / total,
                punct / chars if chars else 0.0)
        return found

    count = np.array([b.chars for b in blocks], dtype=np.float64)
    safe = np.maximum(count, 1.0)
    log_chars = np.log1p(count)
    link_density = np.array([b.link_chars for b in blocks], dtype=np.float64) / safe
    punct = np.array([b.punct for b in blocks], dtype=np.float64)
    punct_density = punct / safe
    prose = ((punct > 0) & (count >= 15) & (link_density < 0.5)).astype(np.float64)
    title_pos = title_block if title_block is not None else -1
    page_prose = max(1.0, float(count[prose > 0].sum()))
    top_prose = float((count[top_lo:top_hi] * prose[top_lo:top_hi]).sum())
    body_chars = sum(blocks[k].chars for lo, hi in ranges for k in range(lo, hi) if k not in noise)
    typed = (page.ld is not None and page.ld.is_article_type) or (page.head.get("og:type") or "").lower() == "article"
    page_row = (float(typed), top_prose / page_prose, math.log1p(body_chars), float(title_block is not None),
                math.log1p(n))

    # what needs the block's text or element, one block at a time
    per_block: list[tuple] = []
    parents: list[int] = []
    grands: list[int] = []
    for b in blocks:
        text = b.text
        chars = b.chars or 1
        el = b.element
        cjk = 0 if text.isascii() else len(_CJK_RE.findall(text))
        tag_col = _TAG_COLUMN.get(el.name, 8)
        up = ancestry.of(el)
        parent = el.parent if isinstance(el.parent, Tag) else None
        grand = parent.parent if parent is not None and isinstance(parent.parent, Tag) else None
        p_group, p_log, p_links, p_blocks, p_share, _ = stats(parent)
        g_group, g_log, g_links, _, g_share, g_punct = stats(grand)
        parents.append(p_group)
        grands.append(g_group)
        per_block.append((
            b.bold_chars / chars, b.heading, b.starts_with_link, text.endswith(_SENTENCE_END),
            math.log1p(text.count(" ") + 1), cjk / chars, len(_DIGIT_RE.findall(text)) / chars,
            text[:1].isupper(), len(b.parts), _function_share(text, cjk),
            tag_col == 0, tag_col == 1, tag_col == 2, tag_col == 3, tag_col == 4, tag_col == 5, tag_col == 6,
            tag_col == 7, tag_col == 8,
            *up, _anchor_list_levels(index, el, anchor_memo),
            p_log, p_links, p_blocks, p_share, g_log, g_links, g_share, g_punct,
            _repeats(parent, repeat_memo), _repeats(grand, repeat_memo),
        ))
    each = np.array(per_block, dtype=np.float64)

    # what follows from the block's place, for all blocks at once
    at = np.arange(n, dtype=np.float64)
    if title_pos >= 0:
        after_title = at > title_pos
        from_title = np.sign(at - title_pos) * np.log1p(np.abs(at - title_pos))
    else:
        after_title, from_title = np.zeros(n), np.zeros(n)
    distance = np.where(at < body_lo, -np.log1p(np.maximum(body_lo - at, 0.0)),
                        np.log1p(np.maximum(at - body_hi + 1, 0.0)))
    distance[(at >= body_lo) & (at < body_hi)] = 0.0  # in a container, or between two of them
    flags = np.zeros((n, 2))
    flags[list(noise), 0] = 1.0
    flags[list(skip), 1] = 1.0

    def shifted(values: np.ndarray, by: int) -> np.ndarray:
        out = np.zeros(n)
        if by > 0:
            out[by:] = values[:-by]
        else:
            out[:by] = values[-by:]
        return out

    window_sum = np.concatenate([[0.0], np.cumsum(prose)])  # prose blocks among the 3 on each side and itself
    lo, hi = np.maximum(at - 3, 0).astype(np.int64), np.minimum(at + 4, n).astype(np.int64)
    columns = np.column_stack([
        log_chars, link_density, punct_density, each[:, 0:10],        # own text (bold_ratio … function_words)
        each[:, 10:19], each[:, 19:20], np.minimum(each[:, 20:28], NONE), each[:, 28:29],  # tags, depth, ancestors
        each[:, 29:37], each[:, 37:39],                                 # parent/grandparent, repeats
        at / n, np.asarray(prefix_chars[:n], dtype=np.float64) / total, after_title, from_title,
        np.frombuffer(bytes(in_body), dtype=np.uint8), flags,
        distance, (at >= top_lo) & (at < top_hi),
        shifted(log_chars, 1), shifted(link_density, 1), shifted(punct_density, 1),
        shifted(log_chars, -1), shifted(link_density, -1), shifted(punct_density, -1),
        shifted(log_chars, 2), shifted(log_chars, -2), window_sum[hi] - window_sum[lo],
        np.tile(page_row, (n, 1)),
    ])
    return BlockTable(columns.astype(np.float32), np.array(parents, dtype=np.int32), np.array(grands, dtype=np.int32))


def _group_mean(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each element's mean of `values` over the elements of its group (group -1: the element alone)."""
    out = values.copy()
    valid = groups >= 0
    if valid.any():
        g = groups[valid]
        sums = np.bincount(g, weights=values[valid])
        counts = np.bincount(g)
        out[valid] = sums[g] / counts[g]
    return out


def context_features(table: BlockTable, p: np.ndarray) -> np.ndarray:
    """The second stage's rows: FEATURE_NAMES, then CONTEXT_NAMES from the first stage's scores `p`."""
    n = p.shape[0]
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES) + len(CONTEXT_NAMES)), dtype=np.float32)
    pad = np.concatenate([np.zeros(2), p, np.zeros(2)])
    window = np.stack([pad[k:k + n] for k in range(5)])  # p[i-2] .. p[i+2]
    chars = np.expm1(table.rows[:, 0])
    kept_share = float(chars[p >= 0.5].sum() / max(1.0, chars.sum()))
    rank = np.empty(n)
    rank[np.argsort(-p, kind="stable")] = np.arange(n) / max(1, n - 1)
    extra = np.column_stack([
        p, window[1], window[3], window[0], window[4], window.max(axis=0), window.mean(axis=0),
        _group_mean(p, table.parent), _group_mean(p, table.grand), np.full(n, kept_share), rank,
    ]).astype(np.float32)
    return np.hstack([table.rows, extra])
