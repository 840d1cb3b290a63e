"""The publisher's own statement of the article text (JSON-LD `articleBody`) as evidence of the body.

Many news pages carry a plain-text copy of their article in JSON-LD. It is not the body itself (it may be
cut short, be only a summary, leave out sub-headings and captions or add them, and it has no paragraphs,
headings or links), so the body stays made of the page's own blocks; the statement only corrects which
blocks those are. Text is compared by 4-token shingles (`parsers.html.shingles`: CJK characters are tokens, as
in the benchmarks):

- **blocks brought in**: where the chosen blocks hold less than MIN_STATED_COVERAGE of a substantial
  statement, any other block of the page (not the headline, 引题/副题, a caption or a sub-article: `skip`)
  that is mostly stated text (MIN_STATED_SHARE of its shingles) and adds stated text the body does not
  hold yet joins it: a story list the layout took for boilerplate, a part of the story beside the
  container;
- **a tail dropped**: where the blocks the page's layout and the classifier chose already hold the whole
  statement (MIN_COMPLETE_COVERAGE: none had to be brought in) and the statement ends where one of them
  ends (not mid-paragraph, not on an ellipsis: a statement cut short ends anywhere), the chosen blocks
  after that one that hold no stated text are what the page shows after the article (related stories,
  comments, a newsletter box), and go; unless one of them is a paragraph held by the same markup as the
  stated paragraphs (`_held_alike`): then the article's text goes on past the statement, which is only
  its beginning, and nothing goes. Nothing before the statement's end is dropped: a lede, a caption or a
  sub-heading the statement leaves out is still the page's.
"""

from __future__ import annotations

import re

from parsers.html.blocks import is_prose
from parsers.html.content import block_signature
from parsers.html.page import Page
from parsers.html.shingles import SHINGLE_SIZE, Shingle, shingles, tokens
from parsers.html.tree import TextBlock

# A statement shorter than this (shingles, about 200 characters of Latin text) is a summary or a teaser:
# too little text to say which blocks are the article's.
MIN_STATED_SHINGLES = 30
# The chosen blocks hold less than this share of the statement's tokens (`Statement.coverage`): part of
# the stated article is missing from the body, and blocks holding it are looked for.
MIN_STATED_COVERAGE = 0.9
# A block brought in holds at least this share of stated shingles (its text is the statement's, not a
# teaser that quotes a sentence of it), and at least half of its stated shingles are not in the body yet.
MIN_STATED_SHARE = 0.8
# The chosen blocks hold at least this share of the statement's tokens: the statement is all on the
# page, in the body, and its end may mark where the article ends.
MIN_COMPLETE_COVERAGE = 0.95
# A chosen block after the statement's end holding less than this share of stated shingles is no part of it
# (nor is a line of 1-3 tokens there: a word or two of it are found anywhere in a long statement).
MAX_UNSTATED_SHARE = 0.2
# How a statement cut short ends: an ellipsis (… ... […]).
_CUT_SHORT_RE = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])\W*$")


class Statement:
    """The stated text's shingles, and its runs shorter than a shingle (a block of 1-3 tokens is stated
    when they are a run of the statement)."""

    def __init__(self, text: str):
        self.text = text
        toks = tokens(text)
        self.shingles = shingles(toks)
        self.set = set(self.shingles)
        self.short = {tuple(toks[i:i + n]) for n in range(1, SHINGLE_SIZE) for i in range(len(toks) - n + 1)}
        self.last = self.shingles[-1] if self.shingles else None
        self.tokens = len(toks)

    def coverage(self, found: set[Shingle]) -> float:
        """The share of the statement's tokens inside one of its shingles that is in `found` (a shingle that
        spans two of its paragraphs is in no block, so shingles themselves would never all be found)."""
        covered = [False] * self.tokens
        for k, shingle in enumerate(self.shingles):
            if shingle in found:
                covered[k:k + SHINGLE_SIZE] = [True] * len(shingle)
        return sum(covered) / self.tokens if self.tokens else 0.0

    def stated(self, shingle: Shingle) -> bool:
        return shingle in self.set if len(shingle) == SHINGLE_SIZE else shingle in self.short


def stated_statement(page: Page) -> Statement | None:
    """The page's JSON-LD `articleBody`, when it is long enough to be evidence (MIN_STATED_SHINGLES)."""
    text = page.ld.article_body if page.ld is not None else None
    if not text:
        return None
    statement = Statement(text)
    return statement if len(statement.set) >= MIN_STATED_SHINGLES else None


def apply_statement(page: Page, chosen: list[int], skip: set[int]) -> list[int]:
    """`chosen` (block indexes in document order) corrected by the page's stated article text, if any."""
    statement = stated_statement(page)
    if statement is None:
        return chosen
    reading = _Reading(page, statement)
    covered = {s for i in chosen for s in reading.shingles(i) if s in statement.set}
    coverage = statement.coverage(covered)
    if coverage < MIN_STATED_COVERAGE:
        return _bring_in(reading, chosen, skip, covered)
    if coverage >= MIN_COMPLETE_COVERAGE and not _CUT_SHORT_RE.search(statement.text):
        return _drop_tail(reading, chosen)
    return chosen


class _Reading:
    """The page's blocks as shingles, and how much of each is stated text (computed when first asked)."""

    def __init__(self, page: Page, statement: Statement):
        self.blocks = page.index.blocks
        self.statement = statement
        self._shingles: dict[int, list[Shingle]] = {}

    def shingles(self, i: int) -> list[Shingle]:
        if i not in self._shingles:
            self._shingles[i] = shingles(tokens(self.blocks[i].text))
        return self._shingles[i]

    def full(self, i: int) -> bool:
        """The block holds a whole shingle (4 tokens or more): a line of 1-3 tokens is found anywhere in a
        long statement."""
        own = self.shingles(i)
        return bool(own) and len(own[0]) == SHINGLE_SIZE

    def share(self, i: int) -> float:
        own = self.shingles(i)
        return sum(self.statement.stated(s) for s in own) / len(own) if own else 0.0


def _bring_in(reading: _Reading, chosen: list[int], skip: set[int], covered: set[Shingle]) -> list[int]:
    """`chosen` and, in document order, each other block (not in `skip`) mostly of stated text that
    adds stated text the body does not hold yet."""
    statement, body = reading.statement, set(chosen)
    for i in range(len(reading.blocks)):
        if i in body or i in skip or not reading.full(i):
            continue
        own = reading.shingles(i)
        stated = {s for s in own if s in statement.set}
        if sum(s in stated for s in own) < MIN_STATED_SHARE * len(own) or len(stated - covered) * 2 < len(stated):
            continue
        body.add(i)
        covered |= stated
    return sorted(body)


def _drop_tail(reading: _Reading, chosen: list[int]) -> list[int]:
    """`chosen` less what follows the statement's end outside the element that holds the stated blocks
    (see the module's docstring); unchanged when the statement ends mid-block or the stated element's
    prose goes on after it (the statement is the text's beginning only)."""
    statement, blocks = reading.statement, reading.blocks
    end = next((k for k in range(len(chosen) - 1, -1, -1)
                if reading.full(chosen[k]) and reading.shingles(chosen[k])[-1] == statement.last), None)
    if end is None:
        return chosen
    tail = [i for i in chosen[end + 1:] if not reading.full(i) or reading.share(i) < MAX_UNSTATED_SHARE]
    if not tail:
        return chosen
    stated = [blocks[i] for i in chosen[:end + 1] if reading.full(i) and reading.share(i) >= MIN_STATED_SHARE]
    if any(is_prose(blocks[i]) and any(_held_alike(blocks[i], b) for b in stated) for i in tail):
        return chosen
    dropped = set(tail)
    return [i for i in chosen if i not in dropped]


def _held_alike(a: TextBlock, b: TextBlock) -> bool:
    """Paragraphs held by the same markup (the layout's class signature; without classes, the same tags):
    parts of one text."""
    sig_a, sig_b = block_signature(a), block_signature(b)
    if sig_a is not None and sig_b is not None:
        return sig_a[0] == sig_b[0] and len(sig_a[1] & sig_b[1]) * 2 >= len(sig_a[1] | sig_b[1])
    return sig_a is None and sig_b is None and a.element.name == b.element.name \
        and getattr(a.element.parent, "name", None) == getattr(b.element.parent, "name", None)
