"""`newsduck sql`: cell widths. A real DuckDB file loaded like the demo's (no Prefect)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from test_docs_queries import demo_db  # noqa: F401  (the fixture)
from warehouse.queries import display_width

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
