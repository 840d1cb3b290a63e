"""Text compared by 4-token shingles, tokenized as the benchmarks' body metric tokenizes (bench/metrics.py),
case-folded: a Han ideograph or a kana is a token of its own (scripts written without spaces), any other run
of word characters is one token (Hangul too: Korean separates its words with spaces)."""

from __future__ import annotations

import re

SHINGLE_SIZE = 4
_CJK = "\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN_RE = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")

Shingle = tuple[str, ...]


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.casefold())


def shingles(toks: list[str]) -> list[Shingle]:
    """The SHINGLE_SIZE-token shingles of `toks` in order; 1 to SHINGLE_SIZE - 1 tokens are one short
    shingle (a line that short is still compared), no tokens none."""
    if len(toks) < SHINGLE_SIZE:
        return [tuple(toks)] if toks else []
    return [tuple(toks[i:i + SHINGLE_SIZE]) for i in range(len(toks) - SHINGLE_SIZE + 1)]
