"""newsduck warehouse migrate --from WAREHOUSE --to WAREHOUSE"""

from __future__ import annotations

import argparse
import json

from .common import EXIT_USAGE, CliError, examples


def register(commands) -> None:
    parser = commands.add_parser(
        "warehouse",
        help="copy a warehouse between a DuckDB file and DuckLake (a catalog on PostgreSQL plus Parquet files)",
        description="Copy every table of a newsduck warehouse from a DuckDB file into an empty DuckLake warehouse "
        "(ducklake:postgresql://USER@HOST:PORT/DATABASE?data=PATH), or from DuckLake into a new DuckDB file. "
        "Rows are counted table by table on both sides; the copy is one transaction, so a failed copy leaves "
        "nothing behind. DuckDB's ducklake and postgres extensions load from their Python packages (offline).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck warehouse migrate --from data/newsduck.duckdb --to 'ducklake:postgresql://postgres@127.0.0.1:5432/news?data=lake'
            copied 24 tables, 4,092 rows: data/newsduck.duckdb -> ducklake:postgresql://postgres@127.0.0.1:5432/news?data=/srv/lake
            $ newsduck warehouse migrate --from 'ducklake:postgresql://postgres@127.0.0.1:5432/news?data=lake' --to data/copy.duckdb
            copied 23 tables, 4,079 rows: ducklake:postgresql://postgres@127.0.0.1:5432/news?data=/srv/lake -> data/copy.duckdb
        """),
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="migrate")
    migrate = actions.add_parser("migrate", help="copy a warehouse into DuckLake or back into a DuckDB file")
    migrate.add_argument("--from", dest="source", required=True, metavar="WAREHOUSE",
                         help="a DuckDB file, or ducklake:postgresql://…?data=PATH")
    migrate.add_argument("--to", dest="target", required=True, metavar="WAREHOUSE",
                         help="an empty DuckLake warehouse, or a DuckDB file that does not exist yet")
    migrate.add_argument("--json", action="store_true", help="print the rows copied per table as JSON")
    migrate.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from warehouse.errors import WarehouseError
    from warehouse.lake import is_lake_address, migrate_warehouse, parse_lake_address

    for given in (args.source, args.target):
        if is_lake_address(given):
            try:
                parse_lake_address(given)
            except WarehouseError as exc:
                raise CliError(str(exc), EXIT_USAGE) from None
    if is_lake_address(args.source) == is_lake_address(args.target):
        raise CliError("warehouse migrate copies between a DuckDB file and a DuckLake warehouse (one of --from "
                       "and --to starts with ducklake:)", EXIT_USAGE)
    copied = migrate_warehouse(args.source, args.target)
    if args.json:
        print(json.dumps({"from": args.source, "to": args.target, "tables": dict(copied)}))
        return 0
    shown = [str(parse_lake_address(w)) if is_lake_address(w) else w for w in (args.source, args.target)]
    print(f"copied {len(copied)} tables, {sum(rows for _, rows in copied):,} rows: {shown[0]} -> {shown[1]}")
    return 0
