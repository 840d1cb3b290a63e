"""Rows prepared before the write lock (warehouse.prepare) load exactly as rows the loader makes itself."""

from __future__ import annotations

import copy
from datetime import timedelta

import duckdb
import pytest

from parsers.records import ArticleRecord, Author, Link, SubArticle
from tests.test_warehouse import T0, article, gold_records, result
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.models import ErrorInfo, PageResult
from warehouse.prepare import merge_prepared, prepare_pages, prepared_batch
from warehouse.raw import read_body
from warehouse.runs import start_run

# Every table a load writes, with the columns that do not depend on when or by which run it happened.
COMPARED = {
    "articles": "* EXCLUDE (first_seen_at, updated_at, run_id)",
    "paragraphs": "*", "people": "*", "article_people": "*", "images": "*", "links": "* EXCLUDE (run_id)",
    "raw_pages": "* EXCLUDE (first_seen_at)", "sources": "source_id, name",
    "fetches": "* EXCLUDE (fetch_id, run_id)", "errors": "input, stage, error_type, message",
    "article_fingerprints": "* EXCLUDE (computed_at)", "article_minhash_bands": "*", "article_relations": "* EXCLUDE (detected_at)",
}


def batches() -> list[list[PageResult]]:
    """New, repeated, changed, duplicated-in-batch, broken and non-article inputs, with sub-articles and reposts."""
    gold = [result(record, body=body) for record, body in gold_records()]
    first = [result(article(n, paragraphs=12)) for n in range(1, 6)]
    changed = article(2, paragraphs=12, sub_articles=[SubArticle("副篇", [Author("李明", "reporter")], ["副篇正文。"])])
    changed.title = "改过的标题"
    broken = article(7)
    broken.authors = ["not an Author"]
    copy_of_1 = article(8, paragraphs=12)
    copy_of_1.body = copy.deepcopy(article(1, paragraphs=12).body)
    copy_of_1.original_url = "https://news.example.cn/a/1.html"
    later = T0 + timedelta(hours=1)
    list_page = ArticleRecord(url="https://news.example.cn/list.html", is_article=False, title="列表",
                              links=[Link("https://news.example.cn/a/1.html", "第1篇文章")])
    second = [
        result(article(1, paragraphs=12), fetched_at=later),  # unchanged
        result(changed, fetched_at=later),                    # updated, gains a sub-article
        result(article(6)), result(article(6, title="同一键的第二次")),  # same key twice: the last one wins
        result(broken),                                       # cannot be represented: its load error
        result(copy_of_1),                                    # a repost of article 1 (cites it, same body)
        result(list_page),                                    # not an article: its links
        result(None, url="https://news.example.cn/bad", body=b"\x00\x01",
               error=ErrorInfo("https://news.example.cn/bad", "decode", "BinaryInputError", "binary body")),
    ]
    return [gold, first, second]


def load_all(path, prepared: bool, source_id: str | None) -> duckdb.DuckDBPyConnection:
    con = connect(path)
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    for batch in batches():
        items = prepare_pages(batch, source_id=source_id) if prepared else batch
        load_batch(con, run, items, source_id=source_id)
    return con


@pytest.mark.parametrize("source_id", [None, "portal"])
def test_prepared_rows_load_the_same_tables(tmp_path, source_id):
    plain = load_all(tmp_path / "plain.duckdb", prepared=False, source_id=source_id)
    prepared = load_all(tmp_path / "prepared.duckdb", prepared=True, source_id=source_id)
    for table, columns in COMPARED.items():
        rows = [con.execute(f"SELECT {columns} FROM {table}").fetchall() for con in (plain, prepared)]
        assert sorted(rows[1], key=repr) == sorted(rows[0], key=repr), table
        assert rows[0] or (table == "sources" and source_id is None), f"{table} is empty"
    assert prepared.execute("SELECT count(*) FROM article_relations WHERE relation = 'repost_of'").fetchone()[0] >= 1
    assert prepared.execute("SELECT count(*) FROM articles WHERE parent_article_id IS NOT NULL").fetchone()[0] >= 1


def test_merged_prepared_batches_load_as_one_batch_of_all_their_inputs(tmp_path):
    """A lake's load of the batches extracted ahead of it: the batches' prepared tables joined are the loader's
    (no row built again in the write turn) and store what one batch of all their inputs stores."""
    merged = merge_prepared([page for batch in batches() for page in prepare_pages(batch)])
    assert prepared_batch(merged) is not None
    together = prepare_pages([item for batch in batches() for item in batch])
    for name, table in together[0].batch.tables.items():
        assert merged[0].batch.tables[name].equals(table), name
    cons = [connect(tmp_path / f"{name}.duckdb") for name in ("merged", "together")]
    for con, pages in zip(cons, (merged, [item for batch in batches() for item in batch])):
        load_batch(con, start_run(con, flow_run_id=None, command="test", inputs=0), pages)
    for table, columns in COMPARED.items():
        rows = [con.execute(f"SELECT {columns} FROM {table}").fetchall() for con in cons]
        assert sorted(rows[0], key=repr) == sorted(rows[1], key=repr), table


def test_merged_batches_store_a_body_both_had_once(tmp_path):
    body = b"<html>same page bytes</html>"
    merged = merge_prepared(prepare_pages([result(article(1), body=body)]) + prepare_pages([result(article(2), body=body)]))
    assert merged[0].batch.tables["raw_pages"].num_rows == 1
    con = connect(tmp_path / "db.duckdb")
    loaded = load_batch(con, start_run(con, flow_run_id=None, command="test", inputs=0), merged)
    assert loaded.new == 2 and con.execute("SELECT count(*) FROM raw_pages").fetchone()[0] == 1


def test_prepared_bodies_are_stored_once_and_read_back(tmp_path):
    con = connect(tmp_path / "db.duckdb")
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    same_body = [result(article(n), body=b"<html>same page bytes</html>") for n in (1, 2)]
    pages = prepare_pages(same_body)
    assert pages[0].raw is pages[1].raw  # compressed once for the batch
    load_batch(con, run, pages)
    assert con.execute("SELECT count(*) FROM raw_pages").fetchone()[0] == 1
    assert read_body(con, pages[0].body_sha256) == b"<html>same page bytes</html>"


def test_prepared_rows_refuse_another_source(tmp_path):
    con = connect(tmp_path / "db.duckdb")
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    pages = prepare_pages([result(article(1))], source_id="a")
    with pytest.raises(ValueError, match="prepared for source 'a'"):
        load_batch(con, run, pages, source_id="b")
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_prepared_rows_load_again_after_a_rolled_back_attempt(tmp_path):
    con = connect(tmp_path / "db.duckdb")
    run = start_run(con, flow_run_id=None, command="test", inputs=0)
    pages = prepare_pages([result(article(1)), result(article(1))])
    con.execute("CREATE TABLE block_images AS SELECT 1")  # make the first attempt fail inside the transaction
    con.execute("ALTER TABLE images RENAME TO images_away")
    failed = load_batch(con, run, pages)
    assert failed.errors == 2 and con.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    con.execute("ALTER TABLE images_away RENAME TO images")
    again = load_batch(con, run, pages)
    assert (again.new, again.duplicates) == (1, 1)
    assert con.execute("SELECT count(*) FROM images").fetchone()[0] == 1
