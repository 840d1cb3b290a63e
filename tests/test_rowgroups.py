"""Merging small row groups (warehouse.rowgroups): real DuckDB files, each append in a write connection of its own
as a batch of a crawl is, so that every append is a row group of its own."""

from __future__ import annotations

import duckdb
import pytest

from bench.batch_memory import generated_pages
from flows import batches
from flows.batches import extract_batch, load_pages
from warehouse import rowgroups
from warehouse.db import connect
from warehouse.rowgroups import MERGED_TABLES, chunks_due, merge_small_row_groups, row_groups, small_row_groups
from warehouse.runs import start_run


def append_bands(path, first: int, count: int) -> None:
    with connect(path) as con:
        con.execute("INSERT INTO article_minhash_bands SELECT n % 32, n * 7919, 'a' || (n // 32) "
                    "FROM range(?, ?) t(n)", [first, first + count])


def bands(path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT band, band_hash, article_id FROM article_minhash_bands ORDER BY ALL").fetchall()


def sizes(path, table: str) -> list[int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [group.rows for group in row_groups(con, table)]


def test_each_batch_is_a_row_group_and_a_merge_makes_them_one_with_the_same_rows(tmp_path):
    path = tmp_path / "w.duckdb"
    for n in range(10):
        append_bands(path, n * 100, 100)
    assert sizes(path, "article_minhash_bands") == [100] * 10
    before = bands(path)

    with connect(path) as con:
        assert "article_minhash_bands" in chunks_due(con)
        assert merge_small_row_groups(con, "article_minhash_bands") == 1000
    assert sizes(path, "article_minhash_bands") == [1000]  # the emptied row groups are gone after the checkpoint
    assert bands(path) == before
    with connect(path) as con:
        assert chunks_due(con) == {}
        assert merge_small_row_groups(con, "article_minhash_bands") == 0  # nothing left to merge


def test_a_merge_takes_at_most_the_target_rows_and_leaves_large_row_groups_alone(tmp_path):
    path = tmp_path / "w.duckdb"
    append_bands(path, 0, 500)  # not small for a target of 400: at least half of it
    for n in range(6):
        append_bands(path, 500 + n * 100, 100)
    before = bands(path)
    with connect(path) as con:
        assert [g.rows for g in small_row_groups(con, "article_minhash_bands", 400)] == [100] * 6
        assert merge_small_row_groups(con, "article_minhash_bands", 400) == 400
    assert sizes(path, "article_minhash_bands") == [500, 100, 100, 400]
    assert bands(path) == before
    with connect(path) as con:
        assert merge_small_row_groups(con, "article_minhash_bands", 400) == 200
    assert sizes(path, "article_minhash_bands") == [500, 400, 200]
    assert bands(path) == before


def test_a_table_with_a_primary_key_and_a_unique_key_keeps_both_after_a_merge(tmp_path):
    path = tmp_path / "w.duckdb"
    for n in range(rowgroups.MERGE_AFTER_SMALL):
        with connect(path) as con:
            con.execute("INSERT INTO search_terms SELECT n, 'word' || n FROM range(?, ?) t(n)", [n * 50, n * 50 + 50])
    with connect(path) as con:
        assert list(chunks_due(con)) == ["search_terms"]
        assert merge_small_row_groups(con, "search_terms") == 50 * rowgroups.MERGE_AFTER_SMALL
    assert sizes(path, "search_terms") == [50 * rowgroups.MERGE_AFTER_SMALL]
    with connect(path) as con:
        assert con.execute("SELECT term, termid FROM search_terms WHERE term IN ('word0', 'word399') ORDER BY termid"
                           ).fetchall() == [("word0", 0), ("word399", 399)]
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO search_terms VALUES (1000, 'word7')")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO search_terms VALUES (7, 'another word')")


class FailingInsert:
    """A real connection whose re-insert of the merged rows fails, as a crash or a full disk would."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql, *args):
        if sql.startswith('INSERT INTO "article_minhash_bands"'):
            raise duckdb.IOException("disk full")
        return self.con.execute(sql, *args)


def test_a_merge_that_fails_leaves_the_table_as_it_was(tmp_path):
    path = tmp_path / "w.duckdb"
    for n in range(4):
        append_bands(path, n * 100, 100)
    before = bands(path)
    with connect(path) as con:
        with pytest.raises(duckdb.IOException):
            merge_small_row_groups(FailingInsert(con), "article_minhash_bands")
        assert con.execute("SELECT count(*) FROM article_minhash_bands").fetchone()[0] == 400
    assert bands(path) == before
    assert sizes(path, "article_minhash_bands") == [100] * 4


def test_batches_merge_the_scanned_tables_after_closing_and_lookups_still_find_earlier_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(rowgroups, "MERGE_AFTER_SMALL", 3)
    db_path = str(tmp_path / "w.duckdb")
    with connect(db_path) as con:
        run_id = start_run(con, flow_run_id=None, command="test", inputs=0)
    merged = []
    real_merge = batches.merge_chunk
    monkeypatch.setattr(batches, "merge_chunk", lambda con, table, chunk: merged.append(
        (table, con.execute("SELECT count(*) FROM articles").fetchone()[0])) or real_merge(con, table, chunk))
    checks = []
    real_due = batches.chunks_due
    monkeypatch.setattr(batches, "chunks_due", lambda con: checks.append(
        con.execute("SELECT count(*) FROM articles").fetchone()[0]) or real_due(con))

    for first in range(1, 21, 4):  # 5 batches of 4 articles
        batch = extract_batch.fn(generated_pages(range(first, first + 4)))
        assert load_pages.fn(db_path, run_id, batch).counts.new == 4
    # Looked at every third batch, after its search refresh, in a connection of their own that sees the batch
    # stored; only then (finding the row groups reads the tables whole).
    assert merged == [(table, 12) for table in MERGED_TABLES]
    assert checks == [12]
    with connect(db_path) as con:
        for table in MERGED_TABLES:
            assert len(row_groups(con, table)) == 3, table  # the first three batches' rows, then one per batch

    # an exact copy of the first batch's first article, at another URL: found through the merged fingerprints
    copy = generated_pages([1], origin="http://127.0.0.3:8000")
    load_pages.fn(db_path, run_id, extract_batch.fn(copy))
    with duckdb.connect(db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 21
        assert con.execute("SELECT a.url FROM article_relations r JOIN articles a ON a.article_id = r.article_id "
                           "WHERE r.relation = 'exact_duplicate'").fetchall() == [(copy[0].url,)]
        assert con.execute("SELECT count(*) FROM article_fingerprints").fetchone()[0] == 21
        assert con.execute("SELECT count(*) FROM search_terms").fetchone()[0] \
            == con.execute("SELECT count(DISTINCT term) FROM search_terms").fetchone()[0]
