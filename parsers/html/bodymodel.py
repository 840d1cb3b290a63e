"""The body classifier: gradient-boosted trees that say, for each text block, whether it is article text.

Two stages (parsers/html/blockfeatures.py): the first scores every block from its own features; the
second adds the first stage's scores of its neighbours and siblings and gives the final score. The model
is a versioned JSON file in parsers/models/ (trained by bench/train_body.py on the study split of the
development corpora; its header records the data, the parameters and the development figures). It is
evaluated here with numpy alone: each tree is laid out as a complete binary tree, and all blocks of a page
walk all trees together, one level per step.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np

from parsers.html.blockfeatures import CONTEXT_NAMES, FEATURE_NAMES, BlockTable, context_features

MODELS = Path(__file__).resolve().parent.parent / "models"
BODY_MODEL = MODELS / "body-blocks.json"


class ModelError(ValueError):
    """The model file does not fit this code (features, format)."""


@dataclass(frozen=True)
class TreeModel:
    """Every tree laid out as a complete binary tree of `depth` levels (a leaf above the last level is
    repeated down to it, its inner nodes sending everything left), so a row's path is just its position
    at each level: position 2p or 2p+1 below p. Inner node (level, p) of tree t is
    inner[t * (2**depth - 1) + 2**level - 1 + p]; its leaf p is leaves[t * 2**depth + p]."""
    feature: np.ndarray    # int64: the column an inner node splits on
    split: np.ndarray      # float64: go right when the value is above it (+inf: always left)
    leaves: np.ndarray     # float64: leaf outputs
    trees: int
    depth: int
    base: float

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Raw margin of every row (sum of the trees' leaf values)."""
        n, width = rows.shape
        if n == 0:
            return np.zeros(0, dtype=np.float64)
        flat = np.ascontiguousarray(rows, dtype=np.float32).ravel()
        inner_per_tree = 2 ** self.depth - 1
        tree_inner = np.repeat(np.arange(self.trees, dtype=np.int64) * inner_per_tree, n)
        row_offset = np.tile(np.arange(n, dtype=np.int64) * width, self.trees)
        pos = np.zeros(self.trees * n, dtype=np.int64)
        for level in range(self.depth):
            node = tree_inner + (2 ** level - 1) + pos
            pos = 2 * pos + (flat.take(row_offset + self.feature.take(node)) > self.split.take(node))
        leaf = np.repeat(np.arange(self.trees, dtype=np.int64) * 2 ** self.depth, n) + pos
        return self.leaves.take(leaf).reshape(self.trees, n).sum(axis=0) + self.base

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.scores(rows)))


def trees_from_dict(stage: dict, features: tuple[str, ...]) -> TreeModel:
    """A stage of the model file (trees as node lists: feature, split, left, right, value; a leaf is its
    own child) in the complete layout TreeModel evaluates."""
    if list(stage.get("features", [])) != list(features):
        raise ModelError("the model was trained on other features than parsers/html/blockfeatures.py")
    depth = max(1, int(stage["depth"]))
    trees = stage["trees"]
    inner_per_tree, leaves_per_tree = 2 ** depth - 1, 2 ** depth
    feature = np.zeros(len(trees) * inner_per_tree, dtype=np.int64)
    split = np.full(len(trees) * inner_per_tree, np.inf)
    leaves = np.zeros(len(trees) * leaves_per_tree, dtype=np.float64)
    for t, tree in enumerate(trees):
        stack = [(0, 0, 0)]  # (node, level, position at that level), walked without recursion
        while stack:
            k, level, pos = stack.pop()
            if level == depth:
                leaves[t * leaves_per_tree + pos] = tree["value"][k]
            elif tree["left"][k] != k:
                at = t * inner_per_tree + 2 ** level - 1 + pos
                feature[at], split[at] = tree["feature"][k], tree["split"][k]
                stack.append((tree["left"][k], level + 1, 2 * pos))
                stack.append((tree["right"][k], level + 1, 2 * pos + 1))
            else:  # a leaf above the last level: everything goes left, down to its copy at the bottom
                stack.append((k, level + 1, 2 * pos))
    return TreeModel(feature=feature, split=split, leaves=leaves, trees=len(trees), depth=depth,
                     base=float(stage.get("base", 0.0)))


@dataclass(frozen=True)
class BodyModel:
    """`keep`: a block of the layout's containers stays body when it scores at least this; `add`: any
    other block becomes body when it scores at least this. Adding needs the model to find a block more
    likely body than not (`add` ≥ 0.5): overriding the layout takes more evidence than agreeing with it."""
    version: str
    keep: float
    add: float
    first: TreeModel
    second: TreeModel | None

    def probabilities(self, table: BlockTable) -> np.ndarray:
        p = self.first.probabilities(table.rows)
        if self.second is None:
            return p
        return self.second.probabilities(context_features(table, p))


def model_from_dict(data: dict) -> BodyModel:
    stages = data["stages"]
    first = trees_from_dict(stages[0], FEATURE_NAMES)
    second = trees_from_dict(stages[1], FEATURE_NAMES + CONTEXT_NAMES) if len(stages) > 1 else None
    return BodyModel(version=data["version"], keep=float(data["keep"]), add=float(data["add"]), first=first,
                     second=second)


_override: list[BodyModel | None] = []


@contextmanager
def model_override(model: BodyModel | None) -> Iterator[None]:
    """Extract with `model` (None: the rules alone) instead of the shipped one, within the block
    (bench/train_body.py scores the pipeline with a model trained on other sites)."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


def current_model() -> BodyModel | None:
    return _override[-1] if _override else load_model()


@lru_cache(maxsize=4)
def load_model(path: Path = BODY_MODEL) -> BodyModel | None:
    """The model at `path`, read once per process; None when there is no model file."""
    if not path.exists():
        return None
    return model_from_dict(json.loads(path.read_text(encoding="utf-8")))
