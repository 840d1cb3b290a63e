"""The body classifier: its tree evaluator, its decision rule, the shipped model file, and the training
script's export (the trees LightGBM learns give the same scores through parsers/html/bodymodel.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from parsers.html.blockfeatures import CONTEXT_NAMES, FEATURE_NAMES, BlockTable, context_features
from parsers.html.bodymodel import BODY_MODEL, ModelError, load_model, model_from_dict, model_override
from parsers.html.bodyselect import decide

from conftest import FIXTURES

COLUMN = {name: k for k, name in enumerate(FEATURE_NAMES)}


def _stump(feature: int, split: float, left: float, right: float) -> dict:
    return {"feature": [feature, 0, 0], "split": [split, 0.0, 0.0], "left": [1, 1, 2], "right": [2, 1, 2],
            "value": [0.0, left, right]}


def _model(keep: float = 0.5, add: float = 0.5) -> dict:
    """Stage one: +2 when link_density <= 0.5, else -2; stage two: its first-stage score p, read back."""
    p_column = len(FEATURE_NAMES)
    return {"version": "test", "keep": keep, "add": add, "stages": [
        {"features": list(FEATURE_NAMES), "depth": 1, "trees": [_stump(COLUMN["link_density"], 0.5, 2.0, -2.0)]},
        {"features": list(FEATURE_NAMES + CONTEXT_NAMES), "depth": 1, "trees": [_stump(p_column, 0.5, -3.0, 3.0)]},
    ]}


def _rows(n: int, **columns: list[float]) -> np.ndarray:
    rows = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float32)
    for name, values in columns.items():
        rows[:, COLUMN[name]] = values
    return rows


def test_the_evaluator_walks_each_tree_to_its_leaf():
    model = model_from_dict(_model())
    rows = _rows(3, link_density=[0.1, 0.5, 0.9])
    assert model.first.scores(rows).tolist() == [2.0, 2.0, -2.0]
    table = BlockTable(rows, np.array([0, 0, 1]), np.array([0, 0, 0]))
    p = model.probabilities(table)  # stage two reads stage one's probability (> 0.5 or not)
    assert p[0] == pytest.approx(1 / (1 + np.exp(-3.0))) and p[2] == pytest.approx(1 / (1 + np.exp(3.0)))


def test_a_model_trained_on_other_features_is_refused():
    data = _model()
    data["stages"][0]["features"] = data["stages"][0]["features"][:-1]
    with pytest.raises(ModelError):
        model_from_dict(data)


def test_context_features_read_the_neighbours_and_siblings():
    rows = _rows(4, log_chars=[1.0, 1.0, 1.0, 1.0])
    table = BlockTable(rows, np.array([0, 0, 1, 1]), np.array([0, 0, 0, 0]))
    extra = context_features(table, np.array([0.9, 0.1, 0.8, 0.2]))[:, len(FEATURE_NAMES):]
    named = {name: extra[:, k] for k, name in enumerate(CONTEXT_NAMES)}
    assert named["p_prev"].tolist() == pytest.approx([0.0, 0.9, 0.1, 0.8])
    assert named["p_next"].tolist() == pytest.approx([0.1, 0.8, 0.2, 0.0])
    assert named["p_parent_mean"].tolist() == pytest.approx([0.5, 0.5, 0.5, 0.5])


def test_decide_keeps_candidates_above_keep_and_adds_others_above_add():
    rows = _rows(6, in_containers=[1, 1, 0, 0, 0, 0], rule_noise=[0, 0, 0, 1, 0, 0],
                 rule_skip=[0, 0, 0, 0, 1, 0], title_found=[1] * 6, after_title=[1, 1, 1, 1, 1, 0],
                 starts_with_link=[0, 0, 0, 0, 0, 1], link_density=[0, 0, 0, 0, 0, 0.5])
    scores = np.array([0.3, 0.1, 0.6, 0.9, 0.9, 0.9])
    # a candidate at 0.3 stays (keep 0.2), one at 0.1 goes; an outside block at 0.6 joins (add 0.5);
    # the layout's noise, a skipped block and a teaser above the headline never join, whatever they score
    assert decide(rows, scores, keep=0.2, add=0.5).tolist() == [True, False, True, False, False, False]
    assert decide(rows, scores, keep=0.2, add=0.7).tolist() == [True, False, False, False, False, False]


def test_the_shipped_model_fits_the_code():
    data = json.loads(BODY_MODEL.read_text(encoding="utf-8"))
    assert data["stages"][0]["features"] == list(FEATURE_NAMES)
    assert data["stages"][1]["features"] == list(FEATURE_NAMES + CONTEXT_NAMES)
    assert 0.0 < data["keep"] < 1.0 and 0.5 <= data["add"] < 1.0
    model = load_model()
    assert model is not None and model.second is not None
    assert data["training_data"] and data["split"].startswith("study")


def test_without_a_model_the_rule_candidates_are_the_body():
    from parsers import extract_article
    lede = "The council approved the budget on Tuesday, after a debate that lasted six hours and more."
    second = "Members argued over the school repairs, which take a third of the new money, and the roads."
    html = (f"<html><body><h1>Council approves the budget</h1><div class='body'><p>{lede}</p><p>{second}</p>"
            f"</div><div class='x'><p>{second.replace('roads', 'parks')}</p></div></body></html>").encode()
    with model_override(None):
        rules = extract_article(html).paragraphs
    assert rules == [lede, second]


def test_exported_trees_score_like_lightgbm():
    lgb = pytest.importorskip("lightgbm")
    from bench.train_body import _trees

    rng = np.random.default_rng(3)
    rows = rng.random((400, len(FEATURE_NAMES)), dtype=np.float32)
    labels = ((rows[:, 0] + rows[:, 5] * 0.5) > 0.7).astype(float)
    booster = lgb.train({"objective": "binary", "num_leaves": 7, "verbose": -1, "seed": 1},
                        lgb.Dataset(rows, labels), num_boost_round=12)
    stage = {"features": list(FEATURE_NAMES), **_trees(booster)}
    model = model_from_dict({"version": "t", "keep": 0.5, "add": 0.5,
                             "stages": [stage]})
    assert np.max(np.abs(model.first.scores(rows) - booster.predict(rows, raw_score=True))) < 1e-5


def test_the_training_script_decides_each_page_as_the_extractor_does(tmp_path):
    """bench.train_body picks the model's thresholds by what the extractor would keep of each page: its gate
    (a layout it is sure of keeps its candidates and asks the classifier only about a long lead-in; an unsure
    one asks it about every block) must be the extractor's own, page for page."""
    from bench.corpora import BenchPage
    from bench.train_body import gated_decision, page_rows
    from parsers.decode import decode_bytes
    from parsers.html import read_page
    from parsers.html.bodymodel import current_model
    from parsers.html.bodyselect import choose_body_blocks

    story = " ".join(f"Sentence {n} of the council's long report on the budget, read in full today." for n in range(6))
    lead_in = tmp_path / "lead-in.html"  # a long first paragraph between the headline and the story's container
    lead_in.write_text(f"<html><body><h1>Council approves the budget</h1><p>{story[:300]}</p><div class='story'>"
                       + "".join(f"<p>{story} ({n})</p>" for n in range(8)) + "</div></body></html>")
    model = current_model()
    kinds = set()
    for path in [*sorted(FIXTURES.rglob("*.html")), lead_in]:
        page = BenchPage(corpus="fixtures", dataset="fixtures", id=str(path), site=path.parent.name, url=None,
                         path=path, gold={"body": ""})
        rows = page_rows(page)
        if rows is None:
            continue
        scores = model.probabilities(BlockTable(rows["rows"], rows["parent"], rows["grand"]))
        harness = set(np.flatnonzero(gated_decision(rows, scores, model.keep, model.add)).tolist())
        reading = read_page(decode_bytes(page.html())[0], url=None)
        assert harness == set(choose_body_blocks(reading.page, reading.layout, reading.skip)), path
        kinds.add(("sure" if rows["sure"] else "unsure") + (" with a lead-in" if len(rows["lead_in"]) else ""))
    assert kinds == {"sure", "unsure", "sure with a lead-in"}
