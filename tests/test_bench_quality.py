"""bench/quality.py: corpora split by site, the per-field checks, and a run over a corpus laid out like
../shared/benchmarks (built here from the fixture pages)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench.corpora import load_corpus, registrable_domain, split_of
from bench.quality import benchmark, format_report
from bench.rivals import NEWSDUCK, Extraction
from bench.scoring import authors_ok, check_page, clean_body_parts, date_ok, title_ok

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_sites_are_registrable_domains_and_splits_are_fixed():
    assert registrable_domain("https://news.163.com/a.html") == "163.com"
    assert registrable_domain("http://www.bbc.co.uk/zhongwen") == "bbc.co.uk"
    assert registrable_domain("https://money.udn.com.tw/x") == "udn.com.tw"
    assert registrable_domain(None) is None
    # a site is on one side for good: money.163.com and news.163.com together
    assert split_of("163.com") == split_of("163.com")
    assert {split_of(f"site{i}.example") for i in range(40)} == {"study", "validation"}


def test_field_checks():
    assert title_ok("美国 新冠", "美国新冠") and not title_ok("美国新冠", "美国新冠 - 网易")
    assert date_ok(None, None) and not date_ok(None, "2024-01-01") and date_ok("2024-01-01", "2024-01-01")
    assert authors_ok(["Jane Doe"], ["jane doe"]) and not authors_ok([], ["Jane Doe"])
    gold = {"first": "第一段。", "last": "最后一段。", "snippets": ["中间。"], "boilerplate": ["相关阅读"]}
    assert clean_body_parts(gold, "第一段。\n\n中间。\n\n最后一段。") == {
        "starts": 1.0, "ends": 1.0, "snippets": 1.0, "no_boilerplate": 1.0}
    assert clean_body_parts(gold, "相关阅读\n第一段。") == {
        "starts": 0.0, "ends": 0.0, "snippets": 0.0, "no_boilerplate": 0.0}


def test_titles_are_compared_with_uniform_typography_and_nothing_more():
    # invisible characters and the style of quotes are forgiven, for gold and tool alike
    assert title_ok("Helikopter\u00adlandeplatz stockt\u200b", "Helikopterlandeplatz stockt")
    assert title_ok("\u200fعنوان\u200e", "عنوان") and title_ok("می\u200cخواهد", "میخواهد")
    assert title_ok("a young lawyer's journey", "a young lawyer\u2019s journey")
    assert title_ok("Her \u2018Best Work\u2019 \u201eja\u201c", "Her 'Best Work' \"ja\"")
    # visible differences are not: a trailing ellipsis, quotes dropped, another quote kind, case
    assert not title_ok("Who is she?...", "Who is she?")
    assert not title_ok('"Why fight"... he said', "Why fight... he said")
    assert not title_ok("\u00abja\u00bb", '"ja"')
    assert not title_ok("Best Work", "best work")


def test_fields_a_tool_does_not_report_are_not_scored():
    checks = check_page({"title": "T", "source": "S", "date": None}, Extraction(title="T"), frozenset({"title"}))
    assert checks == {"title": True}


def _zh_root(tmp_path: Path) -> Path:
    """A zh-news-dev folder holding two fixture pages with their gold in the corpus' format."""
    base = tmp_path / "zh-news-dev"
    (base / "pages").mkdir(parents=True)
    entries = []
    for stem in ("lndj-original-51919", "fanfu-list-fanfujishi"):
        gold = json.loads((PAGES / f"{stem}.json").read_text(encoding="utf-8"))
        shutil.copy(PAGES / f"{stem}.html", base / "pages" / f"{stem}.html")
        paragraphs = gold["paragraphs"]
        entries.append({
            "page": f"{stem}.html", "url": gold["url"], "site": "www.lndj.gov.cn", "kind": "gov",
            "is_article": gold["is_article"], "title": gold["title"], "kicker": None, "subtitle": None,
            "published_at": (gold["published_at"] or "")[:19].replace("T", " ") or None,
            "authors": gold["authors"], "source_name": gold["source_name"],
            "first_paragraph": paragraphs[0] if paragraphs else None,
            "last_paragraph": paragraphs[-1] if paragraphs else None,
            "body_snippets": paragraphs[1:3], "boilerplate_snippets": gold["boilerplate_samples"],
        })
    (base / "gold.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_fundus_gold_takes_the_corrected_day(tmp_path):
    base = tmp_path / "fundus"
    base.mkdir()
    (base / "a.html").write_text("<html><title>A</title></html>", encoding="utf-8")
    rows = [{"id": "swapped", "html": "a.html", "url": "https://a.example/1", "title": "A", "date": "2026-06-01",
             "date_suspect": True, "date_corrected": "2026-01-06"},
            {"id": "plain", "html": "a.html", "url": "https://a.example/2", "title": "A", "date": "2025-03-04"}]
    (base / "manifest.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert [p.gold["date"] for p in load_corpus("fundus", tmp_path)] == ["2026-01-06", "2025-03-04"]


def test_a_run_scores_newsduck_and_checks_the_targets(tmp_path):
    root = _zh_root(tmp_path)
    assert len(load_corpus("zh-news-dev", root)) == 2
    report = benchmark(["zh-news-dev"], "all", False, [NEWSDUCK], 1, False, root)
    overall = report["corpora"]["zh-news-dev"]["overall"][NEWSDUCK]
    assert overall["title"] == 1.0 and overall["date"] == 1.0 and overall["is_article"] == 1.0
    assert overall["clean_body"] == 1.0 and overall["source"] == 1.0
    targets = {row["metric"]: row["passed"] for row in report["targets"]}
    assert targets["title"] and targets["is_article"]
    text = format_report(report)
    assert "## zh-news-dev (all, 2 pages, 1 articles)" in text and "PASS" in text
