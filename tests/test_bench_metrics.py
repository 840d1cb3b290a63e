"""The ScrapingHub benchmark metric (bench/metrics.py) on hand-computed cases, and the bench pipeline
(bench/extraction.py) on a tiny generated dataset with a stand-in extractor."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from bench.extraction import (
    TRAFILATURA,
    Page,
    benchmark,
    format_table,
    load_pages,
    run_extractors,
    run_whole_process,
    score_texts,
    worst_pages,
)
from bench.metrics import PageScore, bootstrap_std, score_page, shingles, summarize, tokenize


# --- tokenizer and shingles -------------------------------------------------------------------------

def test_tokens_are_word_runs_with_case_kept_and_punctuation_dropped():
    assert tokenize("Hello, World! It's 2023-03-07 (snake_case).") == [
        "Hello", "World", "It", "s", "2023", "03", "07", "snake_case"]


def test_each_cjk_character_is_a_token():
    assert tokenize("辽宁日报，2023年3月") == ["辽", "宁", "日", "报", "2023", "年", "3", "月"]
    assert tokenize("ひらがなカナ") == ["ひ", "ら", "が", "な", "カ", "ナ"]
    assert tokenize("Shenyang沈阳news") == ["Shenyang", "沈", "阳", "news"]


def test_hangul_stays_a_word_run():
    assert tokenize("한국어 뉴스") == ["한국어", "뉴스"]


def test_empty_and_none_give_no_tokens_and_no_shingles():
    assert tokenize("") == [] and tokenize(None) == [] and tokenize(" ,。 ") == []
    assert shingles("") == {} and shingles(None) == {}


def test_shingles_are_four_token_multisets():
    assert shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2
    assert sum(shingles("a b c d a b c d").values()) == 5


def test_a_text_shorter_than_four_tokens_is_one_shingle():
    assert shingles("a b c") == {("a", "b", "c"): 1}
    assert shingles("沈阳") == {("沈", "阳"): 1}


# --- one page ---------------------------------------------------------------------------------------

def test_identical_texts_score_one():
    text = "The quick brown fox jumps over the lazy dog."
    score = score_page(text, text)
    assert (score.precision, score.recall, score.exact) == (1.0, 1.0, True)


def test_whitespace_and_punctuation_differences_do_not_matter():
    score = score_page("One two, three four.\n\nFive six", "One two three four Five six")
    assert (score.precision, score.recall, score.exact) == (1.0, 1.0, True)


def test_disjoint_texts_score_zero():
    score = score_page("alpha beta gamma delta epsilon", "one two three four five six")
    assert (score.precision, score.recall, score.exact) == (0.0, 0.0, False)


def test_case_differs_means_different_tokens():
    # the original's re.IGNORECASE does not lower-case what findall returns
    score = score_page("Hello world foo bar", "hello world foo bar")
    assert (score.precision, score.recall) == (0.0, 0.0)


def test_prediction_with_half_of_the_gold():
    # gold a..g: 4 shingles abcd bcde cdef defg; prediction a..e: abcd bcde -> tp 2, fp 0, fn 2
    score = score_page("a b c d e f g", "a b c d e")
    assert score.precision == 1.0
    assert score.recall == 0.5


def test_half_overlap_on_both_sides():
    # gold g1..g5: g1g2g3g4, g2g3g4g5; prediction g1 g2 g3 g4 x: g1g2g3g4, g2g3g4x -> tp 1, fp 1, fn 1
    score = score_page("g1 g2 g3 g4 g5", "g1 g2 g3 g4 x")
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(0.5)
    assert (score.tp, score.fp, score.fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))  # normalised like the original


def test_shingles_are_counted_as_a_multiset_not_a_set():
    # gold: abcd x2, bcda, cdab, dabc (5 shingles); prediction abcd once -> recall 1/5 (a set would give 1/4)
    score = score_page("a b c d a b c d", "a b c d")
    assert score.precision == 1.0
    assert score.recall == pytest.approx(0.2)
    # a repeated prediction: abcd x2, bcda, cdab, dabc against gold abcd -> precision 1/5
    assert score_page("a b c d", "a b c d a b c d").precision == pytest.approx(0.2)


def test_cjk_per_character_tokens_give_partial_credit():
    # gold 辽宁日报社: 辽宁日报, 宁日报社; prediction 辽宁日报: one matching shingle
    score = score_page("辽宁日报社", "辽宁日报")
    assert (score.precision, score.recall) == (1.0, 0.5)
    # punctuation and spaces between CJK characters do not matter
    assert score_page("辽宁，日报 社。", "辽宁日报社").recall == 1.0


def test_empty_prediction_is_left_out_of_precision_and_scores_recall_zero():
    score = score_page("a b c d e", "")
    assert score.precision is None
    assert score.recall == 0.0


def test_empty_gold_and_empty_prediction():
    score = score_page("", "")
    assert (score.precision, score.recall, score.exact) == (None, None, True)
    assert score_page("", "a b c d").precision == 0.0


# --- over pages ---------------------------------------------------------------------------------------

def test_f1_is_taken_of_the_mean_precision_and_recall():
    scores = [score_page("a b c d e f g", "a b c d e"),        # P 1.0, R 0.5
              score_page("g1 g2 g3 g4 g5", "g1 g2 g3 g4 x")]  # P 0.5, R 0.5
    summary = summarize(scores)
    assert summary.precision == pytest.approx(0.75)
    assert summary.recall == pytest.approx(0.5)
    assert summary.f1 == pytest.approx(2 * 0.75 * 0.5 / 1.25)  # 0.6, not the mean of page F1s (0.583)
    assert summary.accuracy == 0.0
    assert summary.pages == 2 and summary.empty_predictions == 0


def test_an_empty_prediction_lowers_recall_but_not_precision():
    text = "one two three four five"
    summary = summarize([score_page(text, text), score_page(text, "")])
    assert summary.precision == 1.0
    assert summary.recall == 0.5
    assert summary.f1 == pytest.approx(2 / 3)
    assert summary.accuracy == 0.5
    assert summary.empty_predictions == 1


def test_all_predictions_empty_gives_zero_not_an_error():
    summary = summarize([score_page("a b c d", ""), score_page("e f g h", None)])
    assert (summary.precision, summary.recall, summary.f1) == (0.0, 0.0, 0.0)
    assert summarize([]).f1 == 0.0


def test_bootstrap_std_is_zero_for_identical_pages_and_positive_otherwise():
    same = [PageScore(1.0, 0.0, 0.0, True)] * 10
    assert bootstrap_std(same, rounds=50) == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "accuracy": 0.0}
    mixed = [score_page("a b c d e f g", "a b c d e"), score_page("a b c d", "x y z w")] * 5
    spread = bootstrap_std(mixed, rounds=200, seed=1)
    assert spread["precision"] > 0 and spread["recall"] > 0
    assert spread == bootstrap_std(mixed, rounds=200, seed=1)  # seeded: reproducible


# --- the pipeline on a tiny dataset, with a stand-in extractor -------------------------------------------

GOLD = {
    "page-a": ("https://example.com/a", "First paragraph of story A here.\n\nSecond paragraph of story A follows."),
    "page-b": ("https://example.com/b", "沈阳市今天发布新闻。\n\n第二段内容在这里。"),
    "page-c": ("https://example.com/c", "Story C has one paragraph only, and it is long enough."),
}


def _page_html(body: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<html><head><meta charset='utf-8'><title>t</title></head><body>"
            f"<nav>Home News Sports Weather</nav><article>{paragraphs}</article>"
            f"<footer>Copyright 2024 all rights reserved</footer></body></html>").encode("utf-8")


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    (tmp_path / "html").mkdir()
    truth = {}
    for page_id, (url, body) in GOLD.items():
        (tmp_path / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(_page_html(body)))
        truth[page_id] = {"articleBody": body, "url": url}
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def stand_in_extractor(html: bytes, url: str | None) -> str:
    """Paragraphs inside <article>; raises on page c to exercise the robustness path."""
    if url and url.endswith("/c"):
        raise ValueError("stand-in cannot parse this page")
    article = re.search(r"<article>(.*)</article>", html.decode("utf-8"), re.S).group(1)
    return "\n\n".join(re.findall(r"<p>(.*?)</p>", article))


def full_text_extractor(html: bytes, url: str | None) -> str:
    return re.sub(r"<[^>]+>", " ", html.decode("utf-8"))


def test_load_pages_reads_gzip_html_gold_and_urls_in_id_order(tiny_dataset: Path):
    pages = load_pages(tiny_dataset)
    assert [p.id for p in pages] == ["page-a", "page-b", "page-c"]
    assert pages[1].url == "https://example.com/b"
    assert pages[1].gold == GOLD["page-b"][1]
    assert pages[1].html == _page_html(GOLD["page-b"][1])
    assert [p.id for p in load_pages(tiny_dataset, limit=2)] == ["page-a", "page-b"]


def test_a_raising_extractor_counts_as_empty_output(tiny_dataset: Path):
    pages = load_pages(tiny_dataset)
    runs = run_extractors(pages, {"stand-in": stand_in_extractor, "full": full_text_extractor})
    stand_in = runs["stand-in"]
    assert stand_in.texts == [GOLD["page-a"][1], GOLD["page-b"][1], ""]
    assert len(stand_in.errors) == 1 and stand_in.errors[0].startswith("page-c: ValueError")
    assert len(stand_in.seconds) == len(stand_in.cpu_seconds) == 3
    assert all(s >= 0 for s in stand_in.seconds + stand_in.cpu_seconds)

    summary = summarize(score_texts(pages, stand_in.texts))
    assert summary.precision == 1.0          # page c is out of the precision mean
    assert summary.recall == pytest.approx(2 / 3)
    assert summary.accuracy == pytest.approx(2 / 3)
    assert summary.empty_predictions == 1

    full = summarize(score_texts(pages, runs["full"].texts))
    assert full.recall == 1.0 and full.precision < 1.0  # nav and footer cost precision, not recall
    assert runs["full"].errors == []


def test_worst_pages_lists_only_pages_where_newsduck_trails(tiny_dataset: Path):
    pages = load_pages(tiny_dataset)
    ours = [score_page("a b c d e", "a b c d e"), score_page("a b c d e f g", "a b c d e"), score_page("a b c d", "")]
    theirs = [score_page("a b c d e", "x y z w"), score_page("a b c d e", "a b c d e"), score_page("a b c d", "a b c d")]
    rows = worst_pages(pages, ours, theirs, count=5)
    assert [row["id"] for row in rows] == ["page-c", "page-b"]  # page a: newsduck is better
    assert rows[0]["f1_gap"] == pytest.approx(-1.0)
    assert rows[1]["f1_gap"] == pytest.approx(2 / 3 - 1)
    assert rows[0]["newsduck"] == {"precision": None, "recall": 0.0}
    assert worst_pages(pages, ours, theirs, count=1) == rows[:1]


@pytest.mark.slow
def test_trafilatura_whole_process_run_writes_one_record_per_page(tiny_dataset: Path):
    pytest.importorskip("trafilatura")
    pages = load_pages(tiny_dataset)
    results, notes = run_whole_process(pages, jobs=1, trafilatura_defaults=False, with_newsduck=False, repeat=2)
    run = results[TRAFILATURA]
    assert run.returncode == 0, run.stderr_tail
    assert run.records == 3 and run.complete
    assert len(run.runs_seconds) == 2 and run.pages_per_second > 0
    assert notes == []


@pytest.mark.slow
def test_benchmark_report_and_table(tiny_dataset: Path):
    pytest.importorskip("trafilatura")
    report = benchmark(tiny_dataset, repeat=1)
    assert report.pages == 3
    assert report.trafilatura_options == {"include_comments": False}
    assert set(report.per_page_ms) >= {TRAFILATURA, "bs4_floor"}
    assert 0.0 <= report.quality[TRAFILATURA]["f1"] <= 1.0
    table = format_table(report)
    for label in ("F1", "precision", "recall", "median CPU ms/page (1 core)", "pages/s (whole process)"):
        assert label in table
    json.dumps(report.__dict__)  # --json must be able to print it


# --- the crawl benchmark's memory line ----------------------------------------------------------------

def test_the_crawl_benchmark_reports_how_the_peak_moved_from_the_smallest_n_to_the_largest():
    from bench.crawl import CrawlResult, memory_growth

    def result(pages: int, peak: float) -> CrawlResult:
        return CrawlResult(pages=pages, hosts=10, latency=0.2, wall_s=pages / 45, flow_call_s=0.0, peak_rss_mb=peak,
                           children_peak_rss_mb=0.0, cpu_s=0.0, articles_stored=pages, fetched=pages, errors=0,
                           status="completed")

    assert memory_growth([result(8000, 401.4), result(2000, 386.2)]) == (
        "peak RSS N=2000 -> 8000: 386 -> 401 MB, +15 MB (+3.9%; +2.5 MB per 1,000 more pages)")
    assert memory_growth([result(2000, 400.0), result(8000, 396.0)]).endswith("-4 MB (-1.0%; -0.7 MB per 1,000 more pages)")
    assert "388 -> 410 MB, +22 MB" in memory_growth([result(2000, 388.4), result(16000, 409.6)])  # as the table rounds
    assert memory_growth([result(2000, 400.0)]) is None
