"""newsduck export DIR"""

from __future__ import annotations

import argparse
import sys
import textwrap

from ..progress import ProgressBar, progress_bar
from .common import (EXIT_USAGE, CliError, add_db_option, add_quiet_option, add_timezone_option, add_warehouse_option,
                     examples, positive_int, resolve_timezone, warehouse_of)


def register(commands) -> None:
    parser = commands.add_parser(
        "export",
        help="write every table to Parquet (partitioned by site and month), CSV or JSON lines, each story to a JSON "
        "file, or the raw pages to WARC files",
        description=textwrap.dedent("""\
            Export every table of the database into DIR, with two views that carry names where the tables carry
            ids: article_people_v (each credit: article_id, title, name, role, seq, person_id) and article_overview
            (one row per story, its credits as lists of names). DIR/newsduck-export.json lists what was written.

              parquet        the default. articles, paragraphs, article_people, images and article_search are
                             partitioned Hive-style by the story's site and month
                             (DIR/articles/site=HOST/month=YYYY-MM/*.parquet; month=__HIVE_DEFAULT_PARTITION__
                             without a date), every other table is one file (DIR/runs.parquet). Times are
                             instants (TIMESTAMPTZ, stored adjusted to UTC), whatever --timezone says.
              csv, jsonl     one file per table, BLOBs as base64, times as text in --timezone with their offset
                             (2025-03-06 00:00:00+08:00). --excel: CSV with a byte order mark and CRLF line
                             ends, which Excel opens as UTF-8 (without the mark, Excel on a Chinese Windows
                             reads GBK).
              articles-json  one JSON file per story, as news-please writes: DIR/articles/ARTICLE_ID.json with
                             the keys of `newsduck extract` the database keeps (path, url, title, kicker,
                             subtitle, lead, published_at, authors with roles, source_name, site_name, original_url,
                             canonical_url, language, sections, paragraphs, images with caption and credit,
                             sub_articles, text, provenance) and article_id, published_date,
                             published_precision, site, edition_date, page_no, page_name, first_seen_at.
                             An e-paper page's other stories are in its sub_articles, with the same keys.
              warc           the raw archive (raw_pages with its fetches) as WARC/1.1 files other tools read
                             (DIR/newsduck-00000.warc.gz ..., a new file every --warc-file-mb MB): one
                             response record per distinct page of a URL, without request records, dated
                             by its first fetch (WARC-Date, UTC), its HTTP status line and the stored
                             Content-Type rebuilt; pages read from files without a URL are resource
                             records at their file:// URI. `newsduck ingest DIR` reads the response records back.

            DIR is replaced as a whole: files of an earlier export never linger, and an interrupted export
            leaves the last one as it was. A non-empty DIR that is not a newsduck export is refused. Reads a
            consistent state of the database (waits while an ingest is writing); from a DuckLake warehouse
            (--warehouse), its latest snapshot as the export begins, while its writers go on."""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck export exports/news-json --format articles-json          # on the make demo database
            articles         12  articles/
            exported 12 stories, one JSON file each, to exports/news-json (articles-json, times in Asia/Shanghai) in 0.1 s
            $ newsduck export exports/news
            $ newsduck export exports/news-excel --excel --exclude raw_pages --timezone UTC
            $ newsduck export exports/lake-warc --format warc --warehouse 'ducklake:postgresql://postgres@10.0.0.5:5432/news?data=/srv/lake'
          read it back:
            DuckDB   SELECT site, month, count(*) FROM 'exports/news/articles/**/*.parquet' GROUP BY ALL;
            pyarrow  pyarrow.parquet.read_table("exports/news/articles")     # site, month from the paths
            pandas   pandas.read_parquet("exports/news/articles")
            Spark    spark.read.parquet("exports/news/articles")
        """),
    )
    parser.add_argument("directory", metavar="DIR", help="where to write (created, or replaced if it is an earlier export)")
    add_db_option(parser)
    add_warehouse_option(parser, "export the latest snapshot, read without blocking its writers, of")
    parser.add_argument("--format", choices=("parquet", "csv", "jsonl", "articles-json", "warc"),
                        help="parquet (default), csv, jsonl, articles-json or warc")
    parser.add_argument("--excel", action="store_true",
                        help="CSV for Excel (implies --format csv): UTF-8 with a byte order mark, CRLF line ends")
    parser.add_argument("--exclude", metavar="TABLE", action="append", default=[],
                        help="leave a table out (repeatable), e.g. raw_pages, which holds every page's bytes")
    parser.add_argument("--warc-file-mb", type=positive_int, default=1024, metavar="MB",
                        help="warc: begin a new WARC file once one reaches this many MB (default 1024)")
    add_timezone_option(parser, "write the times of CSV, JSON lines and article files")
    add_quiet_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from warehouse.db import WarehouseError
    from warehouse.export import export_warehouse

    fmt = args.format or ("csv" if args.excel else "parquet")
    if args.excel and fmt != "csv":
        raise CliError(f"--excel writes CSV; leave out --format {fmt}", EXIT_USAGE)
    zone = resolve_timezone(args.timezone).key
    warehouse = warehouse_of(args)
    unit = {"articles-json": "stories", "warc": "pages"}.get(fmt)
    try:
        with progress_bar(args.quiet, lambda: ProgressBar("export", unit=unit)) as bar:
            result = export_warehouse(warehouse, args.directory, fmt, exclude=tuple(args.exclude),
                                      timezone=zone, excel=args.excel, progress=bar.step if bar else None,
                                      max_file_bytes=args.warc_file_mb << 20)
    except WarehouseError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.directory}: {exc.strerror or exc}") from None
    width = max(len(t.name) for t in result.tables) if result.tables else 0
    for table in result.tables:
        print(f"{table.name:<{width}}  {table.rows:>9}  {table.path}")
    total = sum(t.rows for t in result.tables)
    if result.format == "articles-json":
        what = f"{total} stories, one JSON file each,"
    elif result.format == "warc":
        what = f"{total} pages as WARC records,"
    else:
        what = f"{len(result.tables)} tables, {total} rows,"
    dialect = " for Excel" if result.excel else ""
    times = "" if result.format in ("parquet", "warc") else f", times in {result.timezone}"
    print(f"exported {what} to {args.directory} ({result.format}{dialect}{times}) in {result.seconds:.1f} s",
          file=sys.stderr)
    return 0
