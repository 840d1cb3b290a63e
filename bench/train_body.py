"""Train the body classifier shipped as parsers/models/body-blocks.json, on the study split only.

    python -m bench.train_body [--rebuild] [--folds 4] [--out parsers/models/body-blocks.json]

1. Rows: every text block of every study page of web-body, fundus and scrapinghub, read exactly as at
   extraction time (parsers.html.read_page, then parsers.html.blockfeatures.block_features). A block is
   labelled article text when its text is in the page's gold body: half of its 4-token shingles are gold
   shingles, or, under 4 tokens, its tokens are a run of the gold's. zh-news-dev's study pages add the
   blocks whose place its partial gold fixes: from the first to the last body paragraph is body, the
   boilerplate snippets and everything outside is not. Each block weighs its share of its page's tokens,
   so every page counts alike, as in the F1 the benchmark averages over pages.
2. Two stages of LightGBM trees (`pip install -e '.[bench]'`): the first from the block's features, the
   second also from the first stage's out-of-fold scores of its neighbours and siblings.
3. Development figures: the study sites are split into folds by a hash; trained without one fold, the
   model's thresholds (`keep` for the layout's candidates, `add` for other blocks; see
   parsers/html/bodyselect.py) are chosen on that fold's blocks, each dataset weighing alike, and the
   whole extractor is scored on its pages, with the rules alone beside it. The validation split is never read here (score it with
   `python -m bench.quality`).
4. Both stages trained on every study page, the threshold, the feature names and what the model saw
   are written as JSON.

Rows are cached (`NEWSDUCK_BENCH_CACHE`, see bench/rivals.py) by the hash of the feature code, so
retraining with other settings takes seconds; `--rebuild` reads the pages again.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpora import DEFAULT_ROOT, BenchPage, load_corpus
from bench.metrics import shingles, tokenize
from bench.rivals import cache_dir
from bench.scoring import compact

CORPORA = ("web-body", "fundus", "scrapinghub", "zh-news-dev")
MODEL_VERSION = "body-blocks-1"
PARAMS = {
    "objective": "binary", "learning_rate": 0.1, "num_leaves": 31, "max_depth": 6, "min_child_samples": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "verbose": -1,
    "seed": 7, "num_threads": 2,
}
ROUNDS = 120
# A page's blocks weigh 1 in all; news corpora weigh more, so that the many general pages of web-body
# (CleanEval's homepages, WCXB's product and listing pages) do not set the rules for news articles.
CORPUS_WEIGHT = {"web-body": 1.0, "fundus": 3.0, "scrapinghub": 3.0, "zh-news-dev": 3.0}


# --- rows -------------------------------------------------------------------------------------------

def block_labels(texts: list[str], gold: str) -> tuple[list[float], list[int]]:
    """(label, tokens) per block: 1.0 when the block's text is in `gold`."""
    gold_tokens = tokenize(gold)
    gold_shingles = shingles(gold)
    joined = " " + " ".join(gold_tokens) + " "
    labels, sizes = [], []
    for text in texts:
        tokens = tokenize(text)
        sizes.append(len(tokens))
        if not tokens:
            labels.append(0.0)
        elif len(tokens) < 4:
            labels.append(1.0 if f" {' '.join(tokens)} " in joined else 0.0)
        else:
            mine = shingles(text)
            shared = sum(n for s, n in mine.items() if s in gold_shingles)
            labels.append(1.0 if shared * 2 >= sum(mine.values()) else 0.0)
    return labels, sizes


def zh_labels(texts: list[str], gold: dict[str, Any]) -> list[float] | None:
    """zh-news-dev's partial gold: 1 from the block holding the first paragraph to the one holding the
    last, 0 outside and for boilerplate snippets; None when either paragraph is not found."""
    first, last = compact(gold.get("first")), compact(gold.get("last"))
    if not first or not last:
        return None
    compacted = [compact(t) for t in texts]
    start = next((i for i, t in enumerate(compacted) if t and (t in first or first in t) and len(t) >= 4), None)
    end = next((i for i in range(len(compacted) - 1, -1, -1) if compacted[i] and len(compacted[i]) >= 4
                and (compacted[i] in last or last in compacted[i])), None)
    if start is None or end is None or end < start:
        return None
    boiler = [compact(b) for b in gold.get("boilerplate") or [] if compact(b)]
    return [1.0 if start <= i <= end and not any(b in t or (t and t in b) for b in boiler) else 0.0
            for i, t in enumerate(compacted)]


def page_rows(page: BenchPage) -> dict[str, Any] | None:
    """The page's block table, labels, token counts and weights (0 for blocks that are never body)."""
    from parsers.decode import decode_bytes
    from parsers.html import read_page
    from parsers.html.blockfeatures import block_features
    from parsers.html.bodyselect import classifier_gate

    try:
        text, _ = decode_bytes(page.html())
        reading = read_page(text, url=page.url)
    except Exception:
        return None
    layout = reading.layout
    sure, lead_in = classifier_gate(reading.page, layout, reading.skip)
    table = block_features(reading.page, containers=layout.containers, top=layout.content, noise=layout.noise,
                           skip=reading.skip, title_block=layout.title_block)
    blocks = reading.page.index.blocks
    texts = [b.text for b in blocks]
    if not texts:
        return None
    if page.corpus == "zh-news-dev":
        if not page.gold.get("is_article"):
            return None
        labels = zh_labels(texts, page.gold)
        if labels is None:
            return None
        sizes = [len(tokenize(t)) for t in texts]
    else:
        labels, sizes = block_labels(texts, page.gold.get("body") or "")
        if page.corpus == "fundus":  # Fundus' gold leaves subheadings out of the body: no label for them
            sizes = [0 if b.heading else s for b, s in zip(blocks, sizes)]
    sizes = [0 if i in reading.skip else s for i, s in enumerate(sizes)]  # never body: not learnt from
    total = max(1, sum(sizes))
    return {"key": page.key, "site": page.site, "corpus": page.corpus, "dataset": page.dataset,
            "rows": table.rows, "parent": table.parent, "grand": table.grand,
            "labels": np.array(labels, dtype=np.float32), "sizes": np.array(sizes, dtype=np.float32),
            "weights": np.array([s / total for s in sizes], dtype=np.float32),
            "rule": np.array([1.0 if table.rows[i, _column("in_containers")] and i not in layout.noise
                              and i not in reading.skip else 0.0 for i in range(len(texts))]),
            "sure": sure, "lead_in": np.array(lead_in, dtype=np.int64)}


def _column(name: str) -> int:
    from parsers.html.blockfeatures import FEATURE_NAMES
    return FEATURE_NAMES.index(name)


def feature_code_digest() -> str:
    """A hash of the code the rows come from (every parser module but the model's own, bodyselect.py's gate
    included: the rows record whether the layout is sure)."""
    here = Path(__file__).resolve().parent.parent / "parsers"
    digest = hashlib.sha1("".join(inspect.getsource(f) for f in (block_labels, zh_labels, page_rows)).encode())
    for path in sorted(here.rglob("*.py")):
        if path.name != "bodymodel.py":
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_rows(root: Path, jobs: int, rebuild: bool) -> list[dict[str, Any]]:
    cache = cache_dir() / f"body-rows-{feature_code_digest()}.npz"
    if cache.exists() and not rebuild:
        data = np.load(cache, allow_pickle=True)
        return list(data["pages"])
    pages = [p for c in CORPORA for p in load_corpus(c, root, "study")]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        results = [r for r in pool.imap(page_rows, pages, chunksize=8) if r is not None]
    print(f"rows of {len(results)} of {len(pages)} study pages read in {time.perf_counter() - start:.0f} s",
          file=sys.stderr)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, pages=np.array(results, dtype=object))
    return results


# --- training ---------------------------------------------------------------------------------------

def site_folds(pages: list[dict[str, Any]], folds: int, salt: str = "") -> list[int]:
    return [int(hashlib.sha1(f"{salt}{p['site']}".encode()).hexdigest(), 16) % folds for p in pages]


def train(rows: np.ndarray, labels: np.ndarray, weights: np.ndarray, params: dict[str, Any] = PARAMS,
          rounds: int = ROUNDS):
    import lightgbm as lgb
    return lgb.train(params, lgb.Dataset(rows, labels, weight=weights), num_boost_round=rounds)


def _stack(pages, key):
    if key == "weights":
        return np.concatenate([p[key] * CORPUS_WEIGHT[p["corpus"]] for p in pages])
    return np.concatenate([p[key] for p in pages])


def _context(page: dict[str, Any], p: np.ndarray) -> np.ndarray:
    from parsers.html.blockfeatures import BlockTable, context_features
    return context_features(BlockTable(page["rows"], page["parent"], page["grand"]), p)


def fit(pages: list[dict[str, Any]], inner_folds: int = 3) -> tuple[Any, Any]:
    """Both stages on `pages`: the second learns from the first stage's scores on sites it did not
    see (out-of-fold), as it will meet them on new pages."""
    folds = site_folds(pages, inner_folds, salt="inner:")
    oof: list[np.ndarray | None] = [None] * len(pages)
    for k in range(inner_folds):
        part = [p for p, f in zip(pages, folds) if f != k]
        model = train(_stack(part, "rows"), _stack(part, "labels"), _stack(part, "weights"))
        for i, (p, f) in enumerate(zip(pages, folds)):
            if f == k:
                oof[i] = model.predict(p["rows"])
    first = train(_stack(pages, "rows"), _stack(pages, "labels"), _stack(pages, "weights"))
    second_rows = np.concatenate([_context(p, o) for p, o in zip(pages, oof)])
    second = train(second_rows, _stack(pages, "labels"), _stack(pages, "weights"))
    return first, second


def predict(model, page: dict[str, Any]) -> np.ndarray:
    """The two-stage score of a page's blocks, with the shipped numpy evaluator."""
    from parsers.html.blockfeatures import BlockTable
    return model.probabilities(BlockTable(page["rows"], page["parent"], page["grand"]))


def page_f1(pages: list[dict[str, Any]], predictions: list[np.ndarray]) -> tuple[float, float, float]:
    """Page-averaged precision and recall of the kept blocks' tokens (the benchmark's shape), and F1."""
    precisions, recalls = [], []
    for page, keep in zip(pages, predictions):
        sizes, gold = page["sizes"], page["labels"] > 0.5
        tp = float(sizes[keep & gold].sum())
        kept, wanted = float(sizes[keep].sum()), float(sizes[gold].sum())
        if kept:
            precisions.append(tp / kept)
        if wanted:
            recalls.append(tp / wanted)
    p = float(np.mean(precisions)) if precisions else 0.0
    r = float(np.mean(recalls)) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def end_to_end(root: Path, keys: set[str], model) -> dict[str, tuple[float, float]]:
    """Body F1 of the whole extractor on the study pages `keys`, per dataset: (rules alone, model)."""
    from bench.metrics import score_page, summarize
    from parsers import extract_article
    from parsers.html.bodymodel import model_override

    scores: dict[str, tuple[list, list]] = {}
    for corpus in ("web-body", "fundus", "scrapinghub"):
        for page in load_corpus(corpus, root, "study"):
            if page.key not in keys:
                continue
            html = page.html()
            name = page.dataset if corpus == "web-body" else corpus
            rules_scores, model_scores = scores.setdefault(name, ([], []))
            for chosen, out in ((None, rules_scores), (model, model_scores)):
                with model_override(chosen):
                    try:
                        text = extract_article(html, url=page.url).text
                    except Exception:
                        text = ""
                out.append(score_page(page.gold["body"], text))
    return {name: (summarize(a).f1, summarize(b).f1) for name, (a, b) in sorted(scores.items())}


def groups_of(pages: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Page indexes by dataset (web-body's six) or corpus: each is one gold convention."""
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(pages):
        groups.setdefault(p["dataset"] if p["corpus"] == "web-body" else p["corpus"], []).append(i)
    return groups


def gated_decision(page: dict[str, Any], scores: np.ndarray, keep: float, add: float) -> np.ndarray:
    """What the extractor keeps of a page (parsers/html/bodyselect.py, choose_body_blocks): where the layout is
    sure (`classifier_gate`, recorded with the rows), its candidates and the lead-in blocks the classifier adds;
    the classifier's decision elsewhere."""
    from parsers.html.bodyselect import decide
    if page["sure"]:
        chosen = page["rule"] > 0.5
        lead_in = page["lead_in"]
        chosen[lead_in[scores[lead_in] >= add]] = True
        return chosen
    return decide(page["rows"], scores, keep=keep, add=add)


def choose_thresholds(pages: list[dict[str, Any]], scored: list[np.ndarray]) -> tuple[float, float, dict]:
    """(keep, add) with the best mean over datasets of the page-averaged F1, the classifier deciding
    only where the layout is unsure (as in extraction); `add` is at least 0.5 (a block outside the
    layout's containers joins only when more likely body than not)."""
    groups = groups_of(pages)
    results = {}
    for keep in [round(t, 2) for t in np.arange(0.15, 0.56, 0.05)]:
        for add in (0.5, 0.55, 0.6, 0.65, 0.7):
            decided = [gated_decision(p, s, keep, add) for p, s in zip(pages, scored)]
            per = {g: page_f1([pages[i] for i in idx], [decided[i] for i in idx])[2] for g, idx in groups.items()}
            results[(keep, add)] = (float(np.mean(list(per.values()))), per)
    keep, add = max(results, key=lambda k: results[k][0])
    return keep, add, {f"{k}/{a}": round(v[0], 4) for (k, a), v in results.items()}


def dev_run(root: Path, pages: list[dict[str, Any]], fold: int, folds: int) -> dict[str, Any]:
    """Train on the study sites outside `fold`, pick the thresholds on `fold`'s blocks, and score the
    whole extractor on `fold`'s pages: the figures that guide development (never the validation split)."""
    from parsers.html.bodymodel import model_from_dict
    outer = site_folds(pages, folds)
    train_pages = [p for p, f in zip(pages, outer) if f != fold]
    dev_pages = [p for p, f in zip(pages, outer) if f == fold]
    first, second = fit(train_pages)
    candidate = export(first, second, 0.5, 0.5, {})
    model = model_from_dict(candidate)
    check_evaluator(first, model, dev_pages[:50])
    scored = [predict(model, p) for p in dev_pages]
    keep, add, grid = choose_thresholds(dev_pages, scored)
    candidate["keep"], candidate["add"] = keep, add
    model = model_from_dict(candidate)
    dev_model = cache_dir() / "body-dev-model.json"  # for looking into the development fold's pages
    dev_model.write_text(json.dumps({**candidate, "dev_keys": sorted(p["key"] for p in dev_pages)}), encoding="utf-8")
    blocks = {}
    for name, idx in sorted(groups_of(dev_pages).items()):
        sub = [dev_pages[i] for i in idx]
        blocks[name] = {"pages": len(sub), "rules": page_f1(sub, [p["rule"] > 0.5 for p in sub]),
                        "model": page_f1(sub, [gated_decision(dev_pages[i], scored[i], keep, add) for i in idx])}
    pipeline = end_to_end(root, {p["key"] for p in dev_pages}, model)
    return {"fold": fold, "folds": folds, "keep": keep, "add": add, "thresholds": grid, "blocks": blocks,
            "pipeline_f1": pipeline}


def check_evaluator(booster, model, pages: list[dict[str, Any]]) -> None:
    """The numpy evaluator gives LightGBM's own scores (first stage)."""
    rows = _stack(pages, "rows")
    ours = model.first.scores(rows)
    theirs = booster.predict(rows, raw_score=True)
    worst = float(np.max(np.abs(ours - theirs))) if len(rows) else 0.0
    if worst > 1e-4:
        raise AssertionError(f"numpy evaluator differs from LightGBM by {worst}")


# --- export -----------------------------------------------------------------------------------------

def _trees(booster) -> dict[str, Any]:
    """LightGBM's trees as flat arrays: node k splits on feature[k] at split[k] (go left when <=),
    children left[k]/right[k]; a leaf has itself as both children and its output in value[k]."""
    dumped = booster.dump_model()
    trees, depth = [], 0
    for info in dumped["tree_info"]:
        feature, split, left, right, value = [], [], [], [], []

        def add(node: dict[str, Any], level: int) -> int:
            nonlocal depth
            k = len(feature)
            feature.append(0), split.append(0.0), left.append(k), right.append(k), value.append(0.0)
            if "split_feature" not in node:
                value[k] = float(node.get("leaf_value", 0.0))
                depth = max(depth, level)
                return k
            if node.get("decision_type", "<=") != "<=":
                raise ValueError(f"unsupported split {node.get('decision_type')}")
            feature[k], split[k] = int(node["split_feature"]), float(node["threshold"])
            left[k] = add(node["left_child"], level + 1)
            right[k] = add(node["right_child"], level + 1)
            return k

        add(info["tree_structure"], 0)
        trees.append({"feature": feature, "split": split, "left": left, "right": right,
                      "value": [round(v, 7) for v in value]})
    return {"depth": depth, "trees": trees}


def export(first, second, keep: float, add: float, meta: dict[str, Any]) -> dict[str, Any]:
    from parsers.html.blockfeatures import CONTEXT_NAMES, FEATURE_NAMES
    return {"version": MODEL_VERSION, "keep": keep, "add": add, **meta, "stages": [
        {"features": list(FEATURE_NAMES), **_trees(first)},
        {"features": list(FEATURE_NAMES + CONTEXT_NAMES), **_trees(second)},
    ]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.train_body", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--folds", type=int, default=4, help="study sites are split into this many folds")
    parser.add_argument("--dev-fold", type=int, default=0, help="the fold held out for the development figures")
    parser.add_argument("--rebuild", action="store_true", help="read the pages again instead of the cached rows")
    parser.add_argument("--dev-only", action="store_true", help="print the development figures, write no model")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "parsers" / "models" / "body-blocks.json")
    args = parser.parse_args(argv)
    pages = build_rows(args.root, max(1, args.jobs), args.rebuild)
    labels = _stack(pages, "labels")
    print(f"{len(pages)} pages, {len(labels)} blocks, {int(labels.sum())} labelled body", file=sys.stderr)
    dev = dev_run(args.root, pages, args.dev_fold, args.folds)
    print(json.dumps(dev, indent=1), file=sys.stderr)
    if args.dev_only:
        return 0
    first, second = fit(pages)
    meta = {
        "trained": time.strftime("%Y-%m-%d"),
        "training_data": {c: n for c, n in sorted(Counter(p["corpus"] for p in pages).items())},
        "split": "study (bench/corpora.py, by site)",
        "blocks": int(len(labels)),
        "params": PARAMS, "rounds": ROUNDS,
        "development": {k: v for k, v in dev.items() if k != "thresholds"},
    }
    model = export(first, second, float(dev["keep"]), float(dev["add"]), meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB, keep {model['keep']}, add {model['add']})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
