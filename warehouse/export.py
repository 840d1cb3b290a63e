"""Export the warehouse to files for other tools: Parquet (partitioned by site and month), CSV, JSON lines, or
one JSON file per story.

Layout of DIR (Parquet):

    DIR/newsduck-export.json                            what was exported: tables, row counts, layout
    DIR/articles/site=epaper.lnd.com.cn/month=2023-03/data_0.parquet
    DIR/paragraphs/site=…/month=…/data_0.parquet        children carry their article's site and month
    DIR/runs.parquet                                    every other table: one file
    DIR/article_people_v.parquet                        views for readers (VIEWS): one file each

`month` is the article's published_date as YYYY-MM (Hive's __HIVE_DEFAULT_PARTITION__ when it has none);
`site` and `month` are in the directory names, not in the files (hive partitioning, which DuckDB, pyarrow,
pandas and Spark read). CSV and JSON lines write one file per table (DIR/articles.csv), BLOBs as base64.
CSV for Excel (`excel=True`) is UTF-8 with a byte order mark and CRLF line ends: Excel reads a CSV file without
the mark in the system's code page (GBK on a Chinese Windows).
The views carry names where the tables carry ids: article_people_v is every credit with the person's name and
role and the article's id and title; article_overview is one row per story with its credits as lists of names.

articles-json writes no tables but one file per story, as news-please does: DIR/articles/<article_id>.json
holds the story with its credits, body, images and sub-articles (an e-paper page's other stories are objects in
its `sub_articles`, with the same keys, and have no file of their own); see ARTICLE_DOCUMENTS for the keys.

warc writes no tables but the raw archive (raw_pages + fetches) as WARC files, DIR/newsduck-00000.warc.gz ...,
which other tools (and `newsduck ingest`) read; see warehouse/warc.py for what each record holds.

Everything is written from one read-only connection that sees one state of the warehouse (warehouse.db's
`snapshot_reader`: a DuckDB file, or a DuckLake warehouse's latest snapshot as the export began, its writers going
on meanwhile) into a temporary directory beside DIR, which then replaces DIR: a new export never leaves files of an
older one behind.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import time
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from .db import COMMIT_TOKEN, snapshot_reader
from .errors import WarehouseError
from .models import Progress
from .runs import utc_now
from .warc import DEFAULT_MAX_FILE_BYTES, write_warc_files

__all__ = ["FORMATS", "MANIFEST", "ExportedTable", "ExportResult", "export_database", "export_warehouse"]

ARTICLE_FILES = "articles-json"
WARC = "warc"
FORMATS = ("parquet", "csv", "jsonl", ARTICLE_FILES, WARC)
MANIFEST = "newsduck-export.json"
PARTITION_COLUMNS = ("site", "month")
# Tables partitioned like their article (joined on article_id); `articles` itself is partitioned too.
ARTICLE_CHILDREN = ("paragraphs", "article_people", "images", "article_search")
# Views written beside the tables, so a reader of the files joins no ids by hand: the query each is exported
# by. The exported article_people_v is the view with its article's title.
VIEWS = {
    "article_overview": "SELECT * FROM article_overview",
    "article_people_v": "SELECT v.article_id, a.title, v.name, v.role, v.seq, v.person_id FROM article_people_v v "
                        "JOIN articles a ON a.article_id = v.article_id ORDER BY v.article_id, v.seq",
}
# Bookkeeping useless outside this warehouse: the search index's own (derived from article_search), and a DuckLake
# warehouse's commit token (warehouse.db), so that a lake exports the tables a DuckDB file does.
SKIPPED = ("search_terms", "search_postings", "search_index_state", COMMIT_TOKEN)
LAYOUTS = {
    "parquet": "hive: site=HOST/month=YYYY-MM directories",
    ARTICLE_FILES: "articles/ARTICLE_ID.json: one file per story, its sub-articles inside",
    WARC: "newsduck-NNNNN.warc.gz: WARC/1.1, a response record per distinct page of a URL",
}
_EXTENSIONS = {"parquet": "parquet", "csv": "csv", "jsonl": "jsonl"}
_COPY_OPTIONS = {
    "parquet": "FORMAT parquet, COMPRESSION zstd",
    "csv": "FORMAT csv, HEADER true",
    "jsonl": "FORMAT json",
}
_EXCEL_CSV_OPTIONS = r"FORMAT csv, HEADER true, NEW_LINE '\r\n'"
# One row per article, each story followed by its sub-articles in order. The columns after parent_article_id
# are the keys of a file of articles-json, in order: those of `newsduck extract` that the warehouse keeps (not
# is_article, links), in extract's order, with the article's id, site, day, e-paper page and first sighting.
ARTICLE_DOCUMENTS = """
WITH credits AS (
    SELECT article_id, list({{'name': name, 'role': role}} ORDER BY seq) AS authors
    FROM article_people_v GROUP BY article_id
), blocks AS (
    SELECT article_id,
           list(text ORDER BY seq) FILTER (WHERE kind = 'heading') AS sections,
           list(text ORDER BY seq) FILTER (WHERE kind <> 'heading') AS paragraphs
    FROM paragraphs GROUP BY article_id
), pictures AS (
    SELECT article_id, list({{'src': src, 'caption': caption, 'credit': credit}} ORDER BY seq) AS images
    FROM images GROUP BY article_id
)
SELECT a.parent_article_id, a.article_id, a.path, a.url, a.title, a.kicker, a.subtitle, a.lead,
       {published_at} AS published_at, CAST(a.published_date AS VARCHAR) AS published_date, a.published_precision,
       coalesce(c.authors, []) AS authors, a.source_name, a.site_name, a.original_url, a.canonical_url, a.language,
       coalesce(b.sections, []) AS sections, coalesce(b.paragraphs, []) AS paragraphs,
       coalesce(p.images, []) AS images, NULL AS sub_articles, a.body_text AS text, a.provenance,
       a.site, CAST(a.edition_date AS VARCHAR) AS edition_date, a.page_no, a.page_name,
       {first_seen_at} AS first_seen_at
FROM articles a
LEFT JOIN credits c ON c.article_id = a.article_id
LEFT JOIN blocks b ON b.article_id = a.article_id
LEFT JOIN pictures p ON p.article_id = a.article_id
ORDER BY coalesce(a.parent_article_id, a.article_id), a.parent_article_id IS NOT NULL, a.sub_seq
"""
# The files articles-json writes: one per story, and one per sub-article whose story is missing (see `stories`).
DOCUMENT_COUNT = """
SELECT count(*) FROM articles a
WHERE a.parent_article_id IS NULL OR NOT EXISTS (SELECT 1 FROM articles p WHERE p.article_id = a.parent_article_id)
"""


@dataclass
class ExportedTable:
    name: str
    rows: int
    path: str  # relative to the export directory: a file, or a directory (of partitions, or of article files)
    partitioned_by: list[str] = field(default_factory=list)


@dataclass
class ExportResult:
    directory: str
    format: str
    tables: list[ExportedTable]
    seconds: float
    timezone: str  # of the times in text formats
    excel: bool = False


def export_warehouse(db_path: str | Path, directory: str | Path, fmt: str = "parquet", *,
                     exclude: tuple[str, ...] = (), timezone: str = "UTC", excel: bool = False,
                     busy_timeout: float | None = None, progress: Progress | None = None,
                     max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ExportResult:
    """Export the warehouse at `db_path` into `directory`: a DuckDB file read-only (waits while an ingest writes),
    or a DuckLake warehouse (`ducklake:postgresql://…`) at its latest snapshot, without waiting for its writers."""
    with snapshot_reader(db_path, timeout=busy_timeout) as con:
        return export_database(con, directory, fmt, exclude=exclude, timezone=timezone, excel=excel,
                               source=str(db_path), progress=progress, max_file_bytes=max_file_bytes)


def export_database(con: duckdb.DuckDBPyConnection, directory: str | Path, fmt: str = "parquet", *,
                    exclude: tuple[str, ...] = (), timezone: str = "UTC", excel: bool = False,
                    source: str | None = None, progress: Progress | None = None,
                    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ExportResult:
    """Write every table of `con` and the VIEWS it has into `directory` (articles-json: a file per story; warc:
    the raw archive as WARC files of at most about `max_file_bytes` each).

    Text formats write each TIMESTAMPTZ as the wall time in `timezone` with its offset
    (2024-03-06 00:30:00+08:00); Parquet keeps them as instants (isAdjustedToUTC), whatever `timezone` is.
    `progress` hears of each table begun (tables done of all, the table's name), or of each story written.
    """
    if fmt not in FORMATS:
        raise WarehouseError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if excel and fmt != "csv":
        raise WarehouseError(f"the Excel dialect is one of CSV, not of {fmt}")
    if exclude and fmt in (ARTICLE_FILES, WARC):
        what = "article" if fmt == ARTICLE_FILES else "WARC"
        raise WarehouseError(f"{fmt} writes {what} files, no tables to exclude")
    started = time.perf_counter()
    target = Path(directory).expanduser().resolve()
    check_target(target)
    session_zone = con.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    try:
        set_time_zone(con, timezone)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.parent / f".{target.name}.newsduck-export-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            if fmt == ARTICLE_FILES:
                tables = [export_article_files(con, staging, progress)]
            elif fmt == WARC:
                records, files = write_warc_files(con, staging, max_file_bytes=max_file_bytes, progress=progress)
                tables = [ExportedTable("raw_pages", records, ", ".join(files))]
            else:
                tables = export_relations(con, staging, relations_to_export(con, exclude), fmt, excel, progress)
            write_manifest(staging, con, fmt, tables, source, timezone, excel)
            replace_directory(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    finally:
        # A failed statement aborts a reader's transaction (snapshot_reader), which then takes no SET; its
        # connection is closed with it, and the error that aborted it is the one reported.
        with suppress(duckdb.TransactionException):
            con.execute("SET TimeZone = ?", [session_zone])
    return ExportResult(str(target), fmt, tables, time.perf_counter() - started, timezone, excel)


def set_time_zone(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """The session's zone is the one text formats write instants in."""
    try:
        con.execute("SET TimeZone = ?", [name])
    except duckdb.Error:
        raise WarehouseError(f"unknown time zone {name!r}; give an IANA name such as Asia/Shanghai or UTC") from None


def check_target(target: Path) -> None:
    """Refuse to replace anything but a missing or empty directory or an earlier newsduck export."""
    if not target.exists():
        return
    if not target.is_dir():
        raise WarehouseError(f"{target} is a file; give a directory to export into")
    if any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise WarehouseError(f"{target} is not empty and is not a newsduck export (no {MANIFEST}); "
                             "choose a new or empty directory")


def relations_to_export(con: duckdb.DuckDBPyConnection, exclude: tuple[str, ...]) -> list[str]:
    tables = [row[0] for row in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = 'main' AND (table_type = 'BASE TABLE' OR table_name IN (SELECT unnest(?::VARCHAR[]))) "
        "ORDER BY table_name",
        [list(VIEWS)]).fetchall()]
    unknown = set(exclude) - set(tables)
    if unknown:
        raise WarehouseError(f"no table named {', '.join(sorted(unknown))} to exclude; "
                             f"the tables are: {', '.join(tables)}")
    return [name for name in tables if name not in SKIPPED and name not in exclude]


def export_relations(con: duckdb.DuckDBPyConnection, staging: Path, names: list[str], fmt: str, excel: bool,
                     progress: Progress | None) -> list[ExportedTable]:
    tables = []
    for name in names:
        if progress is not None:
            progress(len(tables), len(names), name)
        tables.append(export_relation(con, staging, name, fmt, excel))
    if progress is not None:
        progress(len(tables), len(names), "")
    return tables


def export_relation(con: duckdb.DuckDBPyConnection, staging: Path, name: str, fmt: str,
                    excel: bool = False) -> ExportedTable:
    columns = column_types(con, name)
    partitioned = fmt == "parquet" and (name == "articles" or (name in ARTICLE_CHILDREN and "article_id" in columns))
    select = select_for(name, columns, fmt, partitioned)
    options = _EXCEL_CSV_OPTIONS if excel else _COPY_OPTIONS[fmt]
    if partitioned and con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] > 0:
        (staging / name).mkdir()
        rows = copy_to(con, select, staging / name, f"{options}, PARTITION_BY ({', '.join(PARTITION_COLUMNS)})")
        return ExportedTable(name, rows, f"{name}/", list(PARTITION_COLUMNS))
    if partitioned:  # no rows: one empty file that still has every column, so readers see the schema
        (staging / name).mkdir()
        rows = copy_to(con, select, staging / name / "data_0.parquet", options)
        return ExportedTable(name, rows, f"{name}/data_0.parquet")
    path = staging / f"{name}.{_EXTENSIONS[fmt]}"
    rows = copy_to(con, select, path, options)
    if excel:
        prepend_bom(path)
    return ExportedTable(name, rows, path.name)


def source_of(name: str) -> str:
    return f"({VIEWS[name]})" if name in VIEWS else f'"{name}"'


def column_types(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {source_of(name)}").fetchall()}


def select_for(name: str, columns: dict[str, str], fmt: str, partitioned: bool) -> str:
    def column(col: str, data_type: str, prefix: str = "") -> str:
        ref = f'{prefix}"{col}"'
        if fmt != "parquet" and data_type == "BLOB":
            return f'base64({ref}) AS "{col}"'
        if fmt != "parquet" and data_type == "TIMESTAMP WITH TIME ZONE":
            return f'{local_time(ref)} AS "{col}"'
        return ref

    month = "strftime(a.published_date, '%Y-%m') AS month"
    if partitioned and name == "articles":
        selected = ", ".join(column(c, t, "a.") for c, t in columns.items())
        return f"SELECT {selected}, {month} FROM articles a ORDER BY a.article_id"
    if partitioned:
        selected = ", ".join(column(c, t, "c.") for c, t in columns.items())
        order = "c.article_id, c.seq" if "seq" in columns else "c.article_id"
        return (f'SELECT {selected}, a.site, {month} FROM "{name}" c '
                f"LEFT JOIN articles a ON a.article_id = c.article_id ORDER BY {order}")
    selected = ", ".join(column(c, t) for c, t in columns.items())
    return f"SELECT {selected} FROM {source_of(name)}"


def local_time(expression: str) -> str:
    """SQL for an instant as text in the session's time zone with its offset as ±HH:MM: 2024-03-06 00:30:00+08:00
    (DuckDB's own text ends in +08; a zone with minutes already gives +05:30)."""
    return rf"regexp_replace(CAST({expression} AS VARCHAR), '([+-][0-9][0-9])$', '\1:00')"


def copy_to(con: duckdb.DuckDBPyConnection, select: str, path: Path, options: str) -> int:
    quoted = str(path).replace("'", "''")
    return con.execute(f"COPY ({select}) TO '{quoted}' ({options})").fetchone()[0]


def export_article_files(con: duckdb.DuckDBPyConnection, staging: Path,
                         progress: Progress | None = None) -> ExportedTable:
    folder = staging / "articles"
    folder.mkdir()
    total = con.execute(DOCUMENT_COUNT).fetchone()[0] if progress is not None else None
    cursor = con.execute(ARTICLE_DOCUMENTS.format(published_at=local_time("a.published_at"),
                                                  first_seen_at=local_time("a.first_seen_at")))
    files = 0
    for story in stories(cursor):
        write_json(folder / f"{story['article_id']}.json", story)
        files += 1
        if progress is not None:
            progress(files, total, "articles")
    return ExportedTable("articles", files, "articles/")


def stories(cursor: duckdb.DuckDBPyConnection, batch: int = 1000):
    """The rows of ARTICLE_DOCUMENTS as documents: each story with its sub-articles in `sub_articles`. A
    sub-article whose story is missing is a document of its own."""
    columns = [d[0] for d in cursor.description]
    story = None
    while rows := cursor.fetchmany(batch):
        for row in rows:
            document = dict(zip(columns, row))
            parent = document.pop("parent_article_id")
            document["provenance"] = json.loads(document["provenance"] or "{}")
            if parent is not None and story is not None and story["article_id"] == parent:
                del document["sub_articles"]
                story["sub_articles"].append(document)
                continue
            if story is not None:
                yield story
            story = {**document, "sub_articles": []}
    if story is not None:
        yield story


def write_json(path: Path, value: object) -> None:
    """`path` holds all of the JSON text or what it held before, never part of it: written beside it, then renamed."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


def prepend_bom(path: Path) -> None:
    """The file starts with the UTF-8 byte order mark, followed by what it held."""
    marked = path.with_name(path.name + ".bom")
    with marked.open("wb") as out, path.open("rb") as data:
        out.write(codecs.BOM_UTF8)
        shutil.copyfileobj(data, out, 1 << 20)
    os.replace(marked, path)


def write_manifest(staging: Path, con: duckdb.DuckDBPyConnection, fmt: str, tables: list[ExportedTable],
                   source: str | None, timezone: str, excel: bool) -> None:
    version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    manifest = {
        "format": fmt,
        "exported_at": utc_now().isoformat(),
        "database": source,
        "schema_version": version,
        "partitioning": LAYOUTS.get(fmt),
        "timezone": "UTC" if fmt in ("parquet", WARC) else timezone,  # Parquet's instants and WARC-Date are UTC
        "excel": excel,
        "tables": {table.name: {k: v for k, v in asdict(table).items() if k != "name"} for table in tables},
    }
    write_json(staging / MANIFEST, manifest)


def replace_directory(staging: Path, target: Path) -> None:
    """Put the finished export in place of the old one: two renames, then the old files are deleted."""
    if not target.exists():
        staging.rename(target)
        return
    retired = target.parent / f".{target.name}.newsduck-old-{os.getpid()}"
    shutil.rmtree(retired, ignore_errors=True)
    target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
