"""newsduck reparse [--since DATE] [--warehouse ducklake:…]"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timezone

from ..summary import format_run
from .common import (EXIT_USAGE, CliError, add_db_option, add_quiet_option, add_warehouse_option, examples,
                     positive_int, warehouse_of)
from .ingest import add_dask_options, check_writable, run_exit, run_load_flow


def register(commands) -> None:
    parser = commands.add_parser(
        "reparse",
        help="re-extract every stored page with the current parser (no network)",
        description="Run the current parser over the raw pages stored in the database (or a DuckLake warehouse, "
        "--warehouse). Articles whose extracted content changed are updated in place and get the new "
        "parser_version; nothing is fetched.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=examples("""
            $ newsduck reparse --since 2025-03-01
            inputs 13  new 0  updated 2  unchanged 10  not articles 1  errors 0
            $ newsduck reparse --workers 2          # the whole archive, extracted in two processes
        """),
    )
    add_db_option(parser)
    add_warehouse_option(parser, "re-extract the pages of")
    parser.add_argument("--since", metavar="DATE", help="only pages fetched on or after this date (YYYY-MM-DD, UTC) or ISO time")
    parser.add_argument("--batch-size", type=positive_int, default=200, help="pages per Prefect task (default 200)")
    add_dask_options(parser, "extract batches")
    add_quiet_option(parser)
    parser.add_argument("--json", action="store_true", help="print the run summary as JSON")
    parser.set_defaults(handler=run)


def parse_since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--since expects a date like 2025-03-01 or an ISO time, got {text!r}", EXIT_USAGE) from None
    if len(text) == 10:
        moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def run(args: argparse.Namespace) -> int:
    since = parse_since(args.since)
    db_path = warehouse_of(args)
    from warehouse.db import WarehouseError, connect

    try:
        connect(db_path, read_only=True).close()  # a missing database is a clear error, not a new empty file
    except WarehouseError as exc:
        raise CliError(str(exc)) from None
    check_writable(db_path)
    summary = run_load_flow(args, "flows.reparse", "reparse", db_path=db_path, since=since,
                            batch_size=args.batch_size)
    print(json.dumps({**summary, "db": db_path}) if args.json else format_run(summary, db_path))
    return run_exit(summary, "reparse")
