"""`newsduck reparse`: stored raw pages re-extracted with no network; only changed results are written."""

from __future__ import annotations

import json

import duckdb

from flows.cli import main

from conftest import FIXTURES


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
