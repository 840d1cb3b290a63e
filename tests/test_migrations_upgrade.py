"""Upgrading a real version-1 database (tests/fixtures/warehouse/schema-v1.duckdb.gz) to the current schema."""

from __future__ import annotations

import gzip
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from parsers.records import ArticleRecord, Author, Block
from warehouse import ids
from warehouse.db import connect
from warehouse.errors import MigrationError
from warehouse.load import load_batch
from warehouse.migrate import PYTHON_STEPS, list_migrations
from warehouse.models import FetchInfo, PageResult
from warehouse.runs import start_run

FIXTURE = Path(__file__).parent / "fixtures" / "warehouse" / "schema-v1.duckdb.gz"
V1_TABLES = ("sources", "runs", "fetches", "raw_pages", "articles", "paragraphs", "people", "article_people",
             "images", "links", "errors")
NEW_TABLES = ("article_relations", "article_fingerprints", "article_minhash_bands")
NEW_VIEWS = ("article_clusters", "articles_dedup", "article_overview", "daily_counts")

LNDJ = ids.article_id_for("https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html")
FANFU = ids.article_id_for("http://www.ffclzx.cn/fanfujishi/20241103/36257.html")
SITE_48101 = ids.article_id_for("http://127.0.0.1:8000/content/2024-11/content_48101.html")
SITE_48105 = ids.article_id_for("http://127.0.0.1:8000/content/2024-11/content_48105.html")
SITE_48126 = ids.article_id_for("http://127.0.0.1:8000/content/2024-11/content_48126.html")
EPAPER = ids.article_id_for("http://epaper.lnd.com.cn/html/2023-03/07/content_2318551.htm")


@pytest.fixture
def v1_path(tmp_path) -> Path:
    path = tmp_path / "upgrade" / "newsduck.duckdb"
    path.parent.mkdir()
    with gzip.open(FIXTURE, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def snapshot(con: duckdb.DuckDBPyConnection, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of the version-1 tables, in their version-1 columns, in a fixed order."""
    out = {}
    for table, names in columns.items():
        cols = ", ".join(f'"{c}"' for c in names)
        out[table] = con.execute(f"SELECT {cols} FROM {table} ORDER BY ALL").fetchall()
    return out


def v1_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    return {table: [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]
    ).fetchall()] for table in V1_TABLES}


def test_fixture_is_a_version_1_database_with_articles(v1_path):
    con = duckdb.connect(str(v1_path), read_only=True)
    assert con.execute("SELECT version, name FROM schema_version").fetchall() == [(1, "initial")]
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not tables & set(NEW_TABLES + NEW_VIEWS)
    assert con.execute("SELECT count(*), count(parent_article_id) FROM articles").fetchone() == (13, 7)
    con.close()


def test_connect_upgrades_in_place_and_keeps_every_old_row(v1_path):
    before = duckdb.connect(str(v1_path), read_only=True)
    columns = v1_columns(before)
    old_rows = snapshot(before, columns)
    before.close()
    assert sum(len(rows) for rows in old_rows.values()) > 150

    con = connect(v1_path)
    versions = con.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    assert versions == [(m.version, m.name) for m in list_migrations()]
    assert snapshot(con, columns) == old_rows

    objects = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables").fetchall())
    assert all(objects.get(t) == "BASE TABLE" for t in NEW_TABLES)
    assert all(objects.get(v) == "VIEW" for v in NEW_VIEWS)
    con.close()

    again = connect(v1_path)  # a second open has nothing left to do
    assert again.execute("SELECT count(*) FROM schema_version").fetchone() == (len(list_migrations()),)
    assert snapshot(again, columns) == old_rows
    again.close()


def test_upgrade_backfills_relations_of_the_old_articles(v1_path):
    con = connect(v1_path)
    relations = set(con.execute("SELECT article_id, related_article_id, relation, method FROM article_relations").fetchall())
    assert relations == {
        (FANFU, LNDJ, "exact_duplicate", "text_sha256"), (FANFU, LNDJ, "repost_of", "original_url"),
        (SITE_48126, SITE_48105, "exact_duplicate", "text_sha256"), (SITE_48126, SITE_48105, "repost_of", "source_name"),
    }
    # stories only: 6 of the 13 rows (the e-paper story's 7 county reports are sub-articles)
    assert con.execute("SELECT count(*) FROM article_fingerprints").fetchone() == (6,)
    assert con.execute("SELECT count(DISTINCT article_id) FROM article_minhash_bands").fetchone() == (6,)

    dedup = {r[0] for r in con.execute("SELECT article_id FROM articles_dedup").fetchall()}
    assert dedup == {LNDJ, SITE_48105, SITE_48101, EPAPER}
    overview = {r[0]: r[1:] for r in con.execute(
        "SELECT article_id, reporters, photographers, editors, image_count, sub_article_count, cluster_id "
        "FROM article_overview").fetchall()}
    assert len(overview) == 6
    assert overview[SITE_48126] == (["李思远"], [], ["白雪"], 0, 0, SITE_48105)
    assert overview[EPAPER][3:] == (4, 7, EPAPER)
    assert len(overview[EPAPER][1]) == 4  # four photographers credited on the e-paper story
    days = con.execute("SELECT site, CAST(day AS VARCHAR), articles FROM daily_counts ORDER BY site, day").fetchall()
    assert days == [("127.0.0.1", "2024-11-01", 1), ("127.0.0.1", "2024-11-04", 1), ("127.0.0.1", "2024-11-17", 1),
                    ("epaper.lnd.com.cn", "2023-03-07", 1), ("www.ffclzx.cn", "2024-11-03", 1),
                    ("www.lndj.gov.cn", "2024-11-03", 1)]
    con.close()


def test_new_loads_after_the_upgrade_find_relations_to_old_articles(v1_path):
    con = connect(v1_path)
    old_text = con.execute("SELECT body_text FROM articles WHERE article_id = ?", [SITE_48101]).fetchone()[0]
    url = "https://repost.example.cn/news/1.html"
    record = ArticleRecord(url=url, title="转载", published_at="2024-11-02T09:00:00+08:00",
                           authors=[Author("王雪莹", "reporter")], source_name="阜新日报", site_name="转载网",
                           language="zh", body=[Block("paragraph", p) for p in old_text.split("\n\n")])
    body = b"<html>repost</html>"
    fetch = FetchInfo(input=url, url=url, path=None, fetched_at=datetime(2024, 11, 21, tzinfo=timezone.utc), status=200,
                      body_sha256=ids.sha256_hex(body), bytes=len(body))
    run_id = start_run(con, flow_run_id=None, command="test", inputs=1)
    assert load_batch(con, run_id, [PageResult(fetch=fetch, body=body, record=record)]).new == 1
    new_id = ids.article_id_for(url)
    got = set(con.execute("SELECT relation, method FROM article_relations WHERE article_id = ? AND related_article_id = ?",
                          [new_id, SITE_48101]).fetchall())
    assert got == {("exact_duplicate", "text_sha256"), ("repost_of", "source_name")}
    con.close()


def _failing_backfill(con):
    raise RuntimeError("backfill failed on purpose")


def test_a_failing_backfill_leaves_the_database_at_version_1(v1_path, monkeypatch):
    monkeypatch.setitem(PYTHON_STEPS, (2, "relations"), f"{__name__}:_failing_backfill")
    with pytest.raises(MigrationError, match="002_relations.sql failed: backfill failed on purpose"):
        connect(v1_path)
    con = duckdb.connect(str(v1_path), read_only=True)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone() == (1,)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not tables & set(NEW_TABLES + NEW_VIEWS)
    con.close()
    monkeypatch.undo()
    upgraded = connect(v1_path)
    assert upgraded.execute("SELECT count(*) FROM article_relations").fetchone() == (4,)
    upgraded.close()
