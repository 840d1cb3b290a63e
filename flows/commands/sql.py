"""newsduck sql QUERY"""

from __future__ import annotations

import argparse
import sys

from warehouse.errors import first_line

from ..settings import database_path
from .common import CliError, add_db_option, examples, non_negative_int

DEFAULT_MAX_WIDTH = 60


def register(commands) -> None:
    parser = commands.add_parser(
        "sql",
        help="run a read-only SQL query against the database",
        description="Run one SQL query on a read-only connection. Statements that write are refused.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck sql "SELECT site_name, count(*) AS articles FROM articles GROUP BY ALL ORDER BY articles DESC"
            site_name      | articles
            ---------------+---------
            阜新融媒网     |        5
            柳河县人民政府 |        3
            $ newsduck sql "SELECT * FROM article_people_v" --format csv > people.csv
            $ newsduck sql "SELECT title, body_text FROM articles LIMIT 3" --max-width 0
        """),
    )
    parser.add_argument("query", metavar="QUERY")
    add_db_option(parser)
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--max-width", type=non_negative_int, default=DEFAULT_MAX_WIDTH, metavar="N",
                        help=f"table format: cut cells longer than N columns with … (default {DEFAULT_MAX_WIDTH}; "
                        "0: never cut). CSV and JSON are never cut")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.db import WarehouseError
    from warehouse.queries import ReadOnlyQueryError, format_table, run_query, to_csv, to_json

    try:
        columns, rows = run_query(database_path(args.db), args.query)
    except (ReadOnlyQueryError, WarehouseError) as exc:
        raise CliError(str(exc)) from None
    except duckdb.Error as exc:
        raise CliError(f"SQL error: {first_line(exc)}") from None
    if args.format == "csv":
        sys.stdout.write(to_csv(columns, rows))
    elif args.format == "json":
        print(to_json(columns, rows))
    else:
        print(format_table(columns, rows, max_width=args.max_width or None))
    return 0
