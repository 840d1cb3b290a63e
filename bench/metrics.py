"""The ScrapingHub article-extraction-benchmark metric (shingle precision / recall / F1, accuracy).

Same definitions as the benchmark's evaluate.py (github.com/scrapinghub/article-extraction-benchmark):

- tokens are runs of word characters (regex ``\\w+``), case kept, punctuation dropped;
- shingles are 4-token n-grams counted as a multiset; a text of fewer than 4 tokens
  gives one shingle of what it has, an empty text gives none;
- per page, tp / fp / fn are the multiset intersection and the two differences;
- precision is averaged over the pages with a non-empty prediction (a page whose
  extractor returned nothing is left out of the precision mean, and scores recall 0),
  recall over the pages with a non-empty gold text;
- F1 = 2PR / (P + R) of the two means, not a mean of per-page F1s;
- accuracy = share of pages whose predicted token list equals the gold one.

One deliberate difference: a CJK ideograph or kana is a token of its own, where
``\\w+`` would glue a whole Chinese sentence into one token (one shingle, so any
difference anywhere in it would be a total miss). Text without CJK scores exactly
as in the original.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

SHINGLE_SIZE = 4

# Han ideographs (all blocks) plus Hiragana and Katakana: scripts written without spaces.
# Hangul is left out: Korean separates words with spaces, so \w+ runs are already words.
_CJK = (
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3400-\u4dbf"  # Extension A
    "\u4e00-\u9fff"  # Unified Ideographs
    "\uf900-\ufaff"  # Compatibility Ideographs
    "\U00020000-\U0003134f"  # Extensions B..G
)
_TOKEN_RE = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")
Shingle = tuple[str, ...]


def tokenize(text: str | None) -> list[str]:
    """Word-character runs; each CJK character is a token by itself."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, size: int = SHINGLE_SIZE) -> Counter[Shingle]:
    """Multiset of `size`-token shingles; a shorter non-empty text is one shingle."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    count = max(1, len(tokens) - size + 1)
    return Counter(tuple(tokens[i:i + size]) for i in range(count))


@dataclass(frozen=True)
class PageScore:
    """tp, fp, fn of one page, normalised to sum to 1 (as the original does), and exact match."""
    tp: float
    fp: float
    fn: float
    exact: bool

    @property
    def precision(self) -> float | None:
        """None when the prediction is empty: such a page is not part of the precision mean."""
        if self.tp + self.fp == 0:
            return None
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """None when the gold text is empty: such a page is not part of the recall mean."""
        if self.tp + self.fn == 0:
            return None
        return self.tp / (self.tp + self.fn)


def score_page(gold: str | None, predicted: str | None, size: int = SHINGLE_SIZE) -> PageScore:
    gold_shingles = shingles(gold, size)
    predicted_shingles = shingles(predicted, size)
    tp = sum((gold_shingles & predicted_shingles).values())
    fp = sum((predicted_shingles - gold_shingles).values())
    fn = sum((gold_shingles - predicted_shingles).values())
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(float(tp), float(fp), float(fn), exact=tokenize(gold) == tokenize(predicted))


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    f1: float
    accuracy: float
    pages: int
    empty_predictions: int  # pages left out of the precision mean


def _mean_or_zero(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def f1_score(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def summarize(scores: Sequence[PageScore]) -> Summary:
    precisions = [s.precision for s in scores if s.precision is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    precision = _mean_or_zero(precisions)
    recall = _mean_or_zero(recalls)
    return Summary(
        precision=precision,
        recall=recall,
        f1=f1_score(precision, recall),
        accuracy=_mean_or_zero([float(s.exact) for s in scores]),
        pages=len(scores),
        empty_predictions=len(scores) - len(precisions),
    )


def bootstrap_std(scores: Sequence[PageScore], rounds: int = 1000, seed: int = 0) -> dict[str, float]:
    """Standard deviation of precision, recall, f1 and accuracy over page resamples (the original's ± figure)."""
    if len(scores) < 2:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "accuracy": 0.0}
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {"precision": [], "recall": [], "f1": [], "accuracy": []}
    for _ in range(rounds):
        resampled = summarize(rng.choices(scores, k=len(scores)))
        for key, values in samples.items():
            values.append(getattr(resampled, key))
    return {key: statistics.stdev(values) for key, values in samples.items()}
