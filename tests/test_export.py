"""`newsduck export`: Parquet partitioned by site and month, CSV, JSON lines; read back by DuckDB and pyarrow."""

from __future__ import annotations

import base64
import csv
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.dataset as ds
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import pytest

from flows.cli import main
from warehouse.db import WarehouseError, connect
from warehouse.export import ARTICLE_CHILDREN, MANIFEST, SKIPPED, export_warehouse
from warehouse.raw import read_body

from test_search import fixture_results, load, story

CHILDREN = [name for name in ARTICLE_CHILDREN]
EPAPER_STORY = "39e9689c8c0dad6a"  # published 2023-03-07 00:00 China time, 2023-03-06 16:00 UTC


@pytest.fixture(scope="module")
def source_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "news.duckdb"
    con = connect(path)
    load(con, fixture_results() + [story("http://127.0.0.1:8765/a/1.html", "端口 站点", "第一段\n第二行。")])
    con.close()
    return path


def source_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND (table_type = 'BASE TABLE' OR table_name IN ('article_overview', 'article_people_v'))").fetchall()]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names if n not in SKIPPED}
    finally:
        con.close()


def source_rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def manifest(directory: Path) -> dict:
    return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))


def text_rows(path: Path) -> list[dict]:
    """The rows of an exported CSV or JSON lines file, every value as the text the file holds."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as file:
            return list(csv.DictReader(file))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- parquet

def test_parquet_round_trip_with_duckdb_and_pyarrow(source_db, tmp_path):
    out = tmp_path / "export"
    result = export_warehouse(source_db, out)
    expected = source_counts(source_db)
    assert {t.name: t.rows for t in result.tables} == expected
    assert {name: t["rows"] for name, t in manifest(out)["tables"].items()} == expected
    assert expected["articles"] > 10 and expected["paragraphs"] > 100 and expected["article_search"] == expected["articles"]
    con = duckdb.connect()
    for name, rows in expected.items():
        entry = manifest(out)["tables"][name]
        if name == "articles" or name in CHILDREN:
            assert entry["path"] == f"{name}/" and entry["partitioned_by"] == ["site", "month"]
            glob = str(out / name / "**" / "*.parquet")
            assert con.execute(f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)").fetchone()[0] == rows
            assert pq.read_table(out / name).num_rows == rows
            assert ds.dataset(out / name, format="parquet", partitioning="hive").count_rows() == rows
        else:
            assert entry["path"] == f"{name}.parquet" and entry["partitioned_by"] == []
            assert con.execute(f"SELECT count(*) FROM '{out / entry['path']}'").fetchone()[0] == rows
            assert pq.read_table(out / entry["path"]).num_rows == rows
    for skipped in SKIPPED:
        assert not list(out.glob(f"{skipped}*"))


def test_parquet_partitions_are_site_and_month(source_db, tmp_path):
    out = tmp_path / "export"
    export_warehouse(source_db, out)
    expected = set(source_rows(source_db, "SELECT article_id, site, strftime(published_date, '%Y-%m') FROM articles"))
    back = pq.read_table(out / "articles")  # pyarrow rebuilds site and month from the directory names
    got = set(zip(back["article_id"].to_pylist(), back["site"].to_pylist(), back["month"].to_pylist()))
    assert got == expected
    assert (out / "articles" / "site=epaper.lnd.com.cn" / "month=2023-03").is_dir()
    assert (out / "articles" / "site=127.0.0.1" / "month=2024-06").is_dir()
    assert sorted(p.name for p in (out / "articles").iterdir()) == sorted(f"site={s}" for s in {e[1] for e in expected})
    # children sit in their article's partition
    con = duckdb.connect()
    mismatched = con.execute(f"""
        SELECT count(*) FROM read_parquet('{out}/paragraphs/**/*.parquet', hive_partitioning = true) p
        JOIN read_parquet('{out}/articles/**/*.parquet', hive_partitioning = true) a USING (article_id)
        WHERE p.site <> a.site OR p.month IS DISTINCT FROM a.month""").fetchone()[0]
    assert mismatched == 0
    # the files hold the data exactly: body text and raw page bytes
    bodies = dict(con.execute(f"SELECT article_id, body_text FROM '{out}/articles/**/*.parquet'").fetchall())
    assert bodies == dict(source_rows(source_db, "SELECT article_id, body_text FROM articles"))
    raw = pq.read_table(out / "raw_pages.parquet").to_pylist()
    source = duckdb.connect(str(source_db), read_only=True)
    try:
        for row in raw:
            assert read_body(source, row["body_sha256"]) is not None
            assert row["body"] == source.execute("SELECT body FROM raw_pages WHERE body_sha256 = ?",
                                                 [row["body_sha256"]]).fetchone()[0]
    finally:
        source.close()


def test_reexport_leaves_no_stale_partitions(source_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(source_db.read_bytes())
    out = tmp_path / "exports" / "news"
    export_warehouse(db, out)
    assert (out / "articles" / "site=www.liaoshen-news.cn").is_dir()
    (out / "articles" / "note-from-an-old-export.txt").write_text("stale")
    con = connect(db)
    con.execute("DELETE FROM articles WHERE site = 'www.liaoshen-news.cn'")
    con.execute("UPDATE articles SET published_date = DATE '2022-12-31' WHERE site = 'epaper.lnd.com.cn'")
    con.close()
    export_warehouse(db, out)
    assert not (out / "articles" / "site=www.liaoshen-news.cn").exists()
    assert not (out / "articles" / "note-from-an-old-export.txt").exists()
    months = {p.name for p in (out / "articles" / "site=epaper.lnd.com.cn").iterdir()}
    assert months == {"month=2022-12"}
    assert sorted(p.name for p in out.parent.iterdir()) == ["news"]  # no temporary or retired directories
    assert manifest(out)["tables"]["articles"]["rows"] == source_counts(db)["articles"]


def test_export_refuses_a_directory_that_is_not_an_export(source_db, tmp_path):
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.docx").write_text("do not delete")
    with pytest.raises(WarehouseError, match="not a newsduck export"):
        export_warehouse(source_db, precious)
    assert [p.name for p in precious.iterdir()] == ["thesis.docx"]
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(WarehouseError, match="is a file"):
        export_warehouse(source_db, tmp_path / "file.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "home"]


def test_empty_database_exports_readable_files(tmp_path):
    db = tmp_path / "empty.duckdb"
    connect(db).close()
    out = tmp_path / "export"
    result = export_warehouse(db, out)
    assert all(t.rows == 0 for t in result.tables if t.name != "schema_version")
    table = pq.read_table(out / "articles")
    assert table.num_rows == 0 and {"article_id", "site", "month"} <= set(table.column_names)


# ---------------------------------------------------------------- csv and json lines

@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_text_formats_round_trip(source_db, tmp_path, fmt):
    out = tmp_path / fmt
    export_warehouse(source_db, out, fmt)
    expected = source_counts(source_db)
    con = duckdb.connect()
    for name, rows in expected.items():
        path = out / f"{name}.{fmt}"
        assert manifest(out)["tables"][name] == {"rows": rows, "path": path.name, "partitioned_by": []}
        if fmt == "csv":
            assert con.execute(f"SELECT count(*) FROM read_csv('{path}', header = true)").fetchone()[0] == rows
            table = pa_csv.read_csv(path, parse_options=pa_csv.ParseOptions(newlines_in_values=True))
        else:
            assert con.execute(f"SELECT count(*) FROM read_json('{path}', format = 'newline_delimited')").fetchone()[0] == rows
            table = pa_json.read_json(path) if rows else None
            assert rows == 0 or len(path.read_text(encoding="utf-8").splitlines()) == rows
        assert table is None or table.num_rows == rows, name
    # multi-line Chinese text survives exactly; BLOBs are base64
    reader = (f"read_csv('{out}/articles.csv', header = true)" if fmt == "csv"
              else f"read_json('{out}/articles.jsonl', format = 'newline_delimited')")
    bodies = dict(con.execute(f"SELECT article_id, body_text FROM {reader}").fetchall())
    assert bodies == dict(source_rows(source_db, "SELECT article_id, body_text FROM articles"))
    raw_reader = reader.replace("articles", "raw_pages")
    exported = dict(con.execute(f"SELECT body_sha256, body FROM {raw_reader}").fetchall())
    stored = dict(source_rows(source_db, "SELECT body_sha256, body FROM raw_pages"))
    assert {k: base64.b64decode(v) for k, v in exported.items()} == stored


# ---------------------------------------------------------------- csv for excel

def test_excel_csv_has_a_byte_order_mark_and_crlf_line_ends(source_db, tmp_path):
    out = tmp_path / "excel"
    result = export_warehouse(source_db, out, "csv", excel=True, timezone="Asia/Shanghai")
    assert result.excel and manifest(out)["excel"] is True
    for table in result.tables:
        data = (out / table.path).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2), table.name
        assert data.endswith(b"\r\n") and b"\n" not in data.split(b"\r\n", 1)[0], table.name
    # records end in CRLF; a line break inside a value stays as the page had it, inside its quotes
    articles = (out / "articles.csv").read_bytes()
    assert articles.count(b"\r\n") == manifest(out)["tables"]["articles"]["rows"] + 1
    # read back (Python's csv, DuckDB, pyarrow): the same text; the mark is not part of the first column's name
    bodies = {row["article_id"]: row["body_text"] for row in text_rows(out / "articles.csv")}
    assert bodies == dict(source_rows(source_db, "SELECT article_id, body_text FROM articles"))
    con = duckdb.connect()
    assert dict(con.execute(f"SELECT article_id, body_text FROM read_csv('{out}/articles.csv')").fetchall()) == bodies
    table = pa_csv.read_csv(out / "articles.csv", parse_options=pa_csv.ParseOptions(newlines_in_values=True))
    assert table.column_names[0] == "article_id" and table.num_rows == len(bodies)


def test_plain_csv_has_no_byte_order_mark(source_db, tmp_path):
    out = tmp_path / "csv"
    export_warehouse(source_db, out, "csv", exclude=("raw_pages",))
    data = (out / "articles.csv").read_bytes()
    assert data.startswith(b"article_id,") and b"\r\n" not in data and manifest(out)["excel"] is False


def test_excel_is_a_csv_dialect(source_db, tmp_path):
    for fmt in ("parquet", "jsonl"):
        with pytest.raises(WarehouseError, match="Excel"):
            export_warehouse(source_db, tmp_path / fmt, fmt, excel=True)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- time zones

@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_text_formats_write_times_in_the_chosen_zone_with_the_offset(source_db, tmp_path, fmt):
    shown = {}
    for zone in ("Asia/Shanghai", "UTC", "Asia/Kolkata"):
        out = tmp_path / zone.replace("/", "-")
        result = export_warehouse(source_db, out, fmt, timezone=zone, exclude=("raw_pages",))
        assert result.timezone == zone and manifest(out)["timezone"] == zone
        articles = text_rows(out / f"articles.{fmt}")
        shown[zone] = {row["article_id"]: row["published_at"] for row in articles}
        # every instant is the stored one, to the microsecond (runs carry microseconds)
        for table, key, column in (("articles", "article_id", "published_at"), ("runs", "run_id", "started_at")):
            rows = articles if table == "articles" else text_rows(out / f"runs.{fmt}")
            written = {row[key]: datetime.fromisoformat(row[column]) for row in rows if row[column]}
            assert written == {k: v for k, v in source_rows(source_db, f"SELECT {key}, {column} FROM {table}") if v}
    assert shown["Asia/Shanghai"][EPAPER_STORY] == "2023-03-07 00:00:00+08:00"
    assert shown["UTC"][EPAPER_STORY] == "2023-03-06 16:00:00+00:00"
    assert shown["Asia/Kolkata"][EPAPER_STORY] == "2023-03-06 21:30:00+05:30"
    assert all(v.endswith("+08:00") for v in shown["Asia/Shanghai"].values() if v)


def test_parquet_keeps_instants_whatever_the_zone(source_db, tmp_path):
    out = tmp_path / "parquet"
    export_warehouse(source_db, out, timezone="Asia/Shanghai", exclude=("raw_pages",))
    table = pq.read_table(out / "articles", columns=["article_id", "published_at"])
    assert table.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert dict(zip(table["article_id"].to_pylist(), table["published_at"].to_pylist())) == \
        dict(source_rows(source_db, "SELECT article_id, published_at FROM articles"))
    assert manifest(out)["timezone"] == "UTC"


def test_an_unknown_zone_writes_nothing(source_db, tmp_path):
    with pytest.raises(WarehouseError, match="unknown time zone 'Mars/Base'"):
        export_warehouse(source_db, tmp_path / "out", "csv", timezone="Mars/Base")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- views

@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_article_people_v_names_every_credit_with_its_article(source_db, tmp_path, fmt):
    out = tmp_path / fmt
    export_warehouse(source_db, out, fmt)
    path = out / f"article_people_v.{fmt}"
    assert manifest(out)["tables"]["article_people_v"]["path"] == path.name
    con = duckdb.connect()
    exported = con.execute(f"SELECT article_id, title, name, role, seq, person_id FROM '{path}'").fetchall()
    expected = source_rows(source_db, """
        SELECT ap.article_id, a.title, p.name, ap.role, ap.seq, ap.person_id
        FROM article_people ap JOIN people p USING (person_id) JOIN articles a USING (article_id)
        ORDER BY ap.article_id, ap.seq""")
    assert exported == expected and len(expected) == source_counts(source_db)["article_people"]
    # (the seed's article id hashes its file path, which depends on where the checkout is)
    assert ("跑好第一棒 冲刺开门红", "侯悦林", "reporter") in {row[1:4] for row in exported}


# ---------------------------------------------------------------- CLI

def test_cli_export(source_db, tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["export", str(out), "--db", str(source_db), "--exclude", "raw_pages", "--exclude", "fetches"])
    stdout, stderr = capsys.readouterr()
    assert code == 0, stderr
    assert "raw_pages" not in manifest(out)["tables"] and "fetches" not in manifest(out)["tables"]
    articles_line = next(line for line in stdout.splitlines() if line.startswith("articles "))
    assert articles_line.split()[1] == str(source_counts(source_db)["articles"]) and articles_line.endswith("articles/")
    assert stderr.startswith("exported ") and str(out) in stderr
    assert main(["export", str(out), "--db", str(source_db), "--exclude", "nope"]) == 1
    assert "no table named nope" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    help_text = capsys.readouterr().out
    assert "example:" in help_text and "pandas" in help_text and "Spark" in help_text


def test_cli_times_default_to_china_time_or_newsduck_timezone_or_the_option(source_db, tmp_path, capsys, monkeypatch):
    def published(*options: str) -> tuple[int, str, str]:
        out = tmp_path / "-".join(options or ("default",)).replace("/", "-")
        try:
            code = main(["export", str(out), "--db", str(source_db), "--format", "csv", "--exclude", "raw_pages",
                         *options])
        except SystemExit as exc:  # a usage error, found by argparse (as every option's type is)
            code = exc.code
        stderr = capsys.readouterr().err
        if code:
            return code, stderr, ""
        rows = text_rows(out / "articles.csv")
        return code, stderr, next(r["published_at"] for r in rows if r["article_id"] == EPAPER_STORY)

    monkeypatch.delenv("NEWSDUCK_TIMEZONE", raising=False)
    code, stderr, shown = published()
    assert (code, shown) == (0, "2023-03-07 00:00:00+08:00") and "(csv, times in Asia/Shanghai)" in stderr
    monkeypatch.setenv("NEWSDUCK_TIMEZONE", "UTC")
    assert published()[2] == "2023-03-06 16:00:00+00:00"
    assert published("--timezone", "Asia/Kolkata")[2] == "2023-03-06 21:30:00+05:30"
    code, stderr, _ = published("--timezone", "Mars/Base")
    assert code == 2 and "unknown time zone 'Mars/Base'" in stderr
    assert not (tmp_path / "--timezone-Mars-Base").exists()


def test_cli_excel_implies_csv(source_db, tmp_path, capsys):
    out = tmp_path / "excel"
    assert main(["export", str(out), "--db", str(source_db), "--excel", "--exclude", "raw_pages"]) == 0
    assert "(csv for Excel, times in " in capsys.readouterr().err
    assert manifest(out)["format"] == "csv" and (out / "articles.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["export", str(out), "--db", str(source_db), "--excel", "--format", "csv"]) == 0
    capsys.readouterr()
    assert main(["export", str(tmp_path / "other"), "--db", str(source_db), "--excel", "--format", "jsonl"]) == 2
    assert "--excel writes CSV" in capsys.readouterr().err and not (tmp_path / "other").exists()
