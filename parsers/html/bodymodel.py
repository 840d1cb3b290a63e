"""The body classifier: gradient-boosted trees that say, for each text block, whether it is article text.

Two stages (parsers/html/blockfeatures.py): the first scores every block from its own features; the
second adds the first stage's scores of its neighbours and siblings and gives the final score. The model
is a versioned JSON file in parsers/models/ (trained by bench/train_body.py on the study split of the
development corpora; its header records the data, the parameters and the cross-validation figures). It is
evaluated here with numpy alone: the trees' nodes are stored as flat arrays (feature, threshold, left,
right, value; a leaf points to itself), and all blocks of a page walk all trees together, one level per
step.
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
    """All trees' nodes in flat arrays; tree t's root is node roots[t]."""
    feature: np.ndarray    # int32: the column a node splits on (0 at leaves)
    split: np.ndarray      # float64: go left when value <= split
    left: np.ndarray       # int32: global index of the child (a leaf: itself)
    right: np.ndarray
    value: np.ndarray      # float64: leaf output (0 at inner nodes)
    roots: np.ndarray      # int32: global index of each tree's root
    depth: int
    base: float

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Raw margin of every row (sum of the trees' leaf values)."""
        n, width = rows.shape
        if n == 0:
            return np.zeros(0, dtype=np.float64)
        flat = np.ascontiguousarray(rows, dtype=np.float32).ravel()
        node = np.repeat(self.roots, n)                       # (trees * rows,), tree-major
        row_offset = np.tile(np.arange(n, dtype=np.int32) * width, self.roots.size)
        for _ in range(self.depth):
            go_left = flat.take(row_offset + self.feature.take(node)) <= self.split.take(node)
            node = np.where(go_left, self.left.take(node), self.right.take(node))
        return self.value.take(node).reshape(self.roots.size, n).sum(axis=0) + self.base

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.scores(rows)))


def trees_from_dict(stage: dict, features: tuple[str, ...]) -> TreeModel:
    if list(stage.get("features", [])) != list(features):
        raise ModelError("the model was trained on other features than parsers/html/blockfeatures.py")
    feature, split, left, right, value, roots = [], [], [], [], [], []
    for tree in stage["trees"]:
        offset = len(feature)
        roots.append(offset)
        feature.extend(tree["feature"])
        split.extend(tree["split"])
        left.extend(offset + k for k in tree["left"])
        right.extend(offset + k for k in tree["right"])
        value.extend(tree["value"])
    return TreeModel(feature=np.array(feature, dtype=np.int32), split=np.array(split, dtype=np.float64),
                     left=np.array(left, dtype=np.int32), right=np.array(right, dtype=np.int32),
                     value=np.array(value, dtype=np.float64), roots=np.array(roots, dtype=np.int32),
                     depth=int(stage["depth"]), base=float(stage.get("base", 0.0)))


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
