"""The DuckDB warehouse, on real database files: migrations, bulk loads, idempotency, failures, locks, read-only SQL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from parsers.records import ArticleRecord, Author, Block, Image, Link, SubArticle
from warehouse import ids
from warehouse.db import ReadOnlyQueryError, WarehouseError, WarehouseLockedError, connect
from warehouse.errors import MigrationError
from warehouse.load import load_batch
from warehouse.migrate import list_migrations, migrate
from warehouse.models import ErrorInfo, FetchInfo, LoadCounts, PageResult
from warehouse.queries import display_width, format_table, run_query, to_csv, to_json
from warehouse.raw import decompress_body, read_body
from warehouse.rows import parse_published
from warehouse.runs import finish_run, record_errors, register_source, start_run

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
SCHEMA_DOC = ROOT / "docs" / "schema.md"
DATA_TABLES = ("articles", "paragraphs", "people", "article_people", "images", "links", "raw_pages", "sources")
T0 = datetime(2024, 11, 5, 2, 0, tzinfo=timezone.utc)


# ---------------------------------------------------------------- helpers

def article(n: int, *, paragraphs: int = 3, title: str | None = None, authors=None, images=None,
            sub_articles=None, canonical_url: str | None = None, published_at: str | None = "2024-11-05T08:30:00+08:00",
            url: str | None = None) -> ArticleRecord:
    body = [Block("paragraph", f"第{n}篇第{i}段,阜新玛瑙产业。") for i in range(1, paragraphs + 1)]
    if paragraphs >= 2:
        body.insert(1, Block("heading", f"小标题{n}"))
    return ArticleRecord(
        url=url or f"https://news.example.cn/a/{n}.html",
        title=title or f"第{n}篇文章",
        published_at=published_at,
        authors=[Author("王晓宁", "reporter"), Author(f"记者{n}", "photographer")] if authors is None else authors,
        source_name="辽沈新闻",
        canonical_url=canonical_url,
        language="zh",
        body=body,
        images=[Image(f"https://img.example.cn/{n}.jpg", f"图{n}", "李冬岩 摄")] if images is None else images,
        sub_articles=sub_articles or [],
    )


def result(record: ArticleRecord | None, *, url: str | None = None, body: bytes | None = None,
           fetched_at: datetime = T0, error: ErrorInfo | None = None, status: int | None = 200) -> PageResult:
    url = url or (record.url if record else None)
    body = body if body is not None else (f"<html>{record.title}</html>".encode() if record else None)
    fetch = FetchInfo(input=url, url=url, path=None, fetched_at=fetched_at, status=status,
                      content_type="text/html; charset=utf-8", charset="utf-8",
                      bytes=len(body) if body else 0, elapsed_ms=12.5,
                      body_sha256=ids.sha256_hex(body) if body else None)
    return PageResult(fetch=fetch, body=body, record=record, error=error)


def table_counts(con: duckdb.DuckDBPyConnection, tables=DATA_TABLES) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()


def counts(**kw) -> LoadCounts:
    return LoadCounts(**kw)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "wh" / "newsduck.duckdb"
    con = connect(path)
    yield con, path
    con.close()


def gold_records() -> list[tuple[ArticleRecord, bytes]]:
    """The parser gold files turned into records (sections become heading blocks), with the real page bytes."""
    out = []
    for gold_path in sorted(PAGES.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        body = [Block("heading", s) for s in gold["sections"][:1]] + [Block("paragraph", p) for p in gold["paragraphs"]]
        body += [Block("heading", s) for s in gold["sections"][1:]]
        record = ArticleRecord(
            url=gold["url"], is_article=gold["is_article"], title=gold["title"], kicker=gold["kicker"],
            subtitle=gold["subtitle"], published_at=gold["published_at"],
            authors=[Author(a["name"], a["role"]) for a in gold["authors"]],
            source_name=gold["source_name"], original_url=gold["original_url"], canonical_url=gold["canonical_url"],
            language=gold["language"], body=body,
            images=[Image(i["src"], i["caption"], i["credit"]) for i in gold["images"]],
            sub_articles=[SubArticle(s["title"], [Author(a["name"], a["role"]) for a in s.get("authors", [])],
                                     s["paragraphs"]) for s in gold["sub_articles"]],
            links=[Link(l["url"], l["title"]) for l in gold["links"] or []],
        )
        out.append((record, gold_path.with_suffix(".html").read_bytes()))
    return out


def load_gold(con) -> str:
    run_id = start_run(con, flow_run_id="flow-1", command="test", inputs=7)
    results = [result(record, body=body) for record, body in gold_records()]
    results.append(result(None, url="https://www.lndj.gov.cn/broken", body=b"\x00\x01\x02",
                          error=ErrorInfo("https://www.lndj.gov.cn/broken", "decode", "BinaryInputError", "binary body")))
    got = load_batch(con, run_id, results)
    finish_run(con, run_id, got, "completed")
    return run_id


# ---------------------------------------------------------------- migrations

def test_connect_creates_parent_dirs_and_records_every_migration(tmp_path):
    path = tmp_path / "a" / "b" / "newsduck.duckdb"
    con = connect(path)
    versions = con.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    assert versions == [(m.version, m.name) for m in list_migrations()]
    assert versions[0] == (1, "initial")
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema='main'").fetchall()}
    assert set(DATA_TABLES) | {"fetches", "runs", "errors", "schema_version", "article_people_v"} <= tables
    con.close()
    assert path.exists()


def test_migrations_are_idempotent(db):
    con, path = db
    version = migrate(con)
    assert migrate(con) == version == list_migrations()[-1].version
    con.close()
    con = connect(path)  # a second write connection migrates again: nothing to do
    assert one(con, "SELECT count(*) FROM schema_version") == (len(list_migrations()),)
    con.close()


def test_failing_migration_rolls_back_and_keeps_version(tmp_path):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    (migrations / "002_broken.sql").write_text("CREATE TABLE b (x INTEGER);\nINSERT INTO a VALUES ('not a number');")
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    with pytest.raises(MigrationError, match="002_broken.sql"):
        migrate(con, migrations)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone() == (1,)
    assert one(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'b'") == (0,)
    (migrations / "002_broken.sql").write_text("CREATE TABLE b (x INTEGER);")
    assert migrate(con, migrations) == 2
    con.close()


def test_misnamed_migration_file_is_refused(tmp_path):
    (tmp_path / "1_bad.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNN_name.sql"):
        list_migrations(tmp_path)


# ---------------------------------------------------------------- new / unchanged / updated

def test_new_then_unchanged_then_updated(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=3)
    records = [article(n) for n in range(3)]
    assert load_batch(con, run, [result(r) for r in records]) == counts(inputs=3, new=3)
    # same content, fetched again later: unchanged
    later = T0 + timedelta(hours=5)
    assert load_batch(con, run, [result(r, fetched_at=later) for r in records]) == counts(inputs=3, unchanged=3)
    records[1].title = "改过的标题"
    assert load_batch(con, run, [result(r) for r in records]) == counts(inputs=3, updated=1, unchanged=2)
    outcomes = con.execute("SELECT outcome, count(*) FROM fetches GROUP BY ALL ORDER BY 1").fetchall()
    assert outcomes == [("new", 3), ("unchanged", 5), ("updated", 1)]


def test_loading_twice_leaves_every_table_identical(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=6)
    batch = [result(article(n, sub_articles=[SubArticle("县区", [Author("张三", "reporter")], ["本报讯 一", "二"])]))
             for n in range(4)]
    batch.append(result(ArticleRecord(url="https://news.example.cn/list", is_article=False,
                                      links=[Link("https://news.example.cn/a/1.html", "一")])))
    load_batch(con, run, batch)
    first = table_counts(con)
    snapshot = con.execute("SELECT * FROM articles ORDER BY article_id").fetchall()
    second_run = start_run(con, flow_run_id=None, command="test", inputs=6)
    assert load_batch(con, second_run, batch) == counts(inputs=5, unchanged=4, not_article=1)
    assert table_counts(con) == first
    assert con.execute("SELECT * FROM articles ORDER BY article_id").fetchall() == snapshot
    assert one(con, "SELECT count(DISTINCT run_id) FROM links") == (1,)  # unchanged link list not rewritten
    assert one(con, "SELECT count(*) FROM fetches") == (10,)
    assert first == {"articles": 8, "paragraphs": 4 * 4 + 4 * 2, "people": 1 + 4 + 1, "article_people": 4 * 2 + 4,
                     "images": 4, "links": 1, "raw_pages": 5, "sources": 0}


def test_content_hash_ignores_fetch_facts_and_key_urls():
    a, b = article(1), article(1)
    b.url, b.parser_version, b.charset = "https://mirror.example.cn/x", "9.9", "gb18030"
    assert ids.content_sha256(ids.record_content(a)) == ids.content_sha256(ids.record_content(b))
    b.body[0].text += "!"
    assert ids.content_sha256(ids.record_content(a)) != ids.content_sha256(ids.record_content(b))


def test_update_replaces_children_and_keeps_first_seen(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=1)
    subs = [SubArticle(f"县区{i}", [Author(f"通讯员{i}", "correspondent")], [f"本报讯 {i}"]) for i in range(3)]
    record = article(7, paragraphs=5, sub_articles=subs)
    load_batch(con, run, [result(record)])
    article_id = ids.article_id_for(record.url)
    first_seen, updated_at = one(con, "SELECT first_seen_at, updated_at FROM articles WHERE article_id = ?", [article_id])
    assert updated_at is None

    record.body = [Block("paragraph", "只剩一段")]
    record.authors = [Author("侯悦林", "reporter")]
    record.images = []
    record.sub_articles = [SubArticle("新县区", [], ["本报讯 新"])]
    run2 = start_run(con, flow_run_id=None, command="test", inputs=1)
    assert load_batch(con, run2, [result(record)]) == counts(inputs=1, updated=1)

    row = one(con, "SELECT first_seen_at, updated_at, run_id, body_text, char_count FROM articles WHERE article_id = ?",
              [article_id])
    assert row[0] == first_seen and row[1] is not None and row[1] >= first_seen
    assert row[2:] == (run2, "只剩一段", 4)
    assert con.execute("SELECT seq, kind, text FROM paragraphs WHERE article_id = ?", [article_id]).fetchall() == [
        (1, "paragraph", "只剩一段")]
    assert con.execute("SELECT name, role FROM article_people_v WHERE article_id = ?", [article_id]).fetchall() == [
        ("侯悦林", "reporter")]
    assert one(con, "SELECT count(*) FROM images WHERE article_id = ?", [article_id]) == (0,)
    subs_now = con.execute(
        "SELECT article_id, sub_seq, title, first_seen_at FROM articles WHERE parent_article_id = ?", [article_id]
    ).fetchall()
    assert subs_now == [(ids.sub_article_id_for(article_id, 1), 1, "新县区", first_seen)]
    # no orphans left from the three old sub-articles
    for table in ("paragraphs", "article_people", "images"):
        assert one(con, f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
                        "(SELECT 1 FROM articles a WHERE a.article_id = t.article_id)") == (0,)


def test_image_without_src_loads(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=1)
    record = article(1, images=[Image(None, "阜新玛瑙城", "李冬岩 摄"), Image("https://img.example.cn/2.jpg")])
    assert load_batch(con, run, [result(record)]) == counts(inputs=1, new=1)
    assert con.execute("SELECT seq, src, caption, credit FROM images ORDER BY seq").fetchall() == [
        (1, None, "阜新玛瑙城", "李冬岩 摄"), (2, "https://img.example.cn/2.jpg", None, None)]


def test_sub_articles_are_rows_with_parent(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=1)
    subs = [SubArticle("阜新县 创建百亿园区", [Author("张三", "reporter")], ["本报讯 大屏幕上", "第二段"]),
            SubArticle("细河区 项目建设", [], ["本报讯 细河区"])]
    record = article(3, sub_articles=subs, published_at="2023-03-07")
    assert load_batch(con, run, [result(record)]) == counts(inputs=1, new=1)
    parent_id = ids.article_id_for(record.url)
    rows = con.execute("""SELECT article_id, sub_seq, title, body_text, url, site, published_date, published_precision
                          FROM articles WHERE parent_article_id = ? ORDER BY sub_seq""", [parent_id]).fetchall()
    assert rows == [
        (ids.sub_article_id_for(parent_id, 1), 1, "阜新县 创建百亿园区", "本报讯 大屏幕上\n\n第二段", record.url,
         "news.example.cn", date(2023, 3, 7), "date"),
        (ids.sub_article_id_for(parent_id, 2), 2, "细河区 项目建设", "本报讯 细河区", record.url,
         "news.example.cn", date(2023, 3, 7), "date"),
    ]
    assert con.execute("SELECT seq, kind, text FROM paragraphs WHERE article_id = ? ORDER BY seq",
                       [rows[0][0]]).fetchall() == [(1, "paragraph", "本报讯 大屏幕上"), (2, "paragraph", "第二段")]
    assert con.execute("SELECT name, role FROM article_people_v WHERE article_id = ?", [rows[0][0]]).fetchall() == [
        ("张三", "reporter")]
    # the parent's body does not contain the sub-articles
    assert "本报讯" not in one(con, "SELECT body_text FROM articles WHERE article_id = ?", [parent_id])[0]


def test_same_key_twice_in_a_batch_last_one_wins(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=3)
    first, last = article(1, title="旧标题"), article(1, title="新标题")
    got = load_batch(con, run, [result(first), result(article(2)), result(last)])
    assert got == counts(inputs=3, new=2, duplicates=1)
    assert one(con, "SELECT title FROM articles WHERE article_id = ?", [ids.article_id_for(first.url)]) == ("新标题",)
    assert con.execute("SELECT outcome FROM fetches ORDER BY fetch_id").fetchall() == [("duplicate",), ("new",), ("new",)]


def test_canonical_url_is_the_key(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=2)
    canonical = "https://www.liaoshen-news.cn/article/2024/11/05/748215.html"
    a = article(1, canonical_url=canonical, url=canonical + "?from=weixin")
    b = article(1, canonical_url=canonical, url=canonical + "?from=app")
    assert load_batch(con, run, [result(a)]) == counts(inputs=1, new=1)
    assert load_batch(con, run, [result(b)]) == counts(inputs=1, unchanged=1)
    assert one(con, "SELECT article_id, site FROM articles") == (ids.article_id_for(canonical), "www.liaoshen-news.cn")


def test_file_inputs_without_url_use_the_path(db, tmp_path):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=1)
    record = article(1)
    record.url = None
    path = str(tmp_path / "page.html")
    res = result(record, url="x")
    res.fetch.url, res.fetch.path, res.fetch.input = None, path, path
    assert load_batch(con, run, [res]) == counts(inputs=1, new=1)
    assert one(con, "SELECT article_id, site, path, url FROM articles") == (ids.article_id_for(path), "file", path, None)


def test_published_at_variants():
    china = timezone(timedelta(hours=8))
    bare = parse_published("2023-03-07")
    assert (bare.at, bare.day, bare.precision) == (datetime(2023, 3, 7, tzinfo=china), date(2023, 3, 7), "date")
    full = parse_published("2024-11-03T10:55:33+08:00")
    assert (full.at, full.day, full.precision) == (datetime(2024, 11, 3, 10, 55, 33, tzinfo=china), date(2024, 11, 3), "datetime")
    naive = parse_published("2024-11-03 23:30:00")
    assert naive.at == datetime(2024, 11, 3, 23, 30, tzinfo=china) and naive.day == date(2024, 11, 3)
    assert parse_published("11月5日").precision is None and parse_published(None).at is None


def test_published_columns_in_database(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=2)
    load_batch(con, run, [result(article(1, published_at="2023-03-07")),
                          result(article(2, published_at="2024-11-03T23:30:00+08:00"))])
    rows = con.execute("""SELECT published_date, published_precision, published_raw,
                                 CAST(published_at AT TIME ZONE 'Asia/Shanghai' AS VARCHAR)
                          FROM articles ORDER BY published_date""").fetchall()
    assert rows == [(date(2023, 3, 7), "date", "2023-03-07", "2023-03-07 00:00:00"),
                    (date(2024, 11, 3), "datetime", "2024-11-03T23:30:00+08:00", "2024-11-03 23:30:00")]


# ---------------------------------------------------------------- not articles, errors, raw pages

def test_non_article_links_replace_only_when_changed(db):
    con, _ = db
    run1 = start_run(con, flow_run_id=None, command="test", inputs=1)
    page = ArticleRecord(url="http://www.ffclzx.cn/fanfujishi/", is_article=False,
                         links=[Link("http://www.ffclzx.cn/a/1.html", "一"), Link("http://www.ffclzx.cn/a/2.html", "二")])
    assert load_batch(con, run1, [result(page)]) == counts(inputs=1, not_article=1)
    run2 = start_run(con, flow_run_id=None, command="test", inputs=1)
    load_batch(con, run2, [result(page)])
    assert con.execute("SELECT DISTINCT run_id FROM links").fetchall() == [(run1,)]
    page.links = [Link("http://www.ffclzx.cn/a/3.html", "三")]
    run3 = start_run(con, flow_run_id=None, command="test", inputs=1)
    load_batch(con, run3, [result(page)])
    assert con.execute("SELECT page_url, seq, url, title, run_id FROM links").fetchall() == [
        ("http://www.ffclzx.cn/fanfujishi/", 1, "http://www.ffclzx.cn/a/3.html", "三", run3)]
    assert one(con, "SELECT count(*) FROM articles") == (0,)


def test_error_results_become_error_rows(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=3)
    parse_error = result(None, url="https://x.cn/bin", body=b"\x89PNG\r\n",
                         error=ErrorInfo("https://x.cn/bin", "decode", "BinaryInputError", "not text"))
    fetch_failed = result(None, url="https://x.cn/down", body=None, status=None)
    fetch_failed.fetch.error = "ConnectTimeout"
    fetch_failed.error = ErrorInfo("https://x.cn/down", "fetch", "ConnectTimeout", "timed out after 10s")
    got = load_batch(con, run, [parse_error, fetch_failed, result(article(1))])
    assert got == counts(inputs=3, new=1, errors=2)
    assert con.execute("SELECT input, stage, error_type, message FROM errors ORDER BY error_id").fetchall() == [
        ("https://x.cn/bin", "decode", "BinaryInputError", "not text"),
        ("https://x.cn/down", "fetch", "ConnectTimeout", "timed out after 10s"),
    ]
    assert con.execute("SELECT input, outcome, error, body_sha256 IS NULL FROM fetches ORDER BY fetch_id").fetchall() == [
        ("https://x.cn/bin", "error", None, False), ("https://x.cn/down", "error", "ConnectTimeout", True),
        ("https://news.example.cn/a/1.html", "new", None, False)]
    # the body that failed to parse is kept for a later re-parse
    assert read_body(con, ids.sha256_hex(b"\x89PNG\r\n")) == b"\x89PNG\r\n"


def test_failing_batch_rolls_back_completely_then_next_batch_loads(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=5)
    load_batch(con, run, [result(article(100))])
    before = table_counts(con, DATA_TABLES + ("fetches",))
    bad = result(article(2))
    bad.fetch.status = 2 ** 40  # does not fit fetches.status INTEGER: fails inside the transaction, after articles
    batch = [result(article(1)), bad, result(article(3))]
    got = load_batch(con, run, batch)
    assert got == counts(inputs=3, errors=3)
    assert table_counts(con, DATA_TABLES + ("fetches",)) == before
    errors = con.execute("SELECT input, stage, error_type, message FROM errors ORDER BY error_id").fetchall()
    assert [e[:2] for e in errors] == [(r.fetch.input, "load") for r in batch]
    assert all(e[2] == "ConversionException" and "rolled back" in e[3] for e in errors), errors
    # the connection is usable and the next batch loads normally
    bad.fetch.status = 200
    assert load_batch(con, run, batch) == counts(inputs=3, new=3)
    assert one(con, "SELECT count(*) FROM articles") == (4,)


def test_unrepresentable_record_fails_only_its_input(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=2)
    broken = article(5)
    broken.authors = ["not an Author"]  # a parser bug: the warehouse cannot build rows from it
    got = load_batch(con, run, [result(broken), result(article(6))])
    assert got == counts(inputs=2, new=1, errors=1)
    assert one(con, "SELECT input, stage, error_type FROM errors") == (broken.url, "load", "AttributeError")


def test_raw_pages_dedup_and_round_trip(db):
    con, _ = db
    run = start_run(con, flow_run_id=None, command="test", inputs=3)
    html = ("<html><body>" + "<p>阜新玛瑙产业链加速延伸</p>" * 2000 + "</body></html>").encode("gb18030")
    load_batch(con, run, [result(article(1), body=html), result(article(2), body=html)])
    load_batch(con, run, [result(article(3), body=html)])
    rows = con.execute("SELECT body_sha256, compression, bytes, octet_length(body) FROM raw_pages").fetchall()
    assert len(rows) == 1
    sha, compression, size, stored = rows[0]
    assert (sha, compression, size) == (ids.sha256_hex(html), "zstd", len(html)) and stored < len(html) // 10
    assert read_body(con, sha) == html
    blob = one(con, "SELECT body FROM raw_pages")[0]
    assert decompress_body("zstd", blob, size) == html and blob[:4] == b"\x28\xb5\x2f\xfd"  # a standard zstd frame
    assert one(con, "SELECT count(DISTINCT body_sha256) FROM articles") == (1,)


def test_source_id_creates_a_source_row(db):
    con, _ = db
    register_source(con, "lnd", name="辽宁日报", kind="epaper", start_url="http://epaper.lnd.com.cn/")
    run = start_run(con, flow_run_id=None, command="test", inputs=2)
    load_batch(con, run, [result(article(1))], source_id="lnd")
    load_batch(con, run, [result(article(2))], source_id="lnjsw")
    assert con.execute("SELECT source_id, name, kind FROM sources ORDER BY 1").fetchall() == [
        ("lnd", "辽宁日报", "epaper"), ("lnjsw", "lnjsw", None)]
    assert con.execute("SELECT source_id FROM articles ORDER BY title").fetchall() == [("lnd",), ("lnjsw",)]


def test_registering_a_known_source_again_updates_it(db):
    con, _ = db
    register_source(con, "lnd", name="辽宁日报", kind="epaper", start_url="http://epaper.lnd.com.cn/")
    register_source(con, "lnd", name="辽宁日报社", start_url="http://epaper.lnd.com.cn/new/")
    register_source(con, "lnd", kind="portal")
    assert con.execute("SELECT source_id, name, kind, start_url FROM sources").fetchall() == [
        ("lnd", "lnd", "portal", "http://epaper.lnd.com.cn/new/")]


def test_runs_and_record_errors(db):
    con, _ = db
    run = start_run(con, flow_run_id="prefect-123", command="ingest", inputs=10)
    assert one(con, "SELECT status, inputs, finished_at FROM runs WHERE run_id = ?", [run]) == ("running", 10, None)
    record_errors(con, run, [ErrorInfo("a", "fetch", "HTTP 404", "Not Found"), ErrorInfo("b", "parse", "ParseError", "x")])
    finish_run(con, run, LoadCounts(inputs=12, new=5, updated=1, unchanged=2, not_article=1, errors=2, duplicates=1), "completed")
    row = one(con, """SELECT flow_run_id, command, status, inputs, new, updated, unchanged, not_article, duplicates, errors,
                             finished_at >= started_at FROM runs WHERE run_id = ?""", [run])
    assert row == ("prefect-123", "ingest", "completed", 12, 5, 1, 2, 1, 1, 2, True)
    assert con.execute("SELECT input, stage, error_type FROM errors ORDER BY error_id").fetchall() == [
        ("a", "fetch", "HTTP 404"), ("b", "parse", "ParseError")]


def test_gold_pages_round_trip_field_by_field(db):
    con, _ = db
    load_gold(con)
    for record, _body in gold_records():
        key = record.canonical_url or record.url
        article_id = ids.article_id_for(key)
        row = con.execute("SELECT title, kicker, subtitle, source_name, original_url, canonical_url, published_raw "
                          "FROM articles WHERE article_id = ?", [article_id]).fetchone()
        if not record.is_article:
            assert row is None
            links = con.execute("SELECT url, title FROM links WHERE page_url = ? ORDER BY seq", [key]).fetchall()
            assert links == [(l.url, l.title) for l in record.links]
            continue
        assert row == (record.title, record.kicker, record.subtitle, record.source_name, record.original_url,
                       record.canonical_url, record.published_at)
        paragraphs = [r[0] for r in con.execute(
            "SELECT text FROM paragraphs WHERE article_id = ? AND kind = 'paragraph' ORDER BY seq", [article_id]).fetchall()]
        assert paragraphs == record.paragraphs
        headings = [r[0] for r in con.execute(
            "SELECT text FROM paragraphs WHERE article_id = ? AND kind = 'heading' ORDER BY seq", [article_id]).fetchall()]
        assert headings == record.sections
        people = set(con.execute("SELECT name, role FROM article_people_v WHERE article_id = ?", [article_id]).fetchall())
        assert people == {(a.name, a.role) for a in record.authors}
        images = con.execute("SELECT src, caption, credit FROM images WHERE article_id = ? ORDER BY seq",
                             [article_id]).fetchall()
        assert images == [(i.src, i.caption, i.credit) for i in record.images]
        subs = con.execute("SELECT title FROM articles WHERE parent_article_id = ? ORDER BY sub_seq", [article_id]).fetchall()
        assert [s[0] for s in subs] == [s.title for s in record.sub_articles]
    # the e-paper's seven district reports
    assert one(con, "SELECT count(*) FROM articles WHERE parent_article_id IS NOT NULL") == (7,)


# ---------------------------------------------------------------- locks and read-only access

def test_locked_database_names_the_file_and_pid(tmp_path):
    path = tmp_path / "newsduck.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(path)!r})
            print("holding", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseLockedError) as caught:
            connect(path)
        message = str(caught.value)
        assert message == (f"The database {path} is locked by another process (pid {holder.pid}) — "
                           "wait for it to finish or use --db.")
        assert caught.value.pid == holder.pid
        with pytest.raises(WarehouseLockedError):
            run_query(path, "SELECT 1", busy_timeout=0)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    connect(path).close()  # free again once the other process is gone


def test_read_only_connect_to_missing_file(tmp_path):
    with pytest.raises(WarehouseError, match=r"no database at .*nope\.duckdb; run `newsduck ingest` first"):
        connect(tmp_path / "nope.duckdb", read_only=True)
    assert not (tmp_path / "nope.duckdb").exists()


def test_not_a_duckdb_file(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("just text, not a database " * 100)
    with pytest.raises(WarehouseError, match="cannot open"):
        connect(path)


@pytest.mark.parametrize("sql, kind", [
    ("INSERT INTO people VALUES ('x', 'y')", "INSERT"),
    ("CREATE TABLE t (x INTEGER)", "CREATE"),
    ("DROP TABLE articles", "DROP"),
    ("COPY articles TO 'out.csv'", "COPY"),
    ("ATTACH 'other.duckdb' AS other", "ATTACH"),
    ("UPDATE articles SET title = 'x'", "UPDATE"),
    ("DELETE FROM articles", "DELETE"),
    ("SELECT 1; DROP TABLE articles", "DROP"),
    ("EXPLAIN ANALYZE DELETE FROM articles", "DELETE"),
    ("SET threads = 1", "SET"),
    ("INSTALL fts", "LOAD"),
])
def test_run_query_refuses_writes(db, sql, kind):
    con, path = db
    load_gold(con)
    con.close()
    before = run_query(path, "SELECT count(*) FROM articles")
    with pytest.raises(ReadOnlyQueryError) as caught:
        run_query(path, sql)
    assert str(caught.value) == (f"newsduck sql is read-only: {kind} statements are refused; "
                                 "use newsduck ingest to change data.")
    assert run_query(path, "SELECT count(*) FROM articles") == before


def test_run_query_reads(db):
    con, path = db
    load_gold(con)
    con.close()
    columns, rows = run_query(path, "SELECT site, count(*) AS n FROM articles WHERE parent_article_id IS NULL "
                                    "GROUP BY site ORDER BY site")
    assert columns == ["site", "n"]
    assert rows == [("epaper.lnd.com.cn", 1), ("www.ffclzx.cn", 1), ("www.liaoshen-news.cn", 1), ("www.lndj.gov.cn", 1)]
    assert run_query(path, "SELECT 1 AS a; SELECT 2 AS b") == (["b"], [(2,)])
    assert "articles" in [r[0] for r in run_query(path, "SHOW TABLES")[1]]
    assert run_query(path, "DESCRIBE people")[1][0][:2] == ("person_id", "VARCHAR")
    assert run_query(path, "EXPLAIN SELECT * FROM articles")[0]
    with pytest.raises(duckdb.Error):
        run_query(path, "SELECT * FROM no_such_table")


# ---------------------------------------------------------------- output formats

def test_format_table_aligns_cjk_as_double_width():
    text = format_table(["title", "n", "note"], [("阜新玛瑙", 12, None), ("ab", 3, "x\ny")])
    lines = text.splitlines()
    assert lines[-1] == "(2 rows)"
    assert lines[:2] == ["title    |  n | note", "---------+----+-----"]
    assert lines[2] == "阜新玛瑙 | 12 | NULL"
    assert lines[3] == "ab       |  3 | x y"
    # the column separators line up on screen
    separators = {tuple(i for i, cell in enumerate(_columns_of(line)) if cell in "|+" and cell) for line in lines[:4]}
    assert separators == {(9, 14)}


def _columns_of(line: str) -> list[str]:
    """The line as screen cells (a wide character fills two)."""
    cells = []
    for char in line:
        cells.append(char)
        if unicodedata.east_asian_width(char) in ("W", "F"):
            cells.append("")
    return cells


def test_format_table_cuts_long_cells():
    text = format_table(["body"], [("阜" * 100,)], max_width=20)
    assert display_width(text.splitlines()[2]) <= 20 and text.splitlines()[2].endswith("…")
    assert display_width("阜新a") == 5


def test_to_csv_and_to_json():
    rows = [("阜新", datetime(2024, 11, 3, 2, 55, 33, tzinfo=timezone.utc), date(2023, 3, 7), None, b"\x00\x01")]
    columns = ["site", "at", "day", "empty", "blob"]
    assert to_csv(columns, rows) == "site,at,day,empty,blob\n阜新,2024-11-03T02:55:33+00:00,2023-03-07,,AAE=\n"
    assert json.loads(to_json(columns, rows)) == [
        {"site": "阜新", "at": "2024-11-03T02:55:33+00:00", "day": "2023-03-07", "empty": None, "blob": "AAE="}]
    assert json.loads(to_json(["n"], [])) == []


# ---------------------------------------------------------------- docs/schema.md

def _doc_sql_blocks() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", SCHEMA_DOC.read_text(encoding="utf-8"), flags=re.S)


def test_schema_doc_queries_run_and_return_rows(db):
    con, path = db
    load_gold(con)
    con.close()
    blocks = _doc_sql_blocks()
    assert len(blocks) >= 5
    for sql in blocks:
        columns, rows = run_query(path, sql)
        assert columns and rows, f"no rows from:\n{sql}"


def test_schema_doc_explains_every_table_and_column(db):
    con, _ = db
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    sections = {m.group(1): m.group(2) for m in re.finditer(r"^### (\w+)\n(.*?)(?=^### |^## |\Z)", doc, flags=re.S | re.M)}
    tables = con.execute("SELECT table_name FROM information_schema.tables "
                         "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'").fetchall()
    for (table,) in tables:
        assert table in sections, f"docs/schema.md has no section for {table}"
        for (column,) in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                     [table]).fetchall():
            assert f"| `{column}` |" in sections[table], f"{table}.{column} is not explained in docs/schema.md"
    assert "```mermaid" in doc and "erDiagram" in doc
