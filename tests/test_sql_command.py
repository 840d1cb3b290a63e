"""`newsduck sql`: cell widths, several statements, COPY (SELECT …) TO a file, SQL from stdin; the database
stays read-only. A real DuckDB file loaded like the demo's (no Prefect)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from test_docs_queries import demo_db  # noqa: F401  (the fixture)
from warehouse.queries import display_width

READ_ONLY = "newsduck sql is read-only: {} statements are refused; use newsduck ingest to change data."
LONGEST_BODY = "SELECT body_text FROM articles WHERE parent_article_id IS NULL ORDER BY length(body_text) DESC LIMIT 1"


def sql(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["sql", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def longest_body(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(LONGEST_BODY).fetchone()[0]
    finally:
        con.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- --max-width


def test_max_width_widens_and_0_never_cuts(demo_db, capsys):
    body = longest_body(demo_db)
    assert display_width(body) > 200
    code, out, _ = sql(capsys, LONGEST_BODY, "--db", str(demo_db))
    cell = out.splitlines()[2]
    assert code == 0 and display_width(cell) == 60 and cell.endswith("…")  # the default stays readable
    code, out, _ = sql(capsys, LONGEST_BODY, "--db", str(demo_db), "--max-width", "0")
    assert code == 0
    assert out.splitlines()[2] == " ".join(body.splitlines())
    code, out, _ = sql(capsys, LONGEST_BODY, "--db", str(demo_db), "--max-width", "120")
    cell = out.splitlines()[2]
    assert code == 0 and 119 <= display_width(cell) <= 120 and cell.endswith("…")


def test_csv_and_json_are_never_cut(demo_db, capsys):
    body = longest_body(demo_db)
    code, out, _ = sql(capsys, LONGEST_BODY, "--db", str(demo_db), "--format", "json", "--max-width", "10")
    assert code == 0 and json.loads(out) == [{"body_text": body}]
    code, out, _ = sql(capsys, LONGEST_BODY, "--db", str(demo_db), "--format", "csv")
    assert code == 0 and body in out.replace("\r\n", "\n")


def test_max_width_must_be_a_whole_number(demo_db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["sql", "SELECT 1", "--db", str(demo_db), "--max-width", "-1"])
    assert exit_info.value.code == 2
    assert "argument --max-width: expected a number of at least 0, got -1" in capsys.readouterr().err


# ---------------------------------------------------------------- several statements


def test_every_statement_prints_its_result_in_order(demo_db, capsys):
    code, out, err = sql(capsys, "SELECT 'a;b' AS first; SELECT count(*) AS n FROM articles WHERE parent_article_id IS NULL;",
                         "--db", str(demo_db))
    assert code == 0, err
    assert out == "first\n-----\na;b\n(1 row)\n\n n\n--\n12\n(1 row)\n"


def test_several_statements_as_csv_and_json(demo_db, capsys):
    code, out, _ = sql(capsys, "SELECT 1 AS a; SELECT 'x' AS b", "--db", str(demo_db), "--format", "csv")
    assert code == 0 and out == "a\n1\n\nb\nx\n"
    code, out, _ = sql(capsys, "SELECT 1 AS a; SELECT 'x' AS b", "--db", str(demo_db), "--format", "json")
    assert code == 0 and [json.loads(part) for part in out.split("\n\n")] == [[{"a": 1}], [{"b": "x"}]]


def test_a_failing_statement_stops_after_the_results_before_it(demo_db, capsys):
    code, out, err = sql(capsys, "SELECT 1 AS a; SELECT * FROM no_such_table; SELECT 2 AS b", "--db", str(demo_db))
    assert code == 1
    assert out == "a\n-\n1\n(1 row)\n"
    assert err.startswith("newsduck: SQL error: Catalog Error") and len(err.splitlines()) == 1


# ---------------------------------------------------------------- COPY (SELECT …) TO


def test_copy_of_a_query_to_a_file_writes_it_and_says_so(demo_db, tmp_path, capsys):
    before = file_digest(demo_db)
    target = tmp_path / "out 'one'.parquet"
    quoted = str(target).replace("'", "''")
    code, out, err = sql(capsys, f"COPY (SELECT article_id, title FROM articles WHERE parent_article_id IS NULL) "
                                 f"TO '{quoted}' (FORMAT parquet)", "--db", str(demo_db))
    assert code == 0, err
    assert out == f"wrote 12 rows to {target}\n"
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{quoted}')").fetchone() == (12,)
    assert file_digest(demo_db) == before  # the database itself is not written


def test_copy_between_queries_and_as_csv(demo_db, tmp_path, capsys):
    target = tmp_path / "titles.csv"
    code, out, err = sql(capsys, f"SELECT 1 AS a; COPY (SELECT title FROM articles LIMIT 3) TO '{target}'",
                         "--db", str(demo_db))
    assert code == 0 and out == f"a\n-\n1\n(1 row)\n\nwrote 3 rows to {target}\n"
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1 + 3
    code, out, err = sql(capsys, f"COPY (SELECT 1 AS a) TO '{target}'; SELECT 2 AS b", "--db", str(demo_db),
                         "--format", "json")
    assert code == 0 and json.loads(out) == [{"b": 2}]  # stdout stays JSON
    assert err == f"wrote 1 row to {target}\n"


@pytest.mark.parametrize("statement, kind", [
    ("COPY articles FROM '{dir}/in.csv'", "COPY"),
    ("COPY articles TO '{dir}/out.csv'", "COPY"),
    ("INSERT INTO people VALUES ('x', 'y')", "INSERT"),
    ("EXPORT DATABASE '{dir}/dump'", "EXPORT"),
    ("COPY (SELECT 1) TO '{dir}/out.csv'; DELETE FROM articles", "DELETE"),
])
def test_other_writes_stay_refused(demo_db, tmp_path, capsys, statement, kind):
    before = file_digest(demo_db)
    code, out, err = sql(capsys, statement.format(dir=tmp_path), "--db", str(demo_db))
    assert code == 1 and out == ""
    assert err == f"newsduck: {READ_ONLY.format(kind)}\n"
    assert list(tmp_path.iterdir()) == []  # refused before anything ran
    assert file_digest(demo_db) == before


# ---------------------------------------------------------------- stdin


class TerminalStdin(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_sql_from_stdin_with_a_dash(demo_db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT 42 AS answer;\nSELECT ';' AS semicolon;\n"))
    code, out, _ = sql(capsys, "-", "--db", str(demo_db), "--format", "csv")
    assert code == 0 and out == "answer\n42\n\nsemicolon\n;\n"


def test_sql_from_stdin_when_it_is_not_a_terminal(demo_db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT 42 AS answer"))
    code, out, _ = sql(capsys, "--db", str(demo_db), "--format", "csv")
    assert code == 0 and out == "answer\n42\n"


def test_no_sql_and_a_terminal_is_a_usage_error(demo_db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", TerminalStdin("SELECT 1"))
    code, out, err = sql(capsys, "--db", str(demo_db))
    assert code == 2 and out == ""
    assert err.startswith("newsduck: say what to run") and len(err.splitlines()) == 1


def test_empty_stdin_is_one_clear_line(demo_db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = sql(capsys, "-", "--db", str(demo_db))
    assert code == 2 and err == "newsduck: no SQL statement given\n"
