"""newsduck sql QUERY"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from warehouse.errors import first_line

from .common import (EXIT_USAGE, CliError, add_db_option, add_max_width_option, add_warehouse_option, examples,
                     warehouse_of)


def register(commands) -> None:
    parser = commands.add_parser(
        "sql",
        help="run read-only SQL against the database",
        description="Run SQL on a read-only connection: one statement or several separated by `;`, each "
        "result printed in turn (a blank line between). Statements that write to the database are refused; "
        "COPY (SELECT …) TO 'file' writes a query's result to a file and says how many rows it wrote. "
        "Without QUERY, or with -, the SQL is read from stdin.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck sql "SELECT site_name, count(*) AS articles FROM articles GROUP BY ALL ORDER BY articles DESC"
            site_name      | articles
            ---------------+---------
            阜新融媒网     |        5
            柳河县人民政府 |        3
            $ newsduck sql "SELECT * FROM article_people_v" --format csv > people.csv
            $ newsduck sql "SELECT title, body_text FROM articles LIMIT 3" --max-width 0
            $ newsduck sql "COPY (SELECT * FROM articles) TO 'articles.parquet'"
            wrote 12 rows to articles.parquet
            $ newsduck sql - < report.sql
            $ newsduck sql "SELECT a.title FROM articles a JOIN read_csv('watch/ids.csv') w USING (article_id)" --allow-files watch
        """),
    )
    parser.add_argument("query", metavar="QUERY", nargs="?",
                        help="the SQL; - (or nothing, with stdin not a terminal) reads it from stdin")
    add_db_option(parser)
    add_warehouse_option(parser, "query the latest snapshot, read without blocking its writers, of")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_max_width_option(parser)
    parser.add_argument("--allow-files", action="append", metavar="DIR", default=[],
                        help="let the SQL read files under DIR (read_csv, read_parquet, glob ...; repeatable); "
                        "without it no file or URL outside the database can be read")
    parser.set_defaults(handler=run)


def read_sql(query: str | None) -> str:
    if query is not None and query != "-":
        return query
    if query is None and (sys.stdin is None or sys.stdin.isatty()):
        raise CliError('say what to run: newsduck sql "SELECT …", or the SQL on stdin (newsduck sql - < query.sql)',
                       EXIT_USAGE)
    if not hasattr(sys.stdin, "buffer"):  # a text stream without bytes underneath
        return sys.stdin.read()
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"the SQL on stdin is not UTF-8 text (byte {exc.start})", EXIT_USAGE) from None


def run(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.db import WarehouseError
    from warehouse.errors import EmptyQueryError
    from warehouse.queries import ReadOnlyQueryError, run_statements

    allowed = [allowed_directory(value) for value in args.allow_files]
    warehouse = warehouse_of(args)
    sql = read_sql(args.query)
    printed = False
    try:
        for result in run_statements(warehouse, sql, allowed_directories=allowed):
            printed = show(result, args.format, args.max_width or None, after_output=printed) or printed
    except EmptyQueryError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except (ReadOnlyQueryError, WarehouseError) as exc:
        raise CliError(str(exc)) from None
    except duckdb.Error as exc:
        raise CliError(f"SQL error: {first_line(exc)}") from None
    return 0


def allowed_directory(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise CliError(f"--allow-files {value}: not a directory", EXIT_USAGE)
    return path


def show(result, output_format: str, max_width: int | None, *, after_output: bool) -> bool:
    """Print one statement's result, after a blank line if something was printed before; returns whether it
    printed to stdout. What a COPY wrote is one line, on stderr for CSV and JSON (their stdout is data)."""
    from warehouse.queries import format_table, to_csv, to_json

    if result.is_copy and output_format != "table":
        print(copy_line(result), file=sys.stderr)
        return False
    if after_output:
        print()
    if result.is_copy:
        print(copy_line(result))
    elif output_format == "csv":
        sys.stdout.write(to_csv(result.columns, result.rows))
    elif output_format == "json":
        print(to_json(result.columns, result.rows))
    else:
        print(format_table(result.columns, result.rows, max_width=max_width))
    return True


def copy_line(result) -> str:
    rows = result.rows_written
    written = "wrote" if rows is None else f"wrote {rows} row{'s' if rows != 1 else ''}"
    return f"{written} to {result.copied_to}" if result.copied_to else written
