"""Full-text search on real DuckDB files: jieba words, the incremental BM25 index, ranking, filters, SQL macros, CLI.

The fixture pages and seeds go through the real parser (parsers.extract_article) and loader (load_batch);
DuckDB's own fts extension (loaded offline from the duckdb-extension-fts package) is the oracle for the scores.
"""

from __future__ import annotations

import importlib.resources
import json
import shutil
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from parsers import extract_article
from parsers.records import ArticleRecord, Block, SubArticle
from warehouse import ids
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.migrate import MIGRATIONS_DIR, migrate
from warehouse.models import FetchInfo, PageResult
from warehouse.runs import start_run
from warehouse import search as search_module
from warehouse.search import (COMPACT_MIN_ROWS, enable_search, index_status, refresh_search_index, search, segment,
                              snippet, tokenize)

from conftest import FIXTURES

PAGES = FIXTURES / "pages"
SEEDS = FIXTURES / "seeds"
EPAPER_URL = "http://epaper.lnd.com.cn/html/2023-03/07/content_2318551.htm"
LIAOSHEN_URL = "https://www.liaoshen-news.cn/article/2024/11/05/748215.html"
T0 = datetime(2024, 11, 5, 2, 0, tzinfo=timezone.utc)
NAMED_PERSON = "王晓宁"  # the agate story's reporter, credited in its byline and nowhere in its text


# ---------------------------------------------------------------- helpers

def fixture_results() -> list[PageResult]:
    """The two seed dumps (as files) and the fixture pages (at their gold URLs), parsed for real."""
    results = []
    for path in sorted(SEEDS.glob("*.txt")):
        body = path.read_bytes()
        results.append(page_result(extract_article(body, path=str(path)), body, path=str(path)))
    for gold_path in sorted(PAGES.glob("*.json")):
        url = json.loads(gold_path.read_text(encoding="utf-8"))["url"]
        body = gold_path.with_suffix(".html").read_bytes()
        results.append(page_result(extract_article(body, url=url, content_type="text/html"), body, url=url))
    return results


def page_result(record: ArticleRecord, body: bytes, *, url: str | None = None, path: str | None = None) -> PageResult:
    fetch = FetchInfo(input=url or path, url=url, path=path, fetched_at=T0, status=200 if url else None,
                      content_type="text/html", charset=record.charset, bytes=len(body), elapsed_ms=1.0,
                      body_sha256=ids.sha256_hex(body))
    return PageResult(fetch=fetch, body=body, record=record)


def story(url: str, title: str, *paragraphs: str, published_at: str = "2024-06-01T09:00:00+08:00",
          sub_articles: list[SubArticle] | None = None) -> PageResult:
    record = ArticleRecord(url=url, title=title, published_at=published_at, language="zh",
                           body=[Block("paragraph", p) for p in paragraphs], sub_articles=sub_articles or [])
    return page_result(record, f"<html>{url}{title}{paragraphs}{sub_articles}</html>".encode(), url=url)


def load(con, results: list[PageResult]):
    """Load a batch and refresh the index, as the ingest flow does after each batch."""
    run = start_run(con, flow_run_id=None, command="test", inputs=len(results))
    counts = load_batch(con, run, results)
    return counts, refresh_search_index(con)


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("search") / "news.duckdb"
    con = connect(path)
    counts, refreshed = load(con, fixture_results() + [
        story("https://news.example.cn/agate-title.html", "阜新玛瑙雕刻技艺展示",
              "本报讯 昨日,市民在展厅参观了多件雕刻作品,现场气氛热烈。"),
        story("https://news.example.cn/agate-body.html", "市民周末参观雕刻展览",
              "本报讯 昨日,市民在展厅参观了多件玛瑙作品,现场气氛热烈。"),
        story("https://tech.example.com/duckdb.html", "DuckDB 与 Prefect 在新闻数据中的应用",
              "Analysts query the DuckDB warehouse with plain SQL.", "分析师使用 SQL 查询新闻数据。",
              published_at="2025-01-10T10:00:00+08:00"),
    ])
    assert counts.errors == 0 and counts.new == 9
    assert refreshed.segmented == con.execute("SELECT count(*) FROM articles").fetchone()[0] > 9
    con.close()
    return path


@pytest.fixture
def reader(fixture_db):
    con = connect(fixture_db, read_only=True)
    assert enable_search(con)
    yield con
    con.close()


def article_id_of(con, url: str) -> str:
    return con.execute("SELECT article_id FROM articles WHERE url = ? AND parent_article_id IS NULL", [url]).fetchone()[0]


# ---------------------------------------------------------------- words

def test_tokenize_chinese_search_mode_latin_lowercase_no_punctuation():
    assert tokenize("通过招商引资，阜新市") == ["通过", "招商", "引资", "招商引资", "阜新", "新市", "阜新市"]
    assert tokenize("DuckDB 和 Prefect 3.8!") == ["duckdb", "和", "prefect", "3.8"]
    assert tokenize("ＤｕｃｋＤＢ　２０２４年") == tokenize("DuckDB 2024年")  # full-width forms fold (NFKC)
    assert tokenize("，。！  ——") == [] and tokenize(None) == [] and tokenize("") == []
    assert segment("招商引资") == "招商 引资 招商引资" and segment(None) is None


def test_snippet_marks_whole_words_in_the_best_sentence():
    text = "第一句只提到招商。\n第二句讲招商引资和项目建设,也讲招商。第三句无关。"
    assert snippet(text, tokenize("招商引资")) == "第二句讲【招商引资】和项目建设,也讲【招商】。"
    assert snippet(text, ["风电"]) is None
    long = "甲" * 100 + "玛瑙" + "乙" * 100
    cut = snippet(long, ["玛瑙"], marks=("<", ">"), width=40)
    assert cut.startswith("…") and cut.endswith("…") and "<玛瑙>" in cut and len(cut) <= 46


# ---------------------------------------------------------------- search

def test_chinese_query_finds_the_epaper_story_and_the_seed(reader):
    hits = search(reader, "招商引资")
    epaper_id = article_id_of(reader, EPAPER_URL)
    # 招商引资 is in the 清河门区 report of the e-paper's 县区扫描 column (a sub-article of the story)
    epaper_hits = [h for h in hits if h.parent_article_id == epaper_id]
    assert len(epaper_hits) == 1
    hit = epaper_hits[0]
    assert hit.title == "清河门区 汨汨绿电涌动 转型前路光明" and hit.parent_title == "跑好第一棒 冲刺开门红"
    assert hit.site == "epaper.lnd.com.cn" and hit.published_date == date(2023, 3, 7)
    assert "【招商引资】" in hit.snippet
    # and the same report from the seed 000 text dump
    seed_hits = [h for h in hits if h.site == "file"]
    assert [h.title for h in seed_hits] == [hit.title]
    assert {h.title for h in hits} == {hit.title}
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_title_match_ranks_above_body_only_match(reader):
    hits = search(reader, "玛瑙")
    urls = [h.url for h in hits]
    assert urls.index("https://news.example.cn/agate-title.html") < urls.index("https://news.example.cn/agate-body.html")
    assert urls[0] == LIAOSHEN_URL  # 玛瑙 twice in the title and all through the body
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


def test_every_query_word_must_occur_unless_any(reader):
    both = search(reader, "玛瑙 雕刻")
    assert {h.url for h in both} >= {LIAOSHEN_URL, "https://news.example.cn/agate-title.html",
                                     "https://news.example.cn/agate-body.html"}
    for hit in both:
        words = reader.execute("SELECT title_tokens || ' ' || body_tokens FROM article_search WHERE article_id = ?",
                               [hit.article_id]).fetchone()[0].split()
        assert {"玛瑙", "雕刻"} <= set(words), hit.title
    only_all = {h.article_id for h in search(reader, "玛瑙 招商引资")}
    assert only_all == set()
    any_of = {h.article_id for h in search(reader, "玛瑙 招商引资", match_all=False, limit=100)}
    words = tokenize("玛瑙 招商引资")
    assert words == ["玛瑙", "招商", "引资", "招商引资"]
    assert any_of == set().union(*({h.article_id for h in search(reader, w, limit=100)} for w in words))


def test_english_and_mixed_queries(reader):
    for query in ("duckdb", "DuckDB", "DUCKDB warehouse", "DuckDB 分析师", "Prefect 新闻"):
        hits = search(reader, query)
        assert [h.url for h in hits] == ["https://tech.example.com/duckdb.html"], query
    assert "【DuckDB】" in search(reader, "duckdb")[0].snippet  # marked as written in the text
    assert search(reader, "duckdb spark") == []


def test_a_name_finds_the_articles_that_credit_the_person(reader):
    """Bylines are indexed: the agate story names its reporter in its byline only."""
    assert reader.execute("SELECT count(*) FROM articles WHERE title LIKE ? OR body_text LIKE ?",
                          [f"%{NAMED_PERSON}%"] * 2).fetchone() == (0,)
    assert [h.url for h in search(reader, NAMED_PERSON)] == [LIAOSHEN_URL]
    assert [h.url for h in search(reader, f"{NAMED_PERSON} 玛瑙")] == [LIAOSHEN_URL]
    assert reader.execute("SELECT url FROM search_articles(?)", [NAMED_PERSON]).fetchall() == [(LIAOSHEN_URL,)]
    # 田甜 reports the e-paper's district column: the story, its sub-articles, and their copies in seed 000
    credited = {row[0] for row in reader.execute("SELECT article_id FROM article_people_v WHERE name = '田甜'").fetchall()}
    assert len(credited) > 10 and {h.article_id for h in search(reader, "田甜", limit=100)} == credited


def test_site_and_date_filters(reader):
    everywhere = search(reader, "阜新", limit=100)
    assert {h.site for h in everywhere} >= {"epaper.lnd.com.cn", "www.lndj.gov.cn", "www.ffclzx.cn",
                                            "www.liaoshen-news.cn", "file"}
    assert {h.site for h in search(reader, "阜新", site="epaper.lnd.com.cn", limit=100)} == {"epaper.lnd.com.cn"}
    assert {h.site for h in search(reader, "阜新", site="lnd.com.cn", limit=100)} == {"epaper.lnd.com.cn"}
    assert {h.site for h in search(reader, "阜新", site="LNDJ.gov.cn", limit=100)} == {"www.lndj.gov.cn"}
    since = search(reader, "阜新", since=date(2024, 1, 1), limit=100)
    assert since and all(h.published_date >= date(2024, 1, 1) for h in since)
    assert {h.site for h in since} == {"www.lndj.gov.cn", "www.ffclzx.cn", "www.liaoshen-news.cn", "file",
                                       "news.example.cn"}
    until = search(reader, "阜新", until=date(2023, 12, 31), limit=100)
    assert until and all(h.published_date <= date(2023, 12, 31) for h in until)
    assert len(since) + len(until) == len([h for h in everywhere if h.published_date is not None])
    assert len(search(reader, "阜新", limit=2)) == 2


def test_empty_query_is_refused(reader):
    from warehouse.db import WarehouseError

    with pytest.raises(WarehouseError, match="nothing to search for"):
        search(reader, " ，。 ")


def test_scores_are_duckdb_fts_bm25_plus_twice_the_title_and_names_bm25(fixture_db, tmp_path):
    """The macro's scores equal DuckDB fts's match_bm25 (all fields) + 2 × match_bm25 (title field)
    + 2 × match_bm25 (names field)."""
    copy = tmp_path / "oracle.duckdb"
    shutil.copy(fixture_db, copy)
    con = duckdb.connect(str(copy))
    extension = importlib.resources.files("duckdb_extension_fts") / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    con.load_extension(str(extension))
    con.execute("PRAGMA create_fts_index('article_search', 'article_id', 'title_tokens', 'body_tokens', 'names_tokens', "
                "stemmer='none', stopwords='none', ignore='\\s+', strip_accents=0, lower=1, overwrite=1)")
    assert con.execute("SELECT count(*) FROM article_search WHERE names_len > 0").fetchone()[0] > 0
    for query in ("招商引资", "玛瑙", "阜新 海州区", "duckdb", "新质生产力", "煤矿 风电 光伏", NAMED_PERSON,
                  f"{NAMED_PERSON} 玛瑙"):
        tokens = segment(query)
        for match_all in (True, False):
            expected = dict(con.execute("""
                SELECT article_id, score FROM (
                    SELECT article_id,
                           fts_main_article_search.match_bm25(article_id, $q, conjunctive := $all)
                           + 2 * coalesce(fts_main_article_search.match_bm25(article_id, $q, fields := 'title_tokens'), 0)
                           + 2 * coalesce(fts_main_article_search.match_bm25(article_id, $q, fields := 'names_tokens'), 0)
                           AS score
                    FROM article_search) WHERE score IS NOT NULL""", {"q": tokens, "all": int(match_all)}).fetchall())
            got = dict(con.execute("SELECT article_id, score FROM search_articles_tokens(?, match_all := ?)",
                                   [tokens, match_all]).fetchall())
            assert got.keys() == expected.keys(), (query, match_all)
            assert all(got[k] == pytest.approx(expected[k], rel=1e-9) for k in got), (query, match_all)
            assert got or query == "煤矿 风电 光伏" and match_all
    con.close()


@pytest.mark.parametrize("match_all", [True, False])
@pytest.mark.parametrize("query", ["招商引资", "玛瑙", "阜新 海州区", "duckdb", "新质生产力", "煤矿 风电 光伏", "本报讯 市民"])
def test_search_returns_the_macros_hits_scores_and_order(reader, query, match_all):
    """search() computes in steps (rarest word first, best scores before the join) what the macro computes at once."""
    expected = reader.execute("""
        SELECT article_id, score FROM search_articles(?, match_all := ?)
        ORDER BY score DESC, published_at DESC NULLS LAST, article_id""", [query, match_all]).fetchall()
    for limit in (1, 3, 100):
        hits = search(reader, query, match_all=match_all, limit=limit)
        assert [h.article_id for h in hits] == [row[0] for row in expected[:limit]], (query, limit)
        assert [h.score for h in hits] == pytest.approx([row[1] for row in expected[:limit]], rel=1e-9)
    since = date(2024, 1, 1)
    dated = reader.execute("""
        SELECT h.article_id FROM search_articles(?, match_all := ?) h
        WHERE h.published_date >= ? ORDER BY h.score DESC, h.published_at DESC NULLS LAST, h.article_id""",
                           [query, match_all, since]).fetchall()
    assert [h.article_id for h in search(reader, query, match_all=match_all, since=since, limit=100)] == \
        [row[0] for row in dated]


# ---------------------------------------------------------------- keeping the index current

def test_index_follows_each_batch_without_a_manual_step(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    reports = [SubArticle("东区 玛瑙", [], ["本报讯 东区玛瑙市场开业。"]), SubArticle("西区 煤矿", [], ["本报讯 西区煤矿转型。"])]
    first = [story("https://a.cn/1.html", "旧标题 玛瑙城", "玛瑙产业继续发展。", sub_articles=reports),
             story("https://a.cn/2.html", "不变的文章", "光伏项目开工。")]
    counts, refreshed = load(con, first)
    assert (counts.new, refreshed.segmented, refreshed.removed) == (2, 4, 0)
    unchanged_at = con.execute("SELECT segmented_at FROM article_search s JOIN articles a USING (article_id) "
                               "WHERE a.url = 'https://a.cn/2.html'").fetchone()

    second = [story("https://a.cn/1.html", "新标题 风电场", "风电产业继续发展。", sub_articles=reports[1:]),
              story("https://a.cn/2.html", "不变的文章", "光伏项目开工。"),
              story("https://a.cn/3.html", "第三篇 风电", "又一个风电项目。")]
    counts, refreshed = load(con, second)
    assert (counts.new, counts.updated, counts.unchanged) == (1, 1, 1)
    # the changed story, its renumbered report and the new story: only those are segmented again
    assert refreshed.segmented == 3 and refreshed.removed == 1
    assert con.execute("SELECT segmented_at FROM article_search s JOIN articles a USING (article_id) "
                       "WHERE a.url = 'https://a.cn/2.html'").fetchone() == unchanged_at

    assert search(con, "玛瑙") == []  # gone from the updated story and with the dropped report
    assert {h.url for h in search(con, "风电")} == {"https://a.cn/1.html", "https://a.cn/3.html"}
    assert [h.title for h in search(con, "煤矿")] == ["西区 煤矿"]
    assert [h.url for h in search(con, "光伏")] == ["https://a.cn/2.html"]
    status = index_status(con)
    assert status.pending == 0 and status.articles == 4
    # no postings of removed or replaced documents are left
    assert con.execute("SELECT count(*) FROM search_postings p WHERE NOT EXISTS "
                       "(SELECT 1 FROM article_search s WHERE s.docid = p.docid)").fetchone() == (0,)
    assert refresh_search_index(con).segmented == 0
    con.close()


def test_compaction_sorts_postings_and_keeps_results(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    load(con, fixture_results())
    before = {q: [(h.article_id, round(h.score, 9)) for h in search(con, q, limit=100)] for q in ("阜新", "招商引资", "玛瑙")}
    assert con.execute("SELECT unsorted_postings FROM search_index_state").fetchone()[0] > 0
    assert refresh_search_index(con, compact=True).compacted
    assert con.execute("SELECT unsorted_postings, compacted_at IS NOT NULL FROM search_index_state").fetchone() == (0, True)
    termids = [r[0] for r in con.execute("SELECT termid FROM search_postings").fetchall()]
    assert termids == sorted(termids)
    after = {q: [(h.article_id, round(h.score, 9)) for h in search(con, q, limit=100)] for q in before}
    assert after == before
    assert not refresh_search_index(con).compacted  # far below COMPACT_MIN_ROWS
    con.close()


def test_compaction_sorts_a_range_of_words_at_a_time(tmp_path, monkeypatch):
    con = connect(tmp_path / "n.duckdb")
    load(con, fixture_results())
    queries = ("阜新", "招商引资", "玛瑙", "辽宁 党建")
    before = {q: [(h.article_id, round(h.score, 9)) for h in search(con, q, limit=100)] for q in queries}
    postings = con.execute("SELECT termid, docid, tf, title_tf, doclen FROM search_postings").fetchall()
    monkeypatch.setattr(search_module, "COMPACT_CHUNK_ROWS", 40)
    ranges = search_module._termid_ranges(con, 40)
    assert len(ranges) > 5
    assert all(high == next_low for (_, high), (next_low, _) in zip(ranges, ranges[1:]))  # no gap, no overlap
    termids = [p[0] for p in postings]
    assert ranges[0][0] == min(termids) and ranges[-1][1] == max(termids) + 1
    per_word = Counter(termids)
    for low, high in ranges:  # at most about 40 postings each: a range passes 40 only by its last word
        words = sorted(t for t in per_word if low <= t < high)
        assert words and sum(per_word[t] for t in words[:-1]) < 40

    refresh_search_index(con, compact=True)
    after_rows = con.execute("SELECT termid, docid, tf, title_tf, doclen FROM search_postings").fetchall()
    assert after_rows == sorted(postings)  # every posting kept, stored in (termid, docid) order
    after = {q: [(h.article_id, round(h.score, 9)) for h in search(con, q, limit=100)] for q in queries}
    assert after == before
    con.close()


def test_refresh_compacts_by_itself_only_small_indexes(tmp_path, monkeypatch):
    con = connect(tmp_path / "n.duckdb")
    load(con, [story("https://a.cn/1.html", "玛瑙", "玛瑙产业。")])
    con.execute("UPDATE search_index_state SET unsorted_postings = ?", [COMPACT_MIN_ROWS])  # as if many were added
    monkeypatch.setattr(search_module, "AUTO_COMPACT_MAX_ROWS", 1)  # an index too big to rewrite during an ingest
    assert not refresh_search_index(con).compacted
    monkeypatch.undo()
    assert refresh_search_index(con).compacted
    assert con.execute("SELECT unsorted_postings FROM search_index_state").fetchone() == (0,)
    assert [h.url for h in search(con, "玛瑙")] == ["https://a.cn/1.html"]
    con.close()


def test_refresh_reads_only_the_queued_articles_and_empties_the_queue(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    load(con, [story("https://a.cn/1.html", "玛瑙", "玛瑙产业。"), story("https://a.cn/2.html", "风电", "风电。")])
    assert con.execute("SELECT count(*) FROM search_queue").fetchone() == (0,)
    # A change that bypasses the loader and is not queued is not seen: the refresh does not compare everything...
    con.execute("UPDATE articles SET title = '光伏', content_sha256 = 'edited' WHERE url = 'https://a.cn/2.html'")
    assert refresh_search_index(con).segmented == 0 and search(con, "光伏") == []
    # ...and is once it is queued, as loads queue theirs.
    article_id = con.execute("SELECT article_id FROM articles WHERE url = 'https://a.cn/2.html'").fetchone()[0]
    search_module.queue_for_search(con, [article_id, article_id])
    assert refresh_search_index(con).segmented == 1
    assert [h.url for h in search(con, "光伏")] == ["https://a.cn/2.html"]
    assert con.execute("SELECT count(*) FROM search_queue").fetchone() == (0,)
    # A queued article that no longer exists leaves the index.
    con.execute("DELETE FROM articles WHERE article_id = ?", [article_id])
    search_module.queue_for_search(con, [article_id])
    done = refresh_search_index(con)
    assert (done.segmented, done.removed) == (0, 1) and search(con, "光伏") == []
    assert con.execute("SELECT count(*) FROM article_search").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM search_postings p WHERE NOT EXISTS "
                       "(SELECT 1 FROM article_search s WHERE s.docid = p.docid)").fetchone() == (0,)
    con.close()


def test_a_load_whose_refresh_never_ran_is_indexed_by_the_next_refresh(tmp_path):
    """The queue is written in the batch's transaction: a crash between the load and its refresh loses nothing."""
    path = tmp_path / "n.duckdb"
    con = connect(path)
    load(con, [story("https://a.cn/1.html", "玛瑙", "玛瑙产业。")])
    run = start_run(con, flow_run_id=None, command="test", inputs=1)
    load_batch(con, run, [story("https://a.cn/2.html", "风电", "风电。")])  # no refresh after it
    con.close()
    con = connect(path)
    assert con.execute("SELECT count(*) FROM search_queue").fetchone()[0] > 0
    assert refresh_search_index(con).segmented == 1
    assert [h.url for h in search(con, "风电")] == ["https://a.cn/2.html"]
    con.close()


def test_an_updated_story_queues_its_dropped_sub_articles(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    sub = SubArticle("玛瑙 专访", [], ["玛瑙雕刻。"])
    load(con, [story("https://a.cn/1.html", "风电", "风电。", sub_articles=[sub])])
    assert [h.title for h in search(con, "玛瑙")] == ["玛瑙 专访"]
    counts, done = load(con, [story("https://a.cn/1.html", "风电 二", "风电。")])
    assert counts.updated == 1 and (done.segmented, done.removed) == (1, 1)
    assert search(con, "玛瑙") == []
    con.close()


def test_a_new_segmenter_or_an_upgraded_database_compares_every_article_once(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    load(con, [story("https://a.cn/1.html", "玛瑙", "玛瑙产业。")])
    con.execute("UPDATE articles SET title = '光伏', content_sha256 = 'edited'")  # not queued
    con.execute("UPDATE search_index_state SET segmenter = NULL")  # as after migration 008, or another version
    assert refresh_search_index(con).segmented == 1
    assert [h.url for h in search(con, "光伏")] == ["https://a.cn/1.html"]
    assert con.execute("SELECT segmenter FROM search_index_state").fetchone() == (search_module.segmenter_version(),)
    con.execute("UPDATE articles SET title = '风电', content_sha256 = 'edited again'")
    assert refresh_search_index(con).segmented == 0  # back to the queue
    con.close()


def test_an_index_built_before_names_were_indexed_gets_them_at_the_next_refresh(fixture_db, tmp_path):
    path = tmp_path / "old.duckdb"
    shutil.copy(fixture_db, path)
    con = connect(path)
    # What migration 010 leaves of an index built before it: no names, the segmenter version of then.
    old_version = search_module.segmenter_version().rsplit("/", 1)[0] + "/2"
    con.execute("UPDATE article_search SET names_tokens = '', names_len = 0, segmenter = ?", [old_version])
    con.execute("UPDATE search_index_state SET segmenter = ?", [old_version])
    con.execute("DELETE FROM search_postings WHERE tf = names_tf")
    con.execute("UPDATE search_postings SET tf = tf - names_tf, names_tf = 0")
    assert search(con, NAMED_PERSON) == []
    status = index_status(con)
    assert status.pending == status.articles
    assert refresh_search_index(con).segmented == status.articles  # every article, though none changed
    assert [h.url for h in search(con, NAMED_PERSON)] == [LIAOSHEN_URL]
    assert refresh_search_index(con).segmented == 0
    con.close()


def test_refresh_joins_the_callers_transaction(tmp_path):
    con = connect(tmp_path / "n.duckdb")
    load(con, [story("https://a.cn/1.html", "玛瑙", "玛瑙。")])
    run = start_run(con, flow_run_id=None, command="test", inputs=1)
    load_batch(con, run, [story("https://a.cn/2.html", "风电", "风电。")])
    con.execute("BEGIN TRANSACTION")
    assert refresh_search_index(con).segmented == 1
    con.execute("ROLLBACK")
    assert search(con, "风电") == []
    assert refresh_search_index(con).segmented == 1
    assert [h.url for h in search(con, "风电")] == ["https://a.cn/2.html"]
    con.close()


# ---------------------------------------------------------------- SQL

def test_macros_on_read_only_connections(fixture_db):
    con = duckdb.connect(str(fixture_db), read_only=True)  # a plain DuckDB connection: no segment() here
    tokens_only = con.execute("SELECT title FROM search_articles_tokens('招商 引资 招商引资')").fetchall()
    assert tokens_only and all(t == "清河门区 汨汨绿电涌动 转型前路光明" for (t,) in tokens_only)
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM search_articles('招商引资')")
    assert enable_search(con) and enable_search(con)  # twice is harmless
    rows = con.execute("SELECT title, site, score FROM search_articles('招商引资') ORDER BY score DESC").fetchall()
    assert [r[0] for r in rows] == [t for (t,) in tokens_only]
    assert {r[0] for r in con.execute("SELECT title FROM search_articles('玛瑙 招商引资', match_all := false)").fetchall()} >= {
        "清河门区 汨汨绿电涌动 转型前路光明", "阜新玛瑙产业链加速延伸 小玛瑙“雕”出大产业"}
    assert con.execute("SELECT segment('DuckDB和阜新')").fetchone() == ("duckdb 和 阜新",)
    con.close()


def test_enable_search_on_a_database_without_search_tables(tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    shutil.copy(MIGRATIONS_DIR / "001_initial.sql", migrations)
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, migrations)
    con.close()
    con = duckdb.connect(str(path), read_only=True)
    assert enable_search(con) is False
    assert not index_status(con).has_index
    con.close()


def test_a_database_before_the_names_index_is_migrated_by_a_reindex(tmp_path, capsys):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for path in MIGRATIONS_DIR.glob("00*.sql"):  # every migration before 010
        shutil.copy(path, migrations)
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    migrate(con, migrations)
    con.close()
    con = duckdb.connect(str(db), read_only=True)
    assert not index_status(con).has_index  # a read-only connection cannot add the names columns
    con.close()
    assert main(["search", "风电", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "no search index" in err and "newsduck search --reindex" in err
    assert main(["search", "风电", "--reindex", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "search index: 0 articles segmented" in err and out == "no articles match '风电'\n"


def test_macro_from_newsduck_sql(fixture_db, capsys):
    code = main(["sql", "SELECT article_id, title, site, published_at, score FROM search_articles('招商引资')",
                 "--db", str(fixture_db), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)
    assert [r["title"] for r in rows] == ["清河门区 汨汨绿电涌动 转型前路光明"] * 2
    assert {r["site"] for r in rows} == {"epaper.lnd.com.cn", "file"}
    assert rows[0]["score"] >= rows[1]["score"] > 0
    code = main(["sql", "SELECT count(*) AS n FROM search_articles_tokens('玛瑙')", "--db", str(fixture_db)])
    assert code == 0 and "(1 row)" in capsys.readouterr().out


def test_fts_extension_index_on_request_for_match_bm25_in_sql(fixture_db, tmp_path, capsys):
    """`newsduck search --fts-index` builds DuckDB fts's own index (extension loaded offline from its package);
    newsduck sql then loads the extension, so match_bm25 over the segmented words works in ad-hoc SQL."""
    db = tmp_path / "fts.duckdb"
    shutil.copy(fixture_db, db)
    assert main(["search", "--fts-index", "--db", str(db)]) == 0
    assert "fts index: built in" in capsys.readouterr().err
    code = main(["sql", "SELECT a.title, fts_main_article_search.match_bm25(s.article_id, segment('玛瑙')) AS score "
                 "FROM article_search s JOIN articles a USING (article_id) WHERE score IS NOT NULL",
                 "--db", str(db), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)
    macro = main(["sql", "SELECT title FROM search_articles('玛瑙')", "--db", str(db), "--format", "json"])
    assert macro == 0
    assert sorted(r["title"] for r in rows) == sorted(r["title"] for r in json.loads(capsys.readouterr().out))
    assert rows and all(r["score"] > 0 for r in rows)


# ---------------------------------------------------------------- CLI

def test_cli_search_table(fixture_db, capsys):
    code = main(["search", "招商引资", "--db", str(fixture_db)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == " 1. 清河门区 汨汨绿电涌动 转型前路光明  (in: 跑好第一棒 冲刺开门红)"
    assert "【招商引资】" in out and "\033[" not in out  # not a terminal: brackets, not ANSI bold
    assert "2023-03-07 · epaper.lnd.com.cn · score" in out and EPAPER_URL in out
    assert lines[-1] == "(2 results)"


def test_cli_search_json_with_filters(fixture_db, capsys):
    code = main(["search", "阜新", "--site", "liaoshen-news.cn", "--since", "2024-01-01", "--limit", "3",
                 "--format", "json", "--db", str(fixture_db)])
    out, _ = capsys.readouterr()
    assert code == 0
    hits = json.loads(out)
    assert [h["url"] for h in hits] == [LIAOSHEN_URL]
    assert hits[0]["published_date"] == "2024-11-05" and hits[0]["rank"] == 1 and "【阜新】" in hits[0]["snippet"]
    assert set(hits[0]) >= {"article_id", "title", "published_at", "site", "score", "snippet"}


def test_cli_search_no_match_and_usage_errors(fixture_db, capsys):
    assert main(["search", "量子计算机", "--db", str(fixture_db)]) == 0
    assert capsys.readouterr().out == "no articles match '量子计算机'\n"
    assert main(["search", "--db", str(fixture_db)]) == 2
    assert "say what to search for" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["search", "x", "--since", "yesterday"])
    assert "expected a date like" in capsys.readouterr().err


def test_cli_reports_pending_articles_and_reindex_catches_up(tmp_path, capsys):
    db = tmp_path / "n.duckdb"
    con = connect(db)
    run = start_run(con, flow_run_id=None, command="test", inputs=1)
    load_batch(con, run, [story("https://a.cn/1.html", "风电", "风电项目。")])  # loaded, not indexed
    con.close()
    assert main(["search", "风电", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("no articles match")
    assert "1 of 1 articles are not in the search index yet" in err and "--reindex" in err
    assert main(["search", "风电", "--reindex", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "search index: 1 articles segmented" in err and "not in the search index" not in err
    assert out.startswith(" 1. 风电")


def test_search_help_has_an_example(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "--help"])
    assert exit_info.value.code == 0
    assert "example:" in capsys.readouterr().out
