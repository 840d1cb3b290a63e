"""`newsduck reparse`: stored raw pages re-extracted with no network; only changed results are written."""

from __future__ import annotations

import json

import duckdb

from flows.cli import main
from warehouse.lake import attach_lake, parse_lake_address

from conftest import FIXTURES
from test_docs_queries import DEMO_SITE
from test_ducklake import postgres  # noqa: F401  (the fixture)
from test_ingest_dask import newsduck
from test_lake_writers import lake_address, lake_counts


def run_json(capsys, *argv: str) -> dict:
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_reparse_updates_only_what_the_parser_now_extracts_differently(tmp_path, capsys):
    db = tmp_path / "r.duckdb"
    first = run_json(capsys, "ingest", str(FIXTURES / "seeds"), str(FIXTURES / "pages"), "--db", str(db))
    con = duckdb.connect(str(db))
    fetches_before = con.execute("SELECT count(*) FROM fetches").fetchone()[0]
    # Pretend an older parser produced a different title for one article.
    article_id, title = con.execute(
        "SELECT article_id, title FROM articles WHERE path LIKE '%004_11c5d1afe74d2e2e.txt'").fetchone()
    con.execute("UPDATE articles SET title = 'old title', content_sha256 = 'old', parser_version = '0.0.1' WHERE article_id = ?", [article_id])
    con.close()

    summary = run_json(capsys, "reparse", "--db", str(db))
    assert summary["inputs"] == first["inputs"]
    assert summary["updated"] == 1
    assert summary["new"] == 0
    assert summary["unchanged"] == first["new"] - 1  # every other article (sub-articles load with their parent)
    con = duckdb.connect(str(db), read_only=True)
    try:
        restored, version = con.execute("SELECT title, parser_version FROM articles WHERE article_id = ?", [article_id]).fetchone()
        assert con.execute("SELECT count(*) FROM fetches").fetchone()[0] == fetches_before  # nothing fetched
        assert con.execute("SELECT command FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0] == "reparse"
    finally:
        con.close()
    assert restored == title and version != "0.0.1"

    again = run_json(capsys, "reparse", "--db", str(db))
    assert again["updated"] == 0 and again["new"] == 0


def test_reparse_since_a_future_date_touches_nothing(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    run_json(capsys, "ingest", str(FIXTURES / "seeds"), "--db", str(db))
    summary = run_json(capsys, "reparse", "--since", "2999-01-01", "--db", str(db))
    assert summary["inputs"] == 0 and summary["updated"] == 0


def test_reparse_bad_since_and_missing_database_are_one_line(tmp_path, capsys):
    assert main(["reparse", "--since", "yesterday", "--db", str(tmp_path / "x.duckdb")]) == 2
    assert main(["reparse", "--db", str(tmp_path / "none.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err.count("newsduck: ") == 2 and "Traceback" not in err
    assert not (tmp_path / "none.duckdb").exists()


def lake_articles(lake: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        attach_lake(con, parse_lake_address(lake), read_only=True)
        return con.execute("SELECT article_id, title, content_sha256, parser_version FROM lake.articles "
                           "ORDER BY article_id").fetchall()
    finally:
        con.close()


def make_stale(lake: str) -> None:
    """Three of the lake's articles as an older parser would have extracted them."""
    con = duckdb.connect()
    try:
        attach_lake(con, parse_lake_address(lake))
        con.execute("UPDATE lake.articles SET title = 'stale', content_sha256 = 'stale', parser_version = '0.0.1' "
                    "WHERE article_id IN (SELECT article_id FROM lake.articles ORDER BY article_id LIMIT 3)")
    finally:
        con.close()


def test_reparse_of_a_lake_reads_its_stored_pages_and_updates_them_in_it(postgres, tmp_path, capsys):  # noqa: F811
    """On a real PostgreSQL catalog: reparse --warehouse ducklake:… reads the raw pages stored in the lake and
    loads what changed back into it through the same loader as the file; a second reparse changes nothing; with
    --workers the extraction runs on Dask and the loads into the lake stay in the command's process."""
    lake = lake_address(postgres, tmp_path)
    first = run_json(capsys, "ingest", str(DEMO_SITE / "content"), "--warehouse", lake)
    assert first["new"] == 12
    extracted = lake_articles(lake)
    make_stale(lake)

    summary = run_json(capsys, "reparse", "--warehouse", lake)
    assert (summary["status"], summary["inputs"], summary["updated"], summary["unchanged"], summary["errors"]) == \
        ("completed", 12, 3, 9, 0)
    assert summary["db"] == lake
    assert lake_articles(lake) == extracted
    counts = lake_counts(lake)
    assert counts["fetches"] == 12 and counts["runs"] == 2 and counts["errors"] == 0  # nothing fetched
    con = duckdb.connect()
    try:
        attach_lake(con, parse_lake_address(lake), read_only=True)
        assert con.execute("SELECT status, inputs, updated, unchanged FROM lake.runs WHERE command = 'reparse'"
                           ).fetchall() == [("completed", 12, 3, 9)]  # each batch counted once, in its commit
    finally:
        con.close()
    again = run_json(capsys, "reparse", "--warehouse", lake)
    assert (again["updated"], again["new"], again["unchanged"]) == (0, 0, 12)
    assert lake_articles(lake) == extracted

    make_stale(lake)  # extracted on a local Dask cluster of two processes, loaded by the command's own process
    on_dask = newsduck("reparse", "--warehouse", lake, "--workers", "2", "--batch-size", "5")
    assert (on_dask["status"], on_dask["updated"], on_dask["unchanged"], on_dask["errors"]) == ("completed", 3, 9, 0)
    assert lake_articles(lake) == extracted

    code = main(["reparse", "--warehouse", lake, "--db", str(tmp_path / "x.duckdb")])
    assert code == 2 and capsys.readouterr().err == \
        "newsduck: --db and --warehouse name two warehouses; give one of them\n"
